"""The one build path: a planned programme -> broadcast-ready audio, for `broadcaster build`, the station's
render-ahead and `broadcaster air` alike, so `build` is a true dry run of what airs (`services.build.build_day`
plans a day and calls it).

Each bulletin's speech is taken from the render cache (recordings decoded there too); `render_missing` decides
whether speech still missing is rendered now (`build`) or the bulletin is left out with its reason (the station,
which renders ahead and must never wait on an engine at air time). Clips are prepared on every CPU, the spoken
ident and closing rendered, and the programme assembled. Imports the audio stack (numpy, scipy): the CLI loads
this package only when `build` runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from broadcaster.audio.clips import Clip, on_every_cpu, prepare_clip
from broadcaster.audio.jingles import Sounds, station_sounds
from broadcaster.audio.programme import (
    BuiltProgramme,
    build_programme,
    closing_text,
    ident_text,
    programme_stem,
)
from broadcaster.errors import BroadcasterError
from broadcaster.models import Bulletin, Programme, ProgrammeItem, Skip, Station
from broadcaster.speech.normalize import Dictionary, load_dictionary
from broadcaster.speech.render import Render, cached_render, render_recording, render_text

__all__ = [
    "NOTHING_TO_AIR",
    "REASON_NO_AUDIO",
    "ProgrammeBuild",
    "build_programme_audio",
    "build_programmes",
]

REASON_NO_AUDIO = "chưa có âm thanh (đọc thành tiếng không được; xem `broadcaster render`), các bản tin khác vẫn phát"
NOTHING_TO_AIR = "không có bản tin nào phát được trong buổi này"


@dataclass(frozen=True)
class ProgrammeBuild:
    """One programme: built (paths in `built`) or not (`problem` says why, in Vietnamese).

    `programme` is the programme as built: bulletins without audio moved to its `skipped` with their reason.
    `renders` says how each bulletin was spoken (engine, voice, or a recording); `clips` are the prepared clips.
    `signature` identifies the audio that goes on air: equal signatures mean identical programmes; `reused`
    is True when the caller's previous build had the same signature and nothing was assembled again.
    """

    programme: Programme
    built: BuiltProgramme | None
    problem: str = ""
    renders: Mapping[str, Render] = field(default_factory=dict)
    clips: Mapping[str, Clip] = field(default_factory=dict)
    signature: str = ""
    reused: bool = False


def _speech_clip(station: Station, text: str) -> Clip:
    return prepare_clip(station, render_text(station, text).path)


def _bulletin_render(station: Station, bulletin: Bulletin, dictionary: Dictionary, render_missing: bool) -> Render:
    """The bulletin's speech (or decoded recording) from the cache; rendered now only when `render_missing`."""
    rendered = cached_render(station, bulletin, dictionary)
    if rendered is not None:
        return rendered
    if bulletin.audio is not None:
        if not render_missing:
            raise BroadcasterError(REASON_NO_AUDIO)
        return render_recording(station, bulletin)  # AudioError names the file if it is missing or corrupt
    if not bulletin.text:
        raise BroadcasterError("bản tin không có nội dung để đọc")
    if not render_missing:
        raise BroadcasterError(REASON_NO_AUDIO)
    return render_text(station, bulletin.text, dictionary=dictionary)


def signature(programme: Programme, clips: Mapping[str, Clip]) -> str:
    """What decides the audio on air: the session, its start, and each item's zones and clip."""
    h = hashlib.sha256()
    h.update(f"{programme.key}|{programme.start.isoformat()}".encode())
    for item in programme.items:
        clip = clips.get(item.bulletin_id)
        h.update(f"|{item.bulletin_id}:{sorted(item.zones)}:{clip.sha256 if clip else ''}".encode())
    return h.hexdigest()[:16]


def build_programme_audio(
    station: Station,
    programme: Programme,
    bulletins: Mapping[str, Bulletin],
    out_dir: Path,
    *,
    render_missing: bool,
    sounds: Sounds | None = None,
    dictionary: Dictionary | None = None,
    mp3: bool = True,
    previous_signature: str | None = None,
) -> ProgrammeBuild:
    """Build one planned programme into `out_dir` (the one build path). A bulletin without usable audio is left
    out with its reason and the others still build; with none left, nothing is built (`problem`). Never raises
    for a bulletin's or the programme's audio: the failure is the `problem`."""
    dictionary = load_dictionary(station) if dictionary is None else dictionary

    def speech_of(item: ProgrammeItem) -> tuple[Render, Clip] | BroadcasterError:
        try:
            bulletin = bulletins.get(item.bulletin_id)
            if bulletin is None:
                raise BroadcasterError("không tìm thấy tệp bản tin")
            rendered = _bulletin_render(station, bulletin, dictionary, render_missing)
            return rendered, prepare_clip(station, Path(rendered.path))
        except BroadcasterError as exc:  # this bulletin is left out with its reason; the others still build
            return exc

    renders: dict[str, Render] = {}
    clips: dict[str, Clip] = {}
    dropped: list[Skip] = []
    for item, made in zip(programme.items, on_every_cpu(speech_of, programme.items), strict=True):
        if isinstance(made, BroadcasterError):
            reason = str(made) if str(made) == REASON_NO_AUDIO else f"không có âm thanh: {made}"
            dropped.append(Skip(item.bulletin_id, reason, item.zones))
        else:
            renders[item.bulletin_id], clips[item.bulletin_id] = made
    if dropped:
        programme = dataclasses.replace(
            programme,
            items=tuple(i for i in programme.items if i.bulletin_id in clips),
            skipped=(*programme.skipped, *dropped),
        )
    if not programme.items:
        detail = "; ".join(f"{s.bulletin_id}: {s.reason}" for s in dropped)
        return ProgrammeBuild(programme, None, f"{NOTHING_TO_AIR} ({detail})" if detail else NOTHING_TO_AIR)
    sig = signature(programme, clips)
    if previous_signature == sig:
        return ProgrammeBuild(programme, None, renders=renders, clips=clips, signature=sig, reused=True)
    try:
        ident = _speech_clip(station, ident_text(station, programme))
        closing = _speech_clip(station, closing_text(station, programme))
        built = build_programme(station, programme, clips, out_dir, ident=ident, closing_speech=closing,
                                sounds=sounds, mp3=mp3)
    except BroadcasterError as exc:
        return ProgrammeBuild(programme, None, str(exc), renders, clips, sig)
    return ProgrammeBuild(programme, built, "", renders, clips, sig)


def build_programmes(station: Station, programmes: Sequence[Programme], bulletins: Sequence[Bulletin],
                     out_dir: Path, *, sounds: Sounds | None = None) -> tuple[ProgrammeBuild, ...]:
    """`build`: planned programmes into `out_dir/<date>_<slot>_<output>/`, speech still missing rendered now."""
    sounds = sounds or station_sounds(station)
    dictionary = load_dictionary(station)
    by_id = {b.id: b for b in bulletins}
    return tuple(
        build_programme_audio(station, p, by_id, out_dir / programme_stem(p), render_missing=True, sounds=sounds,
                              dictionary=dictionary)
        for p in programmes
    )
