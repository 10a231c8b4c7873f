"""`broadcaster live` end to end: handed to a running station through the control channel (and stopped with
`broadcaster live --stop`), or airing by itself when no station runs; the `live:` section of station.yaml; the
control files read as untrusted input. The microphone is a PulseAudio pipe source (tests/mic.py), the station's
output the real sound output into a private recorded sink (tests/sink.py)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.clock import SystemClock
from broadcaster.config import load_station
from broadcaster.errors import BroadcasterError, ConfigError
from broadcaster.models import AiringStatus
from broadcaster.services.announce import go_live, stop_live
from broadcaster.station import _control, _live, _sessions
from broadcaster.station._chains import Channel
from broadcaster.station._runner import Runner
from broadcaster.outputs import SoundDeviceOutput
from tests import factories as make
from tests import sink
from tests.fakes import FakeZoneSwitch
from tests.mic import studio as mic_studio

STATION = """\
name: Đài thử
commune: Thử
outputs:
  main:
    kind: sounddevice
    zone_switch: {warmup_seconds: 0.1, settle_seconds: 0}
zones:
  thon-dong: Thôn Đông
  thon-tay: Thôn Tây
slots:
  sang: {name: Buổi sáng, start: "06:30", max_minutes: 10}
audio:
  chime: ../audio/chime.wav
live:
  max_minutes: 5
  silence_stop_seconds: 0
"""

needs_audio = pytest.mark.skipif(sink.unavailable_reason() is not None, reason=str(sink.unavailable_reason()))


studio = pytest.fixture(mic_studio)


def _root(tmp_path: Path, text: str = STATION) -> Path:
    make.write_jingles(tmp_path / "audio")
    return make.station_dir(tmp_path, text)


def _stop_when_on_air(root: Path, after: float, said: list[str]) -> threading.Thread:
    """Another terminal: `broadcaster live --stop` once the microphone has been open for `after` seconds."""
    station = load_station(root)

    def stopper() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            states = [json.loads(p.read_text(encoding="utf-8"))
                      for p in _control.control_dir(station).glob("live-*.state")]
            if any(s.get("state") == "on_air" for s in states):
                time.sleep(after)
                stop_live(root, notify=said.append)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=stopper, daemon=True)
    thread.start()
    return thread


@needs_audio
def test_live_is_handed_to_the_running_station_and_stopped_from_another_terminal(
        tmp_path: Path, studio) -> None:  # type: ignore[no-untyped-def]
    mic, rec = studio
    root = _root(tmp_path)
    files = _sessions.load(root)
    switch = FakeZoneSwitch(warmup_seconds=0.1)
    outputs: list[SoundDeviceOutput] = []

    def channels(station, log, clock, shutdown):  # type: ignore[no-untyped-def]
        outputs.append(SoundDeviceOutput(name="main"))
        return {"main": Channel(station, station.outputs[0], outputs[0], switch, log, clock, shutdown)}

    lines: list[str] = []
    runner = Runner(root, files=files, clock=SystemClock(files.station.timezone), make_channels=channels,
                    notify=lines.append)
    _control.write_heartbeat(runner.station, {"station": str(root)})
    control = threading.Thread(target=runner.control_loop, daemon=True)
    control.start()
    mic.say([("tone", 20.0, 1000.0, 0.25)])
    said: list[str] = []
    stopper = _stop_when_on_air(root, 1.0, said)
    try:
        state = go_live(root, zones=("Thôn Tây",), notify=said.append)
    finally:
        runner.stop()
        control.join(timeout=3)
        stopper.join(timeout=5)
    samples = rec.stop()

    assert "Đã chuyển yêu cầu nói trực tiếp tới đài đang chạy" in said[0]
    assert any("ĐANG PHÁT TRỰC TIẾP" in line for line in said)
    assert "Đã dừng thông báo trực tiếp." in said
    assert state["status"] == "completed" and state["ended_by"] == "stop"
    assert 0.8 < state["seconds"] < 3.0
    [row] = [r for r in runner.log.history() if r.session_key.startswith("live/")]
    assert row.zones == ("thon-tay",) and row.status is AiringStatus.COMPLETED
    assert any("THÔNG BÁO TRỰC TIẾP" in line for line in lines)  # the station's own output says it
    assert sink.sound_segments(samples), "the station's sound output aired it"
    assert Path(state["recording"]).is_file()


@needs_audio
def test_with_no_station_running_the_command_airs_by_itself(
        tmp_path: Path, studio, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    mic, rec = studio
    root = _root(tmp_path)
    mic.say([("tone", 10.0, 1000.0, 0.25)])
    code = main(["live", "--station", str(root), "--zones", "thon-dong", "--max-minutes", "0.03"])
    samples = rec.stop()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Đài không chạy: lệnh này tự bật loa và mở micrô" in out
    assert "Đã phát trực tiếp" in out and "kết thúc vì: hết thời lượng tối đa" in out
    assert "Bản ghi âm:" in out and ".mp3" in out
    assert sink.sound_segments(samples)
    station = load_station(root)
    from broadcaster.airlog import AirLog, period_stats

    log = AirLog(station.database, tz=station.timezone)
    [row] = [r for r in log.history() if r.session_key.startswith("live/")]
    assert row.zones == ("thon-dong",) and row.status is AiringStatus.COMPLETED
    # the periodic report: airtime for the village, but no broadcast session planned or aired
    day = row.started_at.date()
    stats = period_stats(log, day, day, zones=("thon-dong", "thon-tay"), primary_engine="gtts")
    assert stats.sessions_planned == 0 and stats.bulletins_aired == 0
    assert dict((z, s) for z, _n, s in stats.by_zone)["thon-dong"] == pytest.approx(row.played_seconds)


@needs_audio
def test_stop_reaches_a_live_command_airing_by_itself(tmp_path: Path, studio) -> None:  # type: ignore[no-untyped-def]
    mic, rec = studio
    root = _root(tmp_path)
    mic.say([("tone", 20.0, 1000.0, 0.25)])
    said: list[str] = []
    stopper = _stop_when_on_air(root, 1.0, said)
    state = go_live(root, notify=said.append)
    stopper.join(timeout=5)
    rec.stop()
    assert said[0].startswith("Đài không chạy")
    assert "Đã dừng thông báo trực tiếp." in said
    assert state["status"] == "completed" and state["ended_by"] == "stop" and state["seconds"] < 5
    assert not list(_control.control_dir(load_station(root)).glob("*.stop"))


def test_a_station_that_does_not_answer_is_never_aired_over(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh heartbeat but nobody taking requests (a hung station): the command gives up with what to check, and
    never opens the sound card and the relays the station holds."""
    import broadcaster.services.announce as live_service

    monkeypatch.setattr(live_service, "LATE_HANDOVER_SECONDS", 0.5)  # the real wait is 28 s more
    root = _root(tmp_path)
    station = load_station(root)
    _control.write_heartbeat(station, {"station": str(root)})
    said: list[str] = []
    with pytest.raises(BroadcasterError, match="không tự mở micrô để khỏi tranh card âm thanh và rơ-le"):
        go_live(root, notify=said.append)
    assert said == ["Đài đang bận, chờ đài nhận lệnh (tối đa 0.5 giây)…"]
    assert not list(_control.control_dir(station).glob("live-*"))  # withdrawn: nothing left for it to air later
    assert not station.database.exists()  # nothing aired, nothing logged


