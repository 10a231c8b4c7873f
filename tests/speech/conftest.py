"""Fixtures for the speech tests: a station in tmp_path, the fake Google endpoint, helpers to read WAVs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gtts_fake import FakeGoogle  # noqa: E402 - needs the path above
from speech_helpers import make_station  # noqa: E402

from broadcaster.models import Station  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_engine_memory() -> Iterator[None]:
    """Each test starts with no engine remembered as down (the render service remembers failures a while)."""
    from broadcaster.speech.render import forget_engine_failures

    forget_engine_failures()
    yield
    forget_engine_failures()


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
