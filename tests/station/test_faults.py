"""Faults an engineer injects into a running station (issue 9): a second instance, signals, relays left on, clock
steps. Real processes, real SQLite; the relays are a command switch whose state file the test reads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from broadcaster.airlog import AirLog
from broadcaster.services.approval import migrate_approvals
from broadcaster.station import StationBusy, StationLock, lock_holder
from tests import factories as make
from tests.station.test_runner import DAY, Rig, _station_dir

ROOT = Path(__file__).resolve().parents[2]


class Station:
    """`broadcaster run --output null` on a test station, as a real process; its output lines are collected."""

    def __init__(self, root: Path, *extra: str, env: dict[str, str] | None = None):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "broadcaster", "run", "--station", str(root), "--output", "null", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
            env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"the station never said {text!r}:\n" + "\n".join(self.lines))

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self._reader.join(5)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return _station_dir(tmp_path)


def test_a_second_run_of_the_same_station_is_refused_and_names_the_first(root: Path) -> None:
    first = Station(root)
    try:
        first.wait_for("Nhấn Ctrl+C để dừng đài.")
        second = subprocess.run([sys.executable, "-m", "broadcaster", "run", "--station", str(root), "--output",
                                 "null"], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert second.returncode == 1
        assert f"đài này đang chạy (tiến trình {first.proc.pid}" in second.stderr
        assert first.proc.poll() is None  # the first station is untouched and still running
        holder = lock_holder(root.parent / "var")
        assert holder is not None and holder["pid"] == first.proc.pid
    finally:
        assert first.stop() == 0
    assert lock_holder(root.parent / "var") is None


def test_the_lock_dies_with_the_process(root: Path) -> None:
    first = Station(root)
    first.wait_for("Nhấn Ctrl+C để dừng đài.")
    first.stop(signal.SIGKILL)
    lock = StationLock(root.parent / "var")
    lock.acquire(DAY)  # kill -9 left the lock file behind, not the lock
    try:
        with pytest.raises(StationBusy, match=f"tiến trình {os.getpid()}"):
            StationLock(root.parent / "var").acquire(DAY)
    finally:
        lock.release()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_every_ending_signal_stops_cleanly(root: Path, signum: int) -> None:
    """SIGHUP (the officer closed the terminal) ends the station like Ctrl+C: relays off, the stop audited, the
    heartbeat removed, exit 0 — never a process dead with its rows left `started`."""
    station = Station(root)
    station.wait_for("Nhấn Ctrl+C để dừng đài.")
    assert station.stop(signum) == 0, "\n".join(station.lines)
    assert "đài đã dừng." in station.lines
    var = root.parent / "var"
    assert not (var / "control" / "runner.json").exists()
    with AirLog(var / "broadcaster.sqlite3") as log:
        assert [e.event for e in log.audit_events()][-1] == "stop"


def test_relays_and_amplifier_are_switched_off_at_start_up_before_anything_else(tmp_path: Path) -> None:
    """After kill -9 or a power cut mid-session the board keeps its relays closed: the next start opens them."""
    future = datetime.now(DAY.tzinfo).replace(hour=5, minute=0, second=0, microsecond=0) + timedelta(days=2)
    rig = Rig(tmp_path, future)  # the scheduler runs on the real clock: keep its jobs in the future
    started = threading.Event()
    rig.runner.notify = lambda line: (rig.lines.append(line), "Ctrl+C" in line and started.set())  # type: ignore[func-returns-value]
    runner = threading.Thread(target=rig.runner.run)
    runner.start()
    try:
        assert started.wait(60)
    finally:
        rig.runner.stop()
        runner.join(30)
    assert rig.switch.calls[:2] == [("amplifier", False), ("all_off",)]
    assert not runner.is_alive()


def test_a_crash_while_airing_switches_the_relays_off(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("lỗi giả trong luồng phát")

    rig.runner.channels["main"].air_session = boom  # type: ignore[method-assign]
    rig.runner.session_job("2026-11-28/sang/main")  # never raises out of the job
    assert rig.switch.calls[-2:] == [("amplifier", False), ("all_off",)]


def test_heartbeat_file_names_the_running_station(root: Path) -> None:
    station = Station(root)
    try:
        station.wait_for("Nhấn Ctrl+C để dừng đài.")
        beat = json.loads((root.parent / "var" / "control" / "runner.json").read_text())
        assert beat["pid"] == station.proc.pid
    finally:
        station.stop()


def test_a_clock_set_forward_past_a_session_logs_it_missed_with_the_true_reason(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    rig.clock.step(11 * 60)  # NTP or an officer sets the clock 11 minutes forward: the station was running
    rig.runner.session_job("2026-11-28/sang/main")
    [row] = rig.rows("sang")
    assert row.status.value == "missed"
    assert "đồng hồ của máy bị chỉnh nhanh lên 11 phút" in row.reason and "5 phút" in row.reason
    assert "đài không chạy" not in row.reason
    assert rig.output.plays == []


def test_a_session_dropped_by_re_planning_after_a_clock_step_is_logged_not_forgotten(tmp_path: Path) -> None:
    """The clock jumps past a session and the station re-plans (a file edit, the hourly render-ahead) before the
    session's job ran: the session left the plan, and used to vanish from the log as well."""
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    rig.clock.step(15 * 60)
    rig.runner.render_ahead()
    [row] = rig.rows("sang")
    assert row.status.value == "missed" and "nhanh lên 15 phút" in row.reason
    # the time it was planned for: the session's start plus the item's place in the built programme
    assert DAY.replace(hour=6, minute=30) < row.scheduled_at < DAY.replace(hour=6, minute=31)


