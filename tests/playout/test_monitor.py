"""The monitor on built items: a recording with a long silence in it is dead air, warned within the set time + 1 s
of the silence going out; a clipped recording is warned once; a normal one is not. Real time through the `null`
output (a silent sound card that takes real time), a real airing log."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from broadcaster.airlog import AirLog
from broadcaster.audio.slicing import Segment
from broadcaster.clock import SystemClock
from broadcaster.models import AiringStatus, Programme, ProgrammeItem
from broadcaster.outputs import NullOutput
from broadcaster.playout import CLIPPING, DEAD_AIR, Monitor, air_programme, level_db
from broadcaster.streams import MonitorSettings
from tests import factories as make
from tests.fakes import FakeZoneSwitch

RATE = 8000


Warned = list[tuple[float, str, str]]  # (seconds after the start, kind, message)


def _air(tmp_path: Path, samples: np.ndarray, **monitor: float) -> tuple[list, Warned, AirLog]:  # type: ignore[type-arg]
    wav = make.write_wav(tmp_path / "a.wav", samples, RATE)
    station = make.station(tmp_path, monitor=MonitorSettings(**monitor))
    clock = SystemClock(station.timezone)
    start = clock.now() + timedelta(seconds=0.2)
    seconds = len(samples) / RATE
    programme = Programme(start.date(), "sang", "main", start, 600,
                          (ProgrammeItem("a", "Tin A", frozenset({"dong"}), seconds),))
    seg = Segment("bulletin", "a", "Tin A", frozenset({"dong"}), 0.0, seconds, "", wav)
    log = AirLog(tmp_path / "log.sqlite3", tz=station.timezone)
    warned: Warned = []

    def warn(kind: str, message: str) -> None:
        warned.append(((datetime.now(start.tzinfo) - start).total_seconds(), kind, message))

    rows = air_programme(None, programme, station=station, output=NullOutput(), switch=FakeZoneSwitch(), log=log,
                         clock=clock, stop=threading.Event(), segments=[seg], warn=warn)
    return rows, warned, log


def test_silence_inside_a_recording_is_dead_air_warned_within_the_set_time(tmp_path: Path) -> None:
    speech = make.speechlike(1.0, sample_rate=RATE)
    samples = np.concatenate([speech, np.zeros(5 * RATE, dtype=np.float32), make.tone(0.5, 500, sample_rate=RATE)])
    rows, warned, log = _air(tmp_path, samples, dead_air_seconds=3.0)
    assert rows[0].status is AiringStatus.COMPLETED  # warned, not stopped
    dead = [(at, msg) for at, kind, msg in warned if kind == DEAD_AIR]
    assert len(dead) == 1
    silence_began = 1.0
    assert 3.0 <= dead[0][0] - silence_began <= 4.0, dead  # within the set time + 1 s
    assert "im lặng trên sóng 3 giây trong khi đang phát buổi" in dead[0][1]
    assert [e.event for e in log.audit_events(event=DEAD_AIR)] == [DEAD_AIR]


def test_a_recording_without_long_silence_raises_nothing(tmp_path: Path) -> None:
    samples = np.concatenate([make.tone(1.0, 300, sample_rate=RATE), np.zeros(int(1.5 * RATE), dtype=np.float32),
                              make.tone(1.0, 300, sample_rate=RATE)])
    _rows, warned, _log = _air(tmp_path, samples, dead_air_seconds=2.0)
    assert warned == []


def test_clipping_is_warned_once(tmp_path: Path) -> None:
    clipped = np.clip(3 * make.tone(2.0, 300, sample_rate=RATE, level=0.9), -1, 1)
    _rows, warned, log = _air(tmp_path, clipped)
    assert [kind for _, kind, _ in warned] == [CLIPPING]
    assert "âm thanh bị méo" in warned[0][2]
    assert [e.event for e in log.audit_events(event=CLIPPING)] == [CLIPPING]


@pytest.mark.parametrize(("level", "expected"), [(0.5, -9.03), (0.05, -29.03), (0.0, float("-inf"))])
def test_level_db_of_a_sine(level: float, expected: float) -> None:
    block = (level * 32767 * np.sin(np.arange(4410) * 2 * np.pi * 441 / 44100)).astype(np.int16).reshape(-1, 1)
    assert level_db(block) == pytest.approx(expected, abs=0.05)


def test_a_warning_path_that_crashes_never_stops_the_monitor() -> None:
    def broken(kind: str, message: str) -> None:
        raise RuntimeError("gateway down")

    now = [0.0]
    monitor = Monitor(MonitorSettings(dead_air_seconds=2.0), what="thử", warn=broken, now=lambda: now[0])
    silence = np.zeros((4410, 1), dtype=np.int16)
    for _ in range(40):  # 4 s of silence, fed in 100 ms steps
        monitor.feed(silence)
        now[0] += 0.1
    assert len(monitor.dead_air) == 1  # found and counted, though telling it failed
