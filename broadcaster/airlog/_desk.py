"""`DeskStore`: the desk's records behind small query functions (no SQL anywhere else), in a database file of
its own beside the airing log (`<state_dir>/desk.sqlite3`).

Accounts and roles, login sessions, the first-run link, login failures (throttling), who wrote and edited each
bulletin, approval decisions, and the audit trail. Times are stored as ISO 8601 in the station's timezone.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo

from broadcaster.airlog._desk_schema import MIGRATIONS
from broadcaster.airlog._sqlite import connect, migrate, write_transaction
from broadcaster.errors import BroadcasterError
from broadcaster.models import Station

__all__ = ["ROLES", "Account", "AuditEntry", "Decision", "DeskStore", "Edit", "Session", "StoreError", "desk_database", "open_store"]

ROLES = ("bien-tap", "duyet", "quan-tri", "xem")


class StoreError(BroadcasterError):
    """The desk's database cannot be read or written."""


@dataclass(frozen=True)
class Account:
    id: int
    uid: str
    name: str
    display_name: str
    role: str
    password_hash: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Edit:
    bulletin_id: str
    created_by: str | None  # account names
    edited_by: str | None
    edited_at: datetime
    content_key: str


@dataclass(frozen=True)
class Decision:
    id: int
    bulletin_id: str
    decision: str  # approve | return
    account: str
    display_name: str
    at: datetime
    content_key: str
    comment: str
    four_eyes: bool


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    who: str
    action: str
    target: str
    hash_before: str
    hash_after: str
    address: str
    details: dict[str, Any] = field(default_factory=dict)


def _account(row: sqlite3.Row) -> Account:
    return Account(row["id"], row["uid"], row["name"], row["display_name"], row["role"], row["password_hash"],
                   bool(row["disabled"]), datetime.fromisoformat(row["created_at"]))


