"""Each airing row records the approval it aired under (approver, content key), inside the hash chain; a log
written before the column existed is migrated and still verifies."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.airlog import AirLog
from broadcaster.airlog._schema import GENESIS, MIGRATIONS, row_hash
from broadcaster.models import Airing, AiringStatus, Priority, Programme, ProgrammeItem
from broadcaster.playout import record_not_aired

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 12, 1, 6, 30, tzinfo=TZ)


def _airing(**over: object) -> Airing:
    base = dict(session_key="2026-12-01/sang/main", output_id="main", zones=("dong",), bulletin_id="tin",
                title="Tin", topic="t", priority=Priority.NORMAL, scheduled_at=AT, status=AiringStatus.COMPLETED)
    return Airing(**{**base, **over})  # type: ignore[arg-type]


def test_rows_carry_the_approval_and_an_edit_of_it_breaks_the_chain(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    with AirLog(db) as log:
        log.record(_airing(approved_by="Nguyễn Văn Lý", approval_hash="sha256:" + "ab" * 32))
        row = log.query()[0]
        assert (row.approved_by, row.approval_hash) == ("Nguyễn Văn Lý", "sha256:" + "ab" * 32)
        assert log.verify().ok
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE airings SET approved_by = 'Người khác'")
    with AirLog(db) as log:
        assert not log.verify().ok


def test_a_log_from_before_the_approval_column_is_migrated_and_still_verifies(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(db)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    old_columns = ("session_key", "output", "zones", "bulletin_id", "content_hash", "title", "topic", "priority",
                   "scheduled_at", "started_at", "ended_at", "planned_seconds", "played_seconds", "status", "reason",
                   "engine", "voice", "audio_hash")
    values = dict(zip(old_columns, ("k", "main", '["dong"]', "tin", "", "Tin", "t", "normal", AT.isoformat(), None,
                                    None, 0.0, 0.0, "completed", "", "", "", ""), strict=True))
    fields = {"id": 1, "seq": 1, "prev_hash": GENESIS, **values}
    # the hash exactly as the code before the column computed it (no approval keys at all)
    covered = {k: fields[k] for k in ("id", "seq", "prev_hash", *old_columns)}
    canonical = json.dumps(covered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    fields["row_hash"] = hashlib.sha256((GENESIS + canonical).encode("utf-8")).hexdigest()
    assert fields["row_hash"] == row_hash({**fields, "approved_by": "", "approval_hash": ""})
    raw.execute(f"INSERT INTO airings (id, seq, prev_hash, row_hash, {', '.join(old_columns)}) VALUES "
                f"(:id, :seq, :prev_hash, :row_hash, {', '.join(':' + c for c in old_columns)})", fields)
    raw.commit()
    raw.close()
    with AirLog(db) as log:
        assert log.verify().ok
        log.record(_airing(approved_by="Lý", approval_hash="sha256:1"))
        assert log.verify().ok and [r.approved_by for r in log.query()] == ["", "Lý"]


def test_items_pass_their_approval_to_the_rows_they_log(tmp_path: Path) -> None:
    item = ProgrammeItem("tin", "Tin", frozenset({"dong"}), 30.0, approved_by="Lý", approval_hash="sha256:9")
    programme = Programme(AT.date(), "sang", "main", AT, 600.0, items=(item,))
    with AirLog(tmp_path / "log.sqlite3") as log:
        rows = record_not_aired(programme, log=log, status=AiringStatus.MISSED, reason="máy tắt")
        assert [(r.approved_by, r.approval_hash) for r in log.query()] == [("Lý", "sha256:9")]
        assert rows[0].approved_by == "Lý"
