"""The station's airing log: the `AirLog` interface, but airing never waits on the log.

A write goes to SQLite when SQLite takes it within `budget` (tens of ms); otherwise (another process holds the
write lock, the disk is full, the database file is gone or damaged) it is appended to the journal (`_journal`)
and the method returns at once. While anything is in the journal every later write joins it, so the order
stays; the journal is replayed into SQLite in one transaction, in order, on the next write and every second,
then removed. A journaled `start_item` returns a provisional (negative) row id that `finish_item` accepts; the
replay maps it to the real row. Claims are also kept in the session memory (`_memory`), so "never twice" holds
when the database is locked, deleted or replaced. A deleted, replaced or corrupt database is set aside and a new
log started (`_recovery`, done by the background thread, never on the airing thread). The officer hears of every
degradation once (`notify`) and the status page reads them (`degradations()`, `read_degradations`).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from broadcaster.airlog import _faults as faults
from broadcaster.airlog._checkpoints import Checkpoint, checkpoint_if_due
from broadcaster.airlog._healing import Healing
from broadcaster.airlog._journal import JOURNAL_DIR, Journal
from broadcaster.airlog._log import AirLog, AuditEvent, RenderRecord
from broadcaster.airlog._memory import SessionMemory
from broadcaster.airlog._recovery import remember_head
from broadcaster.airlog._schema import iso, to_row
from broadcaster.airlog._space import scratch_dir
from broadcaster.airlog._status import Degradations
from broadcaster.airlog._verify import VerifyResult
from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.errors import LogError
from broadcaster.models import Airing, AiringStatus, Station

__all__ = ["REPLAY_SECONDS", "WRITE_BUDGET_SECONDS", "StationLog", "open_station_log"]

log = logging.getLogger("broadcaster.airlog")

WRITE_BUDGET_SECONDS = 0.05  # a write waits this long for SQLite, then goes to the journal
REPLAY_SECONDS = 1.0  # the background thread tries the journal (and checks the file) this often
ORPHAN_SECONDS = 30.0  # ... and looks for journals other processes left behind this often


class StationLog(Healing):
    """The running station's log at `path`; `scratch`: the RAM directory for a full disk (default: per state
    directory under /dev/shm); `notify`: where the officer's warnings go (the runner's output)."""

    def __init__(self, path: Path | str, *, tz: str | ZoneInfo = DEFAULT_TIMEZONE,
                 budget: float = WRITE_BUDGET_SECONDS, notify: Callable[[str], None] | None = None,
                 scratch: Path | str | None = None, replay_seconds: float = REPLAY_SECONDS):
        path, zone = Path(path), tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        state = path.parent
        ram = Path(scratch) if scratch is not None else scratch_dir(state)
        self._state = threading.RLock()  # the journal and the row ids; taken before AirLog's own lock
        self._jdir = state / JOURNAL_DIR
        self._journal = Journal(self._jdir, ram / JOURNAL_DIR)
        self._memory = SessionMemory(self._jdir, ram / JOURNAL_DIR, datetime.now(zone))
        self._status = Degradations(state, ram, notify)
        self._aliases: dict[int, int] = {}  # row id handed out -> row id in the current database
        self._open: dict[int, dict[str, Any]] = {}  # rows started and not yet finished (by handed-out id)
        self._provisional = itertools.count(-1, -1)
        self._trouble = ""  # deleted, replaced, corrupt, unavailable: the background thread recovers
        self._cause = ""
        self._connected = False
        self._identity: tuple[int, int] | None = None
        self._new_log: dict[str, Any] | None = None  # the first record of a log started after a loss
        self._closed, self._wake = threading.Event(), threading.Event()
        self._orphans_at = time.monotonic()
        self._check_at_start(path, datetime.now(zone))
        try:
            super().__init__(path, tz=zone, busy_timeout=budget)
            self._connected = True
        except LogError as exc:
            self._unavailable(exc)
        with self._state:
            if self._connected:
                try:
                    self._after_connect()
                except LogError as exc:  # a new log's first record could not be written (disk full)
                    self._unavailable(exc)
            self._replay_orphans()
        threading.Thread(target=_maintain, args=(weakref.ref(self), self._wake, self._closed, replay_seconds),
                         name="airlog-journal", daemon=True).start()

    # -- public additions ----------------------------------------------------------------------------------------
    def pending(self) -> int:
        """How many writes are in the journal, not yet in SQLite."""
        with self._state:
            return len(self._journal.entries)

    def degradations(self) -> list[str]:
        """What is wrong with the log right now, in the officer's words ([] when all is well)."""
        return self._status.messages()

    def checkpoint(self, station_name: str, now: datetime) -> Checkpoint | None:
        """The daily signed checkpoint (`checkpoint_if_due`), only while the log is healthy (nothing waiting in the
        journal: a checkpoint signs what SQLite holds). LogError when it cannot be written: tried again later."""
        with self._state:
            if not self._connected or self._trouble or self._journal.entries:
                return None
            try:
                return checkpoint_if_due(self, self.path.parent, station_name, now)
            except LogError as exc:
                if faults.kind_of(exc) == "busy":  # another process writes (a report's checkpoint): next session
                    return None
                raise

    def replay(self) -> bool:
        """Write the journal into SQLite now if it can be; True when nothing is left in it."""
        self._tick()
        return self.pending() == 0

    def close(self) -> None:
        """Last replay attempt (up to a second), then release the files; what is left is replayed next time."""
        self._closed.set()
        self._wake.set()
        with self._state:
            if self._journal.entries:
                self._usable(busy=1.0)
            if self._journal.entries and self._journal.where == "memory":
                log.error("nhật ký phát sóng: %d bản ghi chỉ có trong bộ nhớ bị mất khi đóng", self.pending())
            self._journal.close()
            if self._connected:
                with self._lock:
                    remember_head(self._jdir, self._db)
                    self._db.close()
                self._connected = False

    # -- writes ----------------------------------------------------------------------------------------------
    def start_item(self, airing: Airing) -> int:
        if airing.started_at is None:
            airing = dataclasses.replace(airing, started_at=datetime.now(self.tz))
        row = to_row(airing, self.tz)
        row["status"] = AiringStatus.STARTED.value
        with self._state:
            done, real = self._try({"op": "start_item", "row": row})
            if done:
                handle = self._handle_for(real)
            else:
                handle = next(self._provisional)
                self._keep({"op": "start_item", "row": row, "handle": handle})
            self._open[handle] = row
            return handle

    def finish_item(self, row_id: int, status: AiringStatus | str, ended_at: datetime | None,
                    played_seconds: float, reason: str = "") -> None:
        if AiringStatus(status) is AiringStatus.STARTED:
            AirLog.finish_item(self, row_id, status, ended_at, played_seconds, reason)  # raises the usual error
        with self._state:
            real = self._aliases.get(row_id, row_id if row_id > 0 else None)
            entry = {"op": "finish_item", "id": row_id, "real": real, "status": AiringStatus(status).value,
                     "ended_at": iso(ended_at, self.tz), "played": float(played_seconds), "reason": reason}
            if not self._try(entry)[0]:
                self._keep(entry)

    def record(self, airing: Airing) -> int:
        if AiringStatus(airing.status) is AiringStatus.STARTED:
            return AirLog.record(self, airing)  # raises the usual error
        return self._write_or_keep({"op": "record", "row": to_row(airing, self.tz)}, self._handle_for)

    def recover_interrupted(self, now: datetime) -> int:
        with self._state:
            done, count = self._try({"op": "recover_interrupted", "now": iso(now, self.tz)})
            if done:
                return int(count)
            self._keep({"op": "recover_interrupted", "now": iso(now, self.tz)})
            return len(self._reading([], lambda: AirLog.query(self, status=AiringStatus.STARTED)))

    def claim_session(self, session_key: str, at: datetime | None = None, status: str = "claimed") -> bool:
        when = iso(at or datetime.now(self.tz), self.tz)
        entry = {"op": "claim_session", "key": session_key, "at": when, "status": status}
        with self._state:
            if self._memory.status(session_key) is not None:
                return False  # claimed before, whatever the database says now
            done, claimed = self._try(entry)
            if done:
                if claimed:
                    self._memory.remember(session_key, status, str(when))
                return bool(claimed)
            if self._reading(False, lambda: AirLog.session_aired(self, session_key)):
                return False
            if not self._memory.claim(session_key, status, str(when)):
                return False  # another process of this station took it a moment ago
            self._keep(entry)
            return True

    def mark_session(self, session_key: str, status: str) -> None:
        with self._state:
            self._memory.remember(session_key, status, str(iso(datetime.now(self.tz), self.tz)))
            self._write_or_keep({"op": "mark_session", "key": session_key, "status": status})

    def audit(self, event: str, who: str, details: dict[str, Any] | None = None, *,
              at: datetime | None = None) -> int:
        return self._write_or_keep({"op": "audit", "event": event, "who": who, "details": details or {},
                                    "at": iso(at or datetime.now(self.tz), self.tz)})

    def record_render(self, bulletin_id: str | None, key: str, engine: str, voice: str = "",
                      fallback: bool = False, duration: float = 0.0, created_at: datetime | None = None) -> int:
        return self._write_or_keep({"op": "record_render", "args": {
            "bulletin_id": bulletin_id, "key": key, "engine": engine, "voice": voice, "fallback": fallback,
            "duration": float(duration), "created_at": iso(created_at or datetime.now(self.tz), self.tz)}})

    # -- reads: from SQLite; what the journal holds is not there yet (claims excepted) ------------------------
    def session_aired(self, session_key: str) -> bool:
        return self._memory.status(session_key) is not None or self._reading(
            False, lambda: AirLog.session_aired(self, session_key))

    def session_status(self, session_key: str) -> str | None:
        return self._memory.status(session_key) or self._reading(
            None, lambda: AirLog.session_status(self, session_key))

    def query(self, *args: Any, **kwargs: Any) -> list[Airing]:
        return self._reading([], lambda: AirLog.query(self, *args, **kwargs))

    def audit_events(self, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        return self._reading([], lambda: AirLog.audit_events(self, *args, **kwargs))

    def renders(self, bulletin_id: str | None = None) -> list[RenderRecord]:
        return self._reading([], lambda: AirLog.renders(self, bulletin_id))

    def verify(self, public_key: Any = None) -> VerifyResult:
        if not self._connected or self._trouble:
            raise LogError(f"nhật ký phát sóng {self.path} đang được khôi phục; hãy kiểm tra lại sau ít giây")
        return AirLog.verify(self, public_key)

    # -- the write path -----------------------------------------------------------------------------------------
    def _write_or_keep(self, entry: dict[str, Any], handle: Callable[[int], int] | None = None) -> int:
        with self._state:
            done, result = self._try(entry)
            if done:
                return handle(result) if handle is not None else int(result or 0)
            self._keep(entry)
            return next(self._provisional)

    def _try(self, entry: dict[str, Any]) -> tuple[bool, Any]:
        """Apply one write in SQLite now if it can be (after the journal); (False, None) when it must wait."""
        if not self._usable(busy=0.0):
            return False, None
        try:
            return True, self._apply(entry, self._aliases, own=True)
        except LogError as exc:
            kind = faults.kind_of(exc)
            if kind is None:
                raise
            self._fault(kind, exc)
            return False, None

    def _keep(self, entry: dict[str, Any]) -> None:
        now = datetime.now(self.tz)
        where = self._journal.append({**entry, "t": iso(now, self.tz)})
        self._status.begin("journal", faults.journal_message(self.path, self._journal.directory, self._cause), now)
        if where == "scratch":
            self._status.begin("disk-full", faults.disk_full_message(self.path.parent, self._journal.fallback), now)
        elif where == "memory":
            self._status.begin("memory", faults.memory_message(self._journal.problem), now)

    def _handle_for(self, real: int) -> int:
        """The id to hand out for a new row: itself, unless that number still stands for a row of a database
        that was set aside (then a provisional id mapped to it)."""
        if real in self._aliases:
            handle = next(self._provisional)
            self._aliases[handle] = real
            return handle
        return real

    def _tick(self) -> None:
        """The background thread's round: notice a lost file, recover, replay, adopt orphaned journals."""
        with self._state:
            if self._connected and not self._trouble:
                self._same_file()
            trouble = self._trouble
        if trouble:
            self._recover()
            return
        with self._state:
            if self._journal.entries:
                self._usable(busy=self.busy_timeout)
            if time.monotonic() - self._orphans_at > ORPHAN_SECONDS:
                self._replay_orphans()


def _maintain(ref: weakref.ref[StationLog], wake: threading.Event, closed: threading.Event, every: float) -> None:
    """The background thread: every `every` seconds (or when woken), one `_tick`; ends with its log."""
    while not closed.is_set():
        wake.wait(every)
        wake.clear()
        station_log = ref()
        if station_log is None or closed.is_set():
            return
        try:
            station_log._tick()
        except Exception:  # noqa: BLE001 - the journal thread must outlive any one failure; airing goes on
            log.exception("nhật ký phát sóng: lỗi trong luồng ghi bù")
        del station_log


def open_station_log(station: Station, *, notify: Callable[[str], None] | None = None) -> StationLog:
    """The log of a running station (the runner, `air`, `emergency`): journaled, self-healing, warning."""
    return StationLog(station.database, tz=station.timezone, notify=notify)

