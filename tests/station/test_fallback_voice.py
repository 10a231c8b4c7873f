"""The online voice on a network that hangs: bulletins rendered in the fallback voice are logged and recorded in
status.json (shown by `broadcaster status`), Google is retried in the background, and when it answers again they
are re-rendered in the online voice before they air. An emergency typed as text never waits on the network.
Real eSpeak NG and programme builds; gTTS faked at the HTTP layer (a black hole, a refused port, a fake Google)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.speech.online import ENDPOINT_ENV
from broadcaster.speech.render import render_text
from broadcaster.station import Runner, _control, _status, read_status
from tests.fakes import FakeClock
from tests.speech.gtts_fake import BlackHole, FakeGoogle, closed_port_url
from tests.station.test_runner import DAY, STATION_YAML, Rig, _files, _station_dir


def retry(runner: Runner) -> None:
    """What the scheduler does every RETRY_SECONDS while bulletins wait in the fallback voice."""
    runner.scheduler.get_job(_status.RETRY_JOB).func()


def _online_first(tmp_path: Path):  # type: ignore[no-untyped-def]
    files = _files(tmp_path)
    speech = dataclasses.replace(files.station.speech, engines=("gtts", "espeak"))
    return dataclasses.replace(files, station=dataclasses.replace(files.station, speech=speech))


def test_fallback_voice_is_logged_recorded_retried_and_replaced_before_airing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, closed_port_url())  # the Internet is down
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=0), files=_online_first(tmp_path))
    sessions = rig.runner.render_ahead()
    first = sessions[0]
    assert first.key == "2026-11-28/sang/main" and first.info["tin"].engine == "espeak"
    assert "từ chối kết nối" in first.fallback["tin"]
    told = [line for line in rig.lines if "giọng dự phòng" in line]
    assert told and "Buổi sáng" in told[0] and "Tin thử" in told[0]
    record = read_status(rig.runner.station)
    assert record is not None and record["online_voice"]["state"] == "down"
    assert [s["session"] for s in record["fallback_sessions"]][:1] == ["2026-11-28/sang/main"]
    assert record["fallback_sessions"][0]["bulletins"][0] == {
        "id": "tin", "title": "Tin thử", "engine": "espeak", "reason": first.fallback["tin"]}
    assert rig.runner.scheduler.get_job(_status.RETRY_JOB) is not None  # retried in the background

    retry(rig.runner)  # still down: nothing changes, no new log line about the same bulletins
    assert len([line for line in rig.lines if "giọng dự phòng" in line]) == len(told)

    with FakeGoogle() as google:  # Google answers again
        monkeypatch.setenv(ENDPOINT_ENV, google.url)
        retry(rig.runner)
        assert google.texts  # the probe, then the bulletin and the spoken parts
    again = rig.runner.sessions["2026-11-28/sang/main"]
    assert again.info["tin"].engine == "gtts" and not again.fallback
    assert rig.runner.scheduler.get_job(_status.RETRY_JOB) is None
    record = read_status(rig.runner.station)
    assert record is not None and record["online_voice"]["state"] == "ok" and record["fallback_sessions"] == []
    rig.clock.advance(30 * 60 - 1)
    rig.runner.session_job("2026-11-28/sang/main")
    assert [r.engine for r in rig.rows("sang")] == ["gtts"]  # aired in the online voice


def test_status_shows_the_sessions_in_the_fallback_voice_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _station_dir(tmp_path)
    (root / "station.yaml").write_text(STATION_YAML.replace("engines: [espeak]", "engines: [gtts, espeak]"),
                                       encoding="utf-8")
    assert "engines: [gtts, espeak]" in (root / "station.yaml").read_text(encoding="utf-8")
    assert main(["status", "--station", str(root)]) == 0
    assert "Chưa có tệp trạng thái" in capsys.readouterr().out
    monkeypatch.setenv(ENDPOINT_ENV, closed_port_url())
    runner = Runner(root, clock=FakeClock(DAY.replace(hour=6, minute=0)), notify=lambda line: None,
                    make_channels=lambda *a: {})
    runner.render_ahead()
    assert main(["status", "--station", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Giọng Google: không dùng được" in out and "từ chối kết nối" in out
    assert "Buổi sáng: 1 bản tin" in out and "- Tin thử (tin):" in out
    assert main(["status", "--json", "--station", str(root)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["running"] is False and doc["record"]["fallback_sessions"][0]["bulletins"][0]["id"] == "tin"


def test_an_emergency_typed_as_text_never_waits_on_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _online_first(tmp_path)
    with BlackHole() as hole:
        monkeypatch.setenv(ENDPOINT_ENV, hole.url)
        request = _control.prepare_request(files.station, now=datetime(2026, 11, 28, 9, 0, tzinfo=DAY.tzinfo),
                                           text="Bão số 5 sắp đổ bộ, bà con chú ý.")
        assert hole.connections == 0  # not one request to the online voice
    assert request.engine == "espeak" and Path(request.message).exists() and request.message_seconds > 1


def test_an_emergency_already_spoken_online_is_taken_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _online_first(tmp_path)
    text = "Bà con chú ý: nước lên nhanh."
    with FakeGoogle() as google:  # spoken online earlier (say, a bulletin with the same words)
        monkeypatch.setenv(ENDPOINT_ENV, google.url)
        first = render_text(files.station, text)
    again = _control.render_message(files.station, text)  # Google is gone now: the cache, no request
    assert first.engine == again.engine == "gtts" and again.path == first.path
