"""One station per folder: `run` holds an exclusive `fcntl` lock on `<state_dir>/station.lock` for its whole life.

A second `run` on the same station is refused with who holds it (pid, since when) instead of "recovering" the
first one's live airing as a power cut and airing over it. The kernel drops the lock with the process (kill -9,
power cut), so a stale lock file never blocks the next start.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime
from pathlib import Path

from broadcaster.errors import BroadcasterError

__all__ = ["StationBusy", "StationLock", "lock_holder"]

LOCK_FILE = "station.lock"


class StationBusy(BroadcasterError):
    """Another `broadcaster run` already runs this station."""


def _describe(info: dict[str, object]) -> str:
    pid = info.get("pid", "?")
    since = str(info.get("since", ""))[:19].replace("T", " ")
    host = info.get("host", "")
    where = f" trên máy {host}" if host and host != socket.gethostname() else ""
    return f"tiến trình {pid}{where}, chạy từ {since}" if since else f"tiến trình {pid}{where}"


class StationLock:
    """The exclusive lock of one station's state directory. `acquire()` raises `StationBusy` when held."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, now: datetime) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            info = _read(fd)
            os.close(fd)
            raise StationBusy(
                f"đài này đang chạy ({_describe(info)}); mỗi thư mục đài chỉ chạy một lần. Dừng đài đang chạy "
                f"trước (Ctrl+C hoặc `systemctl stop broadcaster`), hoặc dùng `broadcaster air`/`emergency` để "
                f"gửi lệnh cho nó"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": now.isoformat(), "host": socket.gethostname()})
                  .encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def _read(fd: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def lock_holder(state_dir: Path) -> dict[str, object] | None:
    """Who runs this station now ({pid, since, host}), or None when nobody holds the lock."""
    path = Path(state_dir) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd) or {"pid": "?"}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
