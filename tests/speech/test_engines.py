"""One contract suite over every speech engine (real eSpeak NG; gTTS's own code against the fake endpoint)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from speech_helpers import read_wav

from broadcaster.errors import BroadcasterError, EngineUnavailable, SpeechError
from broadcaster.models import SpeechSettings
from broadcaster.speech.engines import ENGINES, SpeechEngine, create_engine
from broadcaster.speech.engines._espeak import EspeakEngine

SHORT = "xin chào bà con"
LONG = (
    "Ủy ban nhân dân xã thông báo tới toàn thể bà con về việc khảo sát mức độ hài lòng của người dân, "
    "bà con chú ý lắng nghe và tham gia đầy đủ. Xin trân trọng cảm ơn bà con đã theo dõi."
)


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> SpeechEngine:
    if request.param == "gtts":
        request.getfixturevalue("fake_google")
    return create_engine(request.param, SpeechSettings(gtts_retries=0))


def test_engine_writes_mono_wav_of_speech(engine: SpeechEngine, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    engine.synthesize(SHORT, out)
    samples, rate = read_wav(out)
    assert rate in (22050, 24000)
    assert 0.3 < len(samples) / rate < 10
    assert np.sqrt(np.mean(samples**2)) > 0.01  # not silence


def test_longer_text_gives_longer_audio(engine: SpeechEngine, tmp_path: Path) -> None:
    engine.synthesize(SHORT, tmp_path / "short.wav")
    engine.synthesize(LONG, tmp_path / "long.wav")
    short, rate = read_wav(tmp_path / "short.wav")
    long, _ = read_wav(tmp_path / "long.wav")
    assert len(long) > 3 * len(short)


def test_engine_names_itself_and_its_voice(engine: SpeechEngine) -> None:
    assert engine.name in ENGINES
    assert engine.voice
    assert isinstance(engine, SpeechEngine)
    assert engine.settings_key() == engine.settings_key()
    engine.check()  # works here: the library is bundled, the fake endpoint listens


def test_empty_text_is_an_error_not_a_crash(engine: SpeechEngine, tmp_path: Path) -> None:
    with pytest.raises(SpeechError):
        engine.synthesize("   ", tmp_path / "x.wav")


def test_unknown_engine_lists_the_valid_ones() -> None:
    with pytest.raises(BroadcasterError) as err:
        create_engine("festival", SpeechSettings())
    assert "festival" in str(err.value) and "espeak" in str(err.value) and "gtts" in str(err.value)


@pytest.mark.parametrize(
    ("name", "a", "b"),
    [
        ("espeak", SpeechSettings(speed=1.0), SpeechSettings(speed=1.3)),
        ("espeak", SpeechSettings(pitch=50), SpeechSettings(pitch=30)),
        ("gtts", SpeechSettings(gtts_tld="com.vn"), SpeechSettings(gtts_tld="com")),
    ],
)
def test_settings_that_change_the_audio_change_the_settings_key(
    name: str, a: SpeechSettings, b: SpeechSettings
) -> None:
    ea, eb = create_engine(name, a), create_engine(name, b)
    assert (ea.voice, ea.settings_key()) != (eb.voice, eb.settings_key())


def test_gtts_retry_settings_do_not_change_the_key() -> None:
    a = create_engine("gtts", SpeechSettings(gtts_retries=1, gtts_timeout=5))
    b = create_engine("gtts", SpeechSettings(gtts_retries=5, gtts_timeout=20))
    assert a.settings_key() == b.settings_key()


def test_espeak_faster_speed_is_shorter(tmp_path: Path) -> None:
    normal = EspeakEngine(SpeechSettings(speed=1.0)).synthesize_samples(LONG)
    fast = EspeakEngine(SpeechSettings(speed=1.5)).synthesize_samples(LONG)
    assert len(fast) < 0.8 * len(normal)


def test_espeak_writes_at_its_own_rate(tmp_path: Path) -> None:
    EspeakEngine(SpeechSettings()).synthesize(SHORT, tmp_path / "a.wav")
    assert read_wav(tmp_path / "a.wav")[1] == 22050


@pytest.mark.parametrize("voice", ["vi", "vi-VN-x-south", "vi-VN-x-central"])
def test_espeak_vietnamese_voices(voice: str, tmp_path: Path) -> None:
    EspeakEngine(SpeechSettings(voice=voice)).synthesize(SHORT, tmp_path / "v.wav")
    assert len(read_wav(tmp_path / "v.wav")[0]) > 0


def test_espeak_unknown_voice_says_which_key_to_fix(tmp_path: Path) -> None:
    engine = EspeakEngine(SpeechSettings(voice="khong-co-giong-nay"))
    with pytest.raises(EngineUnavailable, match="speech.voice"):
        engine.check()
    with pytest.raises(EngineUnavailable):
        engine.synthesize(SHORT, tmp_path / "x.wav")


def test_espeak_is_safe_from_many_threads() -> None:
    """The library is global state: concurrent callers with different settings each get their own audio."""
    texts = {1.0: LONG, 1.4: SHORT + ". " + LONG}
    expected = {
        speed: EspeakEngine(SpeechSettings(speed=speed)).synthesize_samples(t) for speed, t in texts.items()
    }
    got: list[tuple[float, np.ndarray]] = []
    errors: list[BaseException] = []

    def work(speed: float) -> None:
        try:
            for _ in range(3):
                got.append(
                    (speed, EspeakEngine(SpeechSettings(speed=speed)).synthesize_samples(texts[speed]))
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads: list[threading.Thread] = [threading.Thread(target=work, args=(s,)) for s in (1.0, 1.4, 1.0, 1.4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == 12
    # eSpeak's fricative noise is random, so compare lengths: they follow the text and the speed
    assert abs(len(expected[1.0]) - len(expected[1.4])) > 22050
    for speed, samples in got:
        assert abs(len(samples) - len(expected[speed])) < 0.01 * len(expected[speed])


def test_the_schema_offers_exactly_the_registered_engines() -> None:
    """Speech sits above config, so station.yaml's list of engine names is written once in the schema: this keeps
    it equal to the registry (a new engine must be offered to the officer, a removed one refused by `check`)."""
    from broadcaster.config._schema import KNOWN_ENGINES

    assert set(KNOWN_ENGINES) == set(ENGINES)
