"""The station keeps airing whatever happens to its log: a database write-locked by another process, deleted
while running (then a restart within the grace time), corrupted, or a full disk. Real SQLite, real eSpeak NG and
programme builds, a real second process holding the lock; fake output and relays."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from broadcaster.airlog import AirLog, StationLog, open_station_log
from broadcaster.models import AiringStatus
from broadcaster.station import _sessions as _station
from broadcaster.station._chains import Channel
from broadcaster.station._control import HEARTBEAT_SECONDS
from broadcaster.station._runner import PREPARE_LEAD_SECONDS, Runner
from tests.fakes import FakeOutput, FakeZoneSwitch, RunningClock
from tests.faults import (
    corrupt_header,
    corrupt_page,
    fill_disk,
    hold_write_lock,
    small_disk_or_skip,
    wait_for,
)
from tests.station.test_faults import Station
from tests.station.test_runner import DAY, Rig, _files, _station_dir

SANG, TRUA = "2026-11-28/sang/main", "2026-11-28/trua/main"


def rows_of(log: AirLog, key: str) -> list[tuple[str | None, AiringStatus]]:
    return [(r.bulletin_id, r.status) for r in log.history() if r.session_key == key]


class LiveRig:
    """A Runner on a clock running at real speed, so a log write that blocks shows up as a late first play."""

    def __init__(self, tmp_path: Path):
        self.clock = RunningClock(DAY.replace(hour=6))
        self.output = FakeOutput(self.clock)
        self.lines: list[str] = []

        def channels(station, log, clock, shutdown):  # type: ignore[no-untyped-def]
            return {"main": Channel(station, station.outputs[0], self.output, FakeZoneSwitch(), log, clock, shutdown)}

        self.runner = Runner(tmp_path / "schedules", files=_files(tmp_path), clock=self.clock,
                             make_channels=channels, notify=self.lines.append)
        self.runner.render_ahead()

    def air(self, key: str) -> float:
        """Fire the session job when the scheduler would; returns the worst lateness (s) of its plays against
        their planned instants (programme start + each item's offset)."""
        session = self.runner.sessions[key]
        self.clock.reset(session.programme.start - timedelta(seconds=PREPARE_LEAD_SECONDS))
        before = len(self.output.plays)
        self.runner.session_job(key)
        plays = self.output.plays[before:]
        assert len(plays) == len(session.segments)
        return max((p["at"] - (session.programme.start + timedelta(seconds=s.offset))).total_seconds()
                   for p, s in zip(plays, session.segments, strict=True))


def test_a_session_starts_on_time_while_another_process_holds_the_log_write_locked(tmp_path: Path) -> None:
    rig = LiveRig(tmp_path)
    free = rig.air(SANG)  # the same station with nothing in the way: the reference
    db = rig.runner.station.database
    with hold_write_lock(db, seconds=3.0):  # a backup or a long report holding the write lock
        locked = rig.air(TRUA)
    assert locked - free <= 0.1, f"the session started {locked - free:.3f} s later than without the lock"
    assert any("nhật ký dự phòng" in line for line in rig.lines)  # the officer is told
    assert wait_for(lambda: rig.runner.log.pending() == 0)
    log = AirLog(db)  # what `broadcaster log` reads
    assert rows_of(log, SANG) == rows_of(log, TRUA) == [("tin", AiringStatus.COMPLETED)]
    assert log.session_status(TRUA) == "completed"
    assert log.audit_events(event="journal"), "the session's rows went through the journal"
    assert log.verify().ok


def test_a_database_deleted_mid_session_then_a_restart_within_grace_airs_it_once(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    db = rig.runner.station.database

    def delete_the_log(n: int, label: str, stop: threading.Event) -> None:
        if label == "Tin thử":
            db.unlink()  # while the bulletin is on air

    rig.output.during = delete_the_log
    rig.runner.session_job(SANG)
    assert wait_for(lambda: rig.runner.log.pending() == 0 and db.exists())
    assert any("bị xóa" in line for line in rig.lines)
    plays = len(rig.output.plays)

    restarted = Rig(tmp_path, DAY.replace(hour=6, minute=33), files=rig.runner.files)  # within the 5 min grace
    restarted.runner.look_back()
    restarted.runner.render_ahead()
    restarted.runner.session_job(SANG)
    assert restarted.output.plays == [] and len(rig.output.plays) == plays  # never twice
    assert rows_of(restarted.runner.log, SANG) == [("tin", AiringStatus.COMPLETED)]  # the airing is in the new log
    assert restarted.runner.log.audit_events()[0].event == "new-log"
    assert restarted.runner.log.verify().ok


def _old_log(tmp_path: Path) -> Path:
    """Yesterday's log, as the station left it (80 airings)."""
    db = tmp_path / "var" / "broadcaster.sqlite3"
    with StationLog(db) as log:
        for n in range(80):
            row = log.start_item(dataclasses.replace(_an_airing(n), title="Thông báo " + "dài " * 40))
            log.finish_item(row, AiringStatus.COMPLETED, DAY - timedelta(days=1), 30.0)
    return db


def _an_airing(n: int):  # type: ignore[no-untyped-def]
    from tests.airlog.test_airlog import airing

    return airing(n, scheduled_at=DAY - timedelta(days=1, minutes=-n))


@pytest.mark.parametrize("damage", ["header", "page"])
def test_a_corrupt_database_is_set_aside_and_the_station_starts_and_airs(tmp_path: Path, damage: str) -> None:
    db = _old_log(tmp_path)
    corrupt_header(db) if damage == "header" else corrupt_page(db)
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    assert rig.runner.look_back() == 0
    rig.runner.render_ahead()
    rig.runner.session_job(SANG)
    assert rows_of(rig.runner.log, SANG) == [("tin", AiringStatus.COMPLETED)]
    set_aside = [p for p in db.parent.glob("broadcaster.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(set_aside) == 1
    assert rig.runner.log.audit_events()[0].details["set_aside"] == set_aside[0].name
    assert any("bị hỏng" in line for line in rig.lines)
    assert rig.runner.log.verify().ok


def test_broadcaster_run_on_a_corrupt_database_stays_on_air(tmp_path: Path) -> None:
    root = _station_dir(tmp_path)
    db = _old_log(tmp_path)
    corrupt_header(db)
    station = Station(root)  # `broadcaster run`, a real process
    try:
        station.wait_for("Nhấn Ctrl+C để dừng đài.")
        assert station.proc.poll() is None
    finally:
        assert station.stop() == 0, "\n".join(station.lines)
    assert any("bị hỏng" in line for line in station.lines), "\n".join(station.lines)
    with AirLog(db) as log:
        assert [e.event for e in log.audit_events()][:2] == ["new-log", "run"]
        assert log.verify().ok


@pytest.fixture
def small_state_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    with small_disk_or_skip(tmp_path / "var", 24 * 1024) as mount:
        yield mount


def test_a_session_airs_and_is_logged_when_the_disk_is_full(tmp_path: Path, small_state_dir: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()  # built while there was room
    rig.runner.log.audit("run", "tester", {})
    filler = fill_disk(small_state_dir)
    rig.runner.session_job(SANG)
    assert [p["label"] for p in rig.output.plays if p["label"] == "Tin thử"] == ["Tin thử"]
    assert any("đầy" in d for d in rig.runner.log.degradations())
    filler.unlink()
    assert wait_for(lambda: rig.runner.log.pending() == 0)
    assert rows_of(AirLog(rig.runner.station.database), SANG) == [("tin", AiringStatus.COMPLETED)]
    assert rig.runner.log.verify().ok
    rig.runner.log.close()


def test_an_emergency_text_airs_when_the_disk_is_full(tmp_path: Path, small_state_dir: Path) -> None:
    from broadcaster.services.air import send_emergency

    root = _station_dir(tmp_path)
    said: list[str] = []
    with open_station_log(_station.load(root).station) as log:
        log.audit("install", "tester", {})
    filler = fill_disk(small_state_dir)
    rows = send_emergency(root, text="Bão số 5 sắp đổ bộ, bà con vào nơi trú ẩn an toàn.", repeat=1,
                          output_override="null", notify=said.append)
    assert [r.status for r in rows] == [AiringStatus.COMPLETED], said
    assert rows[0].engine == "espeak"
    filler.unlink()
    station = _station.load(root).station
    with open_station_log(station) as log:  # the next process on this station writes what was kept aside
        assert wait_for(lambda: log.pending() == 0)
        assert [(r.priority.value, r.status) for r in log.history()] == [("emergency", AiringStatus.COMPLETED)]
        assert log.verify().ok


def test_an_emergency_text_reaches_the_running_station_when_the_disk_is_full(
    tmp_path: Path, small_state_dir: Path
) -> None:
    from broadcaster.services.air import send_emergency

    root = _station_dir(tmp_path)
    rig = Rig(tmp_path, DAY.replace(hour=10), files=_station.load(root))
    control = threading.Thread(target=rig.runner.control_loop, daemon=True)
    control.start()
    try:
        assert wait_for(lambda: (small_state_dir / "control" / "runner.json").exists())
        filler = fill_disk(small_state_dir)
        time.sleep(3 * HEARTBEAT_SECONDS + 1)  # the heartbeat must stay fresh on a full disk
        said: list[str] = []
        rows = send_emergency(root, text="Lũ đang lên, bà con khẩn trương sơ tán.", repeat=1, notify=said.append)
        assert rows == [] and any("đài đang chạy" in line for line in said), said  # handed over, not aired twice
        assert wait_for(lambda: any("(lần 1/1)" in p["label"] for p in rig.output.plays), 20), rig.lines
    finally:
        rig.runner.shutdown.set()
        control.join(5)
    filler.unlink()
    assert wait_for(lambda: rig.runner.log.pending() == 0)
    rows = [r for r in AirLog(rig.runner.station.database).history() if r.priority.value == "emergency"]
    assert [r.status for r in rows] == [AiringStatus.COMPLETED]
    rig.runner.log.close()


def test_broadcaster_status_shows_what_is_wrong_with_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from broadcaster.cli import main

    root = _station_dir(tmp_path)
    with open_station_log(_station.load(root).station) as log:  # the running station's log
        with hold_write_lock(log.path):
            log.audit("run", "tester", {})
            assert main(["status", "--station", str(root)]) == 0
            out = capsys.readouterr().out
            assert "Nhật ký phát sóng:" in out and "nhật ký dự phòng" in out, out
            assert main(["status", "--json", "--station", str(root)]) == 0
            assert "nhật ký dự phòng" in json.loads(capsys.readouterr().out)["log_degradations"][0]
        assert wait_for(lambda: log.pending() == 0)
        assert main(["status", "--station", str(root)]) == 0
        assert "Nhật ký phát sóng:" not in capsys.readouterr().out
