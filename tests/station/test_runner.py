"""The runner's decisions: output overrides, the misfire policy (grace), never twice, look-back at start-up,
jobs in the station's timezone. Real eSpeak NG, real programme build, real SQLite; fake output and relays."""

from __future__ import annotations

import dataclasses

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.build.programmes import REASON_NO_AUDIO
from broadcaster.errors import BroadcasterError
from broadcaster.models import (
    AiringStatus,
    AudioSettings,
    BroadcastWindow,
    RepeatRule,
    Slot,
    SpeechSettings,
    Zone,
)
from broadcaster.services.approval import migrate_approvals
from broadcaster.station import _sessions as _station
from broadcaster.station import prepare
from broadcaster.station._chains import Channel, apply_output_override, parse_output_spec
from broadcaster.station._runner import PREPARE_LEAD_SECONDS, Runner
from tests import factories as make
from tests.fakes import FakeClock, FakeOutput, FakeZoneSwitch

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime(2026, 11, 28, tzinfo=TZ)


@pytest.mark.parametrize(
    ("spec", "kind", "field", "value"),
    [
        ("null", "null", None, None),
        ("file:/tmp/aired", "file", "directory", "/tmp/aired"),
        ("command:aplay -q {file}", "command", "command", "aplay -q {file}"),
        ("sounddevice:USB Audio", "sounddevice", "device", "USB Audio"),
        ("auto", "auto", None, None),
    ],
)
def test_output_override(spec: str, kind: str, field: str | None, value: str | None) -> None:
    station = apply_output_override(make.station(), spec)
    assert station.outputs[0].kind == kind
    if field:
        assert getattr(station.outputs[0], field) == value


def test_unknown_output_kind_lists_the_valid_ones() -> None:
    with pytest.raises(BroadcasterError, match="auto, sounddevice, command, file, null"):
        parse_output_spec("loa:1")


def _files(tmp_path: Path) -> _station.StationFiles:
    make.write_jingles(tmp_path / "audio")
    station = make.station(
        tmp_path / "schedules", state_dir=tmp_path / "var",
        name="Đài thử", zones=(Zone("thon-dong", "Thôn Đông", relay=1),),
        slots=(Slot("sang", "Buổi sáng", datetime(2026, 1, 1, 6, 30).time(), 10),
               Slot("trua", "Buổi trưa", datetime(2026, 1, 1, 8, 58).time(), 10)),
        window=BroadcastWindow(datetime(2026, 1, 1, 5, 0).time(), datetime(2026, 1, 1, 22, 0).time()),
        speech=SpeechSettings(engines=("espeak",), speed=1.8),
        audio=AudioSettings(pause_seconds=0.2, **make.JINGLES),
    )
    station.root.mkdir()
    bulletin = make.bulletin("tin", title="Tin thử", topic="thu", text="Xin chào bà con.", approved_by="Chủ tịch",
                             repeat=RepeatRule(every_session=True))
    return _station.StationFiles(station, (bulletin,))


class Rig:
    def __init__(self, tmp_path: Path, now: datetime, *, isolate_builds: bool = False,
                 files: _station.StationFiles | None = None):
        self.clock = FakeClock(now)
        self.output = FakeOutput(self.clock)
        self.switch = FakeZoneSwitch()
        self.lines: list[str] = []

        def channels(station, log, clock, shutdown):  # type: ignore[no-untyped-def]
            return {"main": Channel(station, station.outputs[0], self.output, self.switch, log, clock, shutdown)}

        self.runner = Runner(tmp_path / "schedules", files=files or _files(tmp_path), clock=self.clock,
                             make_channels=channels, notify=self.lines.append, isolate_builds=isolate_builds)

    def rows(self, slot: str) -> list:  # type: ignore[type-arg]
        return [r for r in self.runner.log.history() if f"/{slot}/" in r.session_key]


def test_a_session_late_within_grace_airs_once(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=33))  # 3 minutes late (power just came back)
    sessions = rig.runner.render_ahead()
    assert [s.key for s in sessions] == ["2026-11-28/sang/main", "2026-11-28/trua/main", "2026-11-29/sang/main"]
    rig.runner.session_job("2026-11-28/sang/main")
    assert [(r.bulletin_id, r.status) for r in rig.rows("sang")] == [("tin", AiringStatus.COMPLETED)]
    plays = len(rig.output.plays)
    rig.runner.session_job("2026-11-28/sang/main")  # fired again (restart, re-plan): never twice
    assert len(rig.output.plays) == plays and len(rig.rows("sang")) == 1
    assert rig.runner.log.session_status("2026-11-28/sang/main") == "completed"


