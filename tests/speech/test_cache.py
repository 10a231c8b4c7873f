"""The content-addressed render cache: keys, layout, atomic entries that survive a power cut."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from broadcaster.speech.cache import RenderCache, cache_key
from broadcaster.wav import write_wav

BASE = ("espeak", "vi", "xin chào bà con", '{"rate": 175}')


@pytest.mark.parametrize(
    "changed",
    [
        ("gtts", "vi", "xin chào bà con", '{"rate": 175}'),
        ("espeak", "vi-VN-x-south", "xin chào bà con", '{"rate": 175}'),
        ("espeak", "vi", "xin chào bà con.", '{"rate": 175}'),
        ("espeak", "vi", "xin chào bà con", '{"rate": 200}'),
    ],
    ids=["engine", "voice", "text", "settings"],
)
def test_every_component_changes_the_key(changed: tuple[str, str, str, str]) -> None:
    assert cache_key(*changed) != cache_key(*BASE)


def test_key_is_stable_across_runs() -> None:
    assert cache_key(*BASE) == cache_key(*BASE)
    assert len(cache_key(*BASE)) == 64


def put_tone(cache: RenderCache, key: str, seconds: float = 0.5) -> None:
    tmp = cache.temp_wav(key)
    write_wav(tmp, np.zeros(int(22050 * seconds), np.float32) + 0.1, 22050)
    cache.put(key, tmp, {"engine": "espeak", "voice": "vi", "text": "xin chào"})


def test_entry_layout_and_metadata(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "speech")
    key = cache_key(*BASE)
    assert cache.get(key) is None
    put_tone(cache, key, 0.5)
    entry = cache.get(key)
    assert entry is not None
    assert entry.wav == tmp_path / "speech" / key[:2] / f"{key}.wav"
    meta = json.loads((tmp_path / "speech" / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    assert meta["engine"] == "espeak" and meta["voice"] == "vi" and meta["text"] == "xin chào"
    assert meta["created"] and meta["duration"] == pytest.approx(0.5, abs=0.001)
    assert entry.duration == pytest.approx(0.5, abs=0.001)
    assert sorted(p.name for p in entry.wav.parent.iterdir()) == sorted(
        [f"{key}.wav", f"{key}.json"]
    )  # no temp


@pytest.mark.parametrize("damage", ["truncated wav", "missing metadata", "garbage metadata", "missing wav"])
def test_half_written_entry_is_not_taken_for_a_render(tmp_path: Path, damage: str) -> None:
    """A power cut between writes (or a damaged disk) must never yield a short or silent bulletin."""
    cache = RenderCache(tmp_path / "speech")
    key = cache_key(*BASE)
    put_tone(cache, key)
    wav, meta = cache.paths(key)
    if damage == "truncated wav":
        wav.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])
    elif damage == "missing metadata":
        meta.unlink()
    elif damage == "garbage metadata":
        meta.write_text("{not json", encoding="utf-8")
    else:
        wav.unlink()
    assert cache.get(key) is None
    put_tone(cache, key)  # rendering again repairs it
    assert cache.get(key) is not None

