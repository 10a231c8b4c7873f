"""Output test fixtures: tone WAVs and `sink_recorder`, which records the virtual audio device's sink monitor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import factories as make
from tests import sink


@pytest.fixture
def tone(tmp_path: Path) -> Callable[..., Path]:
    """tone(seconds, hz=440) -> a fresh WAV in tmp_path: a half-scale sine."""
    count = iter(range(1000))

    def write(seconds: float, **kw: float) -> Path:
        return make.tone_wav(tmp_path / f"tone{next(count)}.wav", seconds, level=0.5, **kw)

    return write


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
