"""Broadcast-ready clips: decoded, voice-band filtered, loudness-normalized with true-peak limiting, cached.

All the costly audio work happens here, once per source file and audio settings, so building a programme is
only concatenation. Cache: `<state>/cache/clips/<key>.wav` with a `<key>.json` sidecar (duration, sha256), where
key = hash(source bytes, audio settings, processing version).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from broadcaster.audio import loudness
from broadcaster.audio.export import write_json
from broadcaster.errors import AudioError
from broadcaster.ffmpeg import decode_pcm
from broadcaster.models import AudioSettings, Station
from broadcaster.wav import write_wav

__all__ = ["HEADROOM_DB", "Clip", "clip_ceiling_db", "clips_dir", "on_every_cpu", "prepare_clip", "prepare_clips",
           "process", "sha256_file"]

_T = TypeVar("_T")
_R = TypeVar("_R")
_K = TypeVar("_K")

# Clips are limited this far below the station's true-peak ceiling: MP3 encoding adds up to ~0.5 dB of peak
# and meters that oversample to 192 kHz (ffmpeg ebur128) read ~0.3 dB higher than 4x; measured, docs/audio.md.
HEADROOM_DB = 1.0
_VERSION = "clip-v1"  # bump when processing changes: old cache entries are then simply not found
_FADE_SECONDS = 0.005  # edges faded so joins between clips never click


@dataclass(frozen=True)
class Clip:
    """A broadcast-ready clip: mono 16-bit WAV at the station's sample rate, normalized."""

    path: Path
    duration: float  # seconds
    sha256: str  # of the WAV file (the airing log's audio hash)


def clips_dir(station: Station) -> Path:
    return station.cache_dir / "clips"


def clip_ceiling_db(settings: AudioSettings) -> float:
    """The true-peak ceiling clips are limited to (the station's, minus the encoder headroom)."""
    return settings.true_peak_db - HEADROOM_DB


def sha256_file(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise AudioError(f"{path}: không đọc được tệp âm thanh ({exc.strerror or exc})") from exc


def _settings_key(settings: AudioSettings) -> str:
    return json.dumps(
        [_VERSION, settings.sample_rate, settings.loudness_lufs, settings.true_peak_db,
         list(settings.voice_band) if settings.voice_band else None, HEADROOM_DB],
    )


def process(samples: np.ndarray, settings: AudioSettings) -> np.ndarray:
    """Voice-band filter (if configured), normalize to the loudness target under the ceiling, fade the edges."""
    x = samples.astype(np.float32)
    rate = settings.sample_rate
    if settings.voice_band:
        low, high = settings.voice_band
        if not 0 < low < min(high, rate / 2):
            raise AudioError(
                f"audio.voice_band: dải tần [{low}, {high}] Hz không hợp lệ (cần 0 < thấp < cao, thấp < "
                f"{rate // 2} Hz)"
            )
        x = loudness.voice_band(x, rate, low, high)
    x = loudness.normalize(x, rate, settings.loudness_lufs, clip_ceiling_db(settings))
    fade = min(int(_FADE_SECONDS * rate), x.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        x[:fade] *= ramp
        x[-fade:] *= ramp[::-1]
    return x


def prepare_clip(station: Station, source: Path) -> Clip:
    """Return the broadcast-ready clip for an audio file, processing it only if the cache lacks it.

    A missing, empty or corrupt file raises AudioError naming it. A cache hit reads only the small sidecar.
    """
    source = Path(source)
    settings = station.audio
    key = hashlib.sha256(f"{sha256_file(source)}|{_settings_key(settings)}".encode()).hexdigest()[:32]
    wav = clips_dir(station) / f"{key}.wav"
    meta = wav.with_suffix(".json")
    if wav.is_file() and meta.is_file():
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            return Clip(path=wav, duration=float(info["duration"]), sha256=str(info["sha256"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # damaged sidecar: rebuild the entry below
    samples = decode_pcm(source, settings.sample_rate)
    out = process(samples, settings)
    digest = write_wav(wav, out, settings.sample_rate)
    duration = out.size / settings.sample_rate
    write_json(meta, {"duration": duration, "sha256": digest, "source": str(source)})
    return Clip(path=wav, duration=duration, sha256=digest)


def on_every_cpu(fn: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
    """`[fn(x) for x in items]` on one thread per CPU, in order. Clip processing spends its time in numpy/scipy
    and ffmpeg, which release the GIL: about 2x on the 2-core station PC (scripts/bench_programme, cold build).
    An exception from `fn` is raised after every call has finished (no half-written cache entries)."""
    todo = list(items)
    workers = max(1, min(len(todo), os.cpu_count() or 1))
    if workers == 1:
        return [fn(x) for x in todo]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clip") as pool:
        futures = [pool.submit(fn, x) for x in todo]
    return [f.result() for f in futures]


def prepare_clips(station: Station, sources: Mapping[_K, Path]) -> dict[_K, Clip]:
    """`prepare_clip` for many files, on every CPU; the first failure (AudioError naming its file) is raised."""
    keys = list(sources)
    return dict(zip(keys, on_every_cpu(lambda k: prepare_clip(station, sources[k]), keys)))
