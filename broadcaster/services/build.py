"""`broadcaster build`: plan a day and build its programmes' audio without airing it, through the one build path
the station uses (`build.programmes`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from broadcaster.audio.jingles import station_sounds
from broadcaster.build import measured_overhead, plan_loaded
from broadcaster.build.programmes import ProgrammeBuild, build_programmes
from broadcaster.config import is_error, load_bulletins, load_station, resolve_slot, resolve_zone
from broadcaster.models import Station

__all__ = ["DayBuild", "build_day"]


@dataclass(frozen=True)
class DayBuild:
    station: Station
    day: date
    out_dir: Path
    programmes: tuple[ProgrammeBuild, ...]
    warnings: tuple[str, ...] = field(default=())


def build_day(station_dir: str | Path, day: date, out_dir: Path, *, slot: str | None = None,
              zone: str | None = None) -> DayBuild:
    """Plan `day` and build the audio of each programme (optionally one session, or those reaching one zone)."""
    station = load_station(station_dir)
    slots = [s.id for s in station.slots] if slot is None else [resolve_slot(station, slot).id]
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