def test_a_session_late_beyond_grace_is_logged_missed_not_aired(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    rig.clock.advance(11 * 60)  # the machine hung for 11 minutes: the job fires late
    rig.runner.session_job("2026-11-28/sang/main")
    rows = rig.rows("sang")
    assert [(r.bulletin_id, r.status) for r in rows] == [("tin", AiringStatus.MISSED)]
    assert "5 phút" in rows[0].reason
    assert rig.output.plays == []


def test_a_session_kept_off_air_by_a_long_manual_airing_says_so(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    channel = rig.runner.channels["main"]
    holding, release = threading.Event(), threading.Event()

    def manual_airing() -> None:  # "phát ngay" of a long session holds the output past 06:30 + grace
        with channel.lock:
            holding.set()
            release.wait(10)
            rig.clock.advance(12 * 60)

    other = threading.Thread(target=manual_airing)
    other.start()
    holding.wait(5)
    job = threading.Thread(target=rig.runner.session_job, args=["2026-11-28/sang/main"])
    rig.clock.advance(60)  # the job fires on time, then waits for the output
    job.start()
    time.sleep(0.5)  # let the job read the clock and block on the output before the manual airing ends
    release.set()
    other.join(10)
    job.join(10)
    rows = rig.rows("sang")
    assert [r.status for r in rows] == [AiringStatus.MISSED]
    assert "loa đang phát nội dung khác" in rows[0].reason  # not "the station was not running"


def test_look_back_logs_past_sessions_missed_and_leaves_recent_ones_to_air(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=9, minute=0))
    rig.runner.log.audit("stop", "tester", {}, at=DAY - timedelta(hours=3))  # ran until 21:00 last night
    assert rig.runner.look_back() == 1
    assert [(r.status, r.topic) for r in rig.rows("sang")] == [(AiringStatus.MISSED, "thu")]  # reports group by topic
    assert rig.rows("trua") == []  # 2 minutes ago: within grace, scheduled to air now
    assert [s.key for s in rig.runner.render_ahead()][0] == "2026-11-28/trua/main"
    assert rig.runner.look_back() == 0  # a second start-up logs nothing twice


def test_a_new_station_does_not_log_the_sessions_before_it_existed(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=9, minute=0))  # installed this morning: the log is empty
    assert rig.runner.look_back() == 0
    assert rig.runner.log.history() == []  # no "missed" 06:30 session in the first report to the district


def test_look_back_covers_the_days_the_station_was_off(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=9, minute=0))
    # the station last ran two days ago (before dawn); the power was off since
    rig.runner.log.audit("run", "tester", {}, at=DAY.replace(hour=5) - timedelta(days=2))
    assert rig.runner.look_back() == 5  # sang + trua on both past days, sang today; trua today can still air
    missed = sorted({r.session_key for r in rig.runner.log.history() if r.status is AiringStatus.MISSED})
    assert missed == ["2026-11-26/sang/main", "2026-11-26/trua/main", "2026-11-27/sang/main",
                      "2026-11-27/trua/main", "2026-11-28/sang/main"]
    assert rig.runner.look_back() == 0


def test_look_back_never_reaches_further_than_a_week(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=9, minute=0))
    rig.runner.log.audit("run", "tester", {}, at=DAY - timedelta(days=40))  # off for over a month
    # the log's history window starts a week back: 7 days x 2 sessions, plus this morning's
    assert rig.runner.look_back() == 7 * 2 + 1


