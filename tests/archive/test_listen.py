"""Listening back from the command line: `broadcaster log audio ID -o FILE` and `--play` on a local device
(never the station's), after a "phát ngay" and an emergency aired by the commands themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from broadcaster.airlog import AirLog
from broadcaster.cli import main
from broadcaster.ffmpeg import audio_duration
from broadcaster.models import Airing, AiringStatus
from broadcaster.services.archive import airing_audio, missing_audio
from tests import factories as make
from tests import sink
from tests.station.test_runner import _station_dir

Aired = tuple[Path, list[Airing]]  # the station directory, every log row


@pytest.fixture(scope="module")
def aired(tmp_path_factory: pytest.TempPathFactory) -> Aired:
    """A session aired by hand into files (a test airing) and an emergency, both through the commands."""
    tmp_path = tmp_path_factory.mktemp("listen")
    root = _station_dir(tmp_path)
    out = tmp_path / "aired"
    assert main(["air", "sang", "--station", str(root), "--output", f"file:{out}"]) == 0
    message = make.tone_wav(tmp_path / "khan.wav", 0.8, hz=1000)
    assert main(["emergency", "--audio", str(message), "--repeat", "2", "--station", str(root),
                 "--output", f"file:{out}"]) == 0
    rows = AirLog(tmp_path / "var" / "broadcaster.sqlite3").history()
    return root, rows


def test_a_manual_session_is_archived_and_its_build_is_gone(aired: Aired) -> None:
    root, rows = aired
    var = root.parent / "var"
    assert [p.name for p in (var / "archive").glob("*/*.mp3") if "manual" in p.name]
    assert not [p for p in (var / "programmes").rglob("*") if p.is_file()]  # no segments, no WAV left


def test_log_audio_writes_the_airing_s_stretch(aired: Aired, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, rows = aired
    bulletin = next(r for r in rows if r.bulletin_id == "tin")
    target = tmp_path / "tin.mp3"
    assert main(["log", "audio", str(bulletin.id), "-o", str(target), "--station", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Tin thử" in out and "chạy thử" in out and str(target) in out
    assert abs(audio_duration(target) - bulletin.played_seconds) < 0.1
    audio = airing_audio(root, bulletin.id)
    assert audio is not None and audio.test and audio.offset > 0  # after the opening and the ident


def test_emergency_repeats_share_one_archived_message(aired: Aired, tmp_path: Path) -> None:
    root, rows = aired
    repeats = [r for r in rows if r.session_key.startswith("emergency/")]
    assert len(repeats) == 2 and all(r.status is AiringStatus.COMPLETED for r in repeats)
    found = [a for r in repeats if (a := airing_audio(root, r.id)) is not None]
    assert len(found) == 2
    assert len({a.path for a in found}) == 1 and found[0].path.name.startswith("emergency-")
    wav = found[0].extract(tmp_path / "khan.wav")
    assert abs(audio_duration(wav) - 0.8) < 0.1


def test_a_row_without_audio_says_why(aired: Aired, capsys: pytest.CaptureFixture[str]) -> None:
    root, rows = aired
    assert main(["log", "audio", "999999", "-o", "x.mp3", "--station", str(root)]) == 1
    assert "không có lượt phát số 999999" in capsys.readouterr().err
    assert "không có lượt phát số 5000" in missing_audio(root, 5000)


def test_play_refuses_the_station_s_own_sound_card(aired: Aired, capsys: pytest.CaptureFixture[str]) -> None:
    root, rows = aired  # station.yaml: `kind: auto` airs through the default sound card
    assert main(["log", "audio", str(rows[0].id), "--play", "--station", str(root)]) == 1
    assert "đường ra loa của đài" in capsys.readouterr().err


def test_play_on_a_local_device_is_heard_there(aired: Aired, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    reason = sink.unavailable_reason()
    if reason:
        pytest.skip(reason)
    root, rows = aired
    bulletin = next(r for r in rows if r.bulletin_id == "tin")
    rec = sink.start_recording(tmp_path / "rec.raw")
    for key, value in rec.env.items():
        monkeypatch.setenv(key, value)
    assert main(["log", "audio", str(bulletin.id), "--play", "--device", "pulse", "--station", str(root)]) == 0
    samples = rec.stop()
    heard = sink.sound_segments(samples, threshold=0.005, min_silence=0.5)
    assert heard and abs((heard[-1][1] - heard[0][0]) - bulletin.played_seconds) < 0.5


def test_status_shows_the_archive(aired: Aired, capsys: pytest.CaptureFixture[str]) -> None:
    root, _rows = aired
    from broadcaster.archive import prune
    from broadcaster.clock import SystemClock
    from broadcaster.config import load_station

    station = load_station(root)
    prune(station, SystemClock(station.timezone).now())
    assert main(["status", "--station", str(root)]) == 0
    assert "Kho lưu âm thanh đã phát" in capsys.readouterr().out
    assert main(["status", "--json", "--station", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["archive"]["used_bytes"] > 0


def test_the_desk_log_plays_what_aired_and_says_why_when_it_cannot(aired: Aired, tmp_path: Path) -> None:
    """The log page's "Nghe": the row's stretch as MP3 (the same cut as `log audio`), a row without audio is a 404
    with the reason in words, and the page offers a player only for rows that aired."""
    from starlette.testclient import TestClient

    from broadcaster.web import create_app
    from tests.fakes import FakeClock
    from tests.web.conftest import NOW, PASSWORD, DeskApp

    root, rows = aired
    with TestClient(create_app(root, clock=FakeClock(NOW)), base_url="http://testserver",
                    follow_redirects=False) as client:
        desk = DeskApp(root, FakeClock(NOW), client)
        desk.add_user("xem", "xem")
        desk.login("xem", PASSWORD)
        bulletin = next(r for r in rows if r.bulletin_id == "tin")
        heard = client.get(f"/nhat-ky-phat-song/{bulletin.id}/nghe.mp3")
        assert heard.status_code == 200 and heard.headers["content-type"] == "audio/mpeg"
        (tmp_path / "nghe.mp3").write_bytes(heard.content)
        assert abs(audio_duration(tmp_path / "nghe.mp3") - bulletin.played_seconds) < 0.1
        missing = client.get("/nhat-ky-phat-song/999999/nghe.mp3")
        assert missing.status_code == 404 and missing.text == missing_audio(root, 999999)
        page = client.get("/nhat-ky-phat-song?tu=01/01/2000").text
        assert f'src="/nhat-ky-phat-song/{bulletin.id}/nghe.mp3"' in page
