"""Build a day's programme audio without airing it (`broadcaster build`).

`build_day` plans the day with the fixed parts measured from real audio, speaks each bulletin or takes its
cached render, prepares clips and assembles each programme into DIR/<date>_<slot>_<output>/. Imports the audio
stack (numpy, scipy): the CLI loads this module only when `build` runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

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

__all__ = ["DayBuild", "ProgrammeBuild", "build_day", "build_programmes"]


@dataclass(frozen=True)
class ProgrammeBuild:
    """One programme of the day: built (paths in `built`) or not (`problem` says why)."""

    programme: Programme
    built: BuiltProgramme | None
    problem: str = ""


@dataclass(frozen=True)
class DayBuild:
    station: Station
    day: date
    out_dir: Path
    programmes: tuple[ProgrammeBuild, ...]
    warnings: tuple[str, ...] = field(default=())


def _slot_ids(station: Station, slot: str | None) -> list[str]:
    if slot is None:
        return [s.id for s in station.slots]
    try:
        return [station.slot(slot).id]
    except KeyError:
        known = ", ".join(f"{s.id} ({s.name})" for s in station.slots) or "không có"
        raise BroadcasterError(f"không có buổi phát '{slot}' trong station.yaml; các buổi: {known}") from None


def _speech_clip(station: Station, text: str) -> Clip:
    from broadcaster.speech.render import render_text

    return prepare_clip(station, render_text(station, text).path)


def _bulletin_clip(station: Station, bulletin: Bulletin, dictionary: Any) -> Clip:
    """A recording made broadcast-ready as it is; a text bulletin from its cached render, else rendered now."""
    from broadcaster.speech.render import cached_render, render_text

    if bulletin.audio is not None:
        return prepare_clip(station, bulletin.audio)  # AudioError names the file if it is missing or corrupt
    rendered = cached_render(station, bulletin, dictionary)
    if rendered is None:
        if not bulletin.text:
            raise BroadcasterError("bản tin không có nội dung để đọc")
        rendered = render_text(station, bulletin.text, dictionary=dictionary)
    return prepare_clip(station, rendered.path)


def _spoken_parts(station: Station, programme: Programme) -> tuple[Clip, Clip]:
    return _speech_clip(station, ident_text(station, programme)), _speech_clip(station, closing_text(station, programme))


def _build_one(station: Station, programme: Programme, bulletins: dict[str, Bulletin], sounds: Sounds,
               dictionary: Any, out_dir: Path) -> ProgrammeBuild:
    def clip_of(item: ProgrammeItem) -> Clip | BroadcasterError:
        try:
            bulletin = bulletins.get(item.bulletin_id)
            if bulletin is None:
                raise BroadcasterError("không tìm thấy tệp bản tin")
            return _bulletin_clip(station, bulletin, dictionary)
        except BroadcasterError as exc:  # this bulletin is left out with its reason; the others still build
            return exc

    clips: dict[str, Clip] = {}
    dropped: list[Skip] = []
    for item, made in zip(programme.items, on_every_cpu(clip_of, programme.items)):
        if isinstance(made, BroadcasterError):
            dropped.append(Skip(item.bulletin_id, f"không có âm thanh: {made}", item.zones))
        else:
            clips[item.bulletin_id] = made
    if dropped:
        programme = dataclasses.replace(
            programme,
            items=tuple(i for i in programme.items if i.bulletin_id in clips),
            skipped=(*programme.skipped, *dropped),
        )
    if not programme.items:
        return ProgrammeBuild(programme, None, "không có bản tin nào phát được trong buổi này")
    ident, closing = _spoken_parts(station, programme)
    built = build_programme(station, programme, clips, out_dir / programme_stem(programme), ident=ident,
                            closing_speech=closing, sounds=sounds)
    return ProgrammeBuild(programme, built)


def build_day(station_dir: str | Path, day: date, out_dir: Path, *, slot: str | None = None,
              zone: str | None = None) -> DayBuild:
    """Plan `day` and build the audio of each programme (optionally one session, or those reaching one zone)."""
    from broadcaster._plan_report import resolve_zone
    from broadcaster._plan_service import measured_overhead, plan_loaded
    from broadcaster.config import is_error, load_bulletins, load_station

    station = load_station(station_dir)
    slots = _slot_ids(station, slot)
    zone_id = resolve_zone(station, zone).id if zone else None
    bulletins, problems = load_bulletins(station)
    warnings = [f"{p} (bản tin này không được dựng)" for p in problems if is_error(p)]
    sounds = station_sounds(station)
    overhead = measured_overhead(station, day, slots, render=True, sounds=sounds)[0]
    sp = plan_loaded(station, bulletins, day, day, overhead=overhead, warnings=warnings)
    chosen = [p for p in sp.result.programmes
              if p.slot_id in slots and (zone_id is None or zone_id in p.zones)]
    results = build_programmes(station, chosen, bulletins, Path(out_dir), sounds=sounds)
    return DayBuild(station, day, Path(out_dir), results, sp.warnings)


def build_programmes(station: Station, programmes: Sequence[Programme], bulletins: Sequence[Bulletin],
                     out_dir: Path, *, sounds: Sounds | None = None) -> tuple[ProgrammeBuild, ...]:
    """Build planned programmes into `out_dir/<date>_<slot>_<output>/`; a bulletin without usable speech is
    left out with its reason (the others still build)."""
    from broadcaster.speech.normalize import load_dictionary

    sounds = sounds or station_sounds(station)
    dictionary = load_dictionary(station)
    by_id = {b.id: b for b in bulletins}
    return tuple(_build_one(station, p, by_id, sounds, dictionary, out_dir) for p in programmes)
