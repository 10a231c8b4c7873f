"""A station killed outright (kill -9, power button, OOM killer) leaves no render-ahead builder behind: each
would hold the audio stack (~150 MB) and the station's files until its build ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATION = "from broadcaster.station._sessions import run_in_child; import time; run_in_child(time.sleep, 120)"


def children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except OSError:
        return False


def test_the_builder_dies_with_a_killed_station() -> None:
    station = subprocess.Popen([sys.executable, "-c", STATION], cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        builders: set[int] = set()
        while not builders and time.monotonic() < deadline:
            time.sleep(0.2)
            builders = children(station.pid)
        assert builders, "the station never started its builder"
        time.sleep(2.0)  # the builder's initializer has run (it is sleeping in the build)
        os.kill(station.pid, signal.SIGKILL)
        station.wait(10)
        deadline = time.monotonic() + 10
        while any(alive(b) for b in builders) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(b) for b in builders), "a builder outlived the killed station"
    finally:
        if station.poll() is None:
            station.kill()
