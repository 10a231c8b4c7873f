"""The airing log (nhật ký phát sóng): SQLite in WAL mode, one writer at a time, tamper-evident.

One row per item airing, written `started` and committed before the first sample, completed after the last;
`recover_interrupted` turns rows a crash left `started` into `interrupted`. `synchronous=FULL`: a committed row
survives a power cut. Writers are serialized by a lock in-process and by SQLite's write lock across processes
(`BEGIN IMMEDIATE`), so the chain position is assigned atomically; readers (the `log` command, the web UI, other
processes) read consistent snapshots while the runner writes. Schema and hash chain: `_airlog_schema`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

from broadcaster.airlog._archive import ArchiveLinks
from broadcaster.airlog._schema import (
    COLUMNS,
    GENESIS,
    MIGRATIONS,
    SCHEMA_VERSION,
    from_row,
    iso,
    row_hash,
    to_row,
)
from broadcaster.airlog._sqlite import statements
from broadcaster.airlog._verify import VerifyResult, verify_log
from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.errors import LogError
from broadcaster.models import Airing, AiringStatus

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["RECOVERED_REASON", "SCHEMA_VERSION", "AirLog", "AuditEvent", "RenderRecord", "VerifyResult"]

RECOVERED_REASON = "mất điện hoặc chương trình dừng đột ngột"
_FINAL = frozenset(s for s in AiringStatus if s is not AiringStatus.STARTED)


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    event: str
    who: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderRecord:
    id: int
    bulletin_id: str | None
    key: str
    engine: str
    voice: str
    fallback: bool
    duration: float
    created_at: datetime


class AirLog(ArchiveLinks):
    """The station's airing log at `path` (created with its directories when missing)."""

    def __init__(self, path: Path | str, *, tz: str | ZoneInfo = DEFAULT_TIMEZONE, busy_timeout: float = 30.0):
        """`busy_timeout`: how long a write waits for another process's lock (`StationLog`: tens of ms)."""
        self.path = Path(path)
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._connect()

    def _connect(self) -> None:
        """Open (or create and migrate) the database at `self.path` as this log's connection."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise LogError(f"không mở được nhật ký phát sóng {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LogError(
                f"nhật ký phát sóng {self.path} do phiên bản broadcaster mới hơn tạo ra (lược đồ {version}); "
                "hãy cập nhật broadcaster"
            )
        if version == SCHEMA_VERSION:
            return
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            for n in range(version, SCHEMA_VERSION):
                for statement in statements(MIGRATIONS[n]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions -----------------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (and fsynced) on exit; LogError on any SQLite failure. Inside a
        transaction already open on this connection (the journal's replay), it is part of that one."""
        with self._lock:
            nested = self._db.in_transaction
            try:
                if not nested:
                    self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    if not nested:
                        self._db.execute("ROLLBACK")
                    raise
                if not nested:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._db.in_transaction and not nested:  # a failed COMMIT (disk full) leaves it open
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise LogError(f"không ghi được nhật ký phát sóng {self.path}: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot (consistent across statements, even while another process writes)."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                try:
                    yield self._db
                finally:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise LogError(f"không đọc được nhật ký phát sóng {self.path}: {exc}") from exc

    # --- airings ----------------------------------------------------------------------------------------------

    def start_item(self, airing: Airing) -> int:
        """Write the row `started` (committed before the first sample); returns its id for `finish_item`."""
        values = to_row(airing, self.tz)
        values["status"] = AiringStatus.STARTED.value
        if values["started_at"] is None:
            values["started_at"] = iso(datetime.now(self.tz), self.tz)
        with self._write() as db:
            return self._insert(db, values)

    def finish_item(
        self,
        row_id: int,
        status: AiringStatus | str,
        ended_at: datetime | None,
        played_seconds: float,
        reason: str = "",
    ) -> None:
        """Complete a started row with its final state; this is when it joins the hash chain."""
        status = AiringStatus(status)
        if status is AiringStatus.STARTED:
            raise LogError(
                "finish_item cần trạng thái cuối (completed, interrupted, failed, ...), không phải started"
            )
        with self._write() as db:
            row = db.execute("SELECT * FROM airings WHERE id = ?", (row_id,)).fetchone()
            if row is None or row["status"] != AiringStatus.STARTED.value:
                raise LogError(
                    f"bản ghi phát sóng số {row_id} không ở trạng thái 'đang phát' nên không thể kết thúc"
                )
            fields = dict(row)
            fields.update(
                status=status.value,
                ended_at=iso(ended_at, self.tz),
                played_seconds=float(played_seconds),
                reason=reason,
            )
            self._chain(db, fields)

    def record(self, airing: Airing) -> int:
        """Write a row already in its final state (missed, skipped, failed, ...); returns its id."""
        values = to_row(airing, self.tz)
        if AiringStatus(values["status"]) is AiringStatus.STARTED:
            raise LogError("record() ghi bản ghi đã kết thúc; bản tin bắt đầu phát dùng start_item()")
        with self._write() as db:
            row_id = self._insert(db, values)
            self._chain(db, {"id": row_id, **values})
            return row_id

    def recover_interrupted(self, now: datetime) -> int:
        """Rows a crash left `started` become `interrupted` (reason: power cut or sudden stop); returns how many."""
        with self._write() as db:
            rows = db.execute("SELECT * FROM airings WHERE status = 'started' ORDER BY id").fetchall()
            for row in rows:
                fields = dict(row)
                fields.update(status=AiringStatus.INTERRUPTED.value, reason=RECOVERED_REASON)
                self._chain(db, fields)
            if rows:
                self._audit(db, "recovered", "", {"rows": [r["id"] for r in rows]}, now)
            return len(rows)

    @staticmethod
    def _insert(db: sqlite3.Connection, values: dict[str, Any]) -> int:
        columns = ", ".join(COLUMNS)
        marks = ", ".join(f":{c}" for c in COLUMNS)
        cursor = db.execute(f"INSERT INTO airings ({columns}) VALUES ({marks})", values)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @staticmethod
    def _chain(db: sqlite3.Connection, fields: dict[str, Any]) -> None:
        """Give a row in its final state the next chain position and its hash (inside the caller's transaction)."""
        last = db.execute("SELECT seq, row_hash FROM airings WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
        head = last.fetchone()
        fields["seq"] = (head["seq"] if head else 0) + 1
        fields["prev_hash"] = head["row_hash"] if head else GENESIS
        fields["row_hash"] = row_hash(fields)
        assignments = ", ".join(f"{c} = :{c}" for c in (*COLUMNS, "seq", "prev_hash", "row_hash"))
        db.execute(f"UPDATE airings SET {assignments} WHERE id = :id", fields)

    # --- sessions (idempotency) -------------------------------------------------------------------------------

    def claim_session(self, session_key: str, at: datetime | None = None, status: str = "claimed") -> bool:
        """Atomically mark a session occurrence as taken; False when it already was (never air it twice)."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO sessions (session_key, status, at) VALUES (?, ?, ?)",
                (session_key, status, iso(at or datetime.now(self.tz), self.tz)),
            )
            return cursor.rowcount == 1

    def mark_session(self, session_key: str, status: str) -> None:
        """Update a claimed session's status (e.g. completed, missed) for reports."""
        with self._write() as db:
            db.execute("UPDATE sessions SET status = ? WHERE session_key = ?", (status, session_key))

    def session_aired(self, session_key: str) -> bool:
        """True when the session occurrence was claimed (aired, airing, or given up as missed)."""
        with self._read() as db:
            return (
                db.execute("SELECT 1 FROM sessions WHERE session_key = ?", (session_key,)).fetchone()
                is not None
            )

    def session_status(self, session_key: str) -> str | None:
        with self._read() as db:
            row = db.execute("SELECT status FROM sessions WHERE session_key = ?", (session_key,)).fetchone()
            return row["status"] if row else None

    # --- reading ----------------------------------------------------------------------------------------------

    def history(self, since: date | None = None) -> list[Airing]:
        """Every airing row (any status) scheduled on or after `since` (station dates), oldest first."""
        return self.query(from_date=since)

    def query(
        self,
        from_date: date | None = None,
        to_date: date | None = None,
        zone: str | None = None,
        bulletin: str | None = None,
        status: AiringStatus | str | None = None,
        session: str | None = None,
    ) -> list[Airing]:
        """Rows matching every given filter (dates inclusive, by scheduled date in the station's timezone)."""
        where, params = [], []
        # a range on the ISO text (not substr), so the scheduled_at index serves it on a large log
        if from_date is not None:
            where.append("scheduled_at >= ?")
            params.append(from_date.isoformat())
        if to_date is not None:
            where.append("scheduled_at < ?")
            params.append((to_date + timedelta(days=1)).isoformat())
        if zone is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(airings.zones) WHERE value = ?)")
            params.append(zone)
        if bulletin is not None:
            where.append("bulletin_id = ?")
            params.append(bulletin)
        if status is not None:
            where.append("status = ?")
            params.append(AiringStatus(status).value)
        if session is not None:
            where.append("session_key = ?")
            params.append(session)
        sql = "SELECT * FROM airings" + (" WHERE " + " AND ".join(where) if where else "")
        with self._read() as db:
            return [from_row(r) for r in db.execute(sql + " ORDER BY scheduled_at, id", params)]

    def recent(self, limit: int = 10, *, session_prefix: str | None = None) -> list[Airing]:
        """The last `limit` rows written, newest first, of sessions whose key starts with `session_prefix`."""
        where = " WHERE substr(session_key, 1, ?) = ?" if session_prefix is not None else ""
        params = [len(session_prefix), session_prefix] if session_prefix is not None else []
        with self._read() as db:
            sql = f"SELECT * FROM airings{where} ORDER BY id DESC LIMIT ?"
            return [from_row(r) for r in db.execute(sql, [*params, limit])]

    # --- audit and renders ------------------------------------------------------------------------------------

    def audit(
        self, event: str, who: str, details: dict[str, Any] | None = None, *, at: datetime | None = None
    ) -> int:
        """Record a run, stop, reload, emergency, manual airing ...: who did what, when."""
        with self._write() as db:
            return self._audit(db, event, who, details or {}, at or datetime.now(self.tz))

    def _audit(
        self, db: sqlite3.Connection, event: str, who: str, details: dict[str, Any], at: datetime
    ) -> int:
        cursor = db.execute(
            "INSERT INTO audit (at, event, who, details) VALUES (?, ?, ?, ?)",
            (iso(at, self.tz), event, who, json.dumps(details, ensure_ascii=False, default=str)),
        )
        return int(cursor.lastrowid or 0)

    def audit_events(self, since: date | None = None, event: str | None = None) -> list[AuditEvent]:
        sql, params = "SELECT * FROM audit WHERE substr(at, 1, 10) >= ?", [since.isoformat() if since else ""]
        if event is not None:
            sql += " AND event = ?"
            params.append(event)
        with self._read() as db:
            rows = db.execute(sql + " ORDER BY id", params).fetchall()
        return [
            AuditEvent(
                r["id"], datetime.fromisoformat(r["at"]), r["event"], r["who"], json.loads(r["details"])
            )
            for r in rows
        ]

    def record_render(
        self,
        bulletin_id: str | None,
        key: str,
        engine: str,
        voice: str = "",
        fallback: bool = False,
        duration: float = 0.0,
        created_at: datetime | None = None,
    ) -> int:
        """Remember which engine and voice spoke a bulletin (for reports and the officer's review)."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO renders (bulletin_id, key, engine, voice, fallback, duration, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    bulletin_id,
                    key,
                    engine,
                    voice,
                    int(fallback),
                    float(duration),
                    iso(created_at or datetime.now(self.tz), self.tz),
                ),
            )
            return int(cursor.lastrowid or 0)

    def renders(self, bulletin_id: str | None = None) -> list[RenderRecord]:
        sql, params = "SELECT * FROM renders", []
        if bulletin_id is not None:
            sql, params = sql + " WHERE bulletin_id = ?", [bulletin_id]
        with self._read() as db:
            rows = db.execute(sql + " ORDER BY id", params).fetchall()
        return [
            RenderRecord(
                r["id"],
                r["bulletin_id"],
                r["key"],
                r["engine"],
                r["voice"],
                bool(r["fallback"]),
                r["duration"],
                datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    def verify(self, public_key: Ed25519PublicKey | None = None) -> VerifyResult:
        """The hash chain and every signed checkpoint (against `public_key`, or the station's own key) checked."""
        with self._read() as db:
            return verify_log(db, self.path, public_key)
