"""Fakes for side effects we own interfaces for (Clock, Output, ZoneSwitch, ...). No mocking of our own classes.

Each area appends its fakes below under its own heading.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


class FakeClock:
    """A clock that only moves when told (sleep advances it)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        self.tz = start.tzinfo
        self._now = start

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