def test_stop_with_nothing_on_air_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _root(tmp_path)
    assert main(["live", "--station", str(root), "--stop"]) == 1
    assert "không có thông báo trực tiếp nào đang phát" in capsys.readouterr().err


def test_a_maximum_beyond_the_station_s_is_refused_before_anything_opens(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _root(tmp_path)
    assert main(["live", "--station", str(root), "--max-minutes", "9"]) == 1
    err = capsys.readouterr().err
    assert "--max-minutes phải lớn hơn 0 và không quá 5 phút" in err
    assert not (load_station(root).state_dir / "archive").exists()


def test_the_live_section_loads_and_its_mistakes_name_file_line_and_key(tmp_path: Path) -> None:
    station = load_station(_root(tmp_path, STATION.replace("  silence_stop_seconds: 0\n",
                                                          "  silence_stop_seconds: 20\n  device: USB Audio\n")))
    assert station.live.max_minutes == 5 and station.live.silence_stop_seconds == 20
    assert station.live.device == "USB Audio" and station.live.chime is None
    bad = STATION.replace("  max_minutes: 5\n", "  max_minutes: 500\n  mic: USB\n")
    with pytest.raises(ConfigError) as caught:
        load_station(_root(tmp_path / "bad", bad))
    text = str(caught.value)
    assert "station.yaml:15: live.max_minutes" in text and "tối đa là 120" in text
    assert "station.yaml:16: live.mic" in text and "không có mục 'mic'" in text
    missing = STATION.replace("  max_minutes: 5\n", "  max_minutes: 5\n  chime: ../audio/khong-co.wav\n")
    with pytest.raises(ConfigError, match=r"station.yaml:16: live.chime: không tìm thấy tệp '../audio/khong-co.wav'"):
        load_station(_root(tmp_path / "missing", missing))
    off = STATION.replace("  max_minutes: 5\n", "  max_minutes: 5\n  chime: tắt\n")
    assert load_station(_root(tmp_path / "off", off)).live.no_chime


@pytest.mark.parametrize(("changes", "why"), [
    ({"max_seconds": "abc"}, "trường 'max_seconds'"),
    ({"max_seconds": 99999}, "trường 'max_seconds'"),
    ({"chime": "/dev/zero"}, "không có tệp âm thanh thường /dev/zero"),
    ({"zones": "thon-dong"}, "danh sách thôn không hợp lệ"),
    ({"who": 5}, "trường 'who'"),
    ({"id": "../x"}, "mã yêu cầu không hợp lệ"),
], ids=["seconds-str", "seconds-huge", "dev-zero", "zones-str", "who-int", "id-path"])
def test_a_crafted_live_request_is_set_aside_with_its_reason(tmp_path: Path, changes: dict, why: str) -> None:
    station = load_station(_root(tmp_path))
    request = _live.new_live_request(station, now=SystemClock().now(), who="x")
    data = json.loads(request.to_json())
    data.update(changes)
    path = _control.control_dir(station) / "live-crafted.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _live.take_live(station) == []
    assert why in path.with_suffix(".bad.txt").read_text(encoding="utf-8")
