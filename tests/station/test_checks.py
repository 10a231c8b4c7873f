"""Watching the chain: the relay board (the pty fake of a USB board) and the amplifier checked at start-up and
before each session, written into status.json's `chain` and shown by `broadcaster status`; the alert command run
on each warning, its failure (non-zero, hang, missing program) never touching airing."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.audio.slicing import Segment
from broadcaster.cli import main
from broadcaster.models import AiringStatus, OutputConfig, Programme, ProgrammeItem, Zone, ZoneSwitchConfig
from broadcaster.station import read_status
from broadcaster.station._chains import Channel
from broadcaster.station._sessions import Session
from broadcaster.station._checks import AlertHook, ChainWatch
from broadcaster.station._checks import CHECK_LEAD_SECONDS
from broadcaster.station._runner import Runner
from broadcaster.streams import AlertSettings
from broadcaster.zones import create_zone_switch
from tests import factories as make
from tests.e2e.conftest import AMP, Board
from tests.fakes import FakeClock, FakeOutput, FakeZoneSwitch
from tests.station.test_runner import _files

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=TZ)


def _serial_station(tmp_path: Path, port: str, **alerts: object):  # type: ignore[no-untyped-def]
    switch = ZoneSwitchConfig(kind="serial", port=port, amplifier_relay=AMP, warmup_seconds=0)
    return make.station(tmp_path / "schedules", zones=(Zone("thon-dong", "Thôn Đông", relay=1),),
                        outputs=(OutputConfig(kind="null", zone_switch=switch),), alerts=AlertSettings(**alerts))


class Rig:
    """A runner whose one output is the null sound card and a serial relay board on a pty."""

    def __init__(self, tmp_path: Path, board: Board, **alerts: object):
        files = _files(tmp_path)
        station = _serial_station(tmp_path, board.port, **alerts)
        files = dataclasses.replace(files, station=dataclasses.replace(
            files.station, outputs=station.outputs, alerts=station.alerts))
        self.clock = FakeClock(NOW)
        self.lines: list[str] = []

        def channels(station, log, clock, shutdown):  # type: ignore[no-untyped-def]
            switch = create_zone_switch(station.outputs[0].zone_switch, station.zones)
            return {"main": Channel(station, station.outputs[0], FakeOutput(clock), switch, log, clock, shutdown)}

        self.runner = Runner(tmp_path / "schedules", files=files, clock=self.clock, make_channels=channels,
                             notify=self.lines.append)

    def chain(self) -> dict[str, dict]:  # type: ignore[type-arg]
        assert self.runner.board.flush()  # the status record is written by its own thread
        record = read_status(self.runner.station) or {}
        return {e["name"]: e for e in record.get("chain", [])}


@pytest.fixture
def board() -> Board:
    b = Board()
    yield b  # type: ignore[misc]
    try:
        b.close()
    except OSError:
        pass


def test_a_board_that_stops_answering_is_reported_before_the_next_session(tmp_path: Path, board: Board) -> None:
    rig = Rig(tmp_path, board)
    assert rig.runner.chain.check_all()  # start-up: the board answers
    chain = rig.chain()
    assert chain["Bảng rơ-le (main)"]["ok"] and chain["Âm ly (main)"]["ok"]
    assert chain["Đầu ra âm thanh (main)"]["ok"]
    assert set(chain["Bảng rơ-le (main)"]) == {"name", "ok", "checked_at", "message"}  # the desk renders this shape
    # a real command reached the board (the fake board's reader thread records it a moment later)
    deadline = time.monotonic() + 5.0
    while not any(relay == 1 and not on for _, relay, on in board.events) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert any(relay == 1 and not on for _, relay, on in board.events)

    sessions = rig.runner.render_ahead()
    first = sessions[0]
    check = rig.runner.scheduler.get_job(f"check:{first.key}")
    assert check is not None  # the check is scheduled before the session
    assert check.trigger.run_date == first.programme.start - timedelta(seconds=CHECK_LEAD_SECONDS)

    board.close()  # unplugged / dead: nothing answers any more
    rig.clock.advance(30 * 60 - CHECK_LEAD_SECONDS)
    assert not rig.runner.chain.before_session("main")
    entry = rig.chain()["Bảng rơ-le (main)"]
    assert not entry["ok"] and "bảng rơ-le không trả lời" in entry["message"]
    assert entry["checked_at"] == rig.clock.now().isoformat()
    assert not rig.chain()["Âm ly (main)"]["ok"]
    warned = [line for line in rig.lines if line.startswith("cảnh báo: Bảng rơ-le (main)")]
    assert len(warned) == 1
    assert [e.event for e in rig.runner.log.audit_events(event="chain_warning")]

    rig.runner.chain.before_session("main")  # the same failure again: no second warning
    assert len([line for line in rig.lines if line.startswith("cảnh báo: Bảng rơ-le")]) == 1


def test_status_command_shows_the_chain(tmp_path: Path, board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    rig = Rig(tmp_path, board)
    station_dir = tmp_path / "schedules"
    (station_dir / "station.yaml").write_text(
        f'name: "Đài thử"\ncommune: "Thử"\nstate_dir: {rig.runner.station.state_dir}\n'
        "zones:\n  thon-dong: Thôn Đông\nslots:\n  sang: {name: Buổi sáng, start: \"06:30\", max_minutes: 10}\n",
        encoding="utf-8")
    rig.runner.chain.check_all()
    board.close()
    rig.runner.chain.check_all()
    assert rig.runner.board.flush()
    assert main(["status", "--station", str(station_dir)]) == 0
    out = capsys.readouterr().out
    assert "Kiểm tra thiết bị:" in out
    assert "[LỖI] Bảng rơ-le (main): bảng rơ-le không trả lời" in out
    assert "[tốt] Đầu ra âm thanh (main)" in out
    assert main(["status", "--station", str(station_dir), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)["record"]
    assert {e["name"]: e["ok"] for e in record["chain"]}["Bảng rơ-le (main)"] is False


def test_a_failing_switch_command_is_a_warning(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules", zones=(Zone("thon-dong", "Thôn Đông", relay=1),),
                           outputs=(OutputConfig(kind="null", zone_switch=ZoneSwitchConfig(
                               kind="command", on_command="true", off_command="false")),))
    lines: list[str] = []
    switch = create_zone_switch(station.outputs[0].zone_switch, station.zones)
    channel = Channel(station, station.outputs[0], FakeOutput(), switch, None, FakeClock(NOW),  # type: ignore[arg-type]
                      threading.Event())
    watch = ChainWatch(station, {"main": channel}, FakeClock(NOW), notify=lines.append)
    assert not watch.check("main")
    assert not watch.chain[1]["ok"] and "lệnh chuyển vùng lỗi" in watch.chain[1]["message"]
    assert any("cảnh báo: Bảng rơ-le (main)" in line for line in lines)


# -- the alert hook ---------------------------------------------------------------------------------------------

def _hook(tmp_path: Path, command: str, timeout: float = 1.0) -> AlertHook:
    return AlertHook(make.station(tmp_path, alerts=AlertSettings(command=command, timeout_seconds=timeout)))


def test_the_alert_command_runs_with_the_message(tmp_path: Path) -> None:
    out = tmp_path / "sms.txt"
    hook = _hook(tmp_path, f"sh -c 'printf \"%s|%s\" \"$1\" \"$2\" > {out}' - {{message}} {{station}}")
    hook.send("im lặng trên sóng 12 giây", NOW)
    hook.join()
    assert out.read_text(encoding="utf-8") == "im lặng trên sóng 12 giây|Đài truyền thanh xã Thử"


@pytest.mark.parametrize(("command", "logged"), [
    ("false", "báo lỗi (mã 1)"),
    ("sleep 30", "chạy quá 1 giây: đã dừng"),
    ("/khong/co/lenh-gui-tin {message}", "không chạy được lệnh gửi cảnh báo"),
    ("gui-tin '{message}", "không hợp lệ"),
])
def test_a_failing_alert_command_is_logged_and_returns_at_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, command: str, logged: str) -> None:
    hook = _hook(tmp_path, command)
    began = time.monotonic()
    hook.send("cảnh báo thử", NOW)  # never raises
    assert time.monotonic() - began < 0.2  # never waits: the warning path is on the airing thread
    hook.join(timeout=5)
    assert logged in caplog.text
    assert time.monotonic() - began < 4  # a hung command is ended at its timeout


def test_a_hanging_alert_command_never_delays_a_session(tmp_path: Path) -> None:
    """Warnings raised while a session airs (here from inside the output) go out through a hook that hangs;
    the session still airs every item, on the programme clock."""
    station = dataclasses.replace(_files(tmp_path).station,
                                  alerts=AlertSettings(command="sleep 30", timeout_seconds=2))
    clock = FakeClock(NOW)
    channel_box: list[Channel] = []

    def during(n: int, label: str, stop: threading.Event) -> None:
        assert channel_box[0].warn is not None
        channel_box[0].warn("dead_air", f"im lặng trên sóng (thử {n})")

    output = FakeOutput(clock, during=during)
    channel = Channel(station, station.outputs[0], output, FakeZoneSwitch(), _Log(), clock, threading.Event())
    channel_box.append(channel)
    lines: list[str] = []
    watch = ChainWatch(station, {"main": channel}, clock, notify=lines.append)
    wav = make.tone_wav(tmp_path / "a.wav", 0.5, 440.0)
    items = tuple(ProgrammeItem(b, f"Tin {b}", frozenset({"thon-dong"}), 0.5) for b in "abc")
    segments = tuple(Segment("bulletin", b, f"Tin {b}", frozenset({"thon-dong"}), n * 1.0, 0.5, "", wav)
                     for n, b in enumerate("abc"))
    programme = Programme(NOW.date(), "sang", "main", NOW, 600, items)
    began = time.monotonic()
    rows = channel.air_session(Session(programme, segments=segments))
    assert time.monotonic() - began < 1.5  # three hung alert commands did not hold the session
    assert [r.status for r in rows] == [AiringStatus.COMPLETED] * 3
    assert len([line for line in lines if "im lặng trên sóng" in line]) == 3
    assert not watch.entries["Âm thanh ra loa (main)"]["ok"]
    watch.alerts.join(timeout=5)


class _Log:
    """The airing log's writing side, in memory (what playout needs)."""

    def __init__(self) -> None:
        self.n = 0

    def start_item(self, airing):  # type: ignore[no-untyped-def]
        self.n += 1
        return self.n

    def finish_item(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        pass

    def record(self, airing):  # type: ignore[no-untyped-def]
        self.n += 1
        return self.n

    def audit(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        pass
