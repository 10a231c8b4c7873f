"""Log review: what aired, where and when (filters as the officer names them), and the chain check.

Called by `broadcaster log` and the web desk; the formats live in `airlog` (`export`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from broadcaster.airlog import AirLog, VerifyResult, chain_position, load_public_key, log_head
from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.errors import InputError
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
    """The airings matching the filters, in the order they happened. Dates as the officer writes them ('28/11/2026' or
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
    # the order things happened: when each row started, or (never started: missed, skipped) when it was due
    rows.sort(key=lambda r: (r.started_at or r.scheduled_at, r.id or 0))
    return Review(station, tuple(rows), True)


def verify(station_dir: str | Path, *, expect: str | None = None, public_key: str | Path | None = None,
           database: str | Path | None = None) -> VerifyResult | None:
    """The hash chain and the signed checkpoints checked end to end; None when the station has no log yet.
    `expect`: a head hash noted earlier (printed on a signed report): it must still be in the chain, or the log
    was rewritten or cut. `public_key`: the station's public key file (`station-key.pub`) to check the
    checkpoints against instead of the key beside the log; `database`: a copy of a log to check instead of the
    station's own (no station.yaml needed)."""
    if database is not None:
        path, tz = Path(database), DEFAULT_TIMEZONE
        if not path.is_file():
            raise InputError(f"không có tệp nhật ký {path}")
    else:
        station = load_station(station_dir)
        path, tz = station.database, station.timezone
        if not path.exists():
            return None
    key = load_public_key(public_key) if public_key else None
    with AirLog(path, tz=tz) as log:
        result = log.verify(key)
        if not expect or not result.ok:
            return result
        found = chain_position(log, expect)
        chained = log_head(log).chained
    if found is None:
        return dataclasses.replace(result, ok=False, message=(
            f"nhật ký phát sóng đã bị can thiệp: mã {expect.strip()} (ghi trên báo cáo) không còn trong chuỗi: "
            "nhật ký đã bị tính lại hoặc bị cắt bớt từ sau thời điểm đó"))
    after = chained - found[0]
    return dataclasses.replace(result, message=(
        f"{result.message}; mã đối chiếu khớp bản ghi số {found[1]}"
        + (f", sau đó có thêm {after} bản ghi" if after else " (cuối chuỗi)")))
