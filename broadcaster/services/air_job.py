""""Phát ngay" and emergencies started from the desk, run in a child process of their own.

The desk never prepares audio in its own process (the speech and audio stacks would stay resident in it) and
never waits in a request for a station's answer: it writes the job (`<state_dir>/desk-jobs/<job>.json`) and
starts `python -m broadcaster.services.air_job FILE`, which calls the same service as the CLI
(`services.air.send_emergency` / `air_now`: prepare, hand over through the control channel, wait for the
station's answer; with `fallback`, air by itself as the CLI does when no station runs) and appends what happens
to `<job>.events` (one JSON object a line). The desk's job page reads it back (`read_job`).

Speed: the job process spends most of its start importing the speech and audio stacks (numpy, scipy: 1–3 s on
a busy two-core PC), which an emergency cannot wait for. So the desk keeps a **warm spare** while an emergency is
likely: opening the emergency form (`warm()`) starts a job process that imports everything and waits for its
job on stdin; the confirmed send hands it the job at once (and starts the next spare). A spare nobody used is
ended after SPARE_SECONDS, so an idle desk holds no audio stack anywhere.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from broadcaster.errors import BroadcasterError, InputError
from broadcaster.files import remove_unchanged
from broadcaster.models import Station

__all__ = ["Job", "JOBS_DIR", "SPARE_SECONDS", "main", "read_job", "start_job", "warm"]

JOBS_DIR = "desk-jobs"
JOB_KEEP_DAYS = 30  # a job's files are deleted when a new job starts and they have not changed for this long
SPARE_SECONDS = 600.0  # a warm spare nobody used is ended after this long
_JOB_ID = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{6}")


@dataclass(frozen=True)
class Job:
    """A desk job as its page shows it."""

    id: str
    kind: str  # emergency | air
    params: dict[str, Any]
    lines: list[str] = field(default_factory=list)  # what the service said, in order
    request: str = ""  # the control request's id, once dropped
    error: str = ""  # the service refused or the station answered failed
    not_running: bool = False  # no station took it (hand-over only): the desk offers the fallback
    done: bool = False
    aired_here: int = 0  # rows aired by the job itself (fallback)


def _dir(station: Station) -> Path:
    return Path(station.state_dir) / JOBS_DIR


class _Spare:
    """At most one warm job process, waiting on stdin for the path of its job."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.timer: threading.Timer | None = None

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "broadcaster.services.air_job", "--spare"],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        threading.Thread(target=self.proc.wait, name="job-spare", daemon=True).start()  # reaped
        self.timer = threading.Timer(SPARE_SECONDS, self.end)
        self.timer.daemon = True
        self.timer.start()

    def warm(self) -> None:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            elif self.timer is not None:  # still wanted: its time starts again
                self.timer.cancel()
                self.timer = threading.Timer(SPARE_SECONDS, self.end)
                self.timer.daemon = True
                self.timer.start()

    def take(self, path: Path) -> bool:
        """Hand the job to the spare; False when there is none alive (the caller starts a process)."""
        with self.lock:
            proc, self.proc = self.proc, None
            if self.timer is not None:
                self.timer.cancel()
            if proc is None or proc.poll() is not None or proc.stdin is None:
                return False
            try:
                proc.stdin.write(f"{path}\n".encode())
                proc.stdin.close()
            except OSError:
                return False
            return True

    def end(self) -> None:
        with self.lock:
            proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            proc.stdin.close()  # end of input: the spare exits by itself


_SPARE = _Spare()


def warm() -> None:
    """An emergency is likely soon (its form is open): have a job process ready, imports done."""
    _SPARE.warm()


def start_job(station: Station, station_dir: str | Path, kind: str, params: dict[str, Any], *, now: datetime,
              python: str | None = None) -> str:
    """Write the job and hand it to the warm spare, or start its own child process (detached: it outlives a
    closed page); returns the job id."""
    if kind not in ("emergency", "air"):
        raise InputError(f"không có việc {kind}")
    job_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    folder = _dir(station)
    folder.mkdir(parents=True, exist_ok=True)
    remove_unchanged(folder, JOB_KEEP_DAYS)  # jobs nobody will open again
    path = folder / f"{job_id}.json"
    path.write_text(json.dumps({"kind": kind, "station_dir": str(station_dir), "started": now.isoformat(),
                                **params}, ensure_ascii=False), encoding="utf-8")
    if python is None and _SPARE.take(path):
        if kind == "emergency":
            _SPARE.warm()  # another may follow: the next spare starts now
        return job_id
    proc = subprocess.Popen([python or sys.executable, "-m", "broadcaster.services.air_job", str(path)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(folder / f"{job_id}.stderr", "wb"),  # noqa: SIM115 - the child owns it
                            start_new_session=True)
    threading.Thread(target=proc.wait, name=f"job-{job_id}", daemon=True).start()  # reaped, never a zombie
    return job_id


def read_job(station: Station, job_id: str) -> Job | None:
    """A job and what happened so far; None for an unknown id."""
    if not _JOB_ID.fullmatch(job_id):
        return None
    folder = _dir(station)
    try:
        params = json.loads((folder / f"{job_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    state: dict[str, Any] = {"lines": []}
    try:
        raw = (folder / f"{job_id}.events").read_text(encoding="utf-8")
    except OSError:
        raw = ""
    for line in raw.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the last line may be half written
        if "line" in event:
            state["lines"].append(str(event["line"]))
        state.update({k: v for k, v in event.items() if k != "line"})
    return Job(job_id, str(params.get("kind", "")), params, state["lines"], str(state.get("request", "")),
               str(state.get("error", "")), bool(state.get("not_running")), bool(state.get("done")),
               int(state.get("aired_here") or 0))


def _run(params: dict[str, Any], emit: Any) -> int:
    # lazy: the speech and audio stacks load here, in the job's own process, never in the desk
    from broadcaster.services.air import NotRunning, air_now, send_emergency

    common = {"notify": lambda line: emit(line=line), "who": params.get("who") or None,
              "hand_over_only": not params.get("fallback"), "on_request": lambda rid: emit(request=rid)}
    try:
        if params["kind"] == "emergency":
            rows = send_emergency(params["station_dir"], text=params.get("text") or None,
                                  audio=params.get("audio") or None, zones=tuple(params.get("zones") or ()),
                                  repeat=params.get("repeat"), **common)
        else:
            rows = air_now(params["station_dir"], params["slot"], day=date.fromisoformat(params["day"]), **common) or []
    except NotRunning as exc:
        emit(error=str(exc), not_running=True, done=True)
        return 1
    except BroadcasterError as exc:
        emit(error=str(exc), done=True)
        return 1
    emit(done=True, aired_here=len(rows))
    return 0


def _spare() -> int:
    """A warm spare: import what a job needs now, then wait for the job's path on stdin (none: exit)."""
    # lazy: the point of the spare: the heavy imports happen before the officer presses the button
    import broadcaster.services.air  # noqa: F401

    line = sys.stdin.readline().strip()
    return main([line]) if line else 0


def main(argv: list[str]) -> int:
    if argv == ["--spare"]:
        return _spare()
    path = Path(argv[0])
    params = json.loads(path.read_text(encoding="utf-8"))
    events = path.with_suffix(".events")

    def emit(**event: Any) -> None:
        with open(events, "a", encoding="utf-8") as f:
            f.write(json.dumps({"t": time.time(), **event}, ensure_ascii=False) + "\n")

    try:
        return _run(params, emit)
    except Exception as exc:  # noqa: BLE001 - the page must see the end of the job, whatever happened
        emit(error=f"lỗi không lường trước: {exc}", done=True)
        raise


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
