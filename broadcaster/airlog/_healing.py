"""How the station's log heals: the journal's replay into SQLite, journals left by other processes, and a new
log when the database file was deleted, replaced or damaged (a mixin of `StationLog`, which holds the state)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from broadcaster.airlog._faults import CAUSES, kind_of, new_log_message, replayed_message, unavailable_message
from broadcaster.airlog._journal import Journal, find_orphans
from broadcaster.airlog._log import AirLog
from broadcaster.airlog._memory import SessionMemory
from broadcaster.airlog._recovery import (
    Inspection,
    clear_stale_wal,
    drop_wal,
    inspect,
    is_corrupt,
    known_head,
    remember_head,
    rescue,
    set_aside,
    stamp,
)
from broadcaster.airlog._schema import from_row, parse_time
from broadcaster.airlog._status import Degradations
from broadcaster.errors import LogError
from broadcaster.models import Airing, AiringStatus
from broadcaster.words import fmt_when

__all__ = ["Healing"]

log = logging.getLogger("broadcaster.airlog")
_T = TypeVar("_T")


def _airing(row: dict[str, Any]) -> Airing:
    return from_row({**row, "id": None})  # type: ignore[arg-type]  # a dict reads like a sqlite3.Row


def _time(value: str | None) -> datetime | None:
    return parse_time(value)


def _has_content(path: Path) -> bool:
    """Whether a database someone put at our path holds anything (an empty one, made by a reader such as
    `broadcaster log` after the deletion, is simply used)."""
    try:
        if path.stat().st_size == 0:
            return False
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(con.execute("SELECT (SELECT count(*) FROM airings) + (SELECT count(*) FROM audit)")
                        .fetchone()[0])
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return True  # not readable as our log: set it aside rather than write into it


class Healing(AirLog):
    """`StationLog`'s machinery: its state, the replay, recovery from a lost or damaged database."""

    _state: threading.RLock  # the journal and the row ids; always taken before AirLog's `_lock`
    _jdir: Path
    _journal: Journal
    _memory: SessionMemory
    _status: Degradations
    _aliases: dict[int, int]  # row id handed out -> row id in the current database
    _open: dict[int, dict[str, Any]]  # rows started and not yet finished, by handed-out id
    _trouble: str  # deleted, replaced, corrupt, unavailable: the background thread recovers
    _cause: str  # why writes go to the journal (for the officer)
    _connected: bool
    _identity: tuple[int, int] | None
    _new_log: dict[str, Any] | None  # the first record of a log started after a loss
    _orphans_at: float
    _wake: threading.Event

    # -- state checks ----------------------------------------------------------------------------------------------
    def _usable(self, busy: float) -> bool:
        """SQLite can take a write now: connected, the same file, nothing left in the journal (replayed first,
        waiting `busy` seconds at most for another process's lock)."""
        if not self._connected or self._trouble or not self._same_file():
            return False
        if self._journal.entries:
            return self._replay(self._journal.entries, self._aliases, own=True, busy=busy,
                                writer=self._journal.writer)
        return True

    def _same_file(self) -> bool:
        """The inode check before writes: is the file at `path` still the database we have open?"""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._set_trouble("deleted")
            return False
        except OSError:
            return True
        if (st.st_dev, st.st_ino) != self._identity:
            self._set_trouble("replaced")
            return False
        return True

    def _set_trouble(self, kind: str) -> None:
        if not self._trouble:
            self._trouble = kind
            self._cause = CAUSES[kind]
            self._wake.set()

    def _fault(self, kind: str, exc: LogError) -> None:
        self._cause = CAUSES.get(kind, str(exc))
        if kind == "corrupt":
            self._set_trouble("corrupt")
        elif kind == "io":
            self._same_file()

    def _unavailable(self, exc: LogError) -> None:
        with contextlib.suppress(AttributeError, sqlite3.Error):
            self._db.close()
        self._connected = False
        self._trouble = "unavailable"
        self._cause = CAUSES["unavailable"]
        self._status.begin("unavailable", unavailable_message(self.path, exc), datetime.now(self.tz))

    def _reading(self, default: _T, read: Callable[[], _T]) -> _T:
        """A read from SQLite; `default` while there is no usable database (being recovered, or damaged)."""
        if not self._connected or self._trouble:
            return default
        try:
            return read()
        except LogError as exc:
            kind = kind_of(exc)
            if kind is None:
                raise
            if kind == "corrupt":
                with self._state:
                    self._set_trouble("corrupt")
            log.warning("nhật ký phát sóng: không đọc được (%s)", exc)
            return default

    # -- one journal entry, applied through AirLog's own methods -------------------------------------------------
    def _apply(self, entry: dict[str, Any], aliases: dict[int, int], own: bool) -> Any:
        """Apply a write (now, or at replay); `aliases` maps handed-out row ids to the database's."""
        op = entry["op"]
        if op == "start_item":
            real = AirLog.start_item(self, _airing(entry["row"]))
            if "handle" in entry:
                aliases[int(entry["handle"])] = real
            return real
        if op == "finish_item":
            handle = int(entry["id"])
            target = aliases.get(handle) or entry.get("real") or handle
            AirLog.finish_item(self, int(target), entry["status"], _time(entry["ended_at"]),
                               float(entry["played"]), str(entry["reason"]))
            aliases.pop(handle, None)
            if own:
                self._open.pop(handle, None)
            return None
        if op == "record":
            return AirLog.record(self, _airing(entry["row"]))
        if op == "claim_session":
            return AirLog.claim_session(self, entry["key"], _time(entry["at"]), entry["status"])
        if op == "mark_session":
            return AirLog.mark_session(self, entry["key"], entry["status"])
        if op == "audit":
            return AirLog.audit(self, entry["event"], entry["who"], entry["details"],
                                at=_time(entry["at"]))
        if op == "record_render":
            args = {**entry["args"], "created_at": _time(entry["args"]["created_at"])}
            return AirLog.record_render(self, **args)
        if op == "recover_interrupted":
            return AirLog.recover_interrupted(self, _time(entry["now"]))
        raise LogError(f"nhật ký dự phòng: không biết thao tác '{op}'")

    # -- the replay ------------------------------------------------------------------------------------------------
    def _replay(self, entries: list[dict[str, Any]], aliases: dict[int, int], *, own: bool, busy: float,
                writer: str) -> bool:
        """Every entry into SQLite in one transaction, in order, with a `journal` audit record (writer, last
        entry number) that keeps a replayed journal from ever being applied twice. False, with nothing
        written, when SQLite still cannot take it; an entry that is itself wrong is set aside, not retried."""
        if not entries:
            return True
        saved_aliases, saved_open = dict(aliases), dict(self._open)
        rejected: list[dict[str, Any]] = []
        now = datetime.now(self.tz)
        try:
            with self._lock:
                self._db.execute(f"PRAGMA busy_timeout = {int(busy * 1000)}")
                try:
                    with self._write() as db:
                        for entry in entries:
                            db.execute("SAVEPOINT entry")
                            try:
                                self._apply(entry, aliases, own)
                            except LogError as exc:
                                if kind_of(exc) is not None:
                                    raise
                                db.execute("ROLLBACK TO entry")
                                rejected.append({**entry, "error": str(exc)})
                            db.execute("RELEASE entry")
                        self._audit(db, "journal", "", {
                            "writer": writer, "upto": int(entries[-1]["n"]), "writes": len(entries) - len(rejected),
                            "rejected": len(rejected), "since": entries[0].get("t", "")}, now)
                finally:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        except LogError as exc:
            aliases.clear()
            aliases.update(saved_aliases)
            self._open = saved_open
            self._fault(kind_of(exc) or "io", exc)
            return False
        if own:
            self._journal.clear()
            self._status.end(now, "journal", "disk-full", "memory")
        self._status.say(replayed_message(len(entries) - len(rejected), earlier=not own))
        if rejected:
            self._reject(rejected)
        return True

    def _reject(self, rejected: list[dict[str, Any]]) -> None:
        path = self._jdir / "rejected.jsonl"
        with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(entry, ensure_ascii=False, default=str) + "\n" for entry in rejected)
        log.error("nhật ký dự phòng: %d bản ghi không ghi bù được, đã để riêng trong %s", len(rejected), path)

    def _applied_upto(self, writer: str) -> int:
        """The last entry of `writer`'s journal already replayed (0: none)."""
        events = self._reading([], lambda: AirLog.audit_events(self, event="journal"))
        return max((int(e.details.get("upto", 0)) for e in events if e.details.get("writer") == writer), default=0)

    def _replay_orphans(self) -> None:
        """Replay the journals other processes of this station left behind (crashed, or ended unreplayed)."""
        self._orphans_at = time.monotonic()
        if not self._connected or self._trouble:
            return
        journal = self._journal
        for orphan in find_orphans([journal.directory, journal.fallback], journal.writer):
            try:
                upto = self._applied_upto(orphan.writer)
                entries = [e for e in orphan.entries if int(e["n"]) > upto]
                done = self._replay(entries, {}, own=False, busy=self.busy_timeout,
                                    writer=orphan.writer)
            except (LogError, ValueError, KeyError, TypeError) as exc:
                log.error("nhật ký dự phòng %s: không ghi bù được (%s)", orphan.writer, exc)
                done = False
            orphan.discard() if done else orphan.release()

    # -- a lost or damaged database --------------------------------------------------------------------------------
    def _check_at_start(self, path: Path, now: datetime) -> None:
        """Before opening: a corrupt file is set aside; a missing one that was there before is noted."""
        when = stamp(now)
        known = known_head(self._jdir)
        if path.exists():
            damage = is_corrupt(path)
            if damage:
                aside = set_aside(path, "corrupt", when)
                old = inspect(aside, known or Inspection("", 0, False))
                self._new_log = {"reason": "corrupt", "set_aside": aside.name, "damage": damage, **old.details()}
        elif known is not None:
            clear_stale_wal(path, when)
            self._new_log = {"reason": "missing", "set_aside": "", **known.details()}

    def _after_connect(self) -> None:
        """A database is open (at start-up or after a recovery): note its identity; after a loss, its first
        record names the old chain, then the remembered claims and the rows on air are carried into it."""
        now = datetime.now(self.tz)
        st = os.stat(self.path)
        self._identity = (st.st_dev, st.st_ino)
        self._trouble = ""
        new = self._new_log
        if new is not None:
            with self._write() as db:
                self._audit(db, "new-log", "", new, now)
                db.executemany("INSERT OR IGNORE INTO sessions (session_key, status, at) VALUES (?, ?, ?)",
                               [(k, s, a) for k, (s, a) in self._memory.known.items()])
                for handle, row in list(self._open.items()):
                    real = self._aliases.get(handle, handle if handle > 0 else None)
                    if real is not None:  # in the old file: on air now, so it belongs to the new log too
                        self._aliases[handle] = self._insert(db, {**row, "status": AiringStatus.STARTED.value})
            self._new_log = None
            old = Inspection(new["head"], new["rows"], new["verified"])
            self._status.begin("new-log", new_log_message(self.path, new["reason"], new["set_aside"], old,
                                                          fmt_when(now)), now)
        self._status.end(now, "unavailable")
        with self._lock:
            remember_head(self._jdir, self._db)

    def _recover(self) -> None:
        """Set the lost or damaged database aside (slow parts without the journal's lock: airing goes on),
        open a new one, replay the journal into it."""
        with self._state:
            reason = self._trouble
        if not reason:
            return
        if reason != "unavailable":
            self._set_aside(reason)
        with self._state:
            try:
                with self._lock:
                    self._connect()
                    self._connected = True
                self._after_connect()
            except LogError as exc:
                self._unavailable(exc)
                return
            self._usable(busy=self.busy_timeout)

    def _set_aside(self, reason: str) -> None:
        now = datetime.now(self.tz)
        when = stamp(now)
        path: Path = self.path
        aside = foreign = None
        with self._lock:
            if reason in ("deleted", "replaced") and self._connected:
                aside = rescue(self._db, path, when)
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._connected = False
            if reason in ("deleted", "replaced"):  # our WAL, left by the name: never for the file there now
                drop_wal(path, when, keep=aside is None)
            if reason == "corrupt":
                aside = set_aside(path, "corrupt", when)
            elif path.exists() and _has_content(path):
                foreign = set_aside(path, "replaced", when)
            clear_stale_wal(path, when)
        old = inspect(aside, known_head(self._jdir) or Inspection("", 0, False))
        self._new_log = {"reason": reason, "set_aside": aside.name if aside else "",
                         "replaced_by": foreign.name if foreign else "", **old.details()}
