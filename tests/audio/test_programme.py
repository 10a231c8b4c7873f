"""Built programmes, verified with an independent meter (ffmpeg ebur128) and by locating clips in the audio."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import signal

from broadcaster.audio.clips import Clip, prepare_clip
from broadcaster.audio.jingles import station_sounds
from broadcaster.audio.programme import BuiltProgramme, build_programme, closing_text, ident_text, overhead
from broadcaster.errors import AudioError
from broadcaster.ffmpeg import decode_pcm
from broadcaster.models import AudioSettings, Programme, ProgrammeItem, Station
from broadcaster.wav import read_mono16 as read_wav
from tests import factories as make
from tests.audio.conftest import ebur128
from tests.factories import speechlike, write_wav

RATE = 44100
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _programme(day: date = date(2026, 11, 28), n: int = 3) -> Programme:
    items = tuple(
        ProgrammeItem(f"tin-{i}", f"Tin số {i}", frozenset({"thon-dong"} if i % 2 else {"thon-dong", "thon-tay"}),
                      12.0, content_hash=f"hash-{i}")
        for i in range(n)
    )
    return Programme(day, "sang", "main", datetime(day.year, day.month, day.day, 6, 30, tzinfo=TZ), 1800.0, items)


def _build(station: Station, tmp_path: Path, n: int = 3) -> tuple[BuiltProgramme, dict[str, Clip]]:
    clips = {
        f"tin-{i}": prepare_clip(station, write_wav(tmp_path / f"src-{i}.wav", speechlike(12, seed=10 + i)))
        for i in range(n)
    }
    ident = prepare_clip(station, write_wav(tmp_path / "ident.wav", speechlike(5, seed=1, level=0.9)))
    closing = prepare_clip(station, write_wav(tmp_path / "closing.wav", speechlike(6, seed=2, level=0.02)))
    clips["@ident"], clips["@closing"] = ident, closing
    built = build_programme(station, _programme(n=n), clips, tmp_path / "out", ident=ident, closing_speech=closing)
    return built, clips


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuiltProgramme, dict[str, Clip]]:
    tmp = tmp_path_factory.mktemp("programme")
    return _build(make.station(tmp / "schedules"), tmp)


def test_ident_and_closing_texts() -> None:
    station = make.station(name="Đài truyền thanh xã Tiền Phong", commune="Tiền Phong")
    assert ident_text(station, _programme(date(2026, 11, 28))) == (
        "Đây là Đài truyền thanh xã Tiền Phong, chương trình phát thanh buổi sáng thứ Bảy, "
        "ngày 28 tháng 11 năm 2026."
    )
    assert "buổi sáng Chủ nhật, ngày 29 tháng 11" in ident_text(station, _programme(date(2026, 11, 29)))
    assert closing_text(station, _programme()) == (
        "Chương trình phát thanh buổi sáng thứ Bảy, ngày 28 tháng 11 năm 2026 của Đài truyền thanh xã Tiền "
        "Phong đến đây là kết thúc. Cảm ơn bà con đã lắng nghe."
    )


def test_running_order_and_outputs(built: tuple[BuiltProgramme, dict[str, Clip]]) -> None:
    programme, _ = built
    kinds = [i.kind for i in programme.items]
    assert kinds == ["opening", "ident", "chime", "bulletin", "chime", "bulletin", "chime", "bulletin",
                     "closing_speech", "closing"]
    for path in (programme.wav, programme.mp3, programme.m3u8, programme.manifest):
        assert path is not None and path.is_file()
    assert not list(programme.wav.parent.glob(".*.tmp"))
    playlist = programme.m3u8.read_text(encoding="utf-8")
    assert playlist.startswith("#EXTM3U") and programme.mp3 is not None
    assert f"\n{programme.mp3.name}\n" in playlist and "Tin số 2" in playlist
    manifest = json.loads(programme.manifest.read_text(encoding="utf-8"))
    assert manifest["programme"] == "2026-11-28/sang/main" and manifest["date"] == "2026-11-28"
    bulletins = [i for i in manifest["items"] if i["kind"] == "bulletin"]
    assert [(b["bulletin_id"], b["zones"], b["content_hash"]) for b in bulletins] == [
        ("tin-0", ["thon-dong", "thon-tay"], "hash-0"),
        ("tin-1", ["thon-dong"], "hash-1"),
        ("tin-2", ["thon-dong", "thon-tay"], "hash-2"),
    ]
    pcm, rate = read_wav(programme.wav)
    assert manifest["totals"]["duration"] == pytest.approx(pcm.size / rate, abs=0.001)
    assert manifest["totals"]["bulletins"] == 3


def test_every_change_of_villages_falls_in_a_pause(built: tuple[BuiltProgramme, dict[str, Clip]]) -> None:
    """Relays switch and the player restarts where the zones may change, before each chime and before the
    closing: there must be silence there, or the listener hears a break and the next part airs late (the
    closing after a one-village bulletin did)."""
    programme, _ = built
    pause = make.station().audio.pause_seconds
    pcm, rate = read_wav(programme.wav)
    items = sorted(programme.items, key=lambda i: i.offset)
    paused, changes = [], 0
    for prev, item in itertools.pairwise(items):
        gap_start, gap_end = prev.offset + prev.duration, item.offset
        changes += prev.zones != item.zones
        if gap_end - gap_start < 0.001:
            assert prev.zones == item.zones, (prev.kind, item.kind)
            continue
        assert gap_end - gap_start == pytest.approx(pause, abs=0.002), (prev.kind, item.kind)
        assert not pcm[round(gap_start * rate) + 1:round(gap_end * rate) - 1].any(), (prev.kind, item.kind)
        paused.append(item.kind)
    assert paused == ["chime", "bulletin"] * 3 + ["closing_speech"] and changes == 2


@pytest.mark.parametrize("kind", ["wav", "mp3"])
def test_independent_meter_loudness_and_true_peak(built: tuple[BuiltProgramme, dict[str, Clip]],
                                                  kind: str) -> None:
    programme, _ = built
    integrated, peak = ebur128(getattr(programme, kind))
    assert integrated == pytest.approx(-16.0, abs=1.0)
    assert peak <= -1.0


def test_no_voice_band_still_meets_the_meter(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules", audio=AudioSettings(voice_band=None))
    programme, _ = _build(station, tmp_path, n=2)
    for path in (programme.wav, programme.mp3):
        integrated, peak = ebur128(path)
        assert integrated == pytest.approx(-16.0, abs=1.0) and peak <= -1.0


def _locate(audio: np.ndarray, clip: Clip, expected: float) -> float:
    """Where the clip's first 2 s really sit in `audio`, searched ±0.5 s around `expected` by correlation."""
    pcm, rate = read_wav(clip.path)
    needle = pcm[: 2 * rate].astype(np.float64)
    start = max(0, int((expected - 0.5) * rate))
    hay = audio[start : start + needle.size + rate].astype(np.float64)
    corr = signal.correlate(hay, needle, mode="valid", method="fft")
    return (start + int(np.argmax(corr))) / rate


