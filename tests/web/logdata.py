"""Airing-log rows for the desk's log and week tests (a few days of a small station, with every status)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from broadcaster.airlog import AirLog
from broadcaster.models import Airing, AiringStatus, Priority, Station

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def airing(day: datetime, slot: str, bulletin: str, status: AiringStatus, *, zones: tuple[str, ...] = ("dong", "tay"),
           topic: str = "thong-bao", engine: str = "espeak", kind: str = "sounddevice", offset: float = 0.0,
           reason: str = "", title: str = "", clock: tuple[int, int] | None = None) -> Airing:
    hour = clock or {"sang": (6, 30), "chieu": (17, 0)}[slot]
    at = day.replace(hour=hour[0], minute=hour[1], second=0, microsecond=0) + timedelta(seconds=offset)
    played = status in (AiringStatus.COMPLETED, AiringStatus.INTERRUPTED)
    return Airing(
        session_key=f"{at.date().isoformat()}/{slot}/main", output_id="main", zones=zones, bulletin_id=bulletin,
        title=title or {"2026-tiep-cong-dan": "Lịch tiếp công dân"}.get(bulletin, bulletin), topic=topic,
        priority=Priority.NORMAL, scheduled_at=at, status=status,
        started_at=at + timedelta(seconds=2) if played else None,
        ended_at=at + timedelta(seconds=32) if played else None,
        planned_seconds=30.0, played_seconds=30.0 if status is AiringStatus.COMPLETED else (12.0 if played else 0.0),
        engine=engine if played else "", voice="vi" if played else "", output_kind=kind, reason=reason,
        approved_by="Nguyễn Văn Lý" if played else "", approval_hash="abc123def4567890" if played else "",
    )


def write_log(station: Station, rows: list[Airing]) -> None:
    with AirLog(station.database, tz=station.timezone) as log:
        for r in rows:
            log.record(r)