def test_the_station_tells_the_officer_when_the_clock_is_set(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6))
    rig.runner.check_clock()
    rig.clock.step(-90)
    rig.runner.check_clock()
    rig.runner.check_clock()  # once per step, not at every check
    said = [line for line in rig.lines if "đồng hồ của máy vừa bị chỉnh" in line]
    assert said == ["cảnh báo: đồng hồ của máy vừa bị chỉnh lùi lại 1 phút 30 giây; các buổi phát theo giờ mới"]
    assert [e.event for e in rig.runner.log.audit_events()].count("clock_step") == 1


FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")


@pytest.mark.skipif(not FAKETIME.exists(), reason="libfaketime missing (scripts/system-packages installs it)")
def test_sigterm_stops_the_station_within_seconds_after_the_clock_steps_back(root: Path, tmp_path: Path) -> None:
    """The scheduler's waits follow the wall clock: after a 90 s step back, a stop that waited for its next
    wake-up took 90 s (systemd's stop timeout is 30 s, then kill -9). The process alone sees the stepped clock."""
    stamp = tmp_path / "faketime"
    stamp.write_text("+0\n")
    env = {"LD_PRELOAD": str(FAKETIME), "FAKETIME_TIMESTAMP_FILE": str(stamp), "FAKETIME_CACHE_DURATION": "1",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    station = Station(root, env=env)
    station.wait_for("Nhấn Ctrl+C để dừng đài.")
    stamp.write_text("-90\n")  # the wall clock steps back 90 s
    time.sleep(2.5)
    station.wait_for("lùi lại 1 phút 30 giây")  # the station noticed and said so
    started = time.monotonic()
    assert station.stop(signal.SIGTERM, timeout=60) == 0, "\n".join(station.lines)
    assert time.monotonic() - started < 10


def test_a_bulletin_cut_by_an_emergency_and_replayed_leaves_the_session_completed(tmp_path: Path) -> None:
    """The cut is in the log as `interrupted` (what happened), the replay as its own `completed` row, and the
    session is complete: every bulletin was heard in full."""
    from broadcaster.playout import EmergencyAudio

    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    channel = rig.runner.channels["main"]
    attention = rig.runner.sessions["2026-11-28/sang/main"].segments[0].wav
    em = EmergencyAudio(id="bao", message=attention, message_seconds=0.5, attention=None, zones=frozenset(),
                        repeat=1, title="Bão", requested_at=DAY, who="canbo")

    cut: list[int] = []

    def during(n: int, label: str, stop: threading.Event) -> None:
        if label == "Tin thử" and not cut:  # the first time the bulletin plays, a storm warning arrives
            cut.append(n)
            channel._queue.append(em)
            stop.set()

    rig.output.during = during
    rig.clock.advance(60)
    rig.runner.session_job("2026-11-28/sang/main")
    assert [(r.bulletin_id, r.status.value) for r in rig.rows("sang")] == [
        ("tin", "interrupted"), ("tin", "completed")]
    assert rig.runner.log.session_status("2026-11-28/sang/main") == "completed"


def test_check_refuses_a_recording_longer_than_the_station_allows_without_decoding_it(root: Path) -> None:
    from broadcaster.config import check_station

    make.silent_wav(root.parent / "audio" / "hop-ca-buoi.wav", 90 * 60)
    (root / "bulletins" / "hop.yaml").write_text(
        'title: "Ghi âm cả buổi họp"\ntopic: hop\naudio: ../audio/hop-ca-buoi.wav\nstatus: approved\n'
        'approved_by: "Chủ tịch"\n', encoding="utf-8")
    problems = [p for p in check_station(root) if p.key == "audio"]
    assert len(problems) == 1 and problems[0].line == 3
    assert "dài 1 giờ 30 phút, quá giới hạn 30 phút" in problems[0].message
    assert "audio.max_bulletin_minutes" in problems[0].message


def test_planning_reads_a_recordings_length_from_its_header_and_never_decodes_it(root: Path) -> None:
    """The always-on station plans its look-back in its own process: a 2-hour recording must not be decoded
    there (it took the idle station from 52 MB to 1.6 GB); the plan says why it does not air, with its length."""
    from broadcaster.build import plan_loaded
    from broadcaster.station import load

    make.silent_wav(root.parent / "audio" / "dai.wav", 2 * 3600)
    (root / "bulletins" / "dai.yaml").write_text(
        'title: "Bản ghi dài"\ntopic: hop\naudio: ../audio/dai.wav\nstatus: approved\napproved_by: "Chủ tịch"\n',
        encoding="utf-8")
    migrate_approvals(root)  # the approval bound to the recording written above
    files = load(root)
    sp = plan_loaded(files.station, files.bulletins, DAY.date(), DAY.date())
    skips = [s for p in sp.result.programmes for s in p.skipped if s.bulletin_id == "dai"]
    skips += [s for s in sp.result.excluded if s.bulletin_id == "dai"]
    assert skips and "7200 giây" in skips[0].reason
    cache = root.parent / "var" / "cache" / "speech"
    assert not any(p.stat().st_size > 10_000_000 for p in cache.rglob("*.wav"))  # nothing was decoded


def test_a_stop_during_a_long_build_does_not_wait_for_it(tmp_path: Path) -> None:
    """SIGTERM while the render-ahead child builds (a slow machine, a long programme): the child is killed and
    the station stops at once, within systemd's 30 s, instead of finishing the build first."""
    from broadcaster.station import _sessions

    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(_sessions.Cancelled):
        _sessions.run_in_child(time.sleep, 60, cancel=cancel)  # a build that would take a minute
    assert time.monotonic() - started < 10


def test_missed_rows_carry_the_time_each_bulletin_was_planned_for(tmp_path: Path) -> None:
    """A built session missed beyond the grace: each row's time is the session's start plus the bulletin's place
    in the built programme; the look-back of a session never built uses the session's start, not a guess."""
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    session = rig.runner.render_ahead()[0]
    rig.clock.advance(11 * 60)
    rig.runner.session_job(session.key)
    [row] = rig.rows("sang")
    offset = next(s.offset for s in session.segments if s.bulletin_id == "tin")
    assert row.scheduled_at == session.programme.start + timedelta(seconds=offset)

    (tmp_path / "off").mkdir()
    later = Rig(tmp_path / "off", DAY.replace(hour=9, minute=30))
    later.runner.log.audit("stop", "tester", {}, at=DAY - timedelta(hours=3))
    assert later.runner.look_back() >= 1
    assert all(r.scheduled_at.time() in (DAY.replace(hour=6, minute=30).time(), DAY.replace(hour=8, minute=58).time())
               for r in later.runner.log.history())
