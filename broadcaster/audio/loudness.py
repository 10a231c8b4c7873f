"""Loudness measurement (ITU-R BS.1770-4 / EBU R128), true-peak limiting and the voice band filter, in numpy.

Why our own code and not ffmpeg's `loudnorm`: measured on eSpeak speech (see docs/audio.md), the numpy path is
several times faster, never resamples (loudnorm's dynamic mode runs at 192 kHz) and lands within 0.1 LU of the
target with the true peak under the ceiling, which loudnorm's linear mode cannot do for peaky speech.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import signal
from scipy.ndimage import minimum_filter1d

__all__ = [
    "OVERSAMPLE",
    "integrated_loudness",
    "limit",
    "normalize",
    "true_peak_db",
    "voice_band",
]

OVERSAMPLE = 4  # true-peak oversampling factor (BS.1770-4 Annex 2)
_SILENCE_LUFS = -70.0  # absolute gate: anything quieter is treated as silence


def _k_weighting(sample_rate: int) -> np.ndarray:
    """K-weighting pre-filter (shelf + RLB high-pass) as second-order sections, derived for any sample rate.

    Coefficients follow libebur128, which reproduces the BS.1770 48 kHz table exactly and generalizes it.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2 * (k * k - 1) / a0,
        (1 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def _k_weighted_squares(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    weighted = signal.sosfilt(_k_weighting(sample_rate), samples.astype(np.float64))
    return weighted * weighted


def _gating_powers(squares: np.ndarray, block: int, hop: int) -> np.ndarray:
    """Mean of `squares` over windows of `block` entries every `hop` entries (the BS.1770 gating blocks)."""
    if squares.size < block:
        return np.empty(0)
    cumulative = np.concatenate(([0.0], np.cumsum(squares)))
    starts = np.arange(0, squares.size - block + 1, hop)
    return (cumulative[starts + block] - cumulative[starts]) / block


def _gated_loudness(powers: np.ndarray) -> float:
    """BS.1770 gating over 400 ms block powers: absolute gate -70 LUFS, then relative gate -10 LU."""
    if powers.size == 0:
        return float("-inf")
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(powers)
    gated = powers[levels > _SILENCE_LUFS]
    if gated.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * math.log10(gated.mean()) - 10.0
    gated = powers[(levels > _SILENCE_LUFS) & (levels > relative)]
    return -0.691 + 10 * math.log10(gated.mean())


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS of a mono signal; -inf for silence or audio shorter than one 400 ms block."""
    squares = _k_weighted_squares(samples, sample_rate)
    return _gated_loudness(_gating_powers(squares, round(0.4 * sample_rate), round(0.1 * sample_rate)))


@functools.cache
def _interpolator() -> tuple[np.ndarray, ...]:
    """The three fractional phases (1/4, 2/4, 3/4) of a 193-tap Kaiser-windowed 4x interpolation filter.

    Long enough that full-band content (plosives, no voice-band filter) is not under-read: within 0.2 dB of
    ffmpeg's ebur128 true peak on our test speech (see docs/audio.md).
    """
    taps = signal.firwin(_TAPS, 1 / OVERSAMPLE, window=("kaiser", 8.0)) * OVERSAMPLE
    return tuple(taps[p::OVERSAMPLE].astype(np.float32) for p in range(1, OVERSAMPLE))


_TAPS = 193
_DELAY = (_TAPS - 1) // (2 * OVERSAMPLE)  # filter delay in input samples


def _oversampled_peaks(samples: np.ndarray) -> np.ndarray:
    """Per input sample, the largest magnitude of the 4x oversampled signal between it and the next sample.

    Phase 0 of the interpolated signal is the input itself, so only the three fractional phases are filtered.
    """
    x = samples.astype(np.float32)
    peaks = np.abs(x)
    for phase in _interpolator():
        y = signal.oaconvolve(x, phase, mode="full")[_DELAY : _DELAY + x.size]
        np.maximum(peaks, np.abs(y), out=peaks)
    return peaks


def true_peak_db(samples: np.ndarray) -> float:
    """True peak in dBTP (4x oversampled), -inf for digital silence."""
    if samples.size == 0:
        return float("-inf")
    peak = float(_oversampled_peaks(samples).max())
    return 20 * math.log10(peak) if peak > 0 else float("-inf")


_BLOCK_SECONDS = 0.0015  # limiter gain resolution


def _block_size(sample_rate: int) -> int:
    return max(1, int(sample_rate * _BLOCK_SECONDS))


def _per_block(values: np.ndarray, block: int, reduce: np.ufunc, fill: float) -> np.ndarray:
    nblocks = -(-values.size // block)
    padded = np.full(nblocks * block, fill, dtype=values.dtype)
    padded[: values.size] = values
    return reduce.reduce(padded.reshape(nblocks, block), axis=1)


def _block_gains(
    block_peaks: np.ndarray, sample_rate: int, ceiling: float, lookahead: float, release_db_per_s: float
) -> np.ndarray:
    """Limiter gain per 1.5 ms block (the gain at the block's start), keeping every peak under `ceiling`.

    A look-ahead minimum filter holds each block's need over the blocks before it, a cumulative minimum gives a
    release linear in dB, and a box average over the previous `ahead` blocks smooths the attack. Every block
    averaged looks past the current one, so the gain ramp through each block stays under what it needs.
    No Python loop: a minute of audio is ~40,000 blocks.
    """
    block = _block_size(sample_rate)
    per_block = np.minimum(1.0, ceiling / np.maximum(block_peaks.astype(np.float64), 1e-12))
    nblocks = per_block.size
    ahead = max(1, round(lookahead * sample_rate / block))
    size = 2 * ahead + 2  # window [b-1, b+2*ahead] (the ramp into block b+1 must also respect block b+1)
    held = minimum_filter1d(per_block, size=size, origin=-(size // 2) + 1, mode="nearest")
    held_db = 20 * np.log10(held)
    steps = np.arange(nblocks) * (release_db_per_s * block / sample_rate)
    env_db = np.minimum(0.0, np.minimum.accumulate(held_db - steps) + steps)
    smooth_db = np.convolve(np.concatenate((np.zeros(ahead - 1), env_db)), np.ones(ahead) / ahead, "valid")
    return 10 ** (smooth_db / 20)


def _expand(gains: np.ndarray, block: int, n: int) -> np.ndarray:
    """Per-sample gain: a linear ramp through each block from its gain to the next block's."""
    start = gains.astype(np.float32)
    end = np.append(start[1:], start[-1])
    ramp = np.arange(block, dtype=np.float32) / np.float32(block)
    return (start[:, None] + (end - start)[:, None] * ramp[None, :]).reshape(-1)[:n]


def _trim_residue(x: np.ndarray, ceiling_db: float) -> np.ndarray:
    """Scale down by whatever interpolation residue is left above the ceiling (a few hundredths of a dB)."""
    residue = true_peak_db(x)
    if residue > ceiling_db:
        x = x * np.float32(10 ** ((ceiling_db - residue) / 20))
    return x


def limit(
    samples: np.ndarray,
    sample_rate: int,
    ceiling_db: float,
    *,
    lookahead: float = 0.005,
    release_db_per_s: float = 200.0,
) -> np.ndarray:
    """Look-ahead limiter on the 4x oversampled true peak: returns float32 samples with true peak ≤ ceiling.

    200 dB/s release (6 dB back in 30 ms) lets speech get louder between syllables; measured on eSpeak output,
    40 dB/s turned the limiter into a slow gain rider that could not reach -16 LUFS (docs/audio.md).
    """
    x = samples.astype(np.float32)
    if x.size == 0:
        return x
    ceiling = 10 ** (ceiling_db / 20)
    peaks = _oversampled_peaks(x)
    if peaks.max() <= ceiling:
        return x
    block = _block_size(sample_rate)
    gains = _block_gains(_per_block(peaks, block, np.maximum, 0.0), sample_rate, ceiling, lookahead,
                         release_db_per_s)
    return _trim_residue(x * _expand(gains, block, x.size), ceiling_db)


class _Model:
    """Fast loudness of `gain * limit(x)` on 1.5 ms blocks, for the gain search in `normalize`.

    Peaks and K-weighted energy are measured once per block; a round then costs block-level work only
    (tens of thousands of numbers, not millions). Accurate to ~0.1 LU; the result is re-measured exactly.
    """

    def __init__(self, x: np.ndarray, sample_rate: int, ceiling: float, release_db_per_s: float):
        self.rate, self.ceiling, self.release = sample_rate, ceiling, release_db_per_s
        self.block = _block_size(sample_rate)
        self.peaks = _per_block(_oversampled_peaks(x), self.block, np.maximum, 0.0)
        self.energy = _per_block(_k_weighted_squares(x, sample_rate), self.block, np.add, 0.0)
        self.hop = max(1, round(0.1 * sample_rate / self.block))

    def gains(self, gain: float) -> np.ndarray:
        return gain * _block_gains(self.peaks * gain, self.rate, self.ceiling, 0.005, self.release)

    def loudness(self, gain: float) -> float:
        g = self.gains(gain)
        powers = _gating_powers(self.energy * g * g / self.block, 4 * self.hop, self.hop)
        return _gated_loudness(powers)


def normalize(
    samples: np.ndarray,
    sample_rate: int,
    target_lufs: float,
    ceiling_db: float,
    *,
    tolerance: float = 0.2,
    release_db_per_s: float = 200.0,
) -> np.ndarray:
    """Bring a clip to `target_lufs` integrated with true peak ≤ `ceiling_db`: gain into a look-ahead limiter.

    Limiting lowers loudness, so the gain is searched (secant steps on a block-level model, then checked on the
    real output): 2-3 exact measurements per clip. Silence and clips shorter than one gating block are only
    peak-limited.
    """
    x = samples.astype(np.float32)
    measured = integrated_loudness(x, sample_rate)
    if not math.isfinite(measured):
        return limit(x, sample_rate, ceiling_db)
    model = _Model(x, sample_rate, 10 ** (ceiling_db / 20), release_db_per_s)
    gain_db, offset = target_lufs - measured, 0.0  # offset: exact minus modelled loudness
    out = x
    for _ in range(3):
        gain_db = _search(model, gain_db, target_lufs - offset)
        out = x * _expand(model.gains(10 ** (gain_db / 20)), model.block, x.size)
        reached = integrated_loudness(out, sample_rate)
        if abs(reached - target_lufs) <= tolerance:
            break
        offset = reached - model.loudness(10 ** (gain_db / 20))
    return _trim_residue(out, ceiling_db)


def _search(model: _Model, gain_db: float, target: float, rounds: int = 12) -> float:
    """Gain (dB) at which the model reaches `target`: secant steps (loudness grows slower than gain)."""
    tried: list[tuple[float, float]] = []
    for _ in range(rounds):
        reached = model.loudness(10 ** (gain_db / 20))
        if abs(reached - target) <= 0.02:
            break
        tried.append((gain_db, reached))
        slope = 1.0
        if len(tried) >= 2 and tried[-1][0] != tried[-2][0]:
            slope = min(1.0, max(0.05, (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])))
        gain_db += min(12.0, (target - reached) / slope)
    return gain_db


def voice_band(samples: np.ndarray, sample_rate: int, low: float, high: float, order: int = 4) -> np.ndarray:
    """Butterworth band-pass for horn loudspeakers: they cannot reproduce lows (they only distort) or highs."""
    nyquist = sample_rate / 2
    high = min(high, nyquist * 0.95)
    sos = signal.butter(order, [low, high], btype="bandpass", fs=sample_rate, output="sos")
    return signal.sosfilt(sos, samples.astype(np.float64)).astype(np.float32)
