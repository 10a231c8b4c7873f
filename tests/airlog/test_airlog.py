"""The airing log on real SQLite: crash safety, idempotency, queries, tamper evidence, concurrent readers."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.airlog import RECOVERED_REASON, SCHEMA_VERSION, AirLog
from broadcaster.errors import LogError
from broadcaster.models import Airing, AiringStatus, Priority
from tests import factories as make

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 11, 28, 6, 30, tzinfo=TZ)


def airing(n: int = 0, **changes: object) -> Airing:
    base = Airing(
        session_key="2026-11-28/sang/main",
        output_id="main",
        zones=("thon-dong", "thon-tay"),
        bulletin_id=f"tin-{n}",
        title=f"Cải cách hành chính số {n}",
        topic="cai-cach-hanh-chinh",
        priority=Priority.NORMAL,
        scheduled_at=AT + timedelta(minutes=n),
        status=AiringStatus.STARTED,
        content_hash=f"c{n}",
        started_at=AT + timedelta(minutes=n, seconds=1),
        planned_seconds=60.0,
        engine="espeak",
        voice="vi",
        audio_hash=f"a{n}",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def aired(log: AirLog, n: int, status: AiringStatus = AiringStatus.COMPLETED, **changes: object) -> int:
    row_id = log.start_item(airing(n, **changes))
    log.finish_item(row_id, status, AT + timedelta(minutes=n, seconds=61), 59.5)
    return row_id


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "broadcaster.sqlite3"


@pytest.fixture
def log(db_path: Path) -> AirLog:
    return AirLog(db_path)


def raw(path: Path) -> sqlite3.Connection:
    """A second, independent connection (what another process or a tamperer would use)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.row_factory = sqlite3.Row
    return con


def test_creates_dirs_wal_and_schema_version(db_path: Path, log: AirLog) -> None:
    con = raw(db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"airings", "renders", "audit", "sessions"} <= tables
    AirLog(db_path)  # opening again leaves it as it is


def test_newer_schema_is_refused(db_path: Path, log: AirLog) -> None:
    raw(db_path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LogError, match="phiên bản broadcaster mới hơn"):
        AirLog(db_path)


def test_started_row_is_committed_before_playing(db_path: Path, log: AirLog) -> None:
    row_id = log.start_item(airing(1))
    row = raw(db_path).execute("SELECT * FROM airings WHERE id = ?", (row_id,)).fetchone()
    assert row["status"] == "started" and row["row_hash"] is None
    assert row["started_at"] == "2026-11-28T06:31:01+07:00"


def test_finish_item_completes_the_row(log: AirLog) -> None:
    row_id = aired(log, 2)
    [row] = log.query()
    assert row.id == row_id and row.status is AiringStatus.COMPLETED
    assert row.ended_at == AT + timedelta(minutes=2, seconds=61) and row.played_seconds == 59.5
    assert row == dataclasses.replace(
        airing(2), status=AiringStatus.COMPLETED, ended_at=row.ended_at, played_seconds=59.5, id=row_id
    )


def test_times_are_stored_in_station_time_with_offset(db_path: Path, log: AirLog) -> None:
    utc = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    naive = datetime(2026, 11, 28, 6, 45)
    log.record(airing(0, status=AiringStatus.MISSED, scheduled_at=utc, started_at=naive))
    row = raw(db_path).execute("SELECT scheduled_at, started_at FROM airings").fetchone()
    assert tuple(row) == ("2026-11-28T06:30:00+07:00", "2026-11-28T06:45:00+07:00")


def test_finish_item_refuses_unknown_or_finished_rows(log: AirLog) -> None:
    row_id = aired(log, 1)
    with pytest.raises(LogError, match=f"số {row_id}"):
        log.finish_item(row_id, AiringStatus.COMPLETED, AT, 1.0)
    with pytest.raises(LogError, match="số 99"):
        log.finish_item(99, AiringStatus.COMPLETED, AT, 1.0)
    with pytest.raises(LogError, match="trạng thái cuối"):
        log.finish_item(log.start_item(airing(2)), AiringStatus.STARTED, AT, 1.0)


