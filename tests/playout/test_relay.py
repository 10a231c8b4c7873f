"""Relays with real parts: a local Icecast2 server fed by ffmpeg, relayed by playout through the sound card
output (PortAudio -> PulseAudio) and heard at the test sink; the stream killed and restarted mid-relay; a dead
stream replaced by the fallback notice; dead air on a silent stream warned. One Icecast for the module."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from broadcaster.airlog import AirLog
from broadcaster.audio.slicing import Segment
from broadcaster.clock import SystemClock
from broadcaster.models import AiringStatus, Airing, AudioSettings, Programme, ProgrammeItem, Station, Zone
from broadcaster.outputs import NullOutput, SoundDeviceOutput
from broadcaster.playout import DEAD_AIR, REASON_EMERGENCY, RELAY_LOST, EmergencyAudio, air_programme
from broadcaster.station import Channel, Session
from broadcaster.streams import MonitorSettings, Relay
from tests import factories as make
from tests import icecast, sink
from tests.fakes import FakeZoneSwitch

RATE = 44100
ZONES = (Zone("thon-dong", "Thôn Đông", relay=1), Zone("thon-tay", "Thôn Tây", relay=2))
ALL = frozenset(z.id for z in ZONES)
TONE, ITEM, NOTICE = 440.0, 1000.0, 1500.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[icecast.Server]:
    for reason in (icecast.unavailable_reason(), sink.unavailable_reason()):
        if reason:
            pytest.skip(reason)
    srv = icecast.Server.start(tmp_path_factory.mktemp("icecast"))
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _sources_end_with_their_test(server: icecast.Server) -> Iterator[None]:
    """Each test's feeds stop when it ends: the module's one Icecast keeps only what the next test starts."""
    before = len(server.sources)
    yield
    for source in server.sources[before:]:
        source.kill()


@dataclass
class Aired:
    rows: list[Airing]
    samples: np.ndarray  # what reached the sink, from the recording's start
    start: float  # the relay's scheduled start, seconds into the recording
    warnings: list[tuple[float, str, str]] = field(default_factory=list)  # (seconds after start, kind, message)
    log: AirLog | None = None

    def hz(self, a: float, b: float) -> float:
        return sink.dominant_hz(self.part(a, b))

    def part(self, a: float, b: float) -> np.ndarray:
        return self.samples[int((self.start + a) * sink.RATE): int((self.start + b) * sink.RATE)]

    def when(self, hz: float, until: float = 25.0) -> list[float]:
        """Starts (seconds from the scheduled start) of the 100 ms windows where `hz` is heard."""
        out = []
        for n in range(int(until * 10)):
            part = self.part(n / 10, (n + 1) / 10)
            if len(part) and sink.rms(part) > 0.01 and abs(sink.dominant_hz(part) - hz) < 25:
                out.append(n / 10)
        return out

    def first_sound(self) -> float:
        segs = sink.sound_segments(self.samples[int((self.start - 1) * sink.RATE):])
        return segs[0][0] - 1 if segs else float("inf")


def _station(tmp_path: Path, **monitor: float) -> Station:
    make.tone_wav(tmp_path / "schedules" / "mat-tin-hieu.wav", 1.0, NOTICE, sample_rate=RATE)
    return make.station(tmp_path / "schedules", zones=ZONES, audio=AudioSettings(sample_rate=RATE),
                        monitor=MonitorSettings(**monitor))


def _air(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, station: Station, relay: Relay, *,
         during: object = None, lead: float = 5.0) -> Aired:
    """Air [relay, item "a" (a 1 kHz tone, 1.5 s)] starting `lead` s from now (the stream opened then, as the
    station opens it RELAY_LEAD_SECONDS early), through the sound card."""
    rec = sink.start_recording(tmp_path / "rec.raw")
    monkeypatch.setenv("PULSE_SINK", rec.sink)
    clock = SystemClock(station.timezone)
    start = clock.now() + timedelta(seconds=lead)
    item_wav = make.tone_wav(tmp_path / "a.wav", 1.5, ITEM, sample_rate=RATE)
    programme = Programme(
        day=start.date(), slot_id="sang", output_id="main", start=start, max_seconds=1800,
        items=(ProgrammeItem("a", "Tin A", ALL, 1.5, content_hash="h-a"),), relay=relay, relay_zones=ALL)
    segment = Segment("bulletin", "a", "Tin A", ALL, 0.0, 1.5, "h-a", item_wav)
    log = AirLog(tmp_path / "log.sqlite3", tz=station.timezone)
    warned: list[tuple[float, str, str]] = []

    def warn(kind: str, message: str) -> None:
        warned.append(((clock.now() - start).total_seconds(), kind, message))

    if callable(during):
        during(start)
    rows = air_programme(None, programme, station=station, output=SoundDeviceOutput(None), switch=FakeZoneSwitch(),
                         log=log, clock=clock, stop=threading.Event(), segments=[segment], warn=warn)
    samples = rec.stop()
    return Aired(rows, samples, start.timestamp() - rec.started_at, warned, log)


def _later(seconds: float, action: object) -> None:
    threading.Timer(seconds, action).start()  # type: ignore[arg-type]


def test_relay_starts_on_time_levelled_ends_on_time_then_the_items(
        server: icecast.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.feed("/vov1.mp3", tone_hz=TONE, level_db=-32)  # a quiet station: levelled up to ours
    aired = _air(tmp_path, monkeypatch, _station(tmp_path), Relay(server.url("/vov1.mp3"), "Thời sự VOV1", 6.0))
    relay, item = aired.rows
    assert relay.status is AiringStatus.COMPLETED and relay.title == "Tiếp âm: Thời sự VOV1"
    assert 5.0 <= relay.played_seconds <= 6.5
    assert item.bulletin_id == "a" and item.status is AiringStatus.COMPLETED
    assert -0.3 <= aired.first_sound() <= 2.0  # on time: decoded before the start
    assert abs(aired.hz(1.0, 5.0) - TONE) < 5
    level = 20 * np.log10(sink.rms(aired.part(1.0, 5.0)))
    assert -21 <= level <= -12, level  # the station's loudness (-16 LUFS), not the source's -32 dBFS
    assert abs(aired.hz(6.6, 7.4) - ITEM) < 10  # the relay ended on time and the item followed at once
    assert not aired.warnings


@pytest.mark.parametrize("kind", ["aac", "hls"])
def test_aac_and_hls_streams_are_relayed(server: icecast.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         kind: str) -> None:
    if kind == "aac":
        server.feed("/vov-aac", tone_hz=TONE, level_db=-25, codec="aac")
        url, hls = server.url("/vov-aac"), None
    else:
        hls = icecast.HlsStream.start(tmp_path / "hls", tone_hz=TONE, level_db=-25)
        url = hls.url
    try:
        aired = _air(tmp_path, monkeypatch, _station(tmp_path), Relay(url, f"Luồng {kind}", 5.0))
    finally:
        if hls is not None:
            hls.stop()
    relay, item = aired.rows
    assert relay.status is AiringStatus.COMPLETED and 4.0 <= relay.played_seconds <= 5.5, relay.reason
    assert abs(aired.hz(1.0, 4.5) - TONE) < 5
    assert -21 <= 20 * np.log10(sink.rms(aired.part(1.0, 4.5))) <= -12
    assert item.status is AiringStatus.COMPLETED


def test_stream_killed_and_restarted_mid_relay_is_ridden_out(
        server: icecast.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = server.feed("/vov2.mp3", tone_hz=TONE, level_db=-20)

    def drop(start: datetime) -> None:
        delay = (start - datetime.now(start.tzinfo)).total_seconds()
        _later(delay + 2.0, source.kill)
        _later(delay + 5.0, lambda: server.feed("/vov2.mp3", tone_hz=TONE, level_db=-20, wait=False))

    relay = Relay(server.url("/vov2.mp3"), "Thời sự VOV2", 14.0, max_gap_seconds=8)
    aired = _air(tmp_path, monkeypatch, _station(tmp_path), relay, during=drop)
    row = aired.rows[0]
    assert row.status is AiringStatus.COMPLETED, row.reason
    assert "tín hiệu ngắt" in row.reason and "đã tự kết nối lại" in row.reason  # the drop (and any stall after)
    assert 5.0 <= row.played_seconds < 13.5  # what was really relayed, the drop left out
    heard = sink.sound_segments(aired.part(0.5, 13.8))
    assert len(heard) >= 2  # the drop was heard as a gap, then the relay came back
    assert abs(aired.hz(12.0, 13.8) - TONE) < 5  # back on air after the reconnect
    assert abs(aired.hz(14.4, 15.3) - ITEM) < 10


def test_dead_stream_is_replaced_by_the_notice_then_the_next_items(
        server: icecast.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = server.feed("/vov3.mp3", tone_hz=TONE, level_db=-20)

    def die(start: datetime) -> None:
        _later((start - datetime.now(start.tzinfo)).total_seconds() + 2.0, source.kill)

    relay = Relay(server.url("/vov3.mp3"), "Thời sự VOV3", 30.0, fallback="mat-tin-hieu.wav", max_gap_seconds=3)
    t0 = time.monotonic()
    aired = _air(tmp_path, monkeypatch, _station(tmp_path), relay, during=die)
    assert time.monotonic() - t0 < 15  # the session did not wait out the relay's 30 s
    lost, notice, item = aired.rows
    assert lost.status is AiringStatus.INTERRUPTED and "mất tín hiệu tiếp âm quá 3 giây" in lost.reason
    assert notice.title.startswith("Thông báo mất tín hiệu") and notice.status is AiringStatus.COMPLETED
    assert item.status is AiringStatus.COMPLETED
    relayed, replaced = aired.when(TONE), aired.when(NOTICE)
    assert relayed and replaced and relayed[-1] < replaced[0]
    assert replaced[0] - 2.0 <= 5.0  # the notice within 5 s of the stream's death at its source
    assert abs(lost.played_seconds - relayed[-1]) < 1.0  # the relayed duration logged is what aired
    assert aired.when(ITEM)[0] > replaced[-1]  # then the next item
    assert [kind for _, kind, _ in aired.warnings] == [RELAY_LOST]


def test_stream_down_at_the_start_fails_the_relay_and_airs_the_chime(
        server: icecast.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    relay = Relay(server.url("/khong-co.mp3"), "Đài tỉnh", 20.0, max_gap_seconds=2)
    aired = _air(tmp_path, monkeypatch, _station(tmp_path), relay, lead=1.0)
    lost, notice, item = aired.rows
    assert lost.status is AiringStatus.FAILED and lost.played_seconds == 0
    assert "không nhận được tín hiệu tiếp âm" in lost.reason and "404" in lost.reason
    assert notice.status is AiringStatus.COMPLETED and item.status is AiringStatus.COMPLETED


def test_silent_stream_is_dead_air_warned_within_the_set_time(
        server: icecast.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.feed("/im-lang.mp3", tone_hz=None)
    station = _station(tmp_path, dead_air_seconds=3.0)
    aired = _air(tmp_path, monkeypatch, station, Relay(server.url("/im-lang.mp3"), "Luồng im lặng", 7.0))
    dead = [(at, msg) for at, kind, msg in aired.warnings if kind == DEAD_AIR]
    assert len(dead) == 1 and "im lặng trên sóng" in dead[0][1]
    assert 3.0 <= dead[0][0] <= 4.0  # within the set time + 1 s
    assert aired.rows[0].status is AiringStatus.COMPLETED  # a warning, the relay still airs
    assert aired.log is not None and [e.event for e in aired.log.audit_events(event=DEAD_AIR)] == [DEAD_AIR]


def test_an_emergency_interrupts_the_relay_which_then_goes_on(server: icecast.Server, tmp_path: Path) -> None:
    server.feed("/vov4.mp3", tone_hz=TONE, level_db=-20)
    station = _station(tmp_path)
    clock = SystemClock(station.timezone)
    log = AirLog(tmp_path / "log.sqlite3", tz=station.timezone)
    channel = Channel(station, station.outputs[0], NullOutput(), FakeZoneSwitch(), log, clock, threading.Event())
    start = clock.now() + timedelta(seconds=5)
    programme = Programme(start.date(), "sang", "main", start, 1800, relay=Relay(server.url("/vov4.mp3"), "VOV4", 8.0),
                          relay_zones=ALL)
    message = make.tone_wav(tmp_path / "khan.wav", 1.0, 700.0, sample_rate=RATE)
    emergency = EmergencyAudio("e1", message, 1.0, None, frozenset(), 1, "Tin khẩn", start, "thử")
    _later((start - clock.now()).total_seconds() + 2.0, lambda: channel.offer(emergency))
    rows = channel.air_session(Session(programme))
    assert [(r.title, r.status) for r in rows] == [("Tiếp âm: VOV4", AiringStatus.INTERRUPTED),
                                                   ("Tiếp âm: VOV4", AiringStatus.COMPLETED)]
    assert rows[0].reason.startswith(REASON_EMERGENCY) and 1.0 <= rows[0].played_seconds <= 3.0
    assert abs((rows[1].ended_at - start).total_seconds() - 8.0) < 1.0  # the relay still ended on time
    assert [r.status for r in log.history() if r.session_key.startswith("emergency")] == [AiringStatus.COMPLETED]
