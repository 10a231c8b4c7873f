"""Record what really reached the virtual audio device (scripts/audio-device), for tests in any folder.

    from tests import sink
    reason = sink.unavailable_reason()          # None when PulseAudio answers; else why (pytest.skip(reason))
    rec = sink.start_recording(tmp_path / "rec.raw")
    subprocess.run([...], env={**os.environ, **rec.env})   # clients play into rec.sink
    samples = rec.stop()                        # float32 mono, -1..1, at sink.RATE
    sink.sound_segments(samples)                # [(start_s, end_s), ...] where it was not silent

Each recording gets its own null sink (`private=True`, the default) so tests running at the same time (several
engineers share this machine) never hear each other: clients are pointed at it with `PULSE_SINK` (libpulse reads it
when a stream is opened, so it works for subprocesses through `rec.env` and in-process through
`monkeypatch.setenv`). `private=False` records the shared default sink `broadcaster_sink` instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "RATE",
    "SINK",
    "Recording",
    "dominant_hz",
    "rms",
    "sound_segments",
    "start_recording",
    "unavailable_reason",
]

RATE = 44100
SINK = os.environ.get("BROADCASTER_TEST_SINK", "broadcaster_sink")


def unavailable_reason() -> str | None:
    """Why sink recording cannot work here (a pytest skip reason), or None when the virtual device answers."""
    for tool in ("pactl", "parec"):
        if shutil.which(tool) is None:
            return f"{tool} not installed: run scripts/system-packages (as root) for the virtual audio device"
    if not os.environ.get("PULSE_SERVER"):
        return 'virtual audio device not started: eval "$(scripts/audio-device start)" before pytest'
    try:
        out = subprocess.run(
            ["pactl", "list", "short", "sinks"], capture_output=True, text=True, timeout=5, check=False
        )
    except subprocess.TimeoutExpired:
        return "PulseAudio did not answer within 5 s"
    if out.returncode != 0:
        return f"PulseAudio not reachable at {os.environ['PULSE_SERVER']}: {out.stderr.strip()}"
    return None


@dataclass
class Recording:
    """A running capture of one sink's monitor source into a raw s16le mono file."""

    path: Path
    sink: str
    process: subprocess.Popen[bytes]
    module_id: str | None
    started_at: float  # time.time() when the first captured bytes arrived (about sample 0; ±10 ms)
    rate: int = RATE
    env: dict[str, str] = field(default_factory=dict)  # give to clients so they play into this sink

    def stop(self, settle: float = 0.2) -> np.ndarray:
        """Stop after `settle` seconds (the sink's tail), unload a private sink; return float32 mono samples."""
        time.sleep(settle)
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.module_id is not None:
            subprocess.run(
                ["pactl", "unload-module", self.module_id], capture_output=True, timeout=5, check=False
            )
            self.module_id = None
        raw = np.fromfile(self.path, dtype="<i2")
        return raw.astype(np.float32) / 32768.0


def start_recording(path: Path, *, private: bool = True, rate: int = RATE, timeout: float = 5.0) -> Recording:
    """Start recording a sink's monitor into `path`; returns once samples are flowing."""
    sink_name = SINK
    module_id: str | None = None
    if private:
        sink_name = f"test_{uuid.uuid4().hex[:10]}"
        out = subprocess.run(
            [
                "pactl",
                "load-module",
                "module-null-sink",
                f"sink_name={sink_name}",
                f"rate={rate}",
                "channels=2",
                "norewinds=1",
            ],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        module_id = out.stdout.strip()
    path = Path(path)
    with open(path, "wb") as fh:
        proc = subprocess.Popen(
            [
                "parec",
                f"--device={sink_name}.monitor",
                "--format=s16le",
                f"--rate={rate}",
                "--channels=1",
                "--raw",
                "--latency-msec=10",
            ],
            stdout=fh,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + timeout
    while path.stat().st_size == 0:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"parec did not start recording {sink_name}.monitor")
        time.sleep(0.002)
    env = {"PULSE_SINK": sink_name}
    return Recording(path, sink_name, proc, module_id, time.time(), rate, env)


def rms(samples: np.ndarray) -> float:
    """Root mean square level (0 = silence, ~0.35 = a full-scale-half sine)."""
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0


def sound_segments(
    samples: np.ndarray, rate: int = RATE, *, threshold: float = 0.01, min_silence: float = 0.25
) -> list[tuple[float, float]]:
    """Stretches of sound as (start, end) seconds; gaps shorter than `min_silence` are bridged."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if len(loud) == 0:
        return []
    gap = int(min_silence * rate)
    breaks = np.flatnonzero(np.diff(loud) > gap)
    starts = np.concatenate(([loud[0]], loud[breaks + 1]))
    ends = np.concatenate((loud[breaks], [loud[-1]]))
    return [(float(s) / rate, float(e + 1) / rate) for s, e in zip(starts, ends, strict=True)]


def dominant_hz(samples: np.ndarray, rate: int = RATE) -> float:
    """Frequency of the strongest spectral peak."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))
