"""Output test fixtures: tone WAVs and `sink_recorder`, which records the virtual audio device's sink monitor."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from tests import sink

__all__ = ["write_tone", "dominant_hz"]


def write_tone(
    path: Path, seconds: float, *, hz: float = 440.0, rate: int = 44100, channels: int = 1, width: int = 2
) -> Path:
    """A sine tone at half scale as a PCM WAV (8, 16, 24 or 32-bit)."""
    t = np.arange(int(seconds * rate)) / rate
    x = 0.5 * np.sin(2 * np.pi * hz * t)
    x = np.repeat(x[:, None], channels, axis=1).reshape(-1)
    if width == 1:
        raw = (x * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        v = (x * (2**23 - 1)).astype("<i4")
        raw = np.stack([(v >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype(np.uint8).tobytes()
    else:
        raw = (x * (2 ** (8 * width - 1) - 1)).astype(f"<i{width}").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    return path


def dominant_hz(samples: np.ndarray, rate: int = sink.RATE) -> float:
    """Frequency of the strongest spectral peak."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.fixture
def tone(tmp_path: Path) -> Callable[..., Path]:
    """tone(seconds, hz=440) -> a fresh WAV in tmp_path."""
    count = iter(range(1000))

    def make(seconds: float, **kw: float) -> Path:
        return write_tone(tmp_path / f"tone{next(count)}.wav", seconds, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def sink_recorder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], sink.Recording]]:
    """start() -> a Recording of a private null sink that this test's clients (in-process and subprocesses) play
    into (PULSE_SINK is set); skips with the reason when the virtual audio device is not running."""
    reason = sink.unavailable_reason()
    if reason:
        pytest.skip(reason)
    started: list[sink.Recording] = []

    def start() -> sink.Recording:
        rec = sink.start_recording(tmp_path / f"sink{len(started)}.raw")
        for key, value in rec.env.items():
            monkeypatch.setenv(key, value)
        started.append(rec)
        return rec

    yield start
    for rec in started:
        if rec.process.poll() is None or rec.module_id is not None:
            rec.stop(settle=0)
