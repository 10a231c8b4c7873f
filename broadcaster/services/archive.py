"""Listening back to what aired: the service behind `broadcaster log audio` and the desk's "Nghe" button.

    audio = airing_audio(station_dir, airing_id)   # None: no audio for that row (missing_audio says why)
    audio.mp3_bytes()                              # the row's stretch as MP3 (an HTTP response body)
    audio.extract(Path("tin.mp3"))                 # ... or as a file (.mp3 / .wav)
    audio.path, audio.offset, audio.duration       # the archive file and the stretch, in seconds
    audio.test                                     # aired into a file or nowhere (chạy thử)

Never plays through the station's outputs or relays; `play_airing` plays on a local device and refuses the one
the station airs through. Details: docs/archive.md.
"""

from __future__ import annotations

from pathlib import Path

from broadcaster.archive import ArchivedAudio, find_audio, missing_reason, play_locally
from broadcaster.config import load_station
from broadcaster.errors import InputError
from broadcaster.models import Station

__all__ = ["ArchivedAudio", "airing_audio", "missing_audio", "play_airing", "save_airing"]


def _station(station: str | Path | Station) -> Station:
    return station if isinstance(station, Station) else load_station(station)


def airing_audio(station: str | Path | Station, airing_id: int) -> ArchivedAudio | None:
    """The archived audio of log row `airing_id` (a station directory or a loaded `Station`); None when the row
    has none: not aired, pruned, or aired before the archive existed (`missing_audio` says which)."""
    return find_audio(_station(station), int(airing_id))


def missing_audio(station: str | Path | Station, airing_id: int) -> str:
    """Why row `airing_id` has no audio, in the officer's words."""
    return missing_reason(_station(station), int(airing_id))


def _require(station: Station, airing_id: int) -> ArchivedAudio:
    audio = find_audio(station, airing_id)
    if audio is None:
        raise InputError(missing_reason(station, airing_id))
    return audio


def save_airing(station: str | Path | Station, airing_id: int, target: Path) -> ArchivedAudio:
    """`broadcaster log audio ID -o FILE`: the row's stretch written to `target` (.mp3 or .wav)."""
    st = _station(station)
    audio = _require(st, int(airing_id))
    audio.extract(Path(target))
    return audio


def play_airing(station: str | Path | Station, airing_id: int, device: str | None = None) -> ArchivedAudio:
    """`broadcaster log audio ID --play`: the row's stretch played on a local device (never the station's)."""
    st = _station(station)
    audio = _require(st, int(airing_id))
    play_locally(audio, st, device)
    return audio
