"""The numpy meter, limiter and voice band filter, checked against pyloudnorm and ffmpeg's ebur128."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from broadcaster.audio import loudness
from tests.audio.conftest import ebur128
from tests.factories import speechlike, tone, write_wav

RATE = 44100


@pytest.mark.parametrize("seed,level", [(0, 0.1), (1, 0.5), (2, 0.9)])
def test_integrated_loudness_agrees_with_pyloudnorm(seed: int, level: float) -> None:
    x = speechlike(12, RATE, seed=seed, level=level)
    ours = loudness.integrated_loudness(x, RATE)
    theirs = pyloudnorm.Meter(RATE).integrated_loudness(x.astype(np.float64))
    assert ours == pytest.approx(theirs, abs=0.2)


def test_silence_and_short_audio_have_no_loudness() -> None:
    assert loudness.integrated_loudness(np.zeros(RATE, np.float32), RATE) == float("-inf")
    assert loudness.integrated_loudness(tone(0.2, hz=1000), RATE) == float("-inf")


def test_true_peak_sees_the_peak_between_samples() -> None:
    # a quarter-sample-rate sine sampled at ±45°: every sample is 0.707 of the real peak (-3 dB)
    n = np.arange(4000)
    x = (0.5 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    sample_peak = 20 * np.log10(np.abs(x).max())
    assert loudness.true_peak_db(x) == pytest.approx(sample_peak + 3.01, abs=0.2)


def test_peaky_speech_needs_the_limiter_and_gets_there(tmp_path: Path) -> None:
    x = loudness.voice_band(speechlike(30, RATE, seed=3), RATE, 200, 7000)
    plr = loudness.true_peak_db(x) - loudness.integrated_loudness(x, RATE)
    assert plr > 16  # linear gain to -16 LUFS alone would put the peak above -1 dBTP
    y = loudness.normalize(x, RATE, -16.0, -2.0)
    assert loudness.integrated_loudness(y, RATE) == pytest.approx(-16.0, abs=0.25)
    assert loudness.true_peak_db(y) <= -2.0 + 1e-3
    measured, peak = ebur128(write_wav(tmp_path / "y.wav", y))
    assert measured == pytest.approx(-16.0, abs=0.5)
    assert peak <= -1.0


def test_limiter_leaves_quiet_audio_alone() -> None:
    x = speechlike(5, RATE, level=0.2)
    assert np.array_equal(loudness.limit(x, RATE, -1.0), x)


@pytest.mark.parametrize("freq,min_cut_db", [(100, 20.0), (10000, 10.0)])
def test_voice_band_attenuates_what_horns_cannot_play(freq: float, min_cut_db: float) -> None:
    def level(f: float) -> float:
        y = loudness.voice_band(tone(2.0, hz=f), RATE, 200, 7000)[RATE // 2 :]  # skip the filter's settling
        return 20 * np.log10(np.sqrt(np.mean(y.astype(np.float64) ** 2)))

    assert level(1000) - level(freq) >= min_cut_db
