"""A relay that does not air is still in the log: the amplifier could not be switched on, the station stopped
before the start, the session was missed; and a lost relay makes its session incomplete even when the notice
aired. Fakes for the output and the relays, a real airing log; no stream is reached (a closed local port)."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.airlog import AirLog
from broadcaster.models import Airing, AiringStatus, Priority, Programme
from broadcaster.playout import RELAY_TOPIC, air_programme, record_not_aired, session_outcome
from broadcaster.streams import Relay
from tests import factories as make
from tests.fakes import FakeClock, FakeOutput, FakeZoneSwitch

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 30, 6, 0, tzinfo=TZ)
RELAY = Relay("http://127.0.0.1:9/vov1.mp3", "Thời sự VOV1", 900.0)
PROGRAMME = Programme(START.date(), "sang", "main", START, 1800, relay=RELAY, relay_zones=frozenset({"dong"}))


def test_a_relay_is_failed_when_the_amplifier_cannot_be_switched_on(tmp_path: Path) -> None:
    log = AirLog(tmp_path / "log.sqlite3", tz=TZ)
    clock = FakeClock(START)
    rows = air_programme(None, PROGRAMME, station=make.station(tmp_path), output=FakeOutput(clock),
                         switch=FakeZoneSwitch(fail="cổng /dev/ttyUSB0 không mở được"), log=log, clock=clock,
                         stop=threading.Event(), segments=[])
    assert [(r.title, r.status, r.topic) for r in rows] == [
        ("Tiếp âm: Thời sự VOV1", AiringStatus.FAILED, RELAY_TOPIC)]
    assert "không mở được" in rows[0].reason and rows[0].planned_seconds == 900
    assert [r.status for r in log.history()] == [AiringStatus.FAILED]


def test_a_stop_before_the_start_logs_the_relay_missed(tmp_path: Path) -> None:
    log = AirLog(tmp_path / "log.sqlite3", tz=TZ)
    stop = threading.Event()
    stop.set()
    clock = FakeClock(START)
    rows = air_programme(None, PROGRAMME, station=make.station(tmp_path), output=FakeOutput(clock),
                         switch=FakeZoneSwitch(), log=log, clock=clock, stop=stop, segments=[])
    assert [(r.title, r.status) for r in rows] == [("Tiếp âm: Thời sự VOV1", AiringStatus.MISSED)]


def test_a_missed_session_logs_its_relay_first(tmp_path: Path) -> None:
    log = AirLog(tmp_path / "log.sqlite3", tz=TZ)
    rows = record_not_aired(PROGRAMME, log=log, status=AiringStatus.MISSED, reason="đài không chạy")
    assert [(r.title, r.status, r.scheduled_at, r.content_hash) for r in rows] == [
        ("Tiếp âm: Thời sự VOV1", AiringStatus.MISSED, START, RELAY.url)]


def _row(title: str, status: AiringStatus, bulletin: str | None = None) -> Airing:
    return Airing("k", "main", (), bulletin, title, "", Priority.NORMAL, START, status)


def test_a_lost_relay_makes_the_session_incomplete_though_its_notice_aired() -> None:
    lost = [_row("Tiếp âm: VOV1", AiringStatus.INTERRUPTED), _row("Thông báo mất tín hiệu tiếp âm: VOV1",
            AiringStatus.COMPLETED), _row("Tin A", AiringStatus.COMPLETED, "a")]
    assert session_outcome(lost) == ("incomplete", 2, 3)
    whole = [_row("Tiếp âm: VOV1", AiringStatus.COMPLETED), _row("Tin A", AiringStatus.COMPLETED, "a")]
    assert session_outcome(whole) == ("completed", 2, 2)
