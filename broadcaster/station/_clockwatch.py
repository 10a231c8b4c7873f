"""Telling a wall-clock step (NTP, an officer setting the time) from time passing, against the monotonic clock.

The scheduler follows the wall clock, which is right for a loudspeaker station (sessions air at the time the
village reads on its clocks); what a step changes is the *reason* a session did not air, and that the officer is
told the clock moved."""

from __future__ import annotations

from broadcaster.clock import Clock
from broadcaster.models import Station
from broadcaster.words import fmt_spoken_duration

__all__ = ["CLOCK_STEP_SECONDS", "ClockWatch", "reason_clock_step"]

CLOCK_STEP_SECONDS = 5.0  # a wall-clock jump larger than this (against the monotonic clock) is a clock step


def reason_clock_step(station: Station, step: float) -> str:
    way = "nhanh lên" if step > 0 else "lùi lại"
    return (f"đồng hồ của máy bị chỉnh {way} {fmt_spoken_duration(abs(step))} trong khi đài đang chạy, nên giờ "
            f"phát đã qua quá {station.playout.grace_minutes:g} phút cho phép")


class ClockWatch:
    def __init__(self, clock: Clock):
        self.clock = clock
        self._offset = self._now_offset()  # wall minus monotonic: changes only when someone sets the clock
        self._told = 0.0  # the step already reported

    def _now_offset(self) -> float:
        return self.clock.now().timestamp() - self.clock.monotonic()

    def step(self) -> float:
        """Seconds the wall clock was set forward (+) or back (-) since the station started."""
        return self._now_offset() - self._offset

    def new_step(self) -> float:
        """The jump since the last report when it is larger than CLOCK_STEP_SECONDS (then reported), else 0."""
        step = self.step()
        jump = step - self._told
        if abs(jump) <= CLOCK_STEP_SECONDS:
            return 0.0
        self._told = step
        return jump
