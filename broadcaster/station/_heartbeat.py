"""The running station's heartbeat: `state_dir/control/runner.json` (its pid), refreshed every
HEARTBEAT_SECONDS; whoever wants to reach the station (the `air` and `emergency` commands, the desk) reads it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from broadcaster.airlog import is_space_error
from broadcaster.models import Station

__all__ = ["HEARTBEAT_SECONDS", "clear_heartbeat", "control_dir", "running_station_pid", "write_heartbeat"]

HEARTBEAT_SECONDS = 2.0  # the runner refreshes its heartbeat this often; 3 missed beats = not running


def control_dir(station: Station) -> Path:
    return Path(station.state_dir) / "control"


def write_heartbeat(station: Station, info: dict[str, Any]) -> None:
    """The running station says it is alive (pid, output); refreshed every HEARTBEAT_SECONDS."""
    directory = control_dir(station)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / ".runner.json.tmp"
    try:
        tmp.write_text(json.dumps({"pid": os.getpid(), **info}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, directory / "runner.json")
    except OSError as exc:
        if not is_space_error(exc) or not (directory / "runner.json").exists():
            raise
        os.utime(directory / "runner.json")  # the disk is full: still alive, same pid (a touch needs no space)


def clear_heartbeat(station: Station) -> None:
    try:
        os.remove(control_dir(station) / "runner.json")
    except FileNotFoundError:
        pass


def running_station_pid(station: Station) -> int | None:
    """Pid of the station running on this state directory, or None (no heartbeat, stale, or process gone)."""
    path = control_dir(station) / "runner.json"
    try:
        age = time.time() - path.stat().st_mtime
        pid = int(json.loads(path.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if age > 3 * HEARTBEAT_SECONDS:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return pid
