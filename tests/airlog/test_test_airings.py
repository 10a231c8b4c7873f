"""Test airings (file/null outputs) read as "chạy thử", old logs migrate, `log` sorts by actual time, `-o` picks
the format from the extension and CSV can use ';' for an Excel set to Vietnamese."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from broadcaster.airlog import SCHEMA_VERSION, AirLog
from broadcaster.airlog._schema import COLUMNS, GENESIS, MIGRATIONS, row_hash
from broadcaster.models import AiringStatus
from tests.airlog.test_airlog import AT, aired, airing, cli, station_dir  # noqa: F401 - station_dir: fixture

__all__ = ["station_dir"]


def _db(station_dir: Path) -> Path:
    return station_dir.parent / "var" / "broadcaster.sqlite3"


def test_test_airings_read_as_test_everywhere(station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with AirLog(_db(station_dir)) as log:
        aired(log, 0, output_kind="sounddevice")
        aired(log, 1, output_kind="file")
        aired(log, 2, output_kind="null", status=AiringStatus.INTERRUPTED)
        rows = log.query()
    assert [r.is_test for r in rows] == [False, True, True]
    code, out, _ = cli(capsys, "log", "--station", str(station_dir))
    assert code == 0
    lines = out.splitlines()
    assert "đã phát" in lines[2] and "chạy thử" not in lines[2]
    assert "chạy thử" in lines[3] and "đã phát" not in lines[3]
    assert "chạy thử (bị gián đoạn)" in lines[4]
    assert lines[-1] == "Tổng: 3 lượt (đã phát: 1, chạy thử: 1, chạy thử (bị gián đoạn): 1)"
    code, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "json")
    assert [(r["output_kind"], r["test"]) for r in json.loads(out)] == [
        ("sounddevice", False), ("file", True), ("null", True)
    ]  # fmt: skip


def test_a_version_1_log_migrates_and_still_verifies(tmp_path: Path) -> None:
    """A log written before output kinds were recorded: migrated in place, its rows keep an unknown kind ('')
    and its chain (hashed without the column) still verifies; new rows are chained with it."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    old_columns = [c for c in COLUMNS if c not in ("output_kind", "approved_by", "approval_hash")]  # schema 1
    previous = GENESIS
    for n in range(3):
        values = {c: v for c, v in airing(n, status=AiringStatus.COMPLETED).__dict__.items()}
        fields = {
            "id": n + 1, "seq": n + 1, "prev_hash": previous, "session_key": values["session_key"],
            "output": "main", "zones": '["thon-dong"]', "bulletin_id": f"tin-{n}", "content_hash": "",
            "title": f"Bản tin {n}", "topic": "", "priority": "normal", "scheduled_at": AT.isoformat(),
            "started_at": AT.isoformat(), "ended_at": AT.isoformat(), "planned_seconds": 60.0,
            "played_seconds": 60.0, "status": "completed", "reason": "", "engine": "", "voice": "",
            "audio_hash": "",
        }  # fmt: skip
        fields["row_hash"] = row_hash(fields)
        previous = fields["row_hash"]
        names = ["id", "seq", "prev_hash", "row_hash", *old_columns]
        db.execute(
            f"INSERT INTO airings ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [fields[k] for k in names],
        )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()

    with AirLog(path) as log:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [r.output_kind for r in log.query()] == ["", "", ""]
        assert not any(r.is_test for r in log.query())  # unknown kind: counted as before
        aired(log, 5, output_kind="file")
        assert log.verify().ok
    with sqlite3.connect(path) as raw:  # blanking a new row's kind is an edit
        raw.execute("UPDATE airings SET output_kind = '' WHERE id = 4")
    with AirLog(path) as log:
        result = log.verify()
    assert not result.ok and result.first_broken_id == 4


