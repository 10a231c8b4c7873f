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
    "integrated_loudness",
    "true_peak_db",
    "limit",
    "normalize",
    "voice_band",
    "OVERSAMPLE",
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


def _block_powers(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal over 400 ms blocks overlapping by 75 % (BS.1770 gating blocks)."""
    weighted = signal.sosfilt(_k_weighting(sample_rate), samples.astype(np.float64))
    block, hop = int(round(0.4 * sample_rate)), int(round(0.1 * sample_rate))
    if weighted.size < block:
        return np.empty(0)
    cumulative = np.concatenate(([0.0], np.cumsum(weighted * weighted)))
    starts = np.arange(0, weighted.size - block + 1, hop)
    return (cumulative[starts + block] - cumulative[starts]) / block


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS of a mono signal; -inf for silence or audio shorter than one 400 ms block."""
    powers = _block_powers(samples, sample_rate)
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


def _limiter_gain(
    peaks: np.ndarray, sample_rate: int, ceiling: float, lookahead: float, release_db_per_s: float
) -> np.ndarray:
    """Per-sample gain keeping `peaks * gain` under `ceiling`, computed on 1.5 ms blocks without a Python loop.

    A look-ahead minimum filter holds each block's need over the blocks before it, a cumulative minimum gives a
    release linear in dB, and a box average over the previous `ahead` blocks smooths the attack. Every block
    averaged looks past the current one, so the gain at each sample is at most what that sample needs.
    """
    n = peaks.size
    need = np.minimum(1.0, ceiling / np.maximum(peaks.astype(np.float64), 1e-12))
    block = max(1, int(sample_rate * 0.0015))
    nblocks = -(-n // block)
    padded = np.ones(nblocks * block)
    padded[:n] = need
    per_block = padded.reshape(nblocks, block).min(axis=1)
    ahead = max(1, int(round(lookahead * sample_rate / block)))
    size = 2 * ahead + 2  # window [b-1, b+2*ahead] (the ramp into block b+1 must also respect block b+1)
    held = minimum_filter1d(per_block, size=size, origin=-(size // 2) + 1, mode="nearest")
    held_db = 20 * np.log10(held)
    steps = np.arange(nblocks) * (release_db_per_s * block / sample_rate)
    env_db = np.minimum(0.0, np.minimum.accumulate(held_db - steps) + steps)
    smooth_db = np.convolve(np.concatenate((np.zeros(ahead - 1), env_db)), np.ones(ahead) / ahead, "valid")
    # linear ramp inside each block from its gain to the next one's (both within what the two blocks need)
    start = (10 ** (smooth_db / 20)).astype(np.float32)
    end = np.append(start[1:], start[-1])
    ramp = np.arange(block, dtype=np.float32) / np.float32(block)
    return (start[:, None] + (end - start)[:, None] * ramp[None, :]).reshape(-1)[:n]


def limit(
    samples: np.ndarray,
    sample_rate: int,
    ceiling_db: float,
    *,
    lookahead: float = 0.005,
    release_db_per_s: float = 200.0,
    peaks: np.ndarray | None = None,
    check: bool = True,
) -> np.ndarray:
    """Look-ahead limiter on the 4x oversampled true peak: returns float32 samples with true peak ≤ ceiling.

    `peaks` (from the unscaled signal, times any gain already applied) saves re-measuring; `check` re-measures
    the output and trims any interpolation residue.
    """
    x = samples.astype(np.float32)
    if x.size == 0:
        return x
    ceiling = 10 ** (ceiling_db / 20)
    if peaks is None:
        peaks = _oversampled_peaks(x)
    if peaks.max() > ceiling:
        x = x * _limiter_gain(peaks, sample_rate, ceiling, lookahead, release_db_per_s)
    if check:
        residue = true_peak_db(x)
        if residue > ceiling_db:
            x *= np.float32(10 ** ((ceiling_db - residue) / 20))
    return x


def normalize(
    samples: np.ndarray,
    sample_rate: int,
    target_lufs: float,
    ceiling_db: float,
    *,
    tolerance: float = 0.2,
    rounds: int = 4,
) -> np.ndarray:
    """Bring a clip to `target_lufs` integrated with true peak ≤ `ceiling_db`: gain, limit, re-measure, repeat.

    Limiting lowers loudness, so the gain is raised by the shortfall and the limiter run again (2-3 rounds for
    eSpeak speech). The oversampled peaks are measured once: they scale with the gain. Silence and clips
    shorter than one gating block are only peak-limited.
    """
    x = samples.astype(np.float32)
    measured = integrated_loudness(x, sample_rate)
    if not math.isfinite(measured):
        return limit(x, sample_rate, ceiling_db)
    peaks = _oversampled_peaks(x)
    gain_db = target_lufs - measured
    out = x
    tried: list[tuple[float, float]] = []  # (gain dB, loudness reached)
    for _ in range(rounds):
        gain = 10 ** (gain_db / 20)
        out = limit(x * np.float32(gain), sample_rate, ceiling_db, peaks=peaks * np.float32(gain), check=False)
        reached = integrated_loudness(out, sample_rate)
        if abs(reached - target_lufs) <= tolerance:
            break
        tried.append((gain_db, reached))
        # limiting compresses, so loudness grows by less than the gain: use the slope seen so far (secant)
        slope = 1.0
        if len(tried) >= 2 and tried[-1][0] != tried[-2][0]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
            slope = min(1.0, max(0.2, slope))
        gain_db += (target_lufs - reached) / slope
    residue = true_peak_db(out)
    if residue > ceiling_db:
        out *= np.float32(10 ** ((ceiling_db - residue) / 20))
    return out


def voice_band(samples: np.ndarray, sample_rate: int, low: float, high: float, order: int = 4) -> np.ndarray:
    """Butterworth band-pass for horn loudspeakers: they cannot reproduce lows (they only distort) or highs."""
    nyquist = sample_rate / 2
    high = min(high, nyquist * 0.95)
    sos = signal.butter(order, [low, high], btype="bandpass", fs=sample_rate, output="sos")
    return signal.sosfilt(sos, samples.astype(np.float64)).astype(np.float32)
