"""The render service and the `render` / `say` commands: cache, fallback and its replacement, failures."""

from __future__ import annotations

import time
import wave
from dataclasses import replace
from pathlib import Path

import pytest
from speech_helpers import make_station, read_wav

from broadcaster.cli import main
from broadcaster.errors import BroadcasterError
from broadcaster.ffmpeg import decode_pcm, run_ffmpeg
from broadcaster.models import Bulletin, Station, Status
from broadcaster.services.approval import migrate_approvals
from broadcaster.speech.render import (
    cached_render,
    content_hash,
    forget_engine_failures,
    render_bulletins,
    render_text,
)

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "Bà con chú ý, ủy ban nhân dân xã thông báo lịch tiếp công dân trong tháng này.",
    "Hưởng ứng khảo sát mức độ hài lòng của người dân đối với dịch vụ hành chính công.",
    "Người dân có thể nộp hồ sơ trực tuyến trên cổng dịch vụ công quốc gia.",
]


def bulletin(i: int, text: str | None = None, **kw: object) -> Bulletin:
    fields: dict[str, object] = {
        "status": Status.APPROVED,
        "text": text if text is not None else TEXTS[i % 3],
    }
    fields.update(kw)
    return Bulletin(id=f"ban-tin-{i}", title=f"Bản tin {i}", topic="cai-cach-hanh-chinh", **fields)  # type: ignore[arg-type]


def espeak_only(tmp_path: Path) -> Station:
    return make_station(tmp_path, engines=("espeak",))


def tone_file(path: Path, seconds: float = 1.0) -> Path:
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"sine=frequency=500:duration={seconds}", str(path)])
    return path


def test_renders_approved_bulletins_then_reuses_them_with_zero_engine_calls(tmp_path: Path) -> None:
    station = espeak_only(tmp_path)
    items = [bulletin(0), bulletin(1), bulletin(2), bulletin(3, status=Status.DRAFT)]
    first = render_bulletins(station, items)
    assert [r.status for r in first.results] == ["rendered"] * 3
    assert first.drafts_skipped == 1 and first.engine_calls == 3
    for r in first.results:
        assert r.render is not None and r.render.engine == "espeak" and r.render.voice == "vi"
        assert r.render.path.is_file() and r.render.duration > 1.0
        assert r.render.path.is_relative_to(station.cache_dir / "speech")
    second = render_bulletins(station, items)
    assert [r.status for r in second.results] == ["cached"] * 3
    assert second.engine_calls == 0
    assert [r.render.path for r in second.results] == [r.render.path for r in first.results]  # type: ignore[union-attr]


def test_one_failing_bulletin_never_stops_the_others(tmp_path: Path) -> None:
    station = espeak_only(tmp_path)
    broken = tmp_path / "hong.mp3"
    broken.write_bytes(b"this is not audio at all" * 10)
    items = [
        bulletin(0),
        bulletin(1, text="   "),
        bulletin(2, text=None, audio=broken),
        bulletin(3, text=None, audio=tmp_path / "khong-co.mp3"),
        bulletin(4),
    ]
    summary = render_bulletins(station, items)
    assert [r.status for r in summary.results] == ["rendered", "failed", "failed", "failed", "rendered"]
    assert not summary.ok
    reasons = [r.reason for r in summary.failed]
    assert "không có chữ" in reasons[0]
    assert "hong.mp3" in reasons[1] and "khong-co.mp3" in reasons[2]


def test_recorded_bulletin_is_decoded_once_and_reused(tmp_path: Path) -> None:
    station = espeak_only(tmp_path)
    audio = tone_file(tmp_path / "ghi-am.mp3", 1.5)
    item = bulletin(0, text=None, audio=audio)
    summary = render_bulletins(station, [item])
    (result,) = summary.results
    assert result.status == "recording" and summary.engine_calls == 0
    assert result.render is not None and result.render.engine == "recording"
    assert result.render.duration == pytest.approx(1.5, abs=0.1)
    samples, rate = read_wav(result.render.path)
    assert rate == station.audio.sample_rate and len(samples) > rate
    assert cached_render(station, item) == result.render


