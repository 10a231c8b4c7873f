"""A fake microphone for tests and `scripts/bench_live`: a PulseAudio pipe source (`module-pipe-source`) fed by the
test in real time, so the station captures it through PortAudio exactly as it would a USB microphone.

    mic = FakeMicrophone.start(tmp_path)        # needs the virtual audio device (tests/sink.py)
    monkeypatch.setenv("PULSE_SOURCE", mic.source)   # PortAudio's "pulse"/"default" input is now this microphone
    mic.say([("tone", 0.5, 1000.0, 0.3), ("silence", 1.0)])  # queued after what is already playing
    mic.bursts                                  # [(time.time() of its first sample, freq), ...] as written
    mic.stop()

Between scripted parts it writes silence, paced on the monotonic clock (10 ms chunks), as a real microphone
delivers samples. A pipe source left without a client goes idle and stops reading its pipe (the writer would
block and the test's audio pile up, seconds late); a real sound card captures all the time. So a `parec` to
/dev/null stays attached, like a mixer's level meter: what PulseAudio reads is what was just written.
"""

from __future__ import annotations

import collections
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tests import sink

__all__ = ["FakeMicrophone", "studio"]

RATE = 44100
CHUNK = 441  # 10 ms


@dataclass
class FakeMicrophone:
    source: str
    module_id: str
    fifo: Path
    fd: int
    listener: subprocess.Popen
    rate: int = RATE
    bursts: list[tuple[float, float]] = field(default_factory=list)
    _parts: collections.deque = field(default_factory=collections.deque)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @classmethod
    def start(cls, directory: Path, rate: int = RATE) -> FakeMicrophone:
        fifo = Path(directory) / f"mic-{uuid.uuid4().hex[:6]}.fifo"
        source = f"mic_{uuid.uuid4().hex[:8]}"
        out = subprocess.run(
            ["pactl", "load-module", "module-pipe-source", f"source_name={source}", f"file={fifo}",
             "format=s16le", f"rate={rate}", "channels=1"],
            capture_output=True, text=True, timeout=5, check=True)
        fd = os.open(fifo, os.O_WRONLY)
        listener = subprocess.Popen(["parec", f"--device={source}", "--raw", "--latency-msec=10"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mic = cls(source, out.stdout.strip(), fifo, fd, listener, rate)
        mic._thread = threading.Thread(target=mic._feed, name="fake-mic", daemon=True)
        mic._thread.start()
        return mic

    def say(self, parts: list[tuple]) -> None:
        """Queue parts: ("tone", seconds, hz, amplitude 0..1) or ("silence", seconds)."""
        for part in parts:
            self._parts.append(part)

    def idle(self) -> bool:
        return not self._parts

    def _feed(self) -> None:
        t0 = time.monotonic()
        n = 0
        current: list = []  # [kind, frames left, hz, amp, phase frame]
        while not self._stop.is_set():
            chunk = np.zeros(CHUNK, dtype="<i2")
            filled = 0
            while filled < CHUNK:
                if not current and self._parts:
                    part = self._parts.popleft()
                    current = [part[0], int(part[1] * self.rate), *(part[2:] or (0.0, 0.0)), 0]
                    if part[0] == "tone":
                        self.bursts.append((time.time() + filled / self.rate, float(part[2])))
                if not current:
                    break
                kind, left, hz, amp, phase = current
                take = min(left, CHUNK - filled)
                if kind == "tone":
                    t = (np.arange(take) + phase) / self.rate
                    chunk[filled:filled + take] = (amp * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
                filled += take
                current = [kind, left - take, hz, amp, phase + take] if left > take else []
            try:
                os.write(self.fd, chunk.tobytes())
            except OSError:
                return
            n += 1
            delay = t0 + n * CHUNK / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def stop(self) -> None:
        self._stop.set()
        self.listener.terminate()
        self.listener.wait(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=2)
        try:
            os.close(self.fd)
        except OSError:
            pass
        subprocess.run(["pactl", "unload-module", self.module_id], capture_output=True, timeout=5, check=False)
        self.fifo.unlink(missing_ok=True)


def studio(tmp_path: Path, monkeypatch: Any) -> Iterator[tuple[FakeMicrophone, sink.Recording]]:
    """A pytest fixture body (`studio = pytest.fixture(mic.studio)`): the fake microphone as PortAudio's default
    input and a private recorded sink as its default output, for the test and the processes it starts."""
    mic = FakeMicrophone.start(tmp_path)
    rec = sink.start_recording(tmp_path / "sink.raw")
    monkeypatch.setenv("PULSE_SOURCE", mic.source)
    monkeypatch.setenv("PULSE_SINK", rec.sink)
    try:
        yield mic, rec
    finally:
        mic.stop()
        if rec.module_id is not None:
            rec.stop(settle=0)
