"""Where the station writes when its own disk is full: a scratch directory in RAM, one per state directory.

`/dev/shm` (RAM on every Linux) first, then `$XDG_RUNTIME_DIR`, then the system's temporary directory. What is
written there survives a crash of the process but not a reboot: the journal replays it into the log as soon as
the state directory has room again, and the officer is warned while it lasts.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["LOW_SPACE_BYTES", "is_space_error", "scratch_dir", "short_of_space"]

LOW_SPACE_BYTES = 64 * 1024 * 1024  # below this, an emergency's speech is made in the scratch directory

_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def scratch_dir(state_dir: Path | str) -> Path:
    """This state directory's scratch directory in RAM (not created here)."""
    key = hashlib.sha256(str(Path(state_dir).resolve()).encode("utf-8")).hexdigest()[:12]
    for base in (Path("/dev/shm"), Path(os.environ.get("XDG_RUNTIME_DIR") or "/nonexistent"),
                 Path(tempfile.gettempdir())):
        if base.is_dir() and os.access(base, os.W_OK):
            return base / f"broadcaster-{os.getuid()}" / key
    return Path(tempfile.gettempdir()) / f"broadcaster-{os.getuid()}" / key


def short_of_space(path: Path | str, needed: int = LOW_SPACE_BYTES) -> bool:
    """True when the file system holding `path` (or its nearest existing parent) has less than `needed` free."""
    here = Path(path)
    while not here.exists() and here != here.parent:
        here = here.parent
    try:
        return shutil.disk_usage(here).free < needed
    except OSError:
        return False


def is_space_error(exc: BaseException | None) -> bool:
    """True when `exc`, or an exception it was raised from, says the disk is full."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _SPACE_ERRNOS:
            return True
        if "No space left on device" in str(exc) or "database or disk is full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
