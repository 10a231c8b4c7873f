"""gTTS's own code against the fake Google endpoint: success, retries, errors, timeouts, joins, pool"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from gtts_fake import SECONDS_PER_CHAR, BlackHole, FakeGoogle, closed_port_url
from speech_helpers import read_wav

from broadcaster.errors import EngineUnavailable, SpeechError
from broadcaster.models import SpeechSettings
from broadcaster.speech import online
from broadcaster.speech.engines._gtts import GttsEngine, split_text
from broadcaster.speech.engines._join import join_chunks, trim_silence

TEXT = (
    "Ủy ban nhân dân xã Tiền Phong thông báo: về việc khảo sát mức độ hài lòng của người dân năm nay, "
    "bà con chú ý theo dõi và tham gia đầy đủ, đúng giờ. Một câu rất dài không có dấu câu nào để xem "
    "thư viện chia đoạn như thế nào khi vượt quá một trăm ký tự liền nhau trong văn bản thông báo của xã"
)


def engine_for(fake_url: str, **settings: object) -> GttsEngine:
    return GttsEngine(
        SpeechSettings(**{"gtts_retries": 2, "gtts_timeout": 3.0, **settings}),  # type: ignore[arg-type]
        endpoint=fake_url,
        backoff=0.01,
    )


def test_chunks_stay_under_googles_limit_and_keep_every_word() -> None:
    chunks = split_text(TEXT)
    assert len(chunks) >= 3
    assert all(len(c.text) <= 100 for c in chunks)
    assert " ".join(c.text for c in chunks).replace(":", "").replace(",", "").replace(".", "").split() == (
        TEXT.replace(":", "").replace(",", "").replace(".", "").split()
    )


def test_pause_follows_the_punctuation() -> None:
    chunks = split_text(
        "Bà con chú ý lắng nghe thông báo sau đây của ủy ban nhân dân xã về việc khảo sát. " * 2
    )
    assert chunks[0].pause_after > 0.3  # a full stop: a sentence pause


def test_success_writes_one_wav_from_every_chunk(tmp_path: Path) -> None:
    with FakeGoogle() as fake:
        engine_for(fake.url).synthesize(TEXT, tmp_path / "g.wav")
    samples, rate = read_wav(tmp_path / "g.wav")
    assert rate == 24000
    assert len(fake.texts) == len(split_text(TEXT))
    assert all(len(t) <= 100 for t in fake.texts)
    tone = sum(0.2 + SECONDS_PER_CHAR * len(t) for t in fake.texts)
    # every chunk's tone is there, encoder padding trimmed, pauses added: close to the sum of the tones
    assert tone - 0.3 < len(samples) / rate < tone + 1.2


def silent_gaps(samples: np.ndarray, rate: int, min_seconds: float = 0.02) -> int:
    """Internal runs of silence at least min_seconds long (leading/trailing silence not counted)."""
    loud = np.flatnonzero(np.abs(samples) > 0.002)
    inner = np.abs(samples[loud[0] : loud[-1] + 1]) <= 0.002
    edges = np.diff(np.r_[0, inner.astype(np.int8), 0])
    lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return int(np.sum(lengths >= min_seconds * rate))


def test_joins_have_no_clicks_and_no_padding_gaps(tmp_path: Path) -> None:
    chunks = split_text(TEXT)
    assert any(c.pause_after == 0 for c in chunks[:-1])  # the text has a mid-sentence split
    with FakeGoogle() as fake:
        engine_for(fake.url).synthesize(TEXT, tmp_path / "g.wav")
    samples, rate = read_wav(tmp_path / "g.wav")
    # a 440 Hz tone at this level moves at most ~0.035 per sample; a click jumps far more
    assert np.abs(np.diff(samples)).max() < 0.06
    # silence only where the punctuation asks for a pause: no padding gap at the mid-sentence joins
    assert silent_gaps(samples, rate) == sum(1 for c in chunks[:-1] if c.pause_after > 0)


@pytest.mark.parametrize("pause", [0.0, 0.2])
def test_join_of_waves_cut_mid_cycle_does_not_click(pause: float) -> None:
    rate = 24000
    t = np.arange(int(0.3 * rate)) / rate
    a = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[:-37]  # ends mid-cycle, near a peak
    b = (0.5 * np.cos(2 * np.pi * 330 * t)).astype(np.float32)  # starts at full amplitude
    assert np.abs(np.diff(np.concatenate([a, b]))).max() > 0.3  # the click we must avoid
    joined = join_chunks([(a, pause), (b, 0.0)], rate)
    assert np.abs(np.diff(joined)).max() < 0.06
    assert abs(len(joined) - (len(a) + len(b) + pause * rate)) < 0.02 * rate


def test_trim_removes_padding_but_keeps_the_sound() -> None:
    rate = 24000
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)).astype(np.float32)
    padded = np.concatenate([np.zeros(1105, np.float32), tone, np.zeros(2000, np.float32)])
    trimmed = trim_silence(padded, rate)
    assert len(tone) <= len(trimmed) <= len(tone) + 0.03 * rate


def test_429_is_retried_then_succeeds(tmp_path: Path) -> None:
    with FakeGoogle(script=[429]) as fake:
        engine = engine_for(fake.url)
        engine.synthesize("xin chào bà con", tmp_path / "g.wav")
    assert fake.statuses == [429, 200]
    assert engine.requests_sent == 2
    assert read_wav(tmp_path / "g.wav")[0].size > 0


def test_5xx_is_retried_with_backoff(tmp_path: Path) -> None:
    with FakeGoogle(script=[503, 500]) as fake:
        engine_for(fake.url).synthesize("xin chào bà con", tmp_path / "g.wav")
    assert fake.statuses == [503, 500, 200]


def test_500_that_persists_fails_the_engine_with_a_message(tmp_path: Path) -> None:
    with FakeGoogle(script=[500] * 10) as fake:
        with pytest.raises(EngineUnavailable, match="500"):
            engine_for(fake.url, gtts_retries=1).synthesize("xin chào bà con", tmp_path / "g.wav")
    assert fake.statuses == [500, 500]  # one try and one retry, no more
    assert not (tmp_path / "g.wav").exists() or (tmp_path / "g.wav").stat().st_size == 0


def test_timeout_fails_fast_instead_of_hanging(tmp_path: Path) -> None:
    with FakeGoogle(script=["hang"], hang_seconds=3.0) as fake:
        start = time.monotonic()
        with pytest.raises(EngineUnavailable, match="Internet"):
            engine_for(fake.url, gtts_timeout=0.3, gtts_retries=0).synthesize("xin chào", tmp_path / "g.wav")
        assert time.monotonic() - start < 2.0


def test_connection_refused_says_check_the_internet(tmp_path: Path) -> None:
    engine = engine_for(closed_port_url(), gtts_retries=1)
    with pytest.raises(EngineUnavailable, match="kiểm tra kết nối Internet"):
        engine.synthesize("xin chào", tmp_path / "g.wav")
    assert engine.requests_sent == 1  # a dead network is not retried: the breaker takes over
    with pytest.raises(EngineUnavailable):
        engine.check()


def test_a_black_hole_network_fails_once_within_the_read_timeout(tmp_path: Path) -> None:
    """A server that accepts and never answers: one attempt per chunk, given up after the read timeout."""
    with BlackHole() as hole:
        engine = engine_for(hole.url, gtts_timeout=0.5, gtts_retries=3)
        with pytest.raises(EngineUnavailable, match="không trả lời trong thời gian chờ"):
            engine.synthesize("xin chào bà con", tmp_path / "g.wav")
    assert hole.connections == 1 and engine.requests_sent == 1


def test_after_a_network_failure_the_breaker_skips_gtts_at_once_then_tries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(online, "BREAKER_SECONDS", 0.6)
    with BlackHole() as hole:
        engine = engine_for(hole.url, gtts_timeout=0.3)
        with pytest.raises(EngineUnavailable):
            engine.synthesize("xin chào", tmp_path / "g.wav")
        start = time.monotonic()
        with pytest.raises(EngineUnavailable, match="tạm không dùng giọng Google"):
            engine_for(hole.url, gtts_timeout=0.3).synthesize("xin chào", tmp_path / "g.wav")
        assert time.monotonic() - start < 0.2 and hole.connections == 1  # no request while open
    with FakeGoogle() as fake:
        fake_engine = engine_for(fake.url)
        online.breaker(fake_engine.breaker_key).trip("thử")
        with pytest.raises(EngineUnavailable):
            fake_engine.synthesize("xin chào", tmp_path / "g.wav")
        time.sleep(0.7)  # the breaker's time is up: the next render tries Google again, and it answers
        fake_engine.synthesize("xin chào", tmp_path / "g.wav")
        assert not online.breaker(fake_engine.breaker_key).blocked()
    assert read_wav(tmp_path / "g.wav")[0].size > 0


def test_probe_says_whether_google_answers() -> None:
    with FakeGoogle() as fake:
        assert online.probe_gtts(tld="com.vn", read_timeout=2.0, endpoint=fake.url) == ""
    with BlackHole() as hole:
        assert "không trả lời" in online.probe_gtts(tld="com.vn", read_timeout=0.3, endpoint=hole.url)
    assert "từ chối" in online.probe_gtts(tld="com.vn", read_timeout=0.3, endpoint=closed_port_url())


def test_answer_without_audio_is_a_speech_error_not_retried(tmp_path: Path) -> None:
    with FakeGoogle(script=["noaudio"]) as fake:
        with pytest.raises(SpeechError):
            engine_for(fake.url).synthesize("xin chào", tmp_path / "g.wav")
    assert fake.statuses == ["noaudio"]


def test_chunks_are_fetched_concurrently_but_bounded(tmp_path: Path) -> None:
    text = "Bà con chú ý lắng nghe thông báo của ủy ban nhân dân xã về việc khảo sát hài lòng. " * 8
    with FakeGoogle(latency=0.15) as fake:
        engine = engine_for(fake.url, gtts_concurrency=3)
        start = time.monotonic()
        engine.synthesize(text, tmp_path / "g.wav")
        elapsed = time.monotonic() - start
    assert len(fake.texts) == 8
    assert fake.max_in_flight == 3
    assert elapsed < 8 * 0.15  # sequential would take at least this
