"""Live announcements with real parts: a fake microphone (a PulseAudio pipe source fed in real time, tests/mic.py)
captured through PortAudio, played through the station's real sound output into a private null sink that the
test records (tests/sink.py), a real airing log and the bundled ffmpeg for the recording. Relays are the fake
zone switch (its calls are what the test checks). Skipped with the reason when PulseAudio is not available."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from broadcaster.airlog import open_station_log
from broadcaster.clock import SystemClock
from broadcaster.ffmpeg import decode_pcm
from broadcaster.models import (
    AiringStatus,
    AudioSettings,
    LiveSettings,
    OutputConfig,
    PlayoutSettings,
    Priority,
    Programme,
    ProgrammeItem,
    Zone,
)
from broadcaster.outputs import SoundDeviceOutput
from broadcaster.playout import REASON_EMERGENCY, REASON_LIVE, REASON_SKIPPED_AFTER_LIVE, EmergencyAudio
from broadcaster.station import _live
from broadcaster.station._chains import Channel
from broadcaster.station._sessions import Session
from broadcaster.audio.slicing import Segment
from tests import factories as make
from tests import sink
from tests.fakes import FakeZoneSwitch
from tests.mic import FakeMicrophone, studio as mic_studio

pytestmark = pytest.mark.skipif(sink.unavailable_reason() is not None, reason=str(sink.unavailable_reason()))

VILLAGES = (Zone("dong", "Thôn Đông", relay=1), Zone("tay", "Thôn Tây", relay=2), Zone("nam", "Thôn Nam", relay=3))
VOICE_HZ = 1000.0  # the "speaker": a 1 kHz tone at -12 dBFS
VOICE_AMP = 0.25


studio = pytest.fixture(mic_studio)  # the fake microphone as the default input, a recorded private sink as the output


class Rig:
    """One amplifier chain as the running station has it: the real sound output, relays, the log, the runner's
    live control."""

    def __init__(self, tmp_path: Path, *, live: LiveSettings | None = None, playout: PlayoutSettings | None = None):
        make.write_jingles(tmp_path / "audio")
        self.station = make.station(
            tmp_path / "schedules", zones=VILLAGES,
            outputs=(OutputConfig(kind="sounddevice"),),
            audio=AudioSettings(pause_seconds=0.2, **make.JINGLES),
            live=live or LiveSettings(silence_stop_seconds=0),
            playout=playout,
        )
        self.station.root.mkdir(parents=True, exist_ok=True)
        self.clock = SystemClock(self.station.timezone)
        self.log = open_station_log(self.station)
        self.switch = FakeZoneSwitch(warmup_seconds=0.1)
        self.shutdown = threading.Event()
        self.channel = Channel(self.station, self.station.outputs[0], SoundDeviceOutput(name="main"), self.switch,
                               self.log, self.clock, self.shutdown)
        self.lines: list[str] = []
        self.control = _live.LiveControl(lambda: self.station, {"main": self.channel}, self.lines.append,
                                         now=self.clock.now)

    def request(self, *, zones: tuple[str, ...] = (), max_minutes: float | None = None,
                chime: bool = True, ago: float = 0.0) -> _live.LiveRequest:
        chime_wav = (self.station.root.parent / "audio" / "chime.wav") if chime else None
        request = _live.new_live_request(self.station, now=self.clock.now() - timedelta(seconds=ago), zones=zones,
                                         max_minutes=max_minutes, chime=chime_wav, who="Chủ tịch xã")
        self.control.request(request)
        return request

    def state(self, request: _live.LiveRequest) -> dict:
        return _live.read_live_state(self.station, request.id) or {}

    def wait_for(self, request: _live.LiveRequest, state: str, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state(request).get("state") == state:
                return self.state(request)
            time.sleep(0.02)
        raise AssertionError(f"live {request.id} never reached {state}: {self.state(request)}; {self.lines}")

    def stop(self, request: _live.LiveRequest) -> None:
        self.control.stop(_live.live_stop_request("Chủ tịch xã", self.clock.now(), target=request.id))

    def live_rows(self) -> list:  # type: ignore[type-arg]
        return [r for r in self.log.history() if r.session_key.startswith("live/")]


def _bursts(samples: np.ndarray, hz: float, *, min_seconds: float = 0.15, bridge: float = 0.25
            ) -> list[tuple[float, float]]:
    """Stretches of sound at the sink whose pitch is `hz` (±3 %); gaps shorter than `bridge` are bridged."""
    out = []
    for start, end in sink.sound_segments(samples, min_silence=bridge):
        if end - start < min_seconds:
            continue
        part = samples[int(start * sink.RATE):int(end * sink.RATE)]
        if abs(sink.dominant_hz(part) - hz) <= hz * 0.03:
            out.append((start, end))
    return out


def _pitches(samples: np.ndarray, choices: tuple[float, ...], window: float = 0.05) -> list[tuple[float, float, float]]:
    """What sounded when, as (hz, start, end) runs of 50 ms windows whose pitch is one of `choices` (±3 %);
    sounds that follow each other without a pause are told apart by their pitch."""
    size = int(window * sink.RATE)
    runs: list[list[float]] = []
    for i in range(len(samples) // size):
        part = samples[i * size:(i + 1) * size]
        if sink.rms(part) < 0.01:
            continue
        hz = sink.dominant_hz(part)
        label = next((c for c in choices if abs(hz - c) <= c * 0.03), None)
        if label is None:
            continue
        if runs and runs[-1][0] == label and i * window - runs[-1][2] < 0.15:
            runs[-1][2] = (i + 1) * window
        else:
            runs.append([label, i * window, (i + 1) * window])
    return [(hz, start, end) for hz, start, end in runs if end - start >= 0.15]


def test_the_villages_hear_the_speaker_at_the_same_pitch_and_level_with_a_steady_short_delay(
        tmp_path: Path, studio: tuple[FakeMicrophone, sink.Recording]) -> None:
    mic, rec = studio
    rig = Rig(tmp_path)
    request = rig.request(zones=("dong", "nam"))
    rig.wait_for(request, "on_air")
    mic.say([("silence", 0.3)] + [("tone", 0.4, VOICE_HZ, VOICE_AMP), ("silence", 0.6)] * 6)
    while not mic.idle():
        time.sleep(0.05)
    time.sleep(0.4)
    rig.stop(request)
    done = rig.wait_for(request, "done")
    samples = rec.stop()

    heard = _bursts(samples, VOICE_HZ)
    said = [at for at, hz in mic.bursts if hz == VOICE_HZ]
    assert len(heard) == len(said) == 6, (heard, said)
    delays = [rec.started_at + start - at for (start, _end), at in zip(heard, said, strict=True)]
    assert all(0 < d < 0.5 for d in delays), delays
    assert max(delays) - min(delays) < 0.1, f"the delay grows while the speaker talks: {delays}"
    for start, end in heard:
        part = samples[int((start + 0.05) * sink.RATE):int((end - 0.05) * sink.RATE)]
        # the level where it sounds (10 ms windows, median): a block dropped on a busy machine is a skip, not gain
        windows = [sink.rms(part[i:i + 441]) for i in range(0, len(part) - 441, 441)]
        level_db = 20 * np.log10(float(np.median(windows)) / (VOICE_AMP / np.sqrt(2)))
        assert abs(level_db) < 1.0, f"the microphone's level changed by {level_db:.1f} dB on the way"
    # the chime came first, before the microphone opened
    chime = _bursts(samples, 880.0, min_seconds=0.1) or sink.sound_segments(samples)[:1]
    assert chime and chime[0][0] < heard[0][0]

    assert done["status"] == "completed" and done["ended_by"] == "stop"
    [row] = rig.live_rows()
    assert row.session_key == f"live/{request.id}/main"
    assert row.zones == ("dong", "nam") and row.status is AiringStatus.COMPLETED
    assert "Chủ tịch xã" in row.title and row.voice == "Chủ tịch xã" and row.engine == "microphone"
    assert row.output_kind == "sounddevice" and not row.is_test
    assert row.started_at is not None and row.ended_at is not None
    # the row spans what aired (plus opening the sound card, which takes longer on a busy machine)
    assert -0.2 < (row.ended_at - row.started_at).total_seconds() - row.played_seconds < 1.5
    # relays: the chosen villages only, after the amplifier; everything off at the end
    assert rig.switch.calls[:2] == [("amplifier", True), ("select", frozenset({1, 3}))]
    assert rig.switch.calls[-2:] == [("all_off",), ("amplifier", False)]

    recording = Path(done["recording"])
    assert recording.suffix == ".mp3" and recording.is_relative_to(rig.station.state_dir / "archive") and recording.name.startswith("live-")
    audio = decode_pcm(recording)
    assert abs(len(audio) / 44100 - row.played_seconds) < 0.3
    assert len(_bursts(audio, VOICE_HZ)) == 6, "the recording holds what was said"
    [event] = rig.log.audit_events(event="live")
    assert event.who == "Chủ tịch xã" and event.details["recording"] == str(recording)


def _session(rig: Rig, tmp_path: Path, seconds: float, count: int = 1) -> Session:
    """A session airing now of `count` bulletins, each a 440 Hz tone for every village."""
    wav = make.tone_wav(tmp_path / "tin.wav", seconds, hz=440)
    now = rig.clock.now()
    items = tuple(ProgrammeItem(f"tin{n or ''}", f"Tin thử {n + 1}", frozenset({"dong", "tay", "nam"}), seconds,
                                priority=Priority.NORMAL) for n in range(count))
    programme = Programme(now.date(), "sang", "main", now, 600, items)
    segments = tuple(Segment("bulletin", item.bulletin_id, item.title, item.zones, n * seconds, seconds, "", wav)
                     for n, item in enumerate(items))
    return Session(programme, segments=segments)


def _cut_in(rig: Rig, session: Session, studio: tuple[FakeMicrophone, sink.Recording],
            speak_seconds: float, on_air_seconds: float) -> tuple[list, np.ndarray]:
    """Air `session`; a second in, the officer speaks live to village "tay" for `on_air_seconds`. Returns the
    session's log rows and what the sink heard."""
    mic, rec = studio
    rows: list = []
    airing = threading.Thread(target=lambda: rows.extend(rig.channel.air_session(session)))
    airing.start()
    time.sleep(1.0)
    mic.say([("tone", speak_seconds, VOICE_HZ, VOICE_AMP)])
    request = rig.request(zones=("tay",), chime=False)
    rig.wait_for(request, "on_air")
    time.sleep(on_air_seconds)
    rig.stop(request)
    rig.wait_for(request, "done")
    airing.join(timeout=20)
    return rows, rec.stop()