def test_gtts_primary_records_engine_and_voice(tmp_path: Path, fake_google: object) -> None:
    station = make_station(tmp_path)  # default order: gtts, then espeak
    summary = render_bulletins(station, [bulletin(0), bulletin(1)])
    assert [r.status for r in summary.results] == ["rendered", "rendered"]
    for r in summary.results:
        assert r.render is not None
        assert (r.render.engine, r.render.voice, r.render.fallback) == (
            "gtts",
            "vi@translate.google.com.vn",
            False,
        )
        assert read_wav(r.render.path)[1] == 24000


def test_fallback_is_flagged_then_replaced_once_google_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google_down: None
) -> None:
    station = make_station(tmp_path)
    items = [bulletin(0), bulletin(1), bulletin(2)]
    down = render_bulletins(station, items)
    assert [r.status for r in down.results] == ["fallback"] * 3
    for r in down.results:
        assert r.render is not None and r.render.engine == "espeak" and r.render.fallback
        assert "Internet" in r.reason
    assert down.engine_calls == 4  # gTTS tried once, then known down for the rest of the run
    assert cached_render(station, items[0]).fallback  # type: ignore[union-attr]

    soon = render_bulletins(station, items)  # minutes later in the same process: gTTS not even tried
    assert [r.status for r in soon.results] == ["fallback"] * 3 and soon.engine_calls == 0

    forget_engine_failures()  # later (or another process): the cached fallback stays, only gTTS is retried
    still_down = render_bulletins(station, items)
    assert [r.status for r in still_down.results] == ["fallback"] * 3
    assert still_down.engine_calls == 1
    assert [r.render.path for r in still_down.results] == [r.render.path for r in down.results]  # type: ignore[union-attr]

    from gtts_fake import FakeGoogle

    with FakeGoogle() as fake:
        monkeypatch.setenv("BROADCASTER_GTTS_ENDPOINT", fake.url)
        back = render_bulletins(station, items)
        again = render_bulletins(station, items)
    assert [r.status for r in back.results] == ["rendered"] * 3
    assert all(
        r.render is not None and r.render.engine == "gtts" and not r.render.fallback for r in back.results
    )
    assert [r.status for r in again.results] == ["cached"] * 3 and again.engine_calls == 0
    assert cached_render(station, items[0]).engine == "gtts"  # type: ignore[union-attr]


def test_every_engine_failing_is_a_failure_with_each_reason(tmp_path: Path, google_down: None) -> None:
    station = make_station(tmp_path, voice="khong-co-giong-nay")
    (result,) = render_bulletins(station, [bulletin(0)]).results
    assert result.status == "failed"
    assert "gtts" in result.reason and "espeak" in result.reason and "speech.voice" in result.reason


def test_cached_render_never_calls_an_engine(tmp_path: Path, google_down: None) -> None:
    station = espeak_only(tmp_path)
    item = bulletin(0)
    assert cached_render(station, item) is None
    made = render_bulletins(station, [item]).results[0].render
    assert cached_render(station, item) == made
    assert cached_render(station, replace(item, text=TEXTS[1])) is None


def test_content_hash_follows_what_is_said(tmp_path: Path) -> None:
    a, b = bulletin(0), bulletin(1)
    assert content_hash(a) == content_hash(replace(a, title="Tiêu đề khác"))
    assert content_hash(a) != content_hash(b)
    audio = tone_file(tmp_path / "a.wav")
    assert content_hash(bulletin(2, text=None, audio=audio)) != content_hash(
        bulletin(3, text=None, audio=tone_file(tmp_path / "b.wav", 2.0))
    )


def test_progress_and_on_render_are_told_about_every_bulletin(tmp_path: Path) -> None:
    station = espeak_only(tmp_path)
    seen: list[tuple[int, int]] = []
    told: list[str] = []
    render_bulletins(
        station,
        [bulletin(0), bulletin(1)],
        progress=lambda d, t: seen.append((d, t)),
        on_render=lambda b, r: told.append(f"{b.id}:{r.status}"),
    )
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert sorted(told) == ["ban-tin-0:rendered", "ban-tin-1:rendered"]


def test_render_text_with_a_chosen_engine(tmp_path: Path) -> None:
    made = render_text(make_station(tmp_path), "xin chào bà con", engine="espeak")
    assert made.engine == "espeak" and not made.fallback and made.duration > 0.3
    with pytest.raises(BroadcasterError, match="espeak, gtts"):
        render_text(make_station(tmp_path), "xin chào", engine="festival")


