"""The station's clock: always the station's timezone (Asia/Ho_Chi_Minh), whatever the machine's."""

from __future__ import annotations

import time as _time
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["DEFAULT_TIMEZONE", "Clock", "SystemClock"]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"  # a station's `timezone` unless station.yaml says otherwise


class Clock(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime:
        """Aware datetime in the station's timezone."""
        ...

    def sleep(self, seconds: float) -> None: ...

    def monotonic(self) -> float:
        """Seconds on a clock nobody can set (waits, and telling a wall-clock step from time passing)."""
        ...


class SystemClock:
    """The real clock, read in the station's timezone."""

    def __init__(self, tz: str | ZoneInfo = DEFAULT_TIMEZONE):
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def monotonic(self) -> float:
        return _time.monotonic()
