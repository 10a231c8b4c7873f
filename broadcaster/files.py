"""Small files nobody reads again: one place for "delete what has not changed for so many days"."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["remove_unchanged"]


def remove_unchanged(directory: Path, keep_days: float) -> int:
    """Delete the regular files directly in `directory` that have not changed for `keep_days` days (never a
    subdirectory, never through a symlink); returns how many. A missing directory or a file that cannot be
    removed is skipped: cleaning up never raises."""
    cutoff = time.time() - keep_days * 86400
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    deleted = 0
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
            os.unlink(entry.path)
            deleted += 1
        except OSError:
            continue
    return deleted