def test_build_failure_logs_failed_and_the_next_session_still_airs(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    key = "2026-11-28/sang/main"
    rig.runner.sessions[key] = dataclasses.replace(rig.runner.sessions[key], error="thiếu tệp âm thanh")
    rig.runner.session_job(key)
    assert [(r.status, r.reason) for r in rig.rows("sang")] == [(AiringStatus.FAILED, "thiếu tệp âm thanh")]
    rig.clock.advance(2.5 * 3600)
    rig.runner.session_job("2026-11-28/trua/main")
    assert [r.status for r in rig.rows("trua")] == [AiringStatus.COMPLETED]


@pytest.mark.parametrize("machine_tz", ["UTC", "America/New_York"])
def test_jobs_fire_at_the_station_time_whatever_the_machine_timezone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine_tz: str
) -> None:
    monkeypatch.setenv("TZ", machine_tz)
    time.tzset()
    try:
        rig = Rig(tmp_path, DAY.replace(hour=5, minute=0))
        rig.runner.render_ahead()
        job = rig.runner.scheduler.get_job("session:2026-11-28/sang/main")
        expected = DAY.replace(hour=6, minute=30) - timedelta(seconds=PREPARE_LEAD_SECONDS)
        assert job.trigger.run_date == expected
        assert job.trigger.run_date.astimezone(ZoneInfo("UTC")).hour == 23  # 06:30 in Hà Nội is 23:30 UTC
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_emergency_offered_while_idle_airs_on_its_own(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=10, minute=0))
    from broadcaster.station import _control as emergency

    station = rig.runner.station
    req = emergency.new_request(station, message=make.tone_wav(tmp_path / "m.wav", 0.5, hz=900), message_seconds=0.5,
                                title="Bão", now=rig.clock.now(), repeat=2)
    emergency.submit(station, req)
    control = threading.Thread(target=rig.runner.control_loop, daemon=True)
    control.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(rig.output.plays) < 3:
        time.sleep(0.05)
    rig.runner.shutdown.set()
    control.join(2)
    assert [p["label"] for p in rig.output.plays] == ["attention", "Bão (lần 1/2)", "Bão (lần 2/2)"]
    assert rig.switch.calls[0] == ("amplifier", True) and rig.switch.calls[-1] == ("amplifier", False)
    audit = rig.runner.log.audit_events(event="emergency")
    assert audit and audit[0].who == req.who
    assert emergency.request_answer(station, "emergency", req.id) == (emergency.ACCEPTED, "")


def test_after_a_crash_mid_session_the_rest_is_missed_and_nothing_airs_twice(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    key = "2026-11-28/sang/main"
    # A crash right after the session was claimed, before its bulletin started: the next start-up finds it.
    assert rig.runner.log.claim_session(key)
    rig.clock.advance(120)
    restarted = rig  # same log and clock, as after a restart
    restarted.runner.look_back()
    assert [(r.bulletin_id, r.status) for r in rig.rows("sang")] == [("tin", AiringStatus.MISSED)]
    restarted.runner.session_job(key)
    assert rig.output.plays == [] and len(rig.rows("sang")) == 1
    assert rig.runner.log.session_status(key) == "incomplete"


STATION_YAML = """\
name: "Đài thử"
commune: "Thử"
outputs: {main: {kind: auto}}
zones: {thon-dong: {name: "Thôn Đông", relay: 1}}
slots: {sang: {name: "Buổi sáng", start: "06:30", max_minutes: 10}}
window: {start: "00:00", end: "23:59"}
speech: {engines: [espeak], speed: 1.8}
audio: {pause_seconds: 0.5, opening: ../audio/opening.wav, closing: ../audio/closing.wav, chime: ../audio/chime.wav,
        attention: ../audio/attention.wav}
"""


def _station_dir(tmp_path: Path) -> Path:
    make.write_jingles(tmp_path / "audio")
    root = make.station_dir(tmp_path, STATION_YAML, {
        "tin": 'title: "Tin thử"\ntopic: thu\ntext: "Xin chào bà con."\nstatus: approved\napproved_by: "Chủ tịch"\n',
    })
    migrate_approvals(root)  # the approval bound to the content written above
    return root


def test_air_now_writes_the_session_to_files_and_logs_it_under_its_own_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from broadcaster.airlog import AirLog
    from broadcaster.cli import main

    root = _station_dir(tmp_path)
    aired = tmp_path / "aired"
    assert main(["air", "sang", "--station", str(root), "--output", f"file:{aired}"]) == 0
    out = capsys.readouterr().out
    assert "Phát ngay buổi 'sang'" in out and "đã phát: Tin thử" in out and str(aired) in out
    assert len(list(aired.glob("*.wav"))) >= 3  # opening+ident, chime, bulletin, closing: written at once
    rows = AirLog(tmp_path / "var" / "broadcaster.sqlite3").history()
    assert [r.status for r in rows] == [AiringStatus.COMPLETED]
    assert "/sang/main/manual-" in rows[0].session_key  # the scheduled session still airs at 06:30


def test_air_unknown_slot_lists_the_sessions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from broadcaster.cli import main

    root = _station_dir(tmp_path)
    assert main(["air", "toi", "--station", str(root), "--output", "null"]) == 1
    assert "không có buổi phát 'toi' trong station.yaml; các buổi: sang (Buổi sáng)" in capsys.readouterr().err


def test_emergency_with_no_station_running_airs_it_directly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from broadcaster.airlog import AirLog
    from broadcaster.cli import main

    root = _station_dir(tmp_path)
    aired = tmp_path / "aired"
    message = make.tone_wav(tmp_path / "khan.wav", 0.5, hz=1000)
    assert main(["emergency", "--audio", str(message), "--repeat", "2", "--station", str(root),
                 "--output", f"file:{aired}"]) == 0
    out = capsys.readouterr().out
    assert "Đài không chạy" in out and "2/2" in out
    log = AirLog(tmp_path / "var" / "broadcaster.sqlite3")
    rows = log.history()
    assert [(r.priority.value, r.status) for r in rows] == [("emergency", AiringStatus.COMPLETED)] * 2
    assert rows[0].zones == ("thon-dong",)
    assert [e.event for e in log.audit_events(event="emergency")] == ["emergency"]


def test_audio_built_in_a_child_process_airs_the_same_and_the_station_stays_light(tmp_path: Path) -> None:
    import sys

    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29), isolate_builds=True)
    sessions = rig.runner.render_ahead()
    assert sessions[0].key == "2026-11-28/sang/main" and all(seg.wav.exists() for seg in sessions[0].segments)
    assert rig.runner._attention is not None and rig.runner._attention.exists()
    rig.runner.session_job("2026-11-28/sang/main")
    assert [r.status for r in rig.rows("sang")] == [AiringStatus.COMPLETED]
    if "scipy" not in sys.modules:  # other tests in this process may have imported it already
        assert "broadcaster.audio.clips" not in sys.modules


