"""The station's airing log under faults, on real SQLite and real processes: a database write-locked by another
process, a crash with writes still in the journal, a deleted, replaced or corrupted database file, a full disk.
Nothing that aired is lost or logged twice, rows keep their order, the hash chain stays valid."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from broadcaster.airlog import AirLog, StationLog, read_degradations
from broadcaster.models import AiringStatus
from tests.airlog.test_airlog import AT, TZ, aired, airing
from tests.faults import (
    corrupt_header,
    corrupt_page,
    fill_disk,
    hold_write_lock,
    small_disk_or_skip,
    wait_for,
)

BUDGET = 0.02
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "broadcaster.sqlite3"


def open_log(db_path: Path, lines: list[str] | None = None, **options: object) -> StationLog:
    scratch = db_path.parent.parent / "ram"
    return StationLog(db_path, tz=TZ, budget=BUDGET, scratch=scratch,
                      notify=(lines.append if lines is not None else None), **options)  # type: ignore[arg-type]


def statuses(log: AirLog) -> list[tuple[str | None, AiringStatus]]:
    return [(r.bulletin_id, r.status) for r in log.history()]


def set_aside(directory: Path, kind: str) -> list[Path]:
    """The set-aside database files of this kind (without their -wal and -shm companions)."""
    return [p for p in directory.glob(f"broadcaster.sqlite3.{kind}-*") if not p.name.endswith(("-wal", "-shm"))]


def details_name(log: AirLog) -> str:
    return str(new_log_event(log)["set_aside"])


def new_log_event(log: AirLog) -> dict:  # type: ignore[type-arg]
    events = log.audit_events()
    assert events and events[0].event == "new-log", [e.event for e in events]
    return events[0].details


# --- a write-locked database ------------------------------------------------------------------------------------


def test_writes_while_another_process_holds_the_lock_return_at_once_and_land_later_in_order(db_path: Path) -> None:
    lines: list[str] = []
    log = open_log(db_path, lines)
    aired(log, 0)
    with hold_write_lock(db_path):
        began = time.monotonic()
        assert log.claim_session("2026-11-28/sang/main", at=AT)
        assert not log.claim_session("2026-11-28/sang/main", at=AT)  # never twice, even with SQLite unwritable
        assert log.session_aired("2026-11-28/sang/main")
        row = log.start_item(airing(1))
        log.finish_item(row, AiringStatus.COMPLETED, AT + timedelta(minutes=2), 59.5)
        log.record(airing(2, status=AiringStatus.SKIPPED, started_at=None, reason="không đủ thời gian"))
        other = log.start_item(airing(3))
        log.audit("emergency", "tester", {"id": "x"}, at=AT)
        log.finish_item(other, AiringStatus.INTERRUPTED, AT + timedelta(minutes=4), 12.0, "bị tin khẩn cấp cắt ngang")
        log.mark_session("2026-11-28/sang/main", "completed")
        log.record_render("tin-1", "k1", "espeak", "vi", duration=59.5)
        spent = time.monotonic() - began
        assert spent < 1.0, f"writes waited {spent:.2f} s on a locked database"
        assert log.pending() == 9
        assert any("nhật ký dự phòng" in d for d in log.degradations())
        assert read_degradations(db_path.parent) == log.degradations()  # what the status page reads
        assert any("nhật ký dự phòng" in line for line in lines)  # the officer is told once
        assert statuses(AirLog(db_path)) == [("tin-0", AiringStatus.COMPLETED)]  # not yet in SQLite
    assert wait_for(lambda: log.pending() == 0), "replayed once the lock is gone (periodically, no write needed)"
    assert statuses(log) == [("tin-0", AiringStatus.COMPLETED), ("tin-1", AiringStatus.COMPLETED),
                             ("tin-2", AiringStatus.SKIPPED), ("tin-3", AiringStatus.INTERRUPTED)]
    assert [r.reason for r in log.history()][3] == "bị tin khẩn cấp cắt ngang"
    assert log.session_status("2026-11-28/sang/main") == "completed"
    assert [e.event for e in log.audit_events() if e.event != "journal"] == ["emergency"]
    assert [r.key for r in log.renders()] == ["k1"]
    assert log.verify().ok
    assert log.degradations() == [] and read_degradations(db_path.parent) == []
    assert any("ghi bù 9 bản ghi" in line for line in lines)


def test_the_next_write_replays_the_journal_first(db_path: Path) -> None:
    log = open_log(db_path, replay_seconds=3600)  # no periodic replay: only the next write
    with hold_write_lock(db_path):
        first = log.start_item(airing(1, output_kind="sounddevice"))  # every column goes through the journal
    second = log.start_item(airing(2))  # the database is free again: the journal goes in first, in order
    log.finish_item(first, AiringStatus.COMPLETED, AT + timedelta(minutes=2), 59.5)
    log.finish_item(second, AiringStatus.COMPLETED, AT + timedelta(minutes=3), 59.5)
    assert first < 0 < second  # a provisional id until the row reaches SQLite
    assert log.pending() == 0
    assert statuses(log) == [("tin-1", AiringStatus.COMPLETED), ("tin-2", AiringStatus.COMPLETED)]
    assert [r.id for r in log.history()] == [1, 2]
    assert log.history()[0] == dataclasses.replace(airing(1, output_kind="sounddevice"), id=1, ended_at=AT + timedelta(
        minutes=2), status=AiringStatus.COMPLETED, played_seconds=59.5)
    assert log.verify().ok


_CRASHER = """
import dataclasses, sys
from tests.airlog.test_airlog import airing
from broadcaster.airlog import StationLog
from broadcaster.models import AiringStatus
log = StationLog(sys.argv[1], budget=0.02, scratch=sys.argv[2])
assert log.claim_session("2026-11-28/sang/main")
done = log.start_item(airing(1))
log.finish_item(done, AiringStatus.COMPLETED, airing(1).started_at, 59.5)
log.start_item(airing(2))  # on air when the power goes
print(log.pending(), flush=True)
sys.stdin.read()
"""


def test_the_journal_survives_a_crash_and_the_next_start_replays_it(db_path: Path, tmp_path: Path) -> None:
    AirLog(db_path).close()
    with hold_write_lock(db_path):
        crasher = subprocess.Popen([sys.executable, "-c", _CRASHER, str(db_path), str(tmp_path / "ram")],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert crasher.stdout is not None and crasher.stdout.readline().strip() == "4"
        crasher.send_signal(signal.SIGKILL)
        crasher.wait()
    log = open_log(db_path)  # the next start, once the database is free again
    assert log.pending() == 0
    assert not log.claim_session("2026-11-28/sang/main")
    assert log.recover_interrupted(AT + timedelta(minutes=5)) == 1
    assert statuses(log) == [("tin-1", AiringStatus.COMPLETED), ("tin-2", AiringStatus.INTERRUPTED)]
    assert log.verify().ok


def test_a_replayed_journal_is_never_applied_twice(db_path: Path) -> None:
    log = open_log(db_path, replay_seconds=3600)
    with hold_write_lock(db_path):
        aired(log, 1)
        kept = [p.read_bytes() for p in sorted((db_path.parent / "airlog-journal").glob("journal-*.jsonl"))]
        names = [p.name for p in sorted((db_path.parent / "airlog-journal").glob("journal-*.jsonl"))]
    assert log.replay()
    log.close()
    for name, data in zip(names, kept, strict=True):  # a crash between the replay's commit and the truncation
        (db_path.parent / "airlog-journal" / name).write_bytes(data)
    again = open_log(db_path)
    assert again.pending() == 0
    assert statuses(again) == [("tin-1", AiringStatus.COMPLETED)]
    assert again.verify().ok


def test_reads_work_while_the_database_is_write_locked(db_path: Path) -> None:
    log = open_log(db_path)
    aired(log, 1)
    with hold_write_lock(db_path):
        began = time.monotonic()
        assert statuses(log) == [("tin-1", AiringStatus.COMPLETED)]
        assert open_log(db_path).verify().ok  # a second station log opens too (WAL readers are never blocked)
        assert time.monotonic() - began < 2.0


# --- a deleted, replaced or corrupted database ------------------------------------------------------------------


def test_a_deleted_database_is_noticed_rescued_and_a_new_log_continues_the_airing(db_path: Path) -> None:
    lines: list[str] = []
    log = open_log(db_path, lines)
    for n in range(3):
        aired(log, n)
    head = log.verify().head_hash
    on_air = log.start_item(airing(3))
    assert log.claim_session("2026-11-28/sang/main")
    db_path.unlink()
    log.finish_item(on_air, AiringStatus.COMPLETED, AT + timedelta(minutes=4), 59.5)  # noticed here, at once
    assert wait_for(lambda: log.pending() == 0 and db_path.exists())
    rescued = set_aside(db_path.parent, "deleted")
    assert len(rescued) == 1
    with AirLog(rescued[0]) as old:
        assert old.verify().ok and old.verify().head_hash == head
        assert len(old.history()) == 4
    details = new_log_event(log)
    assert details["reason"] == "deleted" and details["head"] == head and details["rows"] == 4
    assert details["set_aside"] == rescued[0].name
    assert statuses(log) == [("tin-3", AiringStatus.COMPLETED)]  # the item on air is in the new log
    assert log.session_aired("2026-11-28/sang/main")
    assert log.verify().ok
    assert any("bị xóa" in line and rescued[0].name in line for line in lines)
    assert any(rescued[0].name in d for d in log.degradations())


def test_a_database_deleted_while_the_station_was_off_still_never_airs_a_session_twice(db_path: Path) -> None:
    log = open_log(db_path)
    assert log.claim_session("2026-11-28/sang/main")
    aired(log, 1)
    head = log.verify().head_hash
    log.close()
    for path in db_path.parent.glob("broadcaster.sqlite3*"):
        path.unlink()
    restarted = open_log(db_path)
    assert not restarted.claim_session("2026-11-28/sang/main")
    assert restarted.session_aired("2026-11-28/sang/main")
    details = new_log_event(restarted)
    assert details["reason"] == "missing" and details["head"] == head and details["rows"] == 1


def test_a_replaced_database_is_set_aside_and_a_new_log_starts(db_path: Path, tmp_path: Path) -> None:
    log = open_log(db_path)
    aired(log, 1)
    head = log.verify().head_hash
    other = tmp_path / "other.sqlite3"
    with AirLog(other) as foreign:
        aired(foreign, 7)
    os.replace(other, db_path)
    aired(log, 2)
    assert wait_for(lambda: log.pending() == 0)
    replaced, rescued = set_aside(db_path.parent, "replaced"), set_aside(db_path.parent, "deleted")
    assert len(replaced) == 1 and len(rescued) == 1
    assert statuses(AirLog(replaced[0])) == [("tin-7", AiringStatus.COMPLETED)]  # kept as it was put there
    details = new_log_event(log)
    assert details["reason"] == "replaced" and details["head"] == head
    assert statuses(log) == [("tin-2", AiringStatus.COMPLETED)]
    assert log.verify().ok


def test_a_corrupt_header_at_start_up_is_set_aside_and_the_log_starts_anew(db_path: Path) -> None:
    log = open_log(db_path)
    assert log.claim_session("2026-11-28/sang/main")
    aired(log, 1)
    head = log.verify().head_hash
    log.close()
    corrupt_header(db_path)
    lines: list[str] = []
    restarted = open_log(db_path, lines)
    corrupt = set_aside(db_path.parent, "corrupt")
    assert len(corrupt) == 1 and details_name(restarted) == corrupt[0].name
    details = new_log_event(restarted)
    assert details["reason"] == "corrupt"
    assert details["head"] == head and details["rows"] == 1 and not details["verified"]  # last known, not re-read
    assert not restarted.claim_session("2026-11-28/sang/main")
    aired(restarted, 2)
    assert restarted.verify().ok
    assert any("bị hỏng" in line for line in lines)


def test_one_bad_page_at_start_up_is_set_aside_with_the_head_verified_before_it(db_path: Path) -> None:
    log = open_log(db_path)
    for n in range(120):
        aired(log, n, title="Thông báo " + "dài " * 40)
    log.close()
    corrupt_page(db_path, which=0.6)
    restarted = open_log(db_path)
    details = new_log_event(restarted)
    assert details["reason"] == "corrupt"
    assert details["verified"] and 0 < details["rows"] < 120  # the rows before the bad page still check out
    (aside,) = set_aside(db_path.parent, "corrupt")
    con = sqlite3.connect(aside)
    expected = con.execute("SELECT row_hash FROM airings WHERE id = ?", (details["rows"],)).fetchone()[0]
    assert details["head"] == expected
    aired(restarted, 200)
    assert restarted.verify().ok


def test_corruption_noticed_while_running_sets_the_file_aside_and_keeps_logging(db_path: Path) -> None:
    log = open_log(db_path)
    for n in range(60):
        aired(log, n, title="Thông báo " + "dài " * 40)
    corrupt_page(db_path, which=0.3)
    with sqlite3.connect(db_path, isolation_level=None) as other:  # another process writes: caches are dropped
        other.execute("INSERT INTO audit (at, event) VALUES ('2026-11-28T06:00:00+07:00', 'x')")
    log.history()  # may meet the damaged page first: it answers [] and the recovery starts; else the write does
    aired(log, 100)
    assert wait_for(lambda: log.pending() == 0 and bool(list(db_path.parent.glob("*.corrupt-*"))))
    assert new_log_event(log)["reason"] == "corrupt"
    assert ("tin-100", AiringStatus.COMPLETED) in statuses(log)
    assert log.verify().ok


# --- a full disk ------------------------------------------------------------------------------------------------


@pytest.fixture
def full_disk_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    with small_disk_or_skip(tmp_path / "disk", 2048) as mount:
        yield mount


def test_a_full_disk_keeps_the_writes_in_memory_and_they_reach_sqlite_once_space_is_freed(
    full_disk_dir: Path,
) -> None:
    db = full_disk_dir / "var" / "broadcaster.sqlite3"
    lines: list[str] = []
    log = open_log(db, lines)
    aired(log, 0)
    filler = fill_disk(full_disk_dir)
    for n in range(1, 6):
        aired(log, n, title="Thông báo " + "dài " * 200)
    assert log.claim_session("2026-11-28/trua/main")
    assert log.pending() > 0
    assert any("đầy" in d for d in log.degradations()), log.degradations()
    assert any("đầy" in line for line in lines)
    filler.unlink()
    assert wait_for(lambda: log.pending() == 0)
    assert [b for b, s in statuses(log)] == [f"tin-{n}" for n in range(6)]
    assert log.session_aired("2026-11-28/trua/main")
    assert log.verify().ok
    assert log.degradations() == []
    log.close()


def test_degradations_are_readable_by_another_process(db_path: Path) -> None:
    log = open_log(db_path)
    with hold_write_lock(db_path):
        log.audit("run", "tester", {})
        status = json.loads((db_path.parent / "airlog-status.json").read_text(encoding="utf-8"))
        assert status["pid"] == os.getpid() and status["degradations"][0]["kind"] == "journal"
    assert wait_for(lambda: read_degradations(db_path.parent) == [])


def test_a_station_log_on_an_untouched_database_behaves_like_the_plain_log(db_path: Path) -> None:
    log = open_log(db_path)
    row = aired(log, 1)
    assert row == 1 and log.pending() == 0 and log.degradations() == []
    assert not list(db_path.parent.glob("broadcaster.sqlite3.*-*"))
    assert log.history() == AirLog(db_path).history()
    assert not list((db_path.parent / "airlog-journal").glob("journal-*"))  # no journal file while healthy