class DeskStore:
    """The desk's database at `path` (created with its folder when missing), for station `station_id`."""

    def __init__(self, path: Path | str, *, station_id: str = "", tz: str | ZoneInfo = "Asia/Ho_Chi_Minh"):
        self.path = Path(path)
        self.station_id = station_id
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self._lock = threading.RLock()
        try:
            self._db = connect(self.path, "foreign_keys = ON")
            migrate(self._db, self._lock, MIGRATIONS, self._write_error, self._newer)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"không mở được cơ sở dữ liệu của bàn làm việc {self.path}: {exc}") from exc

    @staticmethod
    def _write_error(exc: sqlite3.Error) -> StoreError:
        return StoreError(f"không ghi được cơ sở dữ liệu của bàn làm việc: {exc}")

    def _newer(self, version: int) -> StoreError:
        return StoreError(f"{self.path} do phiên bản broadcaster mới hơn tạo ra: hãy cập nhật broadcaster")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self._db, self._lock, self._write_error)

    def _rows(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"không đọc được cơ sở dữ liệu của bàn làm việc: {exc}") from exc

    def _iso(self, at: datetime) -> str:
        return (at.replace(tzinfo=self.tz) if at.tzinfo is None else at.astimezone(self.tz)).isoformat()

    # --- accounts ---------------------------------------------------------------------------------------------

    def add_account(self, name: str, display_name: str, role: str, password_hash: str, at: datetime) -> Account:
        if role not in ROLES:
            raise StoreError(f"vai trò không hợp lệ: {role}")
        with self._tx() as db:
            if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"tài khoản '{name}' đã có")
            db.execute(
                "INSERT INTO accounts (uid, station, name, display_name, role, password_hash, created_at, "
                "password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), self.station_id, name, display_name, role, password_hash, self._iso(at),
                 self._iso(at)),
            )
        account = self.account(name)
        assert account is not None
        return account

    def account(self, name: str) -> Account | None:
        rows = self._rows("SELECT * FROM accounts WHERE name = ?", (name,))
        return _account(rows[0]) if rows else None

    def accounts(self) -> list[Account]:
        return [_account(r) for r in self._rows("SELECT * FROM accounts ORDER BY disabled, name")]

    def count_accounts(self) -> int:
        return int(self._rows("SELECT count(*) FROM accounts")[0][0])

    def set_password(self, account_id: int, password_hash: str, at: datetime) -> None:
        with self._tx() as db:
            db.execute("UPDATE accounts SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                       (password_hash, self._iso(at), account_id))

    def set_disabled(self, account_id: int, disabled: bool) -> None:
        with self._tx() as db:
            db.execute("UPDATE accounts SET disabled = ? WHERE id = ?", (int(disabled), account_id))
            if disabled:
                db.execute("DELETE FROM sessions WHERE account_id = ?", (account_id,))

    def set_role(self, account_id: int, role: str) -> None:
        if role not in ROLES:
            raise StoreError(f"vai trò không hợp lệ: {role}")
        with self._tx() as db:
            db.execute("UPDATE accounts SET role = ? WHERE id = ?", (role, account_id))

    # --- sessions and the first-run link ----------------------------------------------------------------------

    def add_session(self, token_hash: str, account_id: int, csrf: str, at: datetime, expires: datetime,
                    address: str = "") -> None:
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (self._iso(at),))
            db.execute(
                "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at, address) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash, account_id, csrf, self._iso(at), self._iso(expires), address),
            )

    def session(self, token_hash: str, now: datetime) -> Session | None:
        """The live session of that token (None when unknown, expired, or its account is disabled)."""
        rows = self._rows(
            "SELECT s.csrf, s.created_at AS s_created, s.expires_at, a.* FROM sessions s "
            "JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0",
            (token_hash, self._iso(now)),
        )
        if not rows:
            return None
        r = rows[0]
        return Session(_account(r), r["csrf"], datetime.fromisoformat(r["s_created"]),
                       datetime.fromisoformat(r["expires_at"]))

    def end_session(self, token_hash: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def end_sessions(self, account_id: int, keep: str | None = None) -> None:
        """Every session of an account ends (password changed, disabled), except `keep` (the current one)."""
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE account_id = ? AND token_hash != ?", (account_id, keep or ""))

    def add_setup_token(self, token_hash: str, expires: datetime) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM setup_tokens")
            db.execute("INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)",
                       (token_hash, self._iso(expires)))

    def setup_token_valid(self, token_hash: str, now: datetime) -> bool:
        return bool(self._rows("SELECT 1 FROM setup_tokens WHERE token_hash = ? AND expires_at > ?",
                               (token_hash, self._iso(now))))

    def use_setup_token(self, token_hash: str, now: datetime) -> bool:
        """Spend the first-run link (atomically: only one request can); False when unknown or expired."""
        with self._tx() as db:
            cursor = db.execute("DELETE FROM setup_tokens WHERE token_hash = ? AND expires_at > ?",
                                (token_hash, self._iso(now)))
            return cursor.rowcount == 1

    # --- login throttling -------------------------------------------------------------------------------------

    def add_failure(self, keys: list[str], at: datetime) -> None:
        with self._tx() as db:
            db.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, self._iso(at)) for k in keys])

    def failures(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failures under `key` since `since`, and the last one's time."""
        row = self._rows("SELECT count(*), max(at) FROM login_failures WHERE key = ? AND at >= ?",
                         (key, self._iso(since)))[0]
        return int(row[0]), (datetime.fromisoformat(row[1]) if row[1] else None)

    def clear_failures(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM login_failures WHERE key = ?", (key,))

    # --- bulletins: edits and decisions -----------------------------------------------------------------------

    def record_edit(self, bulletin_id: str, account_id: int, content_key: str, at: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO edits (bulletin_id, created_by, edited_by, edited_at, content_key) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (bulletin_id) DO UPDATE SET edited_by = excluded.edited_by, "
                "edited_at = excluded.edited_at, content_key = excluded.content_key",
                (bulletin_id, account_id, account_id, self._iso(at), content_key),
            )

    def edit(self, bulletin_id: str) -> Edit | None:
        rows = self._rows(
            "SELECT e.*, c.name AS creator, w.name AS editor FROM edits e LEFT JOIN accounts c ON c.id = "
            "e.created_by LEFT JOIN accounts w ON w.id = e.edited_by WHERE e.bulletin_id = ?", (bulletin_id,))
        if not rows:
            return None
        r = rows[0]
        return Edit(bulletin_id, r["creator"], r["editor"], datetime.fromisoformat(r["edited_at"]), r["content_key"])

    def add_decision(self, bulletin_id: str, decision: str, account_id: int, at: datetime, content_key: str,
                     comment: str, four_eyes: bool) -> int:
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO decisions (uid, station, bulletin_id, decision, account_id, at, content_key, comment, "
                "four_eyes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), self.station_id, bulletin_id, decision, account_id, self._iso(at), content_key,
                 comment, int(four_eyes)),
            )
            return int(cursor.lastrowid or 0)

    def decisions(self, bulletin_id: str | None = None) -> list[Decision]:
        """Decisions on one bulletin (or all), newest first."""
        sql = ("SELECT d.*, a.name, a.display_name FROM decisions d JOIN accounts a ON a.id = d.account_id" +
               (" WHERE d.bulletin_id = ?" if bulletin_id is not None else "") + " ORDER BY d.id DESC")
        rows = self._rows(sql, (bulletin_id,) if bulletin_id is not None else ())
        return [Decision(r["id"], r["bulletin_id"], r["decision"], r["name"], r["display_name"],
                         datetime.fromisoformat(r["at"]), r["content_key"], r["comment"], bool(r["four_eyes"]))
                for r in rows]

    def latest_decisions(self) -> dict[str, Decision]:
        latest: dict[str, Decision] = {}
        for d in self.decisions():
            latest.setdefault(d.bulletin_id, d)
        return latest

    # --- audit and settings -----------------------------------------------------------------------------------

    def audit(self, who: str, action: str, at: datetime, *, target: str = "", before: str = "", after: str = "",
              address: str = "", details: dict[str, Any] | None = None) -> int:
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO audit (uid, station, at, who, action, target, hash_before, hash_after, address, "
                "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), self.station_id, self._iso(at), who, action, target, before, after, address,
                 json.dumps(details or {}, ensure_ascii=False, default=str)),
            )
            return int(cursor.lastrowid or 0)

    def audit_entries(self, *, limit: int = 100, offset: int = 0, who: str | None = None,
                      action: str | None = None) -> tuple[list[AuditEntry], int]:
        """A page of the audit trail, newest first, and how many entries match in all."""
        where, params = [], []
        if who:
            where.append("who = ?")
            params.append(who)
        if action:
            where.append("action = ?")
            params.append(action)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = int(self._rows("SELECT count(*) FROM audit" + clause, params)[0][0])
        rows = self._rows("SELECT * FROM audit" + clause + " ORDER BY id DESC LIMIT ? OFFSET ?",
                          [*params, limit, offset])
        return [AuditEntry(r["id"], datetime.fromisoformat(r["at"]), r["who"], r["action"], r["target"],
                           r["hash_before"], r["hash_after"], r["address"], json.loads(r["details"]))
                for r in rows], total

    def setting_seen(self, key: str, value: str) -> str | None:
        """Remember a setting's value; returns the previous one when it changed (None when it did not)."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM settings_seen WHERE key = ?", (key,)).fetchone()
            if row is not None and row["value"] == value:
                return None
            db.execute("INSERT INTO settings_seen (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                       "value = excluded.value", (key, value))
            return row["value"] if row is not None else ""


def desk_database(station: Station) -> Path:
    """`<state_dir>/desk.sqlite3`: beside the airing log, in a file of its own."""
    return station.state_dir / "desk.sqlite3"


def open_store(station: Station) -> DeskStore:
    return DeskStore(desk_database(station), station_id=station.commune, tz=station.timezone)