@pytest.mark.parametrize("suffix", [".wav", ".mp3"])
def test_say_writes_a_file_to_listen_to(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"thu{suffix}"
    code = main(
        ["say", "xin chào bà con", "-o", str(out), "--engine", "espeak", "--station", str(tmp_path / "s")]
    )
    assert code == 0
    assert decode_pcm(out).size > 22050 * 0.3
    assert "Đã ghi" in capsys.readouterr().out
    if suffix == ".wav":
        with wave.open(str(out)) as w:
            assert w.getframerate() == 22050


def test_say_refuses_an_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "xin chào", "-o", str(tmp_path / "thu.ogg"), "--station", str(tmp_path)]) == 1
    assert ".wav hoặc .mp3" in capsys.readouterr().err


def sample_or_skip() -> None:
    pytest.importorskip("broadcaster.config", exc_type=ImportError)
    if not (ROOT / "schedules" / "station.yaml").is_file():
        pytest.skip("the sample station is not there yet")


def test_render_command_on_the_sample_commune(
    sample_station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_or_skip()
    args = ["render", "--station", str(sample_station_dir), "--engine", "espeak"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "Tổng kết:" in first and "0 lỗi" in first and "Âm thanh nằm trong:" in first
    assert main(args) == 0
    second = capsys.readouterr().out
    assert "0 đã tạo" in second and "có sẵn trong bộ nhớ đệm" in second


def test_render_command_unknown_bulletin_lists_the_known_ones(
    sample_station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_or_skip()
    assert main(["render", "--station", str(sample_station_dir), "--bulletin", "khong-co-ban-nay"]) == 1
    assert "khong-co-ban-nay" in capsys.readouterr().err


def test_same_text_rendered_concurrently_leaves_one_valid_entry(tmp_path: Path, google_down: None) -> None:
    """Six bulletins with one text rendered by four workers (eSpeak takes differ by a few samples)."""
    station = make_station(tmp_path, gtts_concurrency=4)
    items = [bulletin(i, text=TEXTS[0]) for i in range(6)]
    first = render_bulletins(station, items)
    assert {r.status for r in first.results} == {"fallback"}
    again = render_bulletins(station, items)
    assert [r.status for r in again.results] == ["fallback"] * 6
    assert again.engine_calls == 0  # gTTS remembered as down, every eSpeak take from the cache
    assert len({r.render.path for r in again.results if r.render}) == 1


def test_render_text_skips_an_engine_that_just_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Idents and emergencies are spoken one at a time: a dead network costs one timeout, not one each."""
    from gtts_fake import FakeGoogle

    station = make_station(tmp_path, gtts_timeout=0.5)
    with FakeGoogle(script=["hang"] * 10, hang_seconds=2.0) as fake:
        monkeypatch.setenv("BROADCASTER_GTTS_ENDPOINT", fake.url)
        first = render_text(station, "xin chào bà con")
        assert (first.engine, first.fallback) == ("espeak", True)
        start = time.monotonic()
        for i in range(3):
            assert render_text(station, f"thông báo số {i}").engine == "espeak"
        assert time.monotonic() - start < 1.0
        assert len(fake.texts) == 1


def test_render_command_reports_a_broken_recording_and_exits_1(
    sample_station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_or_skip()
    from broadcaster.config import load_bulletins, load_station

    recorded = [
        b for b in load_bulletins(load_station(sample_station_dir))[0] if b.audio is not None and b.approved
    ]
    if not recorded:
        pytest.skip("the sample has no approved pre-recorded bulletin")
    recorded[0].audio.write_bytes(b"\x00garbage, not audio" * 50)  # type: ignore[union-attr]
    # new bytes are new content: approve them again, so render is what finds them broken
    path = sample_station_dir / "bulletins" / f"{recorded[0].id}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("approved_hash:")) + "\n",
                    encoding="utf-8")
    migrate_approvals(sample_station_dir)
    assert main(["render", "--station", str(sample_station_dir), "--engine", "espeak"]) == 1
    out = capsys.readouterr().out
    assert f"{recorded[0].id}: lỗi" in out and recorded[0].audio.name in out  # type: ignore[union-attr]
    assert "1 lỗi" in out and "0 đã tạo" not in out  # the other bulletins were still rendered