def test_record_is_for_final_rows(log: AirLog) -> None:
    with pytest.raises(LogError, match="start_item"):
        log.record(airing(1))
    row_id = log.record(airing(1, status=AiringStatus.SKIPPED, reason="không đủ thời lượng", started_at=None))
    [row] = log.query(status="skipped")
    assert row.id == row_id and row.reason == "không đủ thời lượng" and row.started_at is None


def test_recover_interrupted_after_a_crash(log: AirLog, db_path: Path) -> None:
    aired(log, 1)
    crashed = [log.start_item(airing(2)), log.start_item(airing(3))]
    later = AirLog(db_path)  # the restarted station
    assert later.recover_interrupted(AT + timedelta(hours=1)) == 2
    rows = {r.id: r for r in later.query(status=AiringStatus.INTERRUPTED)}
    assert sorted(rows) == crashed
    assert all(r.reason == RECOVERED_REASON for r in rows.values())
    assert later.recover_interrupted(AT + timedelta(hours=2)) == 0
    [event] = later.audit_events(event="recovered")
    assert event.details == {"rows": crashed} and event.at == AT + timedelta(hours=1)
    assert later.verify().ok


def test_claim_session_is_atomic_across_connections(db_path: Path, log: AirLog) -> None:
    logs = [AirLog(db_path) for _ in range(6)]
    results: list[bool] = []
    barrier = threading.Barrier(len(logs))

    def claim(one: AirLog) -> None:
        barrier.wait()
        results.append(one.claim_session("2026-11-28/sang/main", AT))

    threads = [threading.Thread(target=claim, args=(one,)) for one in logs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert log.session_aired("2026-11-28/sang/main") and not log.session_aired("2026-11-28/chieu/main")
    assert log.session_status("2026-11-28/sang/main") == "claimed"
    log.mark_session("2026-11-28/sang/main", "completed")
    assert AirLog(db_path).session_status("2026-11-28/sang/main") == "completed"


def test_history_and_query_filters(log: AirLog) -> None:
    aired(log, 0)
    aired(log, 1, zones=("thon-bac",))
    aired(log, 2, status=AiringStatus.INTERRUPTED)
    log.record(airing(3, status=AiringStatus.MISSED, scheduled_at=AT + timedelta(days=1), started_at=None))
    log.record(airing(4, status=AiringStatus.FAILED, scheduled_at=AT - timedelta(days=1), session_key="x",
                      started_at=None))

    def ids(rows: list[Airing]) -> list[str | None]:
        return [r.bulletin_id for r in rows]

    assert ids(log.history()) == ["tin-4", "tin-0", "tin-1", "tin-2", "tin-3"]
    assert ids(log.history(since=date(2026, 11, 28))) == ["tin-0", "tin-1", "tin-2", "tin-3"]
    assert ids(log.query(from_date=date(2026, 11, 28), to_date=date(2026, 11, 28))) == [
        "tin-0",
        "tin-1",
        "tin-2",
    ]
    assert ids(log.query(zone="thon-bac")) == ["tin-1"]
    assert ids(log.query(zone="thon")) == []  # whole zone ids only
    assert ids(log.query(bulletin="tin-2")) == ["tin-2"]
    assert ids(log.query(status="missed")) == ["tin-3"]
    assert ids(log.query(session="x")) == ["tin-4"]
    assert ids(log.query(zone="thon-dong", status=AiringStatus.COMPLETED)) == ["tin-0"]
    with pytest.raises(ValueError):
        log.query(status="phat-roi")


def test_audit_and_renders_round_trip(log: AirLog) -> None:
    log.audit("emergency", "can-bo-van-hoa", {"id": "bao-lu", "zones": ["thon-dong"], "lặp": 2}, at=AT)
    log.audit("run", "root", {})
    [event] = log.audit_events(event="emergency")
    assert (event.at, event.who, event.details) == (
        AT,
        "can-bo-van-hoa",
        {"id": "bao-lu", "zones": ["thon-dong"], "lặp": 2},
    )
    assert [e.event for e in log.audit_events(since=date(2026, 11, 28))] == ["emergency", "run"]
    log.record_render("tin-1", "k1", "gtts", "vi", False, 41.5, AT)
    log.record_render("tin-1", "k2", "espeak", "vi", True, 39.0, AT)
    renders = log.renders("tin-1")
    assert [(r.engine, r.fallback, r.duration) for r in renders] == [
        ("gtts", False, 41.5),
        ("espeak", True, 39.0),
    ]


# --- tamper evidence -----------------------------------------------------------------------------------------


@pytest.fixture
def chained(log: AirLog) -> AirLog:
    """Five rows in the chain (one finished out of id order) and one still playing."""
    long_item = log.start_item(airing(0))
    aired(log, 1)
    log.record(airing(2, status=AiringStatus.SKIPPED, reason="hết giờ", started_at=None))
    log.finish_item(
        long_item, AiringStatus.INTERRUPTED, AT + timedelta(minutes=3), 12.0, "bị tin khẩn cấp cắt ngang"
    )
    aired(log, 3)
    aired(log, 4)
    log.start_item(airing(5))
    assert log.verify().ok
    return log


TAMPER = {
    "session_key": "'2026-11-29/sang/main'",
    "output": "'phu'",
    "zones": "'[\"thon-bac\"]'",
    "bulletin_id": "'tin-khac'",
    "content_hash": "'x'",
    "title": "'Tiêu đề khác'",
    "topic": "'khac'",
    "priority": "'priority'",
    "scheduled_at": "'2026-11-28T07:00:00+07:00'",
    "started_at": "'2026-11-28T05:00:00+07:00'",
    "ended_at": "'2026-11-28T06:40:00+07:00'",
    "planned_seconds": "61",
    "played_seconds": "60.0",
    "status": "'failed'",
    "reason": "'sửa lý do'",
    "engine": "'gtts'",
    "voice": "'en'",
    "audio_hash": "'y'",
    "prev_hash": "'0000'",
    "row_hash": "'ffff'",
    "seq": "seq + 100",
}


@pytest.mark.parametrize("column", sorted(TAMPER))
@pytest.mark.parametrize("row_id", [1, 3, 5])
def test_editing_any_field_of_any_row_is_detected(
    chained: AirLog, db_path: Path, column: str, row_id: int
) -> None:
    con = raw(db_path)
    before = dict(con.execute("SELECT * FROM airings WHERE id = ?", (row_id,)).fetchone())
    con.execute(f"UPDATE airings SET {column} = {TAMPER[column]} WHERE id = ?", (row_id,))
    assert dict(con.execute("SELECT * FROM airings WHERE id = ?", (row_id,)).fetchone()) != before
    result = chained.verify()
    assert not result.ok
    assert result.first_broken_id == row_id, result.message
    assert f"số {row_id}" in result.message


@pytest.mark.parametrize(("deleted", "reported"), [(1, 1), (3, 3), (5, 5), (6, 6)])
def test_deleting_a_row_is_detected(chained: AirLog, db_path: Path, deleted: int, reported: int) -> None:
    raw(db_path).execute("DELETE FROM airings WHERE id = ?", (deleted,))
    result = chained.verify()
    assert not result.ok and result.first_broken_id == reported
    assert "bị xóa" in result.message and f"số {deleted}" in result.message


def test_unchaining_a_finished_row_is_detected(chained: AirLog, db_path: Path) -> None:
    """Turning a finished row back into a 'started' one (to rewrite it) breaks the chain at the next row."""
    raw(db_path).execute(
        "UPDATE airings SET status = 'started', seq = NULL, prev_hash = NULL, row_hash = NULL WHERE id = 3"
    )
    result = chained.verify()
    assert not result.ok and result.first_broken_id == 1, result.message  # the row chained after it


def test_a_rehashed_edit_breaks_the_next_link(chained: AirLog, db_path: Path) -> None:
    """Someone who edits a row and recomputes its own hash still breaks the link to the row chained after it."""
    from broadcaster.airlog._schema import row_hash

    con = raw(db_path)
    row = dict(con.execute("SELECT * FROM airings WHERE id = 3").fetchone())
    row["played_seconds"] = 999.0
    con.execute("UPDATE airings SET played_seconds = 999.0, row_hash = ? WHERE id = 3", (row_hash(row),))
    result = chained.verify()
    assert not result.ok and result.first_broken_id == 1, result.message  # id 1 finished after id 3
    assert "bản ghi trước nó đã bị sửa" in result.message


def test_verify_reports_counts_and_head(chained: AirLog) -> None:
    result = chained.verify()
    assert result.ok and result.checked == 6 and result.first_broken_id is None
    assert "6 bản ghi" in result.message and "1 bản ghi đang phát" in result.message
    assert len(result.head_hash) == 64
    aired(chained, 6)
    assert chained.verify().head_hash != result.head_hash


# --- other processes ------------------------------------------------------------------------------------------

WRITER = """
import sys, time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from broadcaster.airlog import AirLog
from broadcaster.models import Airing, AiringStatus, Priority
from tests import factories as make
tz = ZoneInfo("Asia/Ho_Chi_Minh")
log = AirLog(sys.argv[1])
n, finish_every = int(sys.argv[2]), int(sys.argv[3])
at = datetime(2026, 11, 28, 6, 30, tzinfo=tz)
for i in range(n):
    a = Airing("2026-11-28/sang/main", "main", ("thon-dong",), f"tin-{i}", "Tin", "t", Priority.NORMAL,
               at + timedelta(seconds=i), AiringStatus.STARTED, started_at=at + timedelta(seconds=i))
    row = log.start_item(a)
    if i % finish_every == 0:
        log.finish_item(row, AiringStatus.COMPLETED, at + timedelta(seconds=i + 1), 1.0)
    print(row, flush=True)
"""


def test_a_reader_process_reads_while_the_writer_writes(tmp_path: Path, db_path: Path) -> None:
    AirLog(db_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), "150", "1"], stdout=subprocess.PIPE, text=True
    )
    reader = AirLog(db_path)
    seen = []
    while writer.poll() is None:
        rows = reader.query()
        assert all(
            r.status is not AiringStatus.STARTED or r.id == rows[-1].id for r in rows
        )  # snapshot order
        seen.append(len(rows))
        assert reader.verify().ok
    assert writer.returncode == 0
    assert seen == sorted(seen) and len(set(seen)) > 2, seen  # grew while we read
    assert len(reader.query()) == 150 and reader.verify().ok