def test_with_after_emergency_skip_the_rest_after_a_live_cut_in_says_live_not_emergency(
        tmp_path: Path, studio: tuple[FakeMicrophone, sink.Recording]) -> None:
    """The officer reading the log must see why the rest was dropped: a live announcement, not an emergency."""
    rig = Rig(tmp_path, playout=PlayoutSettings(after_emergency="skip"))
    rows, _ = _cut_in(rig, _session(rig, tmp_path, 2.0, count=2), studio, 2.0, 0.5)
    assert [(r.status, r.reason) for r in rows] == [(AiringStatus.INTERRUPTED, REASON_LIVE),
                                                  (AiringStatus.SKIPPED, REASON_SKIPPED_AFTER_LIVE)]
    assert "trực tiếp" in REASON_SKIPPED_AFTER_LIVE and "khẩn cấp" not in REASON_SKIPPED_AFTER_LIVE.split("(")[0]


def test_a_live_announcement_cuts_into_the_session_which_then_resumes(
        tmp_path: Path, studio: tuple[FakeMicrophone, sink.Recording]) -> None:
    rig = Rig(tmp_path)
    rows, samples = _cut_in(rig, _session(rig, tmp_path, 2.0), studio, 3.0, 1.0)

    assert [(r.status, r.reason) for r in rows] == [(AiringStatus.INTERRUPTED, REASON_LIVE),
                                                  (AiringStatus.COMPLETED, "")]
    [live] = rig.live_rows()
    assert live.status is AiringStatus.COMPLETED and live.zones == ("tay",)
    assert rows[0].ended_at <= live.started_at <= live.ended_at <= rows[1].started_at
    # at the sink: the session, the speaker, the session again from the start of its item
    heard = _pitches(samples, (440.0, VOICE_HZ))
    assert [hz for hz, _s, _e in heard] == [440.0, VOICE_HZ, 440.0], heard
    assert heard[2][2] - heard[2][1] == pytest.approx(2.0, abs=0.2)  # resumed in full
    # the live announcement had only its village on; the session got all three back
    selects = [c for c in rig.switch.calls if c[0] == "select"]
    assert selects == [("select", frozenset({1, 2, 3})), ("select", frozenset({2})),
                       ("select", frozenset({1, 2, 3}))]


