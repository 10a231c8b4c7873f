"""Fakes for side effects we own interfaces for (Clock, Output, ZoneSwitch, ...). No mocking of our own classes.

Each area appends its fakes below under its own heading.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo


class FakeClock:
    """A clock that only moves when told (sleep advances it). `advance` is time passing (wall and monotonic
    together); `step` is someone setting the wall clock (NTP, an officer): the monotonic clock does not move."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        self.tz = start.tzinfo
        self._now = start
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def step(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


# --- playout / runner fakes (FakeOutput, FakeZoneSwitch): airings without a sound card or relay board ---------


class FakeOutput:
    """An `Output` that records each play and "plays" by advancing a FakeClock by the WAV's length.

    `during(n, label, stop)` runs at the start of play number n (0-based): tests use it to interrupt (set `stop`,
    queue an emergency). `fail` makes every play fail with that reason (like a dead sound card).
    """

    def __init__(self, clock: FakeClock | None = None, *, fail: str = "", during=None, name: str = "main"):  # type: ignore[no-untyped-def]
        self.name = name
        self.clock = clock
        self.fail = fail
        self.during = during
        self.plays: list[dict] = []

    def check(self) -> None:
        return None

    def play(self, wav, *, stop, label="", zones=frozenset()):  # type: ignore[no-untyped-def]
        import wave as _wave

        from broadcaster.outputs import PlayResult

        n = len(self.plays)
        self.plays.append({"wav": wav, "label": label, "zones": frozenset(zones),
                           "at": self.clock.now() if self.clock else None, "stopped": False})
        if self.during is not None:
            self.during(n, label, stop)
        if self.fail:
            return PlayResult(False, 0.0, self.fail)
        if stop.is_set():
            self.plays[-1]["stopped"] = True
            return PlayResult(False, 0.0)
        with _wave.open(str(wav), "rb") as w:
            seconds = w.getnframes() / w.getframerate()
        if self.clock is not None:
            self.clock.advance(seconds)
        return PlayResult(True, seconds)


    def play_stream(self, blocks, *, rate, stop, label="", zones=frozenset()):  # type: ignore[no-untyped-def]
        """A live source (a relay): its blocks are taken as they come, the FakeClock advanced by each."""
        from broadcaster.outputs import PlayResult

        self.plays.append({"wav": None, "label": label, "zones": frozenset(zones),
                           "at": self.clock.now() if self.clock else None, "stopped": False})
        frames = 0
        for block in blocks:
            if stop.is_set():
                self.plays[-1]["stopped"] = True
                return PlayResult(False, frames / rate)
            frames += len(block)
            if self.clock is not None:
                self.clock.advance(len(block) / rate)
        return PlayResult(not stop.is_set(), frames / rate)


class FakeZoneSwitch:
    """A `ZoneSwitch` that records calls: ("amplifier", True), ("select", frozenset({1, 2})), ("all_off",), ..."""

    def __init__(self, *, warmup_seconds: float = 0.0, settle_seconds: float = 0.0, fail: str = ""):
        self.warmup_seconds = warmup_seconds
        self.settle_seconds = settle_seconds
        self.fail = fail
        self.calls: list[tuple] = []

    def _act(self, *call) -> None:  # type: ignore[no-untyped-def]
        from broadcaster.errors import ZoneSwitchError

        self.calls.append(call)
        if self.fail and call[0] != "close":
            raise ZoneSwitchError(self.fail)

    def amplifier(self, on: bool) -> None:
        self._act("amplifier", on)

    def select(self, relays: frozenset[int]) -> None:
        self._act("select", frozenset(relays))

    def all_off(self) -> None:
        self._act("all_off")

    def close(self) -> None:
        self._act("close")


# --- airing-log fault fakes (RunningClock): real timing from a chosen instant --------------------------------


class RunningClock:
    """The real clock's pace from a chosen instant: `now()` moves with wall time, `sleep` and `advance` really
    wait. Lets a test put a session seconds ahead and measure real delays (a blocked log write shows up in the
    first play's timestamp, as it would on air). `reset(to)` moves "now" (e.g. after a slow build; to the station's
clock watch that is a wall-clock step)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        self.tz = start.tzinfo
        self.reset(start)

    def reset(self, to: datetime) -> None:
        self._base, self._t0 = to, time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._t0)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        self.sleep(seconds)


@contextmanager
def station_that_cannot(station: Any, reason: str) -> Iterator[None]:
    """The control channel's other end, as a running station answers when it cannot prepare what it took: its
    heartbeat beats, and every request is taken and answered `.failed` with `reason`."""
    from broadcaster.station import _control  # lazy: only the tests that fake a running station need it

    stop = threading.Event()

    def answer_failed() -> None:
        while not stop.is_set():
            _control.write_heartbeat(station, {})
            for req in _control.take_requests(station):
                _control.answer(station, req, reason)
            time.sleep(0.05)

    other = threading.Thread(target=answer_failed, daemon=True)
    other.start()
    try:
        yield
    finally:
        stop.set()
        other.join(2)
        _control.clear_heartbeat(station)
