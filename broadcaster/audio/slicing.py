"""A built programme cut into playable slices, one per manifest item (openings and closings joined where they
follow each other with no silence), so playout can start each item at its own offset and switch relays between."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadcaster.errors import AudioError
from broadcaster.models import Programme
from broadcaster.wav import WAV_ERRORS, copy_frames, open_reader

if TYPE_CHECKING:
    from broadcaster.audio.programme import BuiltProgramme

__all__ = ["Segment", "slice_programme"]


@dataclass(frozen=True)
class Segment:
    """One playable slice of a programme: an opening, ident, chime, bulletin or closing (plus its pause)."""

    kind: str
    bulletin_id: str | None
    title: str
    zones: frozenset[str]
    offset: float  # seconds from the programme's start
    duration: float  # seconds of audio in `wav`
    content_hash: str
    wav: Path


def slice_programme(built: BuiltProgramme, programme: Programme, out_dir: Path | None = None) -> list[Segment]:
    """Cut the built programme WAV into one WAV per manifest item; reuse slices already cut from the same WAV."""
    wav_path = Path(built.wav)
    out_dir = out_dir or wav_path.parent / "segments"
    out_dir.mkdir(parents=True, exist_ok=True)
    all_zones = programme.zones
    stamp = wav_path.stat().st_mtime_ns
    segments: list[Segment] = []
    try:
        with open_reader(wav_path) as src:
            rate, total = src.getframerate(), src.getnframes()
            for n, group in enumerate(_play_groups(built.items, all_zones)):
                head, tail = group[0], group[-1]
                first = min(total, max(0, round(head.offset * rate)))
                last = min(total, round((tail.offset + tail.duration) * rate))  # the pause after: waited, not played
                kind = "+".join(i.kind for i in group)
                path = out_dir / f"{n:02d}-{kind}-{stamp}.wav"
                if not path.exists():
                    copy_frames(src, path, first, last)
                segments.append(
                    Segment(
                        kind=kind,
                        bulletin_id=head.bulletin_id,
                        title=" + ".join(i.title for i in group),
                        zones=frozenset(head.zones) or all_zones,  # opening, ident, closing: every zone
                        offset=float(head.offset),
                        duration=(last - first) / rate,
                        content_hash=getattr(head, "content_hash", "") or "",
                        wav=path,
                    )
                )
    except WAV_ERRORS as exc:
        raise AudioError(f"{wav_path}: không đọc được âm thanh chương trình để phát ({exc})") from exc
    return segments


def _play_groups(items: Sequence[Any], all_zones: frozenset[str]) -> list[list[Any]]:
    """Manifest items in air order, joined where one sound follows another with no silence between and the same
    zones, and neither is a bulletin (opening + ident, closing speech + closing jingle): a player's stop and
    restart there would be an audible gap (~0.3 s with aplay), while in a pause it is absorbed."""
    groups: list[list[Any]] = []
    for item in sorted(items, key=lambda i: i.offset):
        if groups:
            prev = groups[-1][-1]
            joined = (prev.bulletin_id is None and item.bulletin_id is None
                      and abs(prev.offset + prev.duration - item.offset) < 1e-3
                      and (frozenset(prev.zones) or all_zones) == (frozenset(item.zones) or all_zones))
            if joined:
                groups[-1].append(item)
                continue
        groups.append([item])
    return groups