def _emergency(rig: Rig, tmp_path: Path, seconds: float) -> EmergencyAudio:
    return EmergencyAudio(id="e1", message=make.tone_wav(tmp_path / "khan.wav", seconds, hz=660),
                          message_seconds=seconds, attention=None, zones=frozenset(), repeat=1, title="Bão số 5",
                          requested_at=rig.clock.now(), who="Chủ tịch xã")


def test_a_live_request_left_waiting_is_refused_and_the_microphone_never_opens(tmp_path: Path) -> None:
    """Nobody is at a microphone an hour after asking for it (the station was off): refused with the reason."""
    rig = Rig(tmp_path)
    refused = rig.wait_for(rig.request(ago=3600), "done", timeout=2)
    assert refused["status"] == "refused" and "đã chờ quá 10 phút mà đài chưa nhận" in refused["reason"]
    assert not rig.live_rows() and rig.switch.calls == []
    assert rig.control.current is None


def test_a_live_announcement_is_refused_while_an_emergency_airs(
        tmp_path: Path, studio: tuple[FakeMicrophone, sink.Recording]) -> None:
    _mic, rec = studio
    rig = Rig(tmp_path)
    rig.channel.offer(_emergency(rig, tmp_path, 2.0))
    time.sleep(0.8)
    request = rig.request()
    refused = rig.wait_for(request, "done", timeout=2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not rig.log.history():
        time.sleep(0.05)
    while time.monotonic() < deadline and rig.log.history()[-1].status is AiringStatus.STARTED:
        time.sleep(0.05)
    samples = rec.stop()

    assert refused["status"] == "refused"
    assert refused["reason"] == _live.REFUSED_EMERGENCY
    assert "tin khẩn cấp" in refused["reason"]
    assert [(r.title, r.status) for r in rig.log.history()] == [("Bão số 5 (lần 1/1)", AiringStatus.COMPLETED)]
    assert not rig.live_rows()
    assert _bursts(samples, 660.0)[0][1] - _bursts(samples, 660.0)[0][0] == pytest.approx(2.0, abs=0.2)


def test_an_emergency_cuts_a_live_announcement(tmp_path: Path, studio: tuple[FakeMicrophone, sink.Recording]
                                               ) -> None:
    mic, rec = studio
    rig = Rig(tmp_path)
    mic.say([("tone", 6.0, VOICE_HZ, VOICE_AMP)])
    request = rig.request(chime=False)
    rig.wait_for(request, "on_air")
    time.sleep(0.8)
    rig.channel.offer(_emergency(rig, tmp_path, 1.0))
    done = rig.wait_for(request, "done")
    time.sleep(2.0)
    rec.stop()
    assert done["status"] == "interrupted" and done["ended_by"] == "emergency"
    [live] = rig.live_rows()
    assert live.status is AiringStatus.INTERRUPTED and live.reason == REASON_EMERGENCY
    emergency = [r for r in rig.log.history() if r.session_key.startswith("emergency/")]
    assert [r.status for r in emergency] == [AiringStatus.COMPLETED]


def test_the_microphone_closes_after_the_set_silence(tmp_path: Path,
                                                     studio: tuple[FakeMicrophone, sink.Recording]) -> None:
    mic, rec = studio
    rig = Rig(tmp_path, live=LiveSettings(silence_stop_seconds=1.5))
    request = rig.request(chime=False)
    rig.wait_for(request, "on_air")
    mic.say([("tone", 1.0, VOICE_HZ, VOICE_AMP)])
    done = rig.wait_for(request, "done", timeout=10)
    rec.stop()
    assert done["status"] == "completed" and done["ended_by"] == "silence"
    assert done["ended_by_text"] == "micrô im lặng quá lâu"
    assert 2.3 <= done["seconds"] <= 3.5  # one second of speech, then 1.5 s of silence
    [row] = rig.live_rows()
    assert row.status is AiringStatus.COMPLETED


def test_the_microphone_closes_at_the_maximum_length(tmp_path: Path,
                                                     studio: tuple[FakeMicrophone, sink.Recording]) -> None:
    mic, rec = studio
    rig = Rig(tmp_path, live=LiveSettings(max_minutes=10, silence_stop_seconds=0))
    mic.say([("tone", 8.0, VOICE_HZ, VOICE_AMP)])
    request = rig.request(chime=False, max_minutes=0.03)  # 1.8 s: the command may shorten the station's 10 min
    done = rig.wait_for(request, "done", timeout=10)
    samples = rec.stop()
    assert done["status"] == "completed" and done["ended_by"] == "max"
    assert 1.3 < done["seconds"] <= 2.0  # what was captured: a busy machine may lose a little
    [heard] = _bursts(samples, VOICE_HZ, bridge=0.5)  # a skip on a busy machine is not the end
    assert 1.3 < heard[1] - heard[0] < 2.2
    assert rig.switch.calls[-2:] == [("all_off",), ("amplifier", False)]


def test_a_longer_maximum_than_the_station_allows_is_refused(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules", zones=VILLAGES, live=LiveSettings(max_minutes=5))
    with pytest.raises(Exception, match="không quá 5 phút"):
        _live.new_live_request(station, now=SystemClock().now(), max_minutes=6)
    with pytest.raises(Exception, match="không có thôn bac"):
        _live.new_live_request(station, now=SystemClock().now(), zones=("bac",))
    two = dataclasses.replace(station, zones=(*VILLAGES, Zone("bac", "Thôn Bắc", output="phu")))
    with pytest.raises(Exception, match="chỉ phát qua một đầu ra"):
        _live.new_live_request(two, now=SystemClock().now(), zones=("dong", "bac"))


def test_a_missing_microphone_fails_the_row_with_the_devices_found(tmp_path: Path,
                                                                  studio: tuple[FakeMicrophone, sink.Recording]
                                                                  ) -> None:
    _mic, rec = studio
    rig = Rig(tmp_path, live=LiveSettings(device="Micro không có"))
    request = rig.request(chime=False)
    done = rig.wait_for(request, "done")
    rec.stop()
    assert done["status"] == "failed"
    assert "không mở được micrô 'Micro không có'" in done["reason"] and "pulse" in done["reason"]
    [row] = rig.live_rows()
    assert row.status is AiringStatus.FAILED
    assert rig.switch.calls[-2:] == [("all_off",), ("amplifier", False)]  # the villages' relays never stay on

