"""A lost or damaged log database: noticing it, keeping the bad file for inspection, and what a new log says
about the old chain in its first record.

Set-aside files sit beside the database: `broadcaster.sqlite3.corrupt-<stamp>` (a damaged file, moved with its
`-wal`/`-shm`), `broadcaster.sqlite3.deleted-<stamp>` (a copy of a deleted database, rescued through the
station's still-open connection), `broadcaster.sqlite3.replaced-<stamp>` (a file someone put in its place),
`broadcaster.sqlite3.stale-<stamp>-wal` (a lost database's WAL that could not be rescued into a copy).
`head.json` in the journal directory remembers the last known chain head and row count, written whenever the
station opens or closes its log: the only trace left when a set-aside file cannot be read at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from broadcaster.airlog._verify import verify_rows

__all__ = [
    "Inspection",
    "clear_stale_wal",
    "drop_wal",
    "inspect",
    "is_corrupt",
    "known_head",
    "remember_head",
    "rescue",
    "set_aside",
    "stamp",
]

_HEAD = "head.json"


@dataclass(frozen=True)
class Inspection:
    """What the old chain was: its last verified head (or last known one) and how many rows it had."""

    head: str
    rows: int
    verified: bool  # True: read back from the old file and checked; False: the last known figures

    def details(self) -> dict[str, Any]:
        return {"head": self.head, "rows": self.rows, "verified": self.verified}


def stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S")


def is_corrupt(path: Path) -> str:
    """At start-up: why the database at `path` cannot be used ("" when it can, or cannot be checked now)."""
    try:
        con = sqlite3.connect(path, timeout=1.0)
    except sqlite3.Error:
        return ""
    try:
        result = con.execute("PRAGMA quick_check").fetchall()
        return "" if result == [("ok",)] else "; ".join(str(r[0]) for r in result[:3])
    except sqlite3.OperationalError:
        return ""  # locked, I/O: not a sign of damage; the station journals until it can write
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()


def _siblings(path: Path) -> list[tuple[Path, str]]:
    return [(path, ""), (path.with_name(path.name + "-wal"), "-wal"), (path.with_name(path.name + "-shm"), "-shm")]


def set_aside(path: Path, kind: str, when: str) -> Path:
    """Rename the database (with its -wal and -shm) to `<name>.<kind>-<when>`; returns the new main path."""
    target = path.with_name(f"{path.name}.{kind}-{when}")
    for source, suffix in _siblings(path):
        with contextlib.suppress(FileNotFoundError):
            os.replace(source, target.with_name(target.name + suffix))
    return target


def drop_wal(path: Path, when: str, *, keep: bool) -> None:
    """Remove the -wal and -shm of the database that was at `path` (everything in them is in its rescued copy)
    or, with `keep`, move them to `<name>.stale-<when>-wal`: a database at `path` must never replay them."""
    for source, suffix in _siblings(path)[1:]:
        with contextlib.suppress(FileNotFoundError):
            if keep:
                os.replace(source, path.with_name(f"{path.name}.stale-{when}{suffix}"))
            else:
                source.unlink()


def clear_stale_wal(path: Path, when: str) -> None:
    """With no database file at `path`, a -wal or -shm there is an old database's: move it aside."""
    if not path.exists():
        drop_wal(path, when, keep=True)


def rescue(con: sqlite3.Connection, path: Path, when: str) -> Path | None:
    """Copy the database still open on `con` (its file deleted or replaced) beside `path`; None if impossible."""
    target = path.with_name(f"{path.name}.deleted-{when}")
    try:
        copy = sqlite3.connect(target)
        try:
            con.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to inspect
        finally:
            copy.close()
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            target.unlink()
        return None
    return target


def _read_rows(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every airings row that can be read, by id, up to the first unreadable one."""
    try:
        return [dict(r) for r in con.execute("SELECT * FROM airings ORDER BY id")]
    except sqlite3.DatabaseError:
        pass
    rows: list[dict[str, Any]] = []
    try:
        top = con.execute("SELECT max(seq) FROM sqlite_sequence WHERE name = 'airings'").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        return rows
    for row_id in range(1, int(top) + 1):
        try:
            row = con.execute("SELECT * FROM airings WHERE id = ?", (row_id,)).fetchone()
        except sqlite3.DatabaseError:
            break  # the damaged page: the chain is verified up to here
        if row is not None:
            rows.append(dict(row))
    return rows


def inspect(path: Path | None, fallback: Inspection) -> Inspection:
    """Read back and verify the old chain in a set-aside file, as far as it can be read; `fallback` (the last
    known head) when nothing in it can be read."""
    if path is None:
        return fallback
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return fallback
    con.row_factory = sqlite3.Row
    try:
        rows = _read_rows(con)
    finally:
        con.close()
    if not rows:
        return fallback
    result = verify_rows(rows, rows[-1]["id"])
    if not result.ok and result.first_broken_id is not None:  # keep the prefix that still checks out
        rows = [r for r in rows if r["id"] < result.first_broken_id]
        result = verify_rows(rows, rows[-1]["id"]) if rows else result
    if not rows or not result.ok:
        return fallback
    return Inspection(result.head_hash, len(rows), True)


def known_head(directory: Path) -> Inspection | None:
    """The last known head (None when this station never had a log)."""
    try:
        data = json.loads((directory / _HEAD).read_text(encoding="utf-8"))
        return Inspection(str(data["head"]), int(data["rows"]), False)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_head(directory: Path, con: sqlite3.Connection) -> None:
    """Note the chain's head and row count (at open and close; a failure only loses a hint)."""
    try:
        last = con.execute("SELECT row_hash FROM airings WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1").fetchone()
        rows = con.execute("SELECT count(*) FROM airings").fetchone()[0]
    except sqlite3.Error:
        return
    with contextlib.suppress(OSError):
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{_HEAD}.tmp"
        tmp.write_text(json.dumps({"head": last[0] if last else "", "rows": rows}), encoding="utf-8")
        os.replace(tmp, directory / _HEAD)
