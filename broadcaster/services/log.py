"""Log review: what aired, where and when (filters as the officer names them), and the chain check.

Called by `broadcaster log` and the web desk; the formats live in `airlog` (`export`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from broadcaster.airlog import AirLog, VerifyResult
from broadcaster.config import load_station, parse_day, resolve_zone
from broadcaster.models import Airing, AiringStatus, Station

__all__ = ["Review", "review", "verify"]


@dataclass(frozen=True)
class Review:
    station: Station
    rows: tuple[Airing, ...]
    exists: bool  # False: the station has never aired (no log database yet)


def review(station_dir: str | Path, *, start: str | None = None, end: str | None = None, zone: str | None = None,
           bulletin: str | None = None, status: AiringStatus | str | None = None) -> Review:
    """The airings matching the filters, by scheduled time. Dates as the officer writes them ('28/11/2026' or
    '2026-11-28', inclusive); a village by id or name (a village removed from station.yaml since keeps its
    history under its id). Never creates the database."""
    station = load_station(station_dir)
    first = parse_day(start, "từ ngày (--from)") if start else None
    last = parse_day(end, "đến ngày (--to)") if end else None
    zone_id = None
    if zone:
        zone_id = zone if zone in {z.id for z in station.zones} else resolve_zone(station, zone).id
    if not station.database.exists():
        return Review(station, (), False)
    with AirLog(station.database, tz=station.timezone) as log:
        rows = log.query(from_date=first, to_date=last, zone=zone_id, bulletin=bulletin,
                         status=status)
    return Review(station, tuple(rows), True)


def verify(station_dir: str | Path) -> VerifyResult | None:
    """The hash chain checked end to end; None when the station has no log yet."""
    station = load_station(station_dir)
    if not station.database.exists():
        return None
    with AirLog(station.database, tz=station.timezone) as log:
        return log.verify()
