"""The runner's view of a station, light to import: its files, and the sessions prepared for air.

Preparing them (render, plan, build: the audio stack) is `station.prepare`, which the always-on station runs in a
short-lived child process through `prepare_in_child`, so numpy/scipy never stay resident in it.
"""

from __future__ import annotations

import ctypes
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadcaster.audio.slicing import Segment
from broadcaster.config import load_bulletins, load_station
from broadcaster.errors import Problem
from broadcaster.models import Bulletin, Programme, Station
from broadcaster.playout import ItemInfo

if TYPE_CHECKING:
    from broadcaster.audio.programme import BuiltProgramme

__all__ = [
    "Session",
    "StationFiles",
    "built_offsets",
    "call_prepare",
    "child_init",
    "load",
    "prepare_in_child",
    "run_in_child",
    "session_dir",
    "watched_mtimes",
]

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class StationFiles:
    """A loaded station: its settings, its bulletins, and the problems found in bulletin files."""

    station: Station
    bulletins: tuple[Bulletin, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def by_id(self) -> dict[str, Bulletin]:
        return {b.id: b for b in self.bulletins}


@dataclass(frozen=True)
class Session:
    """One session occurrence ready to air: its programme, built audio cut into items, and log details.
    `error` says why it could not be built (then it is logged `failed` at its time)."""

    programme: Programme
    built: BuiltProgramme | None = None
    segments: tuple[Segment, ...] = ()
    info: Mapping[str, ItemInfo] = field(default_factory=dict)
    error: str = ""
    signature: str = ""
    fallback: Mapping[str, str] = field(default_factory=dict)  # bulletin id -> why it airs in the fallback voice

    @property
    def key(self) -> str:
        return self.programme.key


def load(station_dir: str | Path) -> StationFiles:
    """Load station.yaml and every bulletin (a bad bulletin file is reported, the others still load)."""
    station = load_station(station_dir)
    bulletins, problems = load_bulletins(station)
    return StationFiles(station, tuple(bulletins), tuple(problems))


def watched_mtimes(station: Station) -> dict[str, int]:
    """Modification times of the files that change what airs; a difference means: plan and build again."""
    root = Path(station.root)
    paths: list[Path] = [root / "station.yaml"]
    if station.speech.pronunciations:
        paths.append(root / station.speech.pronunciations)
    bulletins_dir = root / "bulletins"
    if bulletins_dir.is_dir():
        paths.extend(sorted(bulletins_dir.glob("*.y*ml")))
    out: dict[str, int] = {}
    for p in paths:
        try:
            out[str(p)] = p.stat().st_mtime_ns
        except OSError:
            out[str(p)] = -1
    return out


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def child_init() -> None:
    """In the render-ahead child: Ctrl+C is the station's to handle (it stops cleanly), not the builder's; and the
    child dies with the station: a station killed outright (power button, `kill -9`, the OOM killer) must not
    leave builders behind, each holding the audio stack (~150 MB) and the station's files."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the child still ends with its build
            return
        parent = multiprocessing.parent_process()
        if parent is not None and os.getppid() != parent.pid:  # the station died before prctl took effect
            os._exit(1)


def session_dir(station: Station, programme: Programme) -> Path:
    """Where the station builds a session's programme (`manifest.json` there when the build completed)."""
    return Path(station.state_dir) / "programmes" / programme.day.isoformat() / (
        f"{programme.slot_id}-{programme.output_id}")


def built_offsets(station: Station, programme: Programme) -> dict[str, float]:
    """Each bulletin's offset (seconds from the start) in the session's built programme, read from the manifest
    an earlier process wrote (a crash cut the session short); empty when there is none or it does not match."""
    try:
        manifest = json.loads((session_dir(station, programme) / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("programme") != programme.key:
            return {}
        return {str(i["bulletin_id"]): float(i["offset"]) for i in manifest.get("items", ())
                if i.get("kind") == "bulletin" and i.get("bulletin_id")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def call_prepare(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call `station.prepare.<name>(*args, **kwargs)`: the entry point a render-ahead child process is given. By
    name, so that the station process never imports `prepare` (and the audio stack) to hand the child a function.
    Called in-process only when no child could run (then the audio stack loads here)."""
    # lazy: the child-process boundary; this import is what loads the audio stack, in the child only
    from broadcaster.station import prepare

    return getattr(prepare, name)(*args, **kwargs)


class Cancelled(Exception):
    """The station is stopping: the build in the child was abandoned (the child is killed)."""


def prepare_in_child(name: str, *args: Any, cancel: threading.Event | None = None) -> Any:
    """Run `station.prepare.<name>(*args)` (render and build) in a short-lived child process: the numpy/scipy
    audio stack (~70 MB) never stays resident in the always-on station. Results come back pickled (frozen
    dataclasses). Raises BrokenProcessPool/OSError when no child could run it, `Cancelled` when `cancel` is set
    meanwhile: a stop never waits for a long build (systemd kills a station that takes over 30 s to stop)."""
    return run_in_child(call_prepare, name, *args, cancel=cancel)


def run_in_child(fn: Callable[..., Any], *args: Any, cancel: threading.Event | None = None) -> Any:
    """`fn(*args)` in a short-lived spawned child; `Cancelled` (the child killed) as soon as `cancel` is set."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=child_init)
    try:
        future = pool.submit(fn, *args)
        while True:
            try:
                return future.result(timeout=0.25)
            except FuturesTimeout:
                if cancel is not None and cancel.is_set():
                    for process in list(getattr(pool, "_processes", {}).values()):
                        process.kill()  # the build's partial files are temporary: atomic writes only
                    raise Cancelled() from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
