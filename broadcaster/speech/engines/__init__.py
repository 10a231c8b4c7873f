"""Speech engines registered by name (like beets' replaygain backends): config says `engines: [gtts, espeak]`.

Every engine writes a mono 16-bit WAV and says which voice it used; `settings_key()` names everything else
that changes its audio, so the render cache can tell renders apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from broadcaster.errors import BroadcasterError
from broadcaster.models import SpeechSettings
from broadcaster.speech.engines._espeak import EspeakEngine
from broadcaster.speech.engines._gtts import GttsEngine

__all__ = ["SpeechEngine", "ENGINES", "ENGINE_LABELS", "create_engine", "UnknownEngine"]


@runtime_checkable
class SpeechEngine(Protocol):
    """Turns speakable Vietnamese text into a WAV file."""

    name: str
    voice: str

    def settings_key(self) -> str:
        """Everything besides voice and text that changes the audio (rate, pitch, host...), as a string."""
        ...

    def check(self) -> None:
        """Raise EngineUnavailable, saying in Vietnamese how to fix it, when the engine cannot work now."""
        ...

    def synthesize(self, text: str, out_path: Path) -> None:
        """Write `text` spoken as a mono 16-bit WAV at `out_path`; raise SpeechError on failure."""
        ...


ENGINES: dict[str, Callable[[SpeechSettings], SpeechEngine]] = {
    "gtts": GttsEngine,
    "espeak": EspeakEngine,
}

# What the officer reads about each engine (summaries, `say`).
ENGINE_LABELS: dict[str, str] = {
    "gtts": "giọng Google (cần Internet)",
    "espeak": "giọng eSpeak NG (không cần Internet)",
    "recording": "bản ghi âm sẵn",
}


class UnknownEngine(BroadcasterError):
    """A configured or requested engine name is not registered."""


def create_engine(name: str, settings: SpeechSettings) -> SpeechEngine:
    """Build the engine called `name`; an unknown name is an error listing the valid ones."""
    factory = ENGINES.get(name)
    if factory is None:
        valid = ", ".join(sorted(ENGINES))
        raise UnknownEngine(f"không có bộ máy đọc '{name}': chọn một trong {valid}")
    return factory(settings)
