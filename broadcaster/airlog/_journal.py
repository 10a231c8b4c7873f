"""The airing log's journal: log writes SQLite could not take in time, kept in order until it can.

One append-only file per writing process, `<state_dir>/airlog-journal/journal-<pid>-<random>.jsonl`: one JSON
object per line (`n`: its number in this journal, `w`: the journal's writer id, `op`: the log method, then its
arguments), each line fsynced before the write returns. The process holds an exclusive `flock` on its file
while it lives, so any other process can tell a live journal from one a crash left behind (an orphan, replayed
by the next process that opens the log). When the state directory's disk is full, lines go to the same file in
the scratch directory in RAM (`_space.scratch_dir`); when that fails too, they are kept in memory only. Every
entry is also kept in memory: the replay reads them from there, not back from the files.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["JOURNAL_DIR", "Journal", "Orphan", "find_orphans", "write_line"]

log = logging.getLogger(__name__)

JOURNAL_DIR = "airlog-journal"
_PREFIX = "journal-"


def _encode(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


def write_line(fd: int, data: bytes) -> None:
    """Append `data` to an O_APPEND file and fsync it; on failure (disk full) cut the file back to where it was,
    so no torn line is left for a later reader."""
    size = os.fstat(fd).st_size
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
        raise


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Journal:
    """This process's journal: `append` keeps an entry (disk, else scratch, else memory), `clear` after replay."""

    def __init__(self, directory: Path, fallback: Path):
        self.directory = directory
        self.fallback = fallback
        self.writer = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.entries: list[dict[str, Any]] = []
        self.where = ""  # where the last entry went: "disk", "scratch" or "memory"
        self.problem = ""  # why the disk (and the scratch directory) refused it
        self._n = 0
        self._files: dict[Path, int] = {}

    def path_in(self, directory: Path) -> Path:
        return directory / f"{_PREFIX}{self.writer}.jsonl"

    def append(self, entry: dict[str, Any]) -> str:
        """Keep one entry; returns where it went ("disk", "scratch" or "memory")."""
        self._n += 1
        entry = {"n": self._n, "w": self.writer, **entry}
        self.entries.append(entry)
        data = _encode(entry)
        problems = []
        for where, directory in (("disk", self.directory), ("scratch", self.fallback)):
            try:
                write_line(self._fd(directory), data)
            except OSError as exc:
                problems.append(f"{directory}: {exc.strerror or exc}")
                continue
            self.where, self.problem = where, "; ".join(problems)
            return where
        self.where, self.problem = "memory", "; ".join(problems)
        return "memory"

    def _fd(self, directory: Path) -> int:
        fd = self._files.get(directory)
        if fd is None:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path_in(directory), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)  # ours while we live: other processes leave it alone
            _fsync_dir(directory)
            self._files[directory] = fd
        return fd

    def clear(self) -> None:
        """Everything is in SQLite: forget the entries, remove the files (their numbering goes on)."""
        self.entries = []
        self.where = self.problem = ""
        for directory, fd in self._files.items():
            with contextlib.suppress(OSError):
                os.unlink(self.path_in(directory))
            os.close(fd)
        self._files = {}

    def close(self) -> None:
        """Release the files, leaving what is unreplayed in them for the next process (an orphan then)."""
        for fd in self._files.values():
            os.close(fd)
        self._files = {}


@dataclass
class Orphan:
    """A journal its process left behind (crashed, or ended while SQLite was unwritable); locked while held."""

    writer: str
    entries: list[dict[str, Any]]
    _held: list[tuple[Path, int]] = field(default_factory=list)

    def discard(self) -> None:
        """Replayed: remove its files."""
        for path, fd in self._held:
            with contextlib.suppress(OSError):
                os.unlink(path)
            os.close(fd)
        self._held = []

    def release(self) -> None:
        """Not replayed now: leave its files for a later attempt."""
        for _, fd in self._held:
            os.close(fd)
        self._held = []


def _read_entries(fd: int) -> Iterator[dict[str, Any]]:
    with os.fdopen(os.dup(fd), "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # a line torn by a crash mid-write: never acknowledged, so never relied on
            try:
                entry = json.loads(raw)
            except ValueError:
                log.error("nhật ký dự phòng: bỏ qua một dòng hỏng")
                continue
            if isinstance(entry, dict) and "n" in entry and "op" in entry:
                yield entry


def find_orphans(directories: list[Path], own: str) -> list[Orphan]:
    """Journals in `directories` whose process is gone (their lock is free), with their entries in order; each
    returned orphan is locked by us until `discard` or `release`."""
    found: dict[str, Orphan] = {}
    for directory in directories:
        try:
            paths = sorted(directory.glob(f"{_PREFIX}*.jsonl"))
        except OSError:
            continue
        for path in paths:
            writer = path.name[len(_PREFIX):-len(".jsonl")]
            if writer == own:
                continue
            try:
                fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)  # its process is alive: its journal is its own business
                continue
            orphan = found.setdefault(writer, Orphan(writer, []))
            orphan._held.append((path, fd))
            orphan.entries.extend(_read_entries(fd))
    for orphan in found.values():
        unique = {int(e["n"]): e for e in orphan.entries}
        orphan.entries = [unique[n] for n in sorted(unique)]
    return list(found.values())
