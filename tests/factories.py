"""Builders for what tests (and the benchmarks in scripts/) start from: stations and bulletins in memory, a
station directory on disk, and WAV audio. Plain functions with sensible defaults; a test overrides only what
it is about, so the difference stays visible where it matters.

    from tests import factories as make
    make.station(tmp_path, speech=SpeechSettings(engines=("espeak",)))  # root tmp_path, state tmp_path/var
    make.bulletin("papi", zones=("dong",))                               # approved, "xin chào", every village
    make.station_dir(tmp_path, STATION_YAML, {"tin": BULLETIN_YAML})     # -> tmp_path/schedules
    make.write_wav(tmp_path / "tin.wav", make.speechlike(8, seed=4))     # 16-bit mono through broadcaster.wav
    make.tone_wav(tmp_path / "khan.wav", 1.5, hz=1200)

No pytest here: `scripts/bench_*` import this module after `scripts/setup` alone (without the test extras).
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Mapping
from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from broadcaster.models import (
    AudioSettings,
    Bulletin,
    OutputConfig,
    PlayoutSettings,
    Slot,
    SpeechSettings,
    Station,
    Status,
    Zone,
)
from broadcaster.wav import write_wav as _write_mono16

__all__ = [
    "JINGLES",
    "RATE",
    "SESSIONS",
    "VILLAGES",
    "bulletin",
    "speechlike",
    "station",
    "station_dir",
    "silent_wav",
    "tone",
    "tone_wav",
    "write_jingles",
    "write_wav",
]

RATE = 44100

# The default commune: three villages on the one output, no relays (always on) ...
VILLAGES: tuple[Zone, ...] = (Zone("dong", "Thôn Đông"), Zone("tay", "Thôn Tây"), Zone("nam", "Thôn Nam"))
# ... and a morning and an afternoon session of 10 minutes each.
SESSIONS: tuple[Slot, ...] = (
    Slot("sang", "Buổi sáng", time(6, 30), 10),
    Slot("chieu", "Buổi chiều", time(17, 0), 10),
)

# The station's own jingles as AudioSettings fields, relative to the station directory (files: write_jingles).
_JINGLE_HZ = {"opening": 523.0, "closing": 392.0, "chime": 659.0, "attention": 988.0}
JINGLES: dict[str, str] = {name: f"../audio/{name}.wav" for name in _JINGLE_HZ}


# ------------------------------------------------------------------------------------------- models in memory


def station(
    root: Path | None = None,
    *,
    name: str = "Đài truyền thanh xã Thử",
    commune: str = "Thử",
    zones: tuple[Zone, ...] = VILLAGES,
    slots: tuple[Slot, ...] = SESSIONS,
    outputs: tuple[OutputConfig, ...] = (OutputConfig(),),
    speech: SpeechSettings | None = None,
    audio: AudioSettings | None = None,
    playout: PlayoutSettings | None = None,
    state_dir: Path | None = None,
    **other: Any,
) -> Station:
    """A station built in code (no files read or written): the default commune above, default settings.

    `root` is the station directory (default: the model's relative `schedules`); `state_dir` defaults to
    `root/var` so everything a test writes stays below its own `root`. `other` sets any other `Station` field
    (window, caps, days_off, timezone, ...).
    """
    if state_dir is None:
        state_dir = Path("var") if root is None else root / "var"
    return Station(
        name=name,
        commune=commune,
        zones=zones,
        slots=slots,
        outputs=outputs,
        speech=speech or SpeechSettings(),
        audio=audio or AudioSettings(),
        playout=playout or PlayoutSettings(),
        root=Path("schedules") if root is None else root,
        state_dir=state_dir,
        **other,
    )


def bulletin(bid: str, **fields: Any) -> Bulletin:
    """An approved text bulletin for every village ("Tin <bid>", "xin chào"); `fields` set any other field."""
    base = Bulletin(
        id=bid, title=f"Tin {bid}", topic="cai-cach-hanh-chinh", text="xin chào", status=Status.APPROVED
    )
    return replace(base, **fields)


# ------------------------------------------------------------------------------------------- files on disk


def _yaml_text(content: str | Mapping[str, Any]) -> str:
    if isinstance(content, str):
        return content
    return yaml.safe_dump(dict(content), allow_unicode=True, sort_keys=False)


def station_dir(
    parent: Path,
    station_yaml: str | Mapping[str, Any],
    bulletins: Mapping[str, str | Mapping[str, Any]] | None = None,
) -> Path:
    """Write `parent/schedules/station.yaml` and `parent/schedules/bulletins/<id>.yaml`; return the directory.

    Each file is given as YAML text (kept as written: line numbers in errors stay meaningful) or as a mapping
    (dumped). Station audio files go beside it in `parent/audio/` (write_jingles).
    """
    root = parent / "schedules"
    (root / "bulletins").mkdir(parents=True, exist_ok=True)
    (root / "station.yaml").write_text(_yaml_text(station_yaml), encoding="utf-8")
    for bid, content in (bulletins or {}).items():
        (root / "bulletins" / f"{bid}.yaml").write_text(_yaml_text(content), encoding="utf-8")
    return root


def write_jingles(
    audio_dir: Path, *, opening: float = 0.3, closing: float = 0.3, chime: float = 0.2, attention: float = 0.3
) -> dict[str, Path]:
    """The station's own opening, closing, chime and attention sounds: short tones of these lengths (seconds),
    each at its own pitch, in `audio_dir` (what `JINGLES` points at from a station directory beside it)."""
    seconds = {"opening": opening, "closing": closing, "chime": chime, "attention": attention}
    return {name: tone_wav(audio_dir / f"{name}.wav", s, hz=_JINGLE_HZ[name]) for name, s in seconds.items()}


# ------------------------------------------------------------------------------------------- audio


def speechlike(seconds: float, sample_rate: int = RATE, *, seed: int = 0, level: float = 0.3) -> np.ndarray:
    """Speech-like float32 signal (deterministic per seed): syllables of 120-260 ms on a gliding 100-220 Hz
    voice with formant-ish harmonics, a fast attack, occasional plosive clicks and 80-400 ms pauses. Crest
    factor ~ eSpeak's: loudness normalization without a limiter cannot reach the target, as with speech."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    out = np.zeros(n, dtype=np.float64)
    pos = int(0.05 * sample_rate)
    while pos < n:
        syl = int(rng.uniform(0.12, 0.26) * sample_rate)
        end = min(n, pos + syl)
        t = np.arange(end - pos) / sample_rate
        f0 = rng.uniform(100, 220) * (1 + rng.uniform(-0.15, 0.15) * t / max(t[-1], 1e-3))
        phase = 2 * np.pi * np.cumsum(f0) / sample_rate
        voiced = sum(np.sin(k * phase) * (1.0 / k) * (2.0 if 3 <= k <= 6 else 1.0) for k in range(1, 16))
        envelope = np.minimum(1.0, t / 0.01) * np.exp(-t * rng.uniform(3, 9))
        out[pos:end] += voiced * envelope * rng.uniform(0.4, 1.0)
        if rng.random() < 0.3:  # plosive burst: what makes real speech peaky
            burst = min(end - pos, int(0.004 * sample_rate))
            out[pos : pos + burst] += rng.uniform(-1, 1, burst) * 2.5
        pos = end + int(rng.choice([0.03, 0.08, 0.15, 0.4]) * sample_rate)
    peak = np.abs(out).max() or 1.0
    return (out / peak * level).astype(np.float32)


def tone(
    seconds: float, hz: float = 440.0, *, sample_rate: int = RATE, level: float = 0.3, fade: float = 0.01
) -> np.ndarray:
    """A steady sine as float32 samples (exactly `int(seconds * sample_rate)` of them), with `fade` seconds of
    linear fade in and out (0: none)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    x = level * np.sin(2 * np.pi * hz * t)
    if fade > 0 and len(t):
        x *= np.minimum(1.0, np.minimum(t, t[-1] - t) / fade)
    return x.astype(np.float32)


def write_wav(
    path: Path, samples: np.ndarray, sample_rate: int = RATE, *, channels: int = 1, width: int = 2
) -> Path:
    """Write float samples in [-1, 1] as a PCM WAV (parent folders created); returns `path`.

    Mono 16-bit (what speech engines produce) goes through `broadcaster.wav`; other layouts (`channels`
    copies of the signal, `width` 1, 3 or 4 bytes: formats players must accept) are written here, rounded the
    same way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if channels == 1 and width == 2:
        _write_mono16(path, samples, sample_rate)
        return path
    x = np.repeat(np.clip(samples, -1.0, 1.0)[:, None], channels, axis=1).reshape(-1)
    full = 2 ** (8 * width - 1) - 1
    if width == 1:
        raw = (np.rint(x * 127) + 128).astype(np.uint8).tobytes()
    elif width == 3:
        v = np.rint(x * full).astype("<i4")
        raw = np.stack([(v >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype(np.uint8).tobytes()
    else:
        raw = np.rint(x * full).astype(f"<i{width}").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(sample_rate)
        w.writeframes(raw)
    return path


def tone_wav(
    path: Path,
    seconds: float,
    hz: float = 440.0,
    *,
    sample_rate: int = RATE,
    level: float = 0.3,
    fade: float = 0.01,
    channels: int = 1,
    width: int = 2,
) -> Path:
    """A sine tone written as a WAV file (see tone and write_wav); returns `path`."""
    samples = tone(seconds, hz, sample_rate=sample_rate, level=level, fade=fade)
    return write_wav(path, samples, sample_rate, channels=channels, width=width)


def silent_wav(path: Path, seconds: float, sample_rate: int = 8000) -> Path:
    """`seconds` of 16-bit mono silence as a sparse file: the header says how long, the disk holds next to
    nothing. For hours-long recordings in tests that check they are never decoded."""
    frames = int(seconds * sample_rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + 2 * frames, b"WAVE", b"fmt ", 16, 1, 1,
                            sample_rate, 2 * sample_rate, 2, 16, b"data", 2 * frames))
        f.truncate(44 + 2 * frames)
    return path