@pytest.mark.parametrize("kind", ["wav", "mp3"])
def test_manifest_offsets_match_the_audio(built: tuple[BuiltProgramme, dict[str, Clip]], kind: str) -> None:
    programme, clips = built
    audio = decode_pcm(getattr(programme, kind), RATE)
    by_key = {**{k: v for k, v in clips.items()}}
    checked = 0
    for item in programme.items:
        key = {"ident": "@ident", "closing_speech": "@closing"}.get(item.kind, item.bulletin_id)
        if key not in by_key:
            continue
        assert _locate(audio, by_key[key], item.offset) == pytest.approx(item.offset, abs=0.010)
        checked += 1
    assert checked == 5


def test_duration_matches_planner_overhead(built: tuple[BuiltProgramme, dict[str, Clip]]) -> None:
    programme, clips = built
    plan = pytest.importorskip("broadcaster.plan")
    station = make.station(programme.wav.parent.parent / "schedules")
    sounds = station_sounds(station)
    figures = overhead(station, sounds, clips["@ident"].duration, clips["@closing"].duration)
    bulletin_seconds = sum(i.duration for i in programme.items if i.kind == "bulletin")
    assert plan.Overhead(**figures).total(3) + bulletin_seconds == pytest.approx(programme.duration, abs=0.01)


def test_empty_programme_is_refused_clearly(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules")
    with pytest.raises(AudioError, match="không có tin nào"):
        build_programme(station, _programme(n=0), {}, tmp_path / "out", ident=None, closing_speech=None)
    assert not (tmp_path / "out").exists()


def test_missing_clip_names_the_bulletin(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules")
    with pytest.raises(AudioError, match="tin-0"):
        build_programme(station, _programme(n=1), {}, tmp_path / "out", ident=None, closing_speech=None)


def test_outputs_are_readable_like_any_new_file(built: tuple[BuiltProgramme, dict[str, Clip]]) -> None:
    import os

    umask = os.umask(0)
    os.umask(umask)
    programme, _ = built
    for path in (programme.wav, programme.manifest, programme.m3u8):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
