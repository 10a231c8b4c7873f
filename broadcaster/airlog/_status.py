"""What the officer is told about the log's health: each degradation once as a log line (through the station's
`notify`), and all current ones in `<state_dir>/airlog-status.json` for the status page.

Status file (rewritten atomically whenever the list changes; in the scratch directory when the disk is full):
`{"pid": 1234, "updated_at": "2026-11-28T06:30:02+07:00", "degradations": [{"kind": "journal", "since": "...",
"message": "..."}]}`. Kinds: `journal` (writes kept in the journal), `disk-full` (the journal is in RAM),
`memory` (the journal could not be written anywhere), `unavailable` (no database could be opened), `new-log`
(the database was set aside and a new log started: listed until the station restarts).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from broadcaster.airlog._space import scratch_dir

__all__ = ["STATUS_FILE", "Degradations", "read_degradations"]

log = logging.getLogger("broadcaster.airlog")

STATUS_FILE = "airlog-status.json"


class Degradations:
    """The current degradations of one station log, by kind, in the order they began."""

    def __init__(self, state_dir: Path, scratch: Path, notify: Callable[[str], None] | None):
        self._paths = (state_dir / STATUS_FILE, scratch / STATUS_FILE)
        self._notify = notify
        self._items: dict[str, tuple[str, str]] = {}  # kind -> (since, message)

    def messages(self) -> list[str]:
        return [message for _, message in self._items.values()]

    def begin(self, kind: str, message: str, now: datetime) -> None:
        """A degradation starts (said once; a changed message for the same kind is only updated)."""
        if kind in self._items:
            if self._items[kind][1] != message:
                self._items[kind] = (self._items[kind][0], message)
                self._write(now)
            return
        self._items[kind] = (now.isoformat(), message)
        log.warning("%s", message)
        if self._notify is not None:
            self._notify(f"cảnh báo: {message}")
        self._write(now)

    def end(self, now: datetime, *kinds: str) -> None:
        if any(k in self._items for k in kinds):
            for kind in kinds:
                self._items.pop(kind, None)
            self._write(now)

    def say(self, message: str) -> None:
        """A one-off line (a recovery done), not a lasting degradation."""
        log.info("%s", message)
        if self._notify is not None:
            self._notify(message)

    def _write(self, now: datetime) -> None:
        data = json.dumps({
            "pid": os.getpid(), "updated_at": now.isoformat(),
            "degradations": [{"kind": k, "since": s, "message": m} for k, (s, m) in self._items.items()],
        }, ensure_ascii=False, indent=1)
        for n, path in enumerate(self._paths):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.tmp")
                tmp.write_text(data, encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                continue
            for stale in self._paths[n + 1:]:  # a copy left in RAM while the disk was full
                with contextlib.suppress(OSError):
                    stale.unlink()
            return


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_degradations(state_dir: Path | str) -> list[str]:
    """The station log's current degradations (Vietnamese, for the status page); [] when none, or when the
    process that wrote them is gone."""
    newest: dict[str, Any] = {}
    for path in (Path(state_dir) / STATUS_FILE, scratch_dir(state_dir) / STATUS_FILE):
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and str(data.get("updated_at", "")) > str(newest.get("updated_at", "")):
                newest = data
    with contextlib.suppress(ValueError, TypeError):
        if newest and _alive(int(newest.get("pid") or 0)):
            return [str(d.get("message", "")) for d in newest.get("degradations") or [] if isinstance(d, dict)]
    return []
