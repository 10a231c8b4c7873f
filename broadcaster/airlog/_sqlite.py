"""SQLite the way both of airlog's databases use it: WAL, a busy timeout, migrations by `user_version`, and one
write transaction at a time (`BEGIN IMMEDIATE`, so writers from other processes queue instead of failing)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["connect", "migrate", "statements", "write_transaction"]


def connect(path: Path, *pragmas: str) -> sqlite3.Connection:
    """Open (creating its folder) in autocommit mode: transactions are explicit, see `write_transaction`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    for pragma in ("busy_timeout = 30000", "journal_mode = WAL", *pragmas):
        db.execute(f"PRAGMA {pragma}")
    return db


def statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (executescript would commit outside our transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


@contextmanager
def write_transaction(db: sqlite3.Connection, lock: threading.RLock,
                      error: Callable[[sqlite3.Error], Exception]) -> Iterator[sqlite3.Connection]:
    """One write transaction, committed on exit, rolled back on any exception; `error` turns SQLite's own
    failures into the caller's error type (with its Vietnamese message)."""
    with lock:
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise error(exc) from exc


def migrate(db: sqlite3.Connection, lock: threading.RLock, migrations: tuple[str, ...],
            error: Callable[[sqlite3.Error], Exception], newer: Callable[[int], Exception]) -> None:
    """Bring the database to `len(migrations)` (MIGRATIONS[n] takes version n to n + 1); a database from a newer
    broadcaster raises `newer(version)`."""
    target = len(migrations)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > target:
        raise newer(version)
    if version == target:
        return
    with write_transaction(db, lock, error) as tx:
        version = tx.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
        for n in range(version, target):
            for statement in statements(migrations[n]):
                tx.execute(statement)
        tx.execute(f"PRAGMA user_version = {target}")