def test_air_while_the_station_runs_is_handed_to_it_and_aired_once(tmp_path: Path) -> None:
    """The running station owns the sound card and the relays: `broadcaster air` never plays over it."""
    from broadcaster.services.air import air_now
    from broadcaster.station import _control as emergency

    root = _station_dir(tmp_path)
    rig = Rig(tmp_path, DAY.replace(hour=10), files=_station.load(root))
    emergency.write_heartbeat(rig.runner.station, {"station": str(root)})
    control = threading.Thread(target=rig.runner.control_loop, daemon=True)
    scheduler = threading.Thread(target=rig.runner.scheduler.start, daemon=True)
    control.start()
    scheduler.start()
    said: list[str] = []
    try:
        assert air_now(root, "sang", notify=said.append) is None  # handed over, not aired by the command
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("xong phát ngay" in line for line in rig.lines):
            time.sleep(0.1)
    finally:
        rig.runner.stop()
        control.join(timeout=3)
        scheduler.join(timeout=3)
    assert "đã nhận lệnh phát ngay buổi 'sang'" in said[0]
    assert "Đang chuẩn bị âm thanh…" not in said  # the command built nothing itself
    rows = [r for r in rig.runner.log.history() if "/manual-" in r.session_key]
    assert [(r.bulletin_id, r.status) for r in rows] == [("tin", AiringStatus.COMPLETED)]
    assert rig.output.plays, "the station's own output aired it"
    assert [e.details["slot"] for e in rig.runner.log.audit_events(event="air")] == ["sang"]
    assert not list(emergency.control_dir(rig.runner.station).glob("air-*.json"))


def test_air_of_a_session_with_nothing_to_air_is_refused_at_once_while_the_station_runs(tmp_path: Path) -> None:
    from broadcaster.services.air import air_now
    from broadcaster.station import _control as emergency

    root = _station_dir(tmp_path)
    (root / "bulletins" / "tin.yaml").unlink()  # nothing approved to air
    rig = Rig(tmp_path, DAY.replace(hour=10), files=_station.load(root))
    emergency.write_heartbeat(rig.runner.station, {"station": str(root)})
    with pytest.raises(BroadcasterError, match="không có chương trình"):
        air_now(root, "sang")
    assert not list(emergency.control_dir(rig.runner.station).glob("air-*"))  # nothing handed over