def test_kill_minus_9_while_writing_leaves_a_consistent_log(db_path: Path) -> None:
    AirLog(db_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), "100000", "3"], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    for _ in range(40):  # let it write some rows, then pull the plug mid-stream
        writer.stdout.readline()
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert raw(db_path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    log = AirLog(db_path)
    rows = log.query()
    assert len(rows) >= 40 and [r.id for r in rows] == list(range(1, len(rows) + 1))  # no row lost or torn
    assert log.verify().ok
    started = [r.id for r in rows if r.status is AiringStatus.STARTED]
    assert len(started) >= len(rows) * 2 // 3 - 1
    assert log.recover_interrupted(AT) == len(started)
    assert {r.id for r in log.query(status="interrupted")} == set(started)
    assert log.verify().ok and log.verify().checked == len(rows)


def test_unreadable_database_is_a_log_error(tmp_path: Path) -> None:
    bad = tmp_path / "hong.sqlite3"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(LogError, match="hong.sqlite3"):
        AirLog(bad)


def test_concurrent_threads_share_one_log(log: AirLog) -> None:
    def work(k: int) -> None:
        for i in range(10):
            aired(log, k * 100 + i)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log.query()) == 40 and log.verify().ok


# --- `broadcaster log` and `broadcaster log verify`, in-process --------------------------------------------------

