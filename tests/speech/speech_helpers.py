"""Helpers shared by the speech tests (imported by name: tests/speech/conftest.py puts this folder on sys.path)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from broadcaster.models import SpeechSettings, Station

__all__ = ["make_station", "read_wav"]


def make_station(tmp_path: Path, **speech: object) -> Station:
    """A station whose state (render cache) lives in tmp_path; speech settings overridable."""
    settings = {"gtts_retries": 0, "gtts_timeout": 3.0, "pronunciations": None, **speech}
    return Station(
        name="Đài truyền thanh xã Thử Nghiệm",
        commune="Thử Nghiệm",
        root=tmp_path / "schedules",
        state_dir=tmp_path / "var",
        speech=SpeechSettings(**settings),  # type: ignore[arg-type]
    )


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples as float32 in [-1, 1] and the sample rate; asserts mono 16-bit PCM."""
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return data, rate
