"""The station's key and its signed checkpoints: each attack on the log (edit a field, delete a middle row, cut the
tail, recompute the chain, forge or replace a checkpoint, copy the log to another station) is found by `verify`
and reported once, naming the first row that no longer matches."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broadcaster.airlog import (
    CHECKPOINT_FILE,
    PRIVATE_KEY_FILE,
    PUBLIC_KEY_FILE,
    AirLog,
    checkpoint_if_due,
    load_public_key,
    station_key,
    write_checkpoint,
)
from broadcaster.airlog._checkpoints import StationKey, fingerprint
from broadcaster.airlog._schema import row_hash
from broadcaster.errors import LogError
from tests.airlog.test_airlog import AT, aired, raw

STATION = "Đài truyền thanh xã Tiền Phong"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def signed(state: Path) -> AirLog:
    """Ten rows under two checkpoints (after row 6 and after row 10), then two rows no checkpoint covers yet."""
    log = AirLog(state / "broadcaster.sqlite3")
    key = station_key(state)
    assert key is not None
    for n in range(6):
        aired(log, n)
    write_checkpoint(log, key, STATION, AT + timedelta(hours=1))
    for n in range(6, 10):
        aired(log, n)
    write_checkpoint(log, key, STATION, AT + timedelta(days=1))
    aired(log, 10)
    aired(log, 11)
    return log


def tamper(log: AirLog) -> sqlite3.Connection:
    return raw(log.path)


def recompute(con: sqlite3.Connection, from_id: int) -> None:
    """What someone with the project's own hash function does after editing row `from_id`: rehash every row
    chained from it on, so the chain alone checks out again."""
    rows = [dict(r) for r in con.execute("SELECT * FROM airings WHERE seq IS NOT NULL ORDER BY seq")]
    previous = "0" * 64
    for row in rows:
        if row["id"] >= from_id:
            row["prev_hash"] = previous
            row["row_hash"] = row_hash(row)
            con.execute("UPDATE airings SET prev_hash = ?, row_hash = ? WHERE id = ?",
                        (row["prev_hash"], row["row_hash"], row["id"]))
        previous = row["row_hash"]


def test_key_is_created_once_private_to_the_station_user(state: Path) -> None:
    key = station_key(state)
    assert key is not None
    private, public = state / PRIVATE_KEY_FILE, state / PUBLIC_KEY_FILE
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert fingerprint(load_public_key(public)) == key.fingerprint
    again = station_key(state)
    assert again is not None and again.fingerprint == key.fingerprint  # never replaced
    private.chmod(0o644)
    station_key(state)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert station_key(state.parent / "other", create=False) is None


def test_an_untouched_log_verifies_with_its_checkpoints(signed: AirLog) -> None:
    result = signed.verify()
    assert result.ok, result.message
    assert result.checkpoints == 2 and "2 điểm kiểm tra có chữ ký" in result.message
    assert result.last_checkpoint is not None and result.last_checkpoint.rows == 10


def test_edit_a_field(signed: AirLog) -> None:
    tamper(signed).execute("UPDATE airings SET played_seconds = 5 WHERE id = 4")
    result = signed.verify()
    assert not result.ok and result.first_broken_id == 4
    assert "bản ghi số 4 đã bị sửa" in result.message and "chỗ khác" not in result.message


def test_delete_a_middle_row(signed: AirLog) -> None:
    tamper(signed).execute("DELETE FROM airings WHERE id = 5")
    result = signed.verify()
    assert not result.ok and result.first_broken_id == 5
    assert "thiếu bản ghi số 5 (đã bị xóa)" in result.message and "chỗ khác" not in result.message


def test_delete_the_tail_and_reset_the_sequence(signed: AirLog) -> None:
    """Rows 8..12 gone and sqlite_sequence set back: the chain alone is intact, the checkpoint of row 10 is not."""
    con = tamper(signed)
    con.execute("DELETE FROM airings WHERE id >= 8")
    con.execute("UPDATE sqlite_sequence SET seq = 7 WHERE name = 'airings'")
    result = signed.verify()
    assert not result.ok and result.first_broken_id == 8, result.message
    assert "thiếu 3 bản ghi cuối của chuỗi" in result.message and "nay chuỗi chỉ còn 7" in result.message


def test_delete_the_tail_and_the_checkpoints_that_covered_it(signed: AirLog) -> None:
    """Also the checkpoint table's rows: the copy beside the log (checkpoints.jsonl) still holds them."""
    con = tamper(signed)
    con.execute("DELETE FROM airings WHERE id >= 8")
    con.execute("UPDATE sqlite_sequence SET seq = 7 WHERE name = 'airings'")
    con.execute("DELETE FROM checkpoints WHERE n = 2")
    result = signed.verify()
    assert not result.ok and result.first_broken_id == 8
    assert "thiếu 3 bản ghi cuối" in result.message and "(và 1 chỗ khác)" in result.message