def test_a_bad_air_request_is_reported_and_the_station_goes_on(tmp_path: Path) -> None:
    from broadcaster.station import _control as emergency

    root = _station_dir(tmp_path)
    rig = Rig(tmp_path, DAY.replace(hour=10), files=_station.load(root))
    request = emergency.AirRequest("x", DAY, "tester", "toi", DAY.date())  # a session the station does not have
    rig.runner.air_request_job(request)
    assert any("không phát ngay được buổi 'toi'" in line for line in rig.lines)
    assert rig.output.plays == []
    emergency.control_dir(rig.runner.station).mkdir(parents=True, exist_ok=True)
    (emergency.control_dir(rig.runner.station) / "air-broken.json").write_text("{not json", encoding="utf-8")
    assert emergency.take_air_requests(rig.runner.station) == []  # set aside as .bad, never retried
    assert (emergency.control_dir(rig.runner.station) / "air-broken.bad").exists()


def test_bulletins_left_out_of_a_session_are_in_the_log_with_their_reason(tmp_path: Path) -> None:
    from broadcaster.models import Skip

    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    key = "2026-11-28/sang/main"
    session = rig.runner.sessions[key]
    left_out = Skip("tin-dai", "dài hơn cả buổi phát (12:00 > 10:00)", frozenset({"thon-dong"}))
    rig.runner.sessions[key] = dataclasses.replace(
        session, programme=dataclasses.replace(session.programme, skipped=(left_out,)))
    rig.runner.session_job(key)
    rows = {r.bulletin_id: r for r in rig.rows("sang")}
    assert rows["tin"].status is AiringStatus.COMPLETED
    assert rows["tin-dai"].status is AiringStatus.SKIPPED and rows["tin-dai"].reason == left_out.reason
    assert rows["tin-dai"].zones == ("thon-dong",)
    rig.runner.session_job(key)  # fired again: nothing is logged twice
    assert len(rig.rows("sang")) == 2


def test_a_bulletin_without_audio_is_left_out_and_the_rest_of_the_session_still_airs(tmp_path: Path) -> None:
    from broadcaster.speech.render import render_bulletins

    files = _files(tmp_path)
    silent = dataclasses.replace(files.bulletins[0], id="tin-chua-doc", title="Tin chưa đọc",
                                 text="Bản tin này chưa được đọc thành tiếng.")
    files = dataclasses.replace(files, bulletins=(*files.bulletins, silent))
    render_bulletins(files.station, [files.bulletins[0]])  # only the first one has audio
    programme = next(p for p in prepare.plan_sessions(files, [], DAY.date(), DAY.date()) if p.slot_id == "sang")
    assert {i.bulletin_id for i in programme.items} == {"tin", "tin-chua-doc"}
    session = prepare.build_session(files, programme)
    assert not session.error
    assert [i.bulletin_id for i in session.programme.items] == ["tin"]
    assert [(s.bulletin_id, s.reason) for s in session.programme.skipped] == [
        ("tin-chua-doc", REASON_NO_AUDIO)]


_SIGNAL_SCRIPT = """
import signal, sys, threading, time
from broadcaster.station._runner import Runner

started = threading.Event()

def notify(line):
    print(line, flush=True)
    if "Ctrl+C" in line:
        started.set()

def poke():  # SIGTERM delivered to this thread, not the main one (the kernel may pick any thread)
    started.wait(120)
    time.sleep(1.5)  # the scheduler's main thread is asleep until its next job
    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

runner = Runner(sys.argv[1], output_override="null", notify=notify)
threading.Thread(target=poke, daemon=True).start()
sys.exit(runner.run())
"""


def test_sigterm_delivered_to_another_thread_still_stops_the_station(tmp_path: Path) -> None:
    """systemd/kill send SIGTERM to the process; Linux may deliver it to any thread. The station must stop
    cleanly within seconds, not at its next job (an hour away)."""
    import subprocess
    import sys

    root = _station_dir(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _SIGNAL_SCRIPT, str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        out, _ = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"the station did not stop after SIGTERM:\n{out}")
    assert proc.returncode == 0, out
    assert "đang dừng đài…" in out and "đài đã dừng." in out
