"""Fixtures for the speech tests: a station in tmp_path, the fake Google endpoint, helpers to read WAVs."""

from __future__ import annotations

import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gtts_fake import FakeGoogle  # noqa: E402 - needs the path above

from broadcaster.models import SpeechSettings, Station  # noqa: E402


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


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    """The fake Google endpoint, running; every gTTS engine built during the test talks to it."""
    with FakeGoogle() as fake:
        monkeypatch.setenv("BROADCASTER_GTTS_ENDPOINT", fake.url)
        yield fake


@pytest.fixture
def google_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Google: gTTS engines get connection refused."""
    from gtts_fake import closed_port_url

    monkeypatch.setenv("BROADCASTER_GTTS_ENDPOINT", closed_port_url())


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return make_station(tmp_path)
