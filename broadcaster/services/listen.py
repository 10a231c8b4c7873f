"""What the officer hears before saving: the text as it will be read (normalized), and "Nghe thử" — the text
spoken by the station's own engines in their fallback order, saying which engine spoke it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from broadcaster.errors import ConfigError
from broadcaster.models import Station
from broadcaster.speech.normalize import load_dictionary, normalize
from broadcaster.speech.render import describe_engine, render_text, speech_cache

__all__ = ["Heard", "MAX_LISTEN_CHARS", "heard_file", "listen", "reading"]

MAX_LISTEN_CHARS = 20000
_KEY = re.compile(r"[0-9a-f]{16,128}")


def reading(station: Station, text: str) -> str:
    """How the text will be read aloud (the same normalizer and dictionary as the station)."""
    try:
        dictionary = load_dictionary(station)
    except ConfigError:
        dictionary = load_dictionary(None)  # a broken station dictionary: the built-in one still shows a reading
    return normalize(text[:MAX_LISTEN_CHARS], dictionary)


@dataclass(frozen=True)
class Heard:
    key: str  # render cache key: the page fetches the audio by it
    engine: str  # engine name
    engine_label: str  # as the officer reads it
    fallback: bool  # spoken by a later engine than the station's first (offline voice while gTTS is down)
    duration: float


def listen(station: Station, text: str) -> Heard:
    """Speak `text` with the station's engines (cached); raises SpeechError when none can."""
    made = render_text(station, text[:MAX_LISTEN_CHARS])
    return Heard(made.key, made.engine, describe_engine(made.engine), made.fallback, made.duration)


def heard_file(station: Station, key: str) -> Path | None:
    """The WAV of a render cache key, or None (anything but a plain hex key is refused: no path tricks)."""
    if not _KEY.fullmatch(key):
        return None
    entry = speech_cache(station).get(key)
    return entry.wav if entry is not None else None