STATION_YAML = """\
name: Đài truyền thanh xã Tiền Phong
commune: Tiền Phong
zones:
  thon-dong: Thôn Đông
  thon-tay: Thôn Tây
slots:
  sang:
    name: Buổi sáng
    start: "06:30"
    max_minutes: 30
"""


@pytest.fixture
def station_dir(tmp_path: Path) -> Path:
    return make.station_dir(tmp_path / "project", STATION_YAML)


@pytest.fixture
def filled(station_dir: Path) -> AirLog:
    log = AirLog(station_dir.parent / "var" / "broadcaster.sqlite3")
    aired(log, 0)
    aired(log, 1, zones=("thon-tay",), title="Dịch vụ công trực tuyến")
    aired(log, 2, status=AiringStatus.INTERRUPTED)
    log.record(
        airing(
            3,
            status=AiringStatus.MISSED,
            scheduled_at=AT + timedelta(days=1),
            started_at=None,
            reason="đài tắt máy quá giờ cho phép",
        )
    )
    return log


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from broadcaster.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_log_table_in_vietnamese(
    filled: AirLog, station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "log", "--station", str(station_dir))
    assert code == 0
    header, _rule, *lines, total = out.splitlines()
    assert header.split("  ")[0] == "Số" and "Giờ dự kiến" in header and "Trạng thái" in header
    assert len(lines) == 4
    assert "28/11/2026 06:31" in lines[1] and "Thôn Tây" in lines[1] and "Dịch vụ công trực tuyến" in lines[1]
    assert "đã phát" in lines[0] and "bị gián đoạn" in lines[2] and "bị lỡ" in lines[3]
    assert "1:00/1:00" in lines[0]  # played 59.5 s of a planned 60 s
    assert "đài tắt máy quá giờ cho phép" in lines[3]
    assert total == "Tổng: 4 lượt (đã phát: 2, bị gián đoạn: 1, bị lỡ: 1)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--zone", "Thôn Đông"], ["tin-0", "tin-2", "tin-3"]),  # tin-1 went to Thôn Tây only
        (["--zone", "thon-dong", "--status", "completed"], ["tin-0"]),
        (["--bulletin", "tin-2"], ["tin-2"]),
        (["--from", "29/11/2026"], ["tin-3"]),
        (["--from", "2026-11-28", "--to", "2026-11-28"], ["tin-0", "tin-1", "tin-2"]),
        (["--status", "skipped"], []),
    ],
)
def test_log_filters(
    filled: AirLog,
    station_dir: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: list[str],
) -> None:
    code, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "json", *args)
    assert code == 0
    assert [r["bulletin_id"] for r in json.loads(out)] == expected


