"""Fault injection for the airing log, shared by tests and `scripts/bench_faults`: another process holding
SQLite's write lock, a small disk that fills up, a database file deleted, replaced or corrupted.

Real faults, really caused: a second process, a real tmpfs, real bytes overwritten in the file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "MountError",
    "corrupt_header",
    "corrupt_page",
    "fill_disk",
    "hold_write_lock",
    "small_disk",
    "small_disk_or_skip",
    "small_disk_reason",
    "wait_for",
]

def wait_for(condition: Callable[[], object], timeout: float = 15.0) -> bool:
    """Poll `condition` until it holds (the log's background thread replays and recovers on its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


_LOCKER = """
import select, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))  # until the test closes our stdin, or at most this long
con.execute("ROLLBACK")
"""


@contextmanager
def hold_write_lock(db: Path, seconds: float = 600.0) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the database's write lock (`BEGIN IMMEDIATE`) until the block ends, or for
    `seconds` at most (like a backup or a report query holding it for 30-40 s)."""
    proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(db), str(seconds)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class MountError(Exception):
    """A small tmpfs could not be mounted here (not an error of what runs on it)."""


def small_disk_reason() -> str:
    """Why a small tmpfs cannot be mounted here ("" when it can)."""
    if os.geteuid() != 0:
        return "a full disk is simulated with a small tmpfs, which needs root"
    return ""


@contextmanager
def small_disk(path: Path, size_kib: int = 2048) -> Iterator[Path]:
    """A `size_kib` tmpfs mounted at `path` (root only); unmounted on exit. MountError when it cannot be."""
    reason = small_disk_reason()
    if reason:
        raise MountError(reason)
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise MountError(f"cannot mount a small tmpfs on {path}: {done.stderr.strip() or done.returncode}")
    try:
        yield path
    finally:
        for _ in range(20):
            if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.1)  # a file still open in a thread that is winding down
        else:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)  # detached once nothing uses it


@contextmanager
def small_disk_or_skip(path: Path, size_kib: int) -> Iterator[Path]:
    """`small_disk` for a test: skipped, with the reason, where a tmpfs cannot be mounted (not root, no mount);
    what the full disk put in the RAM scratch directory is removed afterwards."""
    # lazy: only tests need pytest; the bench imports this module without going through here
    import pytest

    from broadcaster.airlog import scratch_dir

    disk = small_disk(path, size_kib)
    try:
        mount = disk.__enter__()
    except MountError as exc:
        pytest.skip(str(exc))
    try:
        yield mount
    finally:
        disk.__exit__(None, None, None)
        shutil.rmtree(scratch_dir(path), ignore_errors=True)
        shutil.rmtree(scratch_dir(path / "var"), ignore_errors=True)


def fill_disk(directory: Path) -> Path:
    """Write a filler file in `directory` until its file system has no space left; returns the filler."""
    filler = directory / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def corrupt_header(db: Path) -> None:
    """Garbage over the file's first 100 bytes (the SQLite header): nothing in it can be read."""
    with open(db, "r+b") as f:
        f.write(b"\xde\xad\xbe\xef" * 25)


def corrupt_page(db: Path, table: str = "airings", which: float = 0.5) -> int:
    """Garbage over one b-tree page of `table` (a leaf in its middle by default); returns the page number.

    The database is checkpointed first, so the page is in the main file, not in the WAL."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,))]
    finally:
        con.close()
    assert pages, f"table {table} has no leaf page"
    page = pages[min(len(pages) - 1, int(len(pages) * which))]
    with open(db, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(os.urandom(page_size))
    return page