def test_recompute_the_chain(signed: AirLog) -> None:
    con = tamper(signed)
    con.execute("UPDATE airings SET title = 'Đã sửa' WHERE id = 3")
    recompute(con, 3)
    result = signed.verify()
    assert not result.ok and result.first_broken_id == 3, result.message
    assert "bản ghi số 3 (thứ 3 trong chuỗi) không còn khớp điểm kiểm tra có chữ ký số 1" in result.message
    assert "chỗ khác" not in result.message


def test_recompute_after_the_last_checkpoint_is_only_covered_by_the_chain(signed: AirLog) -> None:
    """Rows chained since the last checkpoint are what a recomputed chain can still rewrite unseen: the limit the
    daily checkpoint leaves (docs/reports.md); a report's printed head hash covers them."""
    con = tamper(signed)
    con.execute("UPDATE airings SET title = 'Đã sửa' WHERE id = 12")
    recompute(con, 12)
    assert signed.verify().ok


def test_forge_the_checkpoint(signed: AirLog) -> None:
    """Recompute the chain and write its new head into the checkpoint: the signature no longer matches."""
    con = tamper(signed)
    con.execute("UPDATE airings SET title = 'Đã sửa' WHERE id = 3")
    recompute(con, 3)
    payload = json.loads(con.execute("SELECT payload FROM checkpoints WHERE n = 1").fetchone()[0])
    payload["head_hash"] = con.execute("SELECT row_hash FROM airings WHERE seq = 6").fetchone()[0]
    con.execute("UPDATE checkpoints SET payload = ? WHERE n = 1",
                (json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")),))
    result = signed.verify()
    assert not result.ok and result.first_broken_id == 3  # the copy beside the log still holds the real one
    assert "điểm kiểm tra số 1 đã bị sửa hoặc giả mạo: chữ ký không khớp" in result.problems
    (signed.path.parent / CHECKPOINT_FILE).unlink()  # and without that copy
    result = signed.verify()
    assert not result.ok and "điểm kiểm tra số 1 đã bị sửa hoặc giả mạo: chữ ký không khớp" in result.problems


def test_replace_the_checkpoints_with_ones_signed_by_another_key(signed: AirLog, state: Path) -> None:
    con = tamper(signed)
    con.execute("UPDATE airings SET title = 'Đã sửa' WHERE id = 3")
    recompute(con, 3)
    con.execute("DELETE FROM checkpoints")
    (state / CHECKPOINT_FILE).unlink()
    private = Ed25519PrivateKey.generate()
    forger = StationKey(private, private.public_key(), fingerprint(private.public_key()))
    write_checkpoint(signed, forger, STATION, AT + timedelta(days=2))
    result = signed.verify()
    assert not result.ok
    assert f"được ký bằng khóa của đài khác ({forger.fingerprint}" in result.message


def test_a_log_copied_to_another_station(signed: AirLog, state: Path, tmp_path: Path) -> None:
    """The copy verifies against its own station's public key and fails against another station's, clearly."""
    own = load_public_key(state / PUBLIC_KEY_FILE)
    elsewhere = tmp_path / "xa-khac" / "var"
    elsewhere.mkdir(parents=True)
    with sqlite3.connect(elsewhere / "broadcaster.sqlite3") as copy_db:
        raw(signed.path).backup(copy_db)  # a consistent copy of a WAL database (what sqlite3's .backup writes)
    other_key = station_key(elsewhere)  # the other station has a key of its own
    assert other_key is not None
    with AirLog(elsewhere / "broadcaster.sqlite3") as copy:
        assert copy.verify(own).ok
        result = copy.verify()
    assert not result.ok
    assert "khóa của đài khác" in result.message and "không phải khóa " + other_key.fingerprint in result.message
    assert STATION in result.message


def test_checkpoints_but_no_key_to_check_them(signed: AirLog, state: Path) -> None:
    (state / PRIVATE_KEY_FILE).unlink()
    (state / PUBLIC_KEY_FILE).unlink()
    result = signed.verify()
    assert not result.ok and "không có khóa công khai" in result.message and "--public-key" in result.message


def test_the_station_never_signs_over_a_cut_chain(signed: AirLog, state: Path) -> None:
    con = tamper(signed)
    con.execute("DELETE FROM airings WHERE id >= 9")
    con.execute("UPDATE sqlite_sequence SET seq = 8 WHERE name = 'airings'")
    key = station_key(state)
    assert key is not None
    with pytest.raises(LogError, match="không ký điểm kiểm tra mới"):
        write_checkpoint(signed, key, STATION, AT + timedelta(days=3))


def test_daily_checkpoint_is_written_once_a_day_when_the_chain_grew(signed: AirLog, state: Path) -> None:
    last_at = AT + timedelta(days=1)
    assert checkpoint_if_due(signed, state, STATION, last_at + timedelta(hours=23)) is None  # not a day yet
    written = checkpoint_if_due(signed, state, STATION, last_at + timedelta(hours=25))
    assert written is not None and (written.n, written.rows) == (3, 12)
    assert checkpoint_if_due(signed, state, STATION, last_at + timedelta(days=3)) is None  # nothing new aired
    lines = (state / CHECKPOINT_FILE).read_text().splitlines()
    assert len(lines) == 3 and json.loads(json.loads(lines[-1])["payload"])["rows"] == 12
    assert signed.verify().ok


def test_a_report_reuses_the_checkpoint_when_nothing_aired_since(signed: AirLog, state: Path) -> None:
    key = station_key(state)
    assert key is not None
    first = write_checkpoint(signed, key, STATION, AT + timedelta(days=2), reuse=True)
    again = write_checkpoint(signed, key, STATION, AT + timedelta(days=2, hours=1), reuse=True)
    assert first.n == again.n == 3


def test_cli_verifies_a_copy_against_a_public_key(signed: AirLog, state: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from broadcaster.cli import main

    copy = tmp_path / "ban-sao.sqlite3"
    with sqlite3.connect(copy) as copy_db:
        raw(signed.path).backup(copy_db)
    public = state / PUBLIC_KEY_FILE
    head = signed.verify().head_hash
    assert main(["log", "verify", "--db", str(copy), "--public-key", str(public), "--expect", head]) == 0
    out = capsys.readouterr().out
    assert "2 điểm kiểm tra có chữ ký" in out and "Điểm kiểm tra có chữ ký mới nhất: số 2" in out
    other = tmp_path / "xa-khac"
    assert station_key(other) is not None
    assert main(["log", "verify", "--db", str(copy), "--public-key", str(other / PUBLIC_KEY_FILE)]) == 1
    assert "khóa của đài khác" in capsys.readouterr().err
    raw(copy).execute("DELETE FROM airings WHERE id >= 11")
    raw(copy).execute("UPDATE sqlite_sequence SET seq = 10 WHERE name = 'airings'")
    assert main(["log", "verify", "--db", str(copy), "--public-key", str(public)]) == 0  # cut after the last
    capsys.readouterr()  # checkpoint: the checkpoints cannot see it; the head hash printed on a report does
    assert main(["log", "verify", "--db", str(copy), "--public-key", str(public), "--expect", head]) == 1
    assert "không còn trong chuỗi" in capsys.readouterr().err


def test_floats_sqlite_writes_differently_still_verify_and_an_edit_of_them_is_found(signed: AirLog) -> None:
    """SQLite's JSON prints 1/3 and 1e20 differently from Python: such rows are hashed again the exact way."""
    row_id = signed.start_item(airing_at(20))
    signed.finish_item(row_id, "completed", AT + timedelta(minutes=21), 1 / 3)
    other = signed.start_item(airing_at(21))
    signed.finish_item(other, "completed", AT + timedelta(minutes=22), 1e20)
    assert signed.verify().ok
    tamper(signed).execute("UPDATE airings SET played_seconds = 0.3333 WHERE id = ?", (row_id,))
    result = signed.verify()
    assert not result.ok and result.first_broken_id == row_id


def airing_at(n: int):  # type: ignore[no-untyped-def]
    from tests.airlog.test_airlog import airing

    return airing(n)
