"""Click-free joining of separately synthesized chunks (gTTS sends one MP3 per ≤100-character chunk).

Each decoded MP3 carries encoder delay/padding and its own leading and trailing silence; butting them
together leaves gaps and, where a waveform is cut mid-cycle, an audible click. We trim each chunk to its
sound (plus a small margin), fade its edges with a raised cosine and either insert the pause its punctuation
asks for or crossfade straight into the next chunk.
"""

from __future__ import annotations

import numpy as np

__all__ = ["trim_silence", "join_chunks"]

_THRESHOLD = 10 ** (-48 / 20)  # RMS below -48 dBFS counts as silence
_WINDOW = 0.005  # seconds per RMS window
_MARGIN = 0.01  # seconds kept either side of the first/last loud window
_FADE = 0.008  # seconds of fade / crossfade at each join


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Drop leading and trailing silence (and MP3 encoder padding), keeping a few ms of margin."""
    x = np.asarray(samples, dtype=np.float32)
    n = max(1, int(sample_rate * _WINDOW))
    frames = len(x) // n
    if frames == 0:
        return x
    rms = np.sqrt(np.mean(x[: frames * n].reshape(frames, n) ** 2, axis=1))
    loud = np.flatnonzero(rms > _THRESHOLD)
    if loud.size == 0:
        return x[:0]
    margin = int(sample_rate * _MARGIN)
    start = max(0, loud[0] * n - margin)
    end = min(len(x), (loud[-1] + 1) * n + margin)
    return x[start:end]


def _fade_edges(x: np.ndarray, fade: int) -> np.ndarray:
    f = min(fade, len(x) // 2)
    if f <= 0:
        return x
    x = x.copy()
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, f, dtype=np.float32))  # 0 -> 1
    x[:f] *= ramp
    x[-f:] *= ramp[::-1]
    return x


def join_chunks(parts: list[tuple[np.ndarray, float]], sample_rate: int) -> np.ndarray:
    """Join (samples, pause_after_seconds) parts: faded edges, silence for pauses, crossfade for pause 0."""
    fade = max(1, int(sample_rate * _FADE))
    pieces = [(_fade_edges(np.asarray(p, dtype=np.float32), fade), pause) for p, pause in parts if len(p)]
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    out: list[np.ndarray] = []
    tail = pieces[0][0]
    for (chunk, _), (_, pause_before) in zip(pieces[1:], pieces[:-1], strict=True):
        if pause_before > 0:
            out.append(tail)
            out.append(np.zeros(int(sample_rate * pause_before), dtype=np.float32))
            tail = chunk
        else:
            # both edges are already faded with complementary raised cosines: overlap-add them
            f = min(fade, len(tail), len(chunk))
            mixed = tail[len(tail) - f :] + chunk[:f]
            out.append(tail[: len(tail) - f])
            tail = np.concatenate([mixed, chunk[f:]])
    out.append(tail)
    return np.concatenate(out)