def test_log_sorts_by_actual_time(station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A session aired late (air now, after a restart) comes after what really aired before it."""
    with AirLog(_db(station_dir)) as log:
        aired(log, 0, scheduled_at=AT, started_at=AT + timedelta(hours=2), bulletin_id="tre")
        aired(log, 1, scheduled_at=AT + timedelta(hours=1), started_at=AT + timedelta(hours=1), bulletin_id="dung")
    code, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "json")
    assert [r["bulletin_id"] for r in json.loads(out)] == ["dung", "tre"]


@pytest.mark.parametrize(("name", "kind"), [("thang11.csv", "csv"), ("thang11.JSON", "json"), ("t.txt", "table")])
def test_output_file_format_follows_its_extension(
    station_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, kind: str
) -> None:
    with AirLog(_db(station_dir)) as log:
        aired(log, 0)
    target = tmp_path / name
    assert cli(capsys, "log", "--station", str(station_dir), "-o", str(target))[0] == 0
    data = target.read_bytes()
    if kind == "csv":
        assert data.startswith(b"\xef\xbb\xbf") and next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[0] == "Số"
    elif kind == "json":
        assert json.loads(data)[0]["bulletin_id"] == "tin-0"
    else:
        assert data.decode().startswith("Số  ") and "Tổng: 1 lượt" in data.decode()


def test_csv_with_semicolons_for_a_vietnamese_excel(station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with AirLog(_db(station_dir)) as log:
        aired(log, 0, title="Tiêm chủng, đợt 2")
    code, out, _ = cli(capsys, "log", "--station", str(station_dir), "--format", "csv", "--sep", ";")
    assert code == 0 and out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:]), delimiter=";"))
    assert rows[0][:4] == ["Số", "Buổi phát", "Đầu ra", "Loại đầu ra"]
    assert dict(zip(rows[0], rows[1], strict=True))["Tiêu đề"] == "Tiêm chủng, đợt 2"
    assert out.splitlines()[0].count(";") == len(rows[0]) - 1


def test_verify_expect_a_head_hash_from_a_report(station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A head hash printed on a signed report: still in the chain -> fine; tail cut or chain recomputed -> error."""
    from broadcaster.airlog._schema import row_hash as rehash

    with AirLog(_db(station_dir)) as log:
        for n in range(4):
            aired(log, n)
        noted = log.verify().head_hash
        aired(log, 4)
    code, out, _ = cli(capsys, "log", "verify", "--station", str(station_dir), "--expect", noted)
    assert code == 0 and "mã đối chiếu khớp bản ghi số 4, sau đó có thêm 1 bản ghi" in out
    with sqlite3.connect(_db(station_dir)) as raw:  # cut the tail and reset the sequence: the chain alone is fine
        raw.execute("DELETE FROM airings WHERE id >= 4")
        raw.execute("UPDATE sqlite_sequence SET seq = 3 WHERE name = 'airings'")
    assert cli(capsys, "log", "verify", "--station", str(station_dir))[0] == 0
    code, _, err = cli(capsys, "log", "verify", "--station", str(station_dir), "--expect", noted)
    assert code == 1 and "không còn trong chuỗi" in err
    with sqlite3.connect(_db(station_dir)) as raw:  # recompute the whole chain after an edit
        raw.row_factory = sqlite3.Row
        previous = GENESIS
        for row in [dict(r) for r in raw.execute("SELECT * FROM airings ORDER BY seq")]:
            row["played_seconds"] = 1.0
            row["prev_hash"] = previous
            previous = row["row_hash"] = rehash(row)
            raw.execute("UPDATE airings SET played_seconds = 1.0, prev_hash = ?, row_hash = ? WHERE id = ?",
                        (row["prev_hash"], row["row_hash"], row["id"]))
    assert cli(capsys, "log", "verify", "--station", str(station_dir))[0] == 0
    code, _, err = cli(capsys, "log", "verify", "--station", str(station_dir), "--expect", noted)
    assert code == 1 and "không còn trong chuỗi" in err
