"""Audio test fixtures: speech-like test clips synthesized with numpy (no speech engine needed).

The clips are peaky like real speech (harmonic voiced syllables with sharp onsets, pauses between words), so
loudness normalization without a limiter cannot reach the target; this is what the audio layer must handle.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from broadcaster.models import AudioSettings, Station

__all__ = ["ebur128", "make_station", "speechlike", "tone", "write_wav"]


def speechlike(seconds: float, sample_rate: int = 44100, *, seed: int = 0, level: float = 0.3) -> np.ndarray:
    """Speech-like float32 signal: syllables of 120-260 ms on a gliding 100-220 Hz voice with formant-ish
    harmonics, a fast attack, occasional plosive clicks and 80-400 ms pauses. Crest factor ~ eSpeak's."""
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


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = 44100) -> Path:
    """Write mono float samples as a 16-bit WAV (what speech engines produce)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return path


def make_station(root: Path, **audio: object) -> Station:
    """A minimal station rooted at `root` with its state under root/var; audio settings overridable."""
    root.mkdir(parents=True, exist_ok=True)
    return Station(
        name="Đài truyền thanh xã Tiền Phong",
        commune="Tiền Phong",
        audio=AudioSettings(**audio),  # type: ignore[arg-type]
        root=root,
        state_dir=root / "var",
    )


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return make_station(tmp_path / "schedules")


def ebur128(path: Path) -> tuple[float, float]:
    """Independent meter: ffmpeg's ebur128 filter (peak=true). Returns (integrated LUFS, true peak dBTP)."""
    import re
    import subprocess

    from broadcaster.ffmpeg import ffmpeg_exe

    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def tone(freq: float, seconds: float, sample_rate: int = 44100, level: float = 0.3) -> np.ndarray:
    """A steady sine with 10 ms ramps."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
    return (level * np.sin(2 * np.pi * freq * t) * ramp).astype(np.float32)