def test_log_csv_opens_in_excel_with_diacritics(
    filled: AirLog, station_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from broadcaster.airlog import CSV_HEADERS

    code, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "csv")
    assert code == 0 and out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert tuple(rows[0]) == CSV_HEADERS and len(rows) == 5
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Thôn"] == "Thôn Đông, Thôn Tây" and first["Trạng thái"] == "đã phát"
    assert first["Giờ dự kiến"] == "2026-11-28 06:30:00" and first["Đã phát (giây)"] == "59.5"
    target = tmp_path / "nhat-ky.csv"
    code, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "csv", "-o", str(target))
    assert code == 0 and "4 lượt" in out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf") and "Cải cách hành chính" in target.read_text(
        "utf-8-sig"
    )


def test_log_json_has_every_field(
    filled: AirLog, station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "json", "--bulletin", "tin-0")
    [row] = json.loads(out)
    assert row["scheduled_at"] == "2026-11-28T06:30:00+07:00" and row["status"] == "completed"
    assert (
        row["zones"] == ["thon-dong", "thon-tay"] and row["engine"] == "espeak" and row["audio_hash"] == "a0"
    )


def test_log_verify_ok_then_tampered(
    filled: AirLog, station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "log", "verify", "--station", str(station_dir))
    assert code == 0 and "Nhật ký toàn vẹn" in out and filled.verify().head_hash in out
    raw(filled.path).execute("UPDATE airings SET status = 'completed' WHERE id = 3")
    code, out, err = cli(capsys, "log", "verify", "--station", str(station_dir))
    assert code == 1 and "bản ghi số 3 đã bị sửa" in err


def test_log_without_database_or_with_unknown_zone(
    station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "log", "--station", str(station_dir))
    assert code == 0 and "Chưa có nhật ký phát sóng" in out
    assert not (station_dir.parent / "var" / "broadcaster.sqlite3").exists()
    AirLog(station_dir.parent / "var" / "broadcaster.sqlite3")
    code, _, err = cli(capsys, "log", "--station", str(station_dir), "--zone", "Thôn Nam")
    assert code == 1 and "không có thôn 'Thôn Nam'" in err and "thon-dong (Thôn Đông)" in err
    code, _, err = cli(capsys, "log", "--station", str(station_dir), "--from", "31/02/2026")
    assert code == 1 and "31/02/2026" in err


@pytest.mark.parametrize("deleted", [2, 3, 4])
def test_one_deleted_row_is_one_problem(chained: AirLog, db_path: Path, deleted: int) -> None:
    raw(db_path).execute("DELETE FROM airings WHERE id = ?", (deleted,))
    result = chained.verify()
    assert not result.ok and "chỗ khác" not in result.message, result.message
    assert f"thiếu bản ghi số {deleted} (đã bị xóa)" in result.message
