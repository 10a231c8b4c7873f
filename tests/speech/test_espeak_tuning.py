"""The offline voice's tuning (chosen with scripts/bench_intelligibility) is really applied: slower, with gaps
between words and, when asked, pauses at sentence ends; every change of tuning is a new render (cache key)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from broadcaster.models import SpeechSettings
from broadcaster.speech.engines import _espeak
from broadcaster.speech.engines._espeak import BASELINE, TUNING, EspeakEngine, EspeakTuning
from broadcaster.speech.engines._espeak_respell import respell, split_phonemes

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Ủy ban nhân dân xã thông báo lịch tiêm chủng. Bà con đưa trẻ đến trạm y tế đúng giờ."


def _seconds(engine: EspeakEngine) -> float:
    return len(engine.synthesize_samples(TEXT)) / 22050


def test_default_voice_is_the_tuned_one_and_slower_than_espeaks_own() -> None:
    assert TUNING != BASELINE
    tuned, before = _seconds(EspeakEngine(SpeechSettings())), _seconds(EspeakEngine(SpeechSettings(), BASELINE))
    assert tuned > before * 1.15  # slower speech and gaps between words: listeners (and the recognizer) keep up


def test_station_speed_still_scales_the_tuned_rate() -> None:
    assert EspeakEngine(SpeechSettings(speed=1.5)).rate == round(TUNING.rate_wpm * 1.5)
    assert _seconds(EspeakEngine(SpeechSettings(speed=1.5))) < _seconds(EspeakEngine(SpeechSettings()))


def test_sentence_pauses_lengthen_the_audio_without_reading_markup() -> None:
    plain = EspeakTuning(rate_wpm=150)
    paused = replace(plain, sentence_pause_ms=900)
    gained = _seconds(EspeakEngine(SpeechSettings(), paused)) - _seconds(EspeakEngine(SpeechSettings(), plain))
    assert 0.5 < gained < 2.0  # one sentence break of 0.9 s (plus the final one), the tags themselves unspoken


def test_every_tuning_is_its_own_render_and_old_renders_keep_their_key() -> None:
    keys = {EspeakEngine(SpeechSettings(), t).settings_key() for t in (BASELINE, TUNING, replace(TUNING, word_gap=3))}
    assert len(keys) == 3
    assert "tuning" not in EspeakEngine(SpeechSettings(), BASELINE).settings_key()


def test_bench_says_plainly_when_the_recognizer_is_missing(tmp_path: Path) -> None:
    (tmp_path / "vietasr.py").write_text("raise ImportError('no wheel for this platform')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_intelligibility")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "viet-asr is not installed" in done.stdout and "pip install --pre" in done.stdout


def test_respelling_sends_espeaks_own_phonemes_with_the_corrections() -> None:
    engine = EspeakEngine(SpeechSettings())
    engine.check()
    spelled = respell(_espeak._State.lib, "Độ ẩm cao, không được chủ quan. Các hộ dân chú ý!", ("d", "stress"))
    assert spelled.count("[[") == 3 and "]], [[" in spelled and "]]. [[" in spelled and spelled.endswith("]]!")
    inside = "".join(piece for is_phonemes, piece in split_phonemes(spelled) if is_phonemes)
    assert "d_" not in inside and "," not in inside  # đ as plain d; no weakened (secondary-stress) syllable
    assert "d'o6" in inside  # "độ" itself, tone 6 kept
    spelled = respell(_espeak._State.lib, "Xã có sáu thôn, dân giờ rồi", ("stress", "s", "z"))
    assert "S'a:5" in spelled and "S'a3w" in spelled and "s'" not in spelled  # s and x as eSpeak's S
    assert spelled.count("Z;'") == 3 and "z'" not in spelled  # d, gi and r as its palatalized Z;
    with pytest.raises(ValueError, match="unknown eSpeak corrections"):
        respell(_espeak._State.lib, "xin chào", ("no-such-correction",))


def test_respelled_speech_says_the_words_not_the_markup() -> None:
    """Phoneme input must be read as phonemes: were the brackets and mnemonics read out as letters, the
    clip would be several times longer than the plain reading."""
    plain = _seconds(EspeakEngine(SpeechSettings(), replace(TUNING, respell=())))
    spelled = _seconds(EspeakEngine(SpeechSettings(), TUNING))
    assert TUNING.respell and 0.9 * plain < spelled < 1.3 * plain
    paused = _seconds(EspeakEngine(SpeechSettings(), replace(TUNING, sentence_pause_ms=900)))
    assert 0.8 < paused - spelled < 2.5  # SSML pauses (two of 0.9 s) still work between phoneme pieces
