"""The journal's memory of sessions: which session occurrences were claimed (and how they ended) lately, so a
session never airs twice even when the database is locked, deleted or replaced.

`<state_dir>/airlog-journal/sessions.jsonl`, shared by every process of the station (the runner, `air`,
`emergency`): one JSON line per claim or status change (`key`, `status`, `at`), fsynced, appended under an
exclusive `flock` so a claim is checked and taken atomically across processes. Lines older than `KEEP_DAYS` are
dropped when the file is rewritten at start-up. With the disk full, lines go to the same file in the scratch
directory (read as well), else they stay in this process's memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from broadcaster.airlog._journal import write_line

__all__ = ["KEEP_DAYS", "SessionMemory"]

KEEP_DAYS = 8  # a week of look-back and a day more
_NAME = "sessions.jsonl"
_COMPACT_LINES = 400


class SessionMemory:
    """Claimed sessions of the last `KEEP_DAYS`, from the station's memory file(s)."""

    def __init__(self, directory: Path, fallback: Path, now: datetime):
        self.paths = (directory / _NAME, fallback / _NAME)
        self.known: dict[str, tuple[str, str]] = {}  # session key -> (status, at)
        self._offsets = dict.fromkeys(self.paths, 0)
        self._compact(now)

    def _refresh(self) -> None:
        """Read what any process appended since we last looked."""
        for path in self.paths:
            try:
                with open(path, "rb") as f:
                    f.seek(self._offsets[path])
                    data = f.read()
            except OSError:
                continue
            end = data.rfind(b"\n") + 1
            self._offsets[path] += end
            for raw in data[:end].splitlines():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    line = json.loads(raw)
                    self.known[str(line["key"])] = (str(line["status"]), str(line["at"]))

    @contextmanager
    def _locked(self) -> Iterator[int | None]:
        """The station-wide lock for check-and-append (the first memory file we can open), and its fd."""
        for path in self.paths:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield fd
            finally:
                os.close(fd)
            return
        yield None

    def _append(self, fd: int | None, key: str, status: str, at: str) -> None:
        """Append one line to the locked file `fd`, else to the scratch copy; in memory whatever happens."""
        self.known[key] = (status, at)
        data = (json.dumps({"key": key, "status": status, "at": at}, ensure_ascii=False) + "\n").encode("utf-8")
        if fd is not None:
            with contextlib.suppress(OSError):
                write_line(fd, data)
                return
        with contextlib.suppress(OSError):
            self.paths[1].parent.mkdir(parents=True, exist_ok=True)
            spare = os.open(self.paths[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
            try:
                write_line(spare, data)
            finally:
                os.close(spare)

    def status(self, key: str) -> str | None:
        self._refresh()
        found = self.known.get(key)
        return found[0] if found else None

    def claim(self, key: str, status: str, at: str) -> bool:
        """Take `key` for this station; False when any process of it took it already."""
        with self._locked() as fd:
            self._refresh()
            if key in self.known:
                return False
            self._append(fd, key, status, at)
            return True

    def remember(self, key: str, status: str, at: str) -> None:
        """Record a claim or a new status (kept even if the key is known)."""
        with self._locked() as fd:
            self._append(fd, key, status, at)

    def _compact(self, now: datetime) -> None:
        """Load the memory; rewrite the main file when it has grown (without lines older than KEEP_DAYS) or when
        a scratch copy from a full disk is to be merged back (then removed)."""
        with self._locked() as fd:
            self._refresh()
            spare = self.paths[1]
            if fd is None or (self._offsets[self.paths[0]] < _COMPACT_LINES * 100 and not spare.exists()):
                return
            floor = (now - timedelta(days=KEEP_DAYS)).isoformat()
            self.known = {k: v for k, v in self.known.items() if v[1] >= floor}
            tmp = self.paths[0].with_suffix(".tmp")
            with contextlib.suppress(OSError):
                lines = [json.dumps({"key": k, "status": s, "at": a}, ensure_ascii=False) for k, (s, a) in
                         self.known.items()]
                tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
                os.replace(tmp, self.paths[0])
                self._offsets[self.paths[0]] = self.paths[0].stat().st_size
                spare.unlink(missing_ok=True)
                self._offsets[spare] = 0
