"""End-to-end fixtures: a small station whose sessions start seconds from now, the station run as a subprocess
playing into a private PulseAudio null sink, and a relay board on a pseudo-terminal reading the relay bytes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.services.approval import migrate_approvals
from tests import factories as make
from tests import sink

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[2]
AMP = 8  # amplifier relay on the fake board


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def pulse() -> None:
    reason = sink.unavailable_reason()
    if reason:
        pytest.skip(f"end-to-end tests need the virtual audio device: {reason}")


class Board:
    """The relay board end of a pty pair: decodes LCUS frames `A0 relay state checksum` as they arrive."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        self.port = os.ttyname(slave)
        self._slave = slave
        self.events: list[tuple[float, int, bool]] = []  # (time.time(), relay, on)
        self._buf = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        import select

        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                continue
            try:
                self._buf += os.read(self.master, 1024)
            except OSError:
                return
            while len(self._buf) >= 4:
                i = self._buf.find(b"\xa0")
                if i < 0:
                    self._buf = b""
                    break
                frame, self._buf = self._buf[i:i + 4], self._buf[i + 4:]
                if len(frame) == 4:
                    self.events.append((time.time(), frame[1], frame[2] == 1))

    def states(self) -> list[frozenset[int]]:
        """Zone relays that were on after each change (amplifier excluded), consecutive repeats collapsed."""
        on: set[int] = set()
        out: list[frozenset[int]] = []
        for _, relay, state in self.events:
            if relay == AMP:
                continue
            (on.add if state else on.discard)(relay)
            if not out or out[-1] != frozenset(on):
                out.append(frozenset(on))
        return out

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1)
        os.close(self.master)
        os.close(self._slave)


STATION_YAML = """\
name: "Đài thử"
commune: "Thử"
state_dir: ../var
outputs:
  main:
    kind: command
    command: "aplay -q {{file}}"
    zone_switch:
      kind: serial
      port: "{port}"
      amplifier_relay: {amp}
      warmup_seconds: 0.3
      settle_seconds: 0.05
zones:
  thon-dong: {{name: "Thôn Đông", relay: 1}}
  thon-tay: {{name: "Thôn Tây", relay: 2}}
slots:
  s1: {{name: "Buổi một", start: "06:00", max_minutes: 10}}
  s2: {{name: "Buổi hai", start: "06:30", max_minutes: 10}}
window: {{start: "00:00", end: "23:59"}}
caps: {{max_sessions_per_day: 10, max_minutes_per_session: 30}}
speech: {{engines: [espeak], speed: 1.6}}
audio:
  pause_seconds: 0.6
  opening: ../audio/opening.wav
  closing: ../audio/closing.wav
  chime: ../audio/chime.wav
  attention: ../audio/attention.wav
playout: {{grace_minutes: 5, emergency_repeat: 1, after_emergency: resume}}
"""

BULLETIN = """\
title: "{title}"
topic: thu-nghiem
text: "{text}"
zones: [{zone}]
status: approved
approved_by: "Chủ tịch xã"
repeat: {{every_session: true}}
"""


@dataclass
class Station:
    """A temp station and its running subprocess(es)."""

    dir: Path
    board: Board
    rec: sink.Recording | None = None
    slot_times: dict[str, datetime] = field(default_factory=dict)
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def var(self) -> Path:
        return self.dir.parent / "var"

    def env(self) -> dict[str, str]:
        return {**os.environ, **(self.rec.env if self.rec else {}), "PYTHONUNBUFFERED": "1"}

    def slot_spec(self) -> str:
        """The sessions' start times to the second, for tests/e2e/slot_times.py."""
        return ",".join(f"{k}={v:%H:%M:%S}" for k, v in self.slot_times.items())

    def set_slots(self, **offsets: float) -> None:
        """Slots at now + seconds (station time)."""
        now = datetime.now(TZ)
        self.slot_times = {k: (now + timedelta(seconds=v)).replace(microsecond=0) for k, v in offsets.items()}

    def prepare(self) -> None:
        """Render speech and clips in-process first, so the subprocess starts in a second or two."""
        from broadcaster.station import _sessions as _station
        from broadcaster.station import prepare
        from tests.e2e.slot_times import moved_slots, parse

        with moved_slots(parse(self.slot_spec())):
            files = _station.load(self.dir)
            prepare.prepare_ahead(files, [], datetime.now(TZ), hours=2)

    def start(self, *extra: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "e2e" / "slot_times.py"), self.slot_spec(), "run", "--station",
             str(self.dir), *extra],
            env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
        )
        self.procs.append(proc)
        return proc

    def rows(self) -> list:  # type: ignore[type-arg]
        from broadcaster.airlog import AirLog

        db = self.var / "broadcaster.sqlite3"
        if not db.exists():
            return []
        log = AirLog(db)
        try:
            return list(log.history())
        finally:
            close = getattr(log, "close", None)
            if callable(close):
                close()

    def session_status(self, slot: str) -> str | None:
        """The log's status of today's occurrence of `slot` ("completed" once its closing jingle has aired)."""
        from broadcaster.airlog import AirLog

        db = self.var / "broadcaster.sqlite3"
        if not db.exists():
            return None
        log = AirLog(db)
        try:
            return log.session_status(f"{self.slot_times[slot]:%Y-%m-%d}/{slot}/main")
        finally:
            log.close()

    def wait_for(self, what: Callable[[], bool], timeout: float, why: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what():
                return
            for p in self.procs:
                if p.poll() is not None and p.returncode not in (0, -9):
                    pytest.fail(f"station exited {p.returncode}: {p.stdout.read() if p.stdout else ''}")
            time.sleep(0.1)
        out = ""
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    out += p.communicate(timeout=10)[0]
                except subprocess.TimeoutExpired:
                    p.kill()
        pytest.fail(f"timed out waiting for {why}; rows={[(r.session_key, r.bulletin_id, r.status.value) for r in self.rows()]}\n{out}")

    def stop(self, proc: subprocess.Popen[str]) -> str:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        return out


@pytest.fixture
def station(tmp_path: Path, pulse: None) -> Iterator[Station]:
    board = Board()
    project = tmp_path / "project"
    sdir = make.station_dir(project, STATION_YAML.format(port=board.port, amp=AMP), {
        "tin-mot": BULLETIN.format(title="Tin một", text="Xã thông báo lịch tiếp dân ngày thứ Hai.", zone="thon-dong"),
        "tin-hai": BULLETIN.format(title="Tin hai", text="Bà con nộp hồ sơ trực tuyến trên cổng dịch vụ công.",
                                   zone="thon-tay"),
    })
    make.write_jingles(project / "audio", opening=0.6, closing=0.6, chime=0.4, attention=0.8)
    migrate_approvals(sdir)  # approvals bound to the content written above
    st = Station(sdir, board)
    st.rec = sink.start_recording(tmp_path / "rec.raw")
    try:
        yield st
    finally:
        for p in st.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if st.rec is not None and st.rec.module_id is not None:
            st.rec.stop(settle=0)
        board.close()
