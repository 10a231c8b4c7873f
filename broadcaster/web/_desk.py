"""The desk's state for one station: the station (re-read when station.yaml changes), the desk's store, the
bulletin index, the clock, and the templates with the Vietnamese formats from `words`."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

from starlette.templating import Jinja2Templates

from broadcaster.clock import Clock, SystemClock
from broadcaster.config import STATION_FILE, is_error, load_station
from broadcaster.airlog import DeskStore, open_store
from broadcaster.errors import BroadcasterError
from broadcaster.models import Station
from broadcaster.services.bulletins import BulletinIndex
from broadcaster.words import (
    APPROVAL_LABELS,
    AUDIT_LABELS,
    PRIORITY_LABELS,
    ROLE_LABELS,
    WEEKDAY_SHORT,
    fmt_date,
    fmt_time,
    session_label,
    status_label,
    topic_name,
    weekday,
)

__all__ = ["Desk", "TEMPLATES"]

_HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(_HERE / "templates"))  # autoescape on for .html: every value escaped


def _fmt_when(value: datetime | None) -> str:
    """'07:05 Thứ Hai, 30/11/2026'."""
    if value is None:
        return ""
    return f"{fmt_time(value)} {weekday(value.date())}, {fmt_date(value.date())}"


def _fmt_day(value: date | None) -> str:
    return f"{weekday(value)}, {fmt_date(value)}" if value is not None else ""


_DETAIL_LABELS = {"keys": "mục đã sửa", "comment": "ý kiến", "four_eyes": "bốn mắt", "was": "trước đó",
                  "role": "vai trò", "wait": "chờ (giây)", "reason": "lý do"}


def _audit_details(details: dict[str, Any]) -> str:
    """'mục đã sửa: text, title; ý kiến: …' (hashes of files are left out: the content keys are shown)."""
    parts = []
    for key, value in details.items():
        if key not in _DETAIL_LABELS or value in ("", None):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "bật" if value else "tắt"
        elif value in ("on", "off"):
            value = "bật" if value == "on" else "tắt"
        parts.append(f"{_DETAIL_LABELS[key]}: {value}")
    return "; ".join(parts)


TEMPLATES.env.filters.update(audit_details=_audit_details, when=_fmt_when, day=_fmt_day, short_date=lambda d: fmt_date(d) if d else "")
TEMPLATES.env.globals.update(
    PRIORITY_LABELS={p.value: label for p, label in PRIORITY_LABELS.items()},
    ROLE_LABELS=ROLE_LABELS,
    APPROVAL_LABELS=APPROVAL_LABELS,
    AUDIT_LABELS=AUDIT_LABELS,
    WEEKDAY_SHORT=WEEKDAY_SHORT,
    is_error=is_error,
    session_label=session_label,
    status_label=status_label,
    topic_name=topic_name,
)


class Desk:
    """Everything a request handler needs, shared by the whole app (one per `serve` process)."""

    def __init__(self, station_dir: str | Path, *, clock: Clock | None = None):
        self.station_dir = Path(station_dir)
        self._lock = threading.Lock()
        self._station = load_station(self.station_dir)
        self._mark = self._station_mark()
        self.clock: Clock = clock or SystemClock(self._station.timezone)
        self.store: DeskStore = open_store(self._station)
        self.index = BulletinIndex(self._station)

    def _station_mark(self) -> tuple[int, int]:
        st = (self.station_dir / STATION_FILE).stat()
        return st.st_mtime_ns, st.st_size

    @property
    def station(self) -> Station:
        """The station as station.yaml says now (a broken edit keeps the last good one)."""
        with self._lock:
            try:
                mark = self._station_mark()
                if mark != self._mark:
                    self._mark = mark
                    self._station = load_station(self.station_dir)
                    self.index = BulletinIndex(self._station)
            except (BroadcasterError, OSError):  # a half-saved station.yaml must not take the desk down
                pass
            return self._station

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        self.store.close()

    def render(self, request: Any, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
        base = {"station": self.station, "ctx": getattr(request.state, "desk_ctx", None)}
        return TEMPLATES.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
