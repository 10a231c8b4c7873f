"""Playout: one programme aired item by item through fakes of our Output and ZoneSwitch, logged in a real AirLog."""

from __future__ import annotations

import dataclasses
import threading
import time
import wave
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from broadcaster.airlog import AirLog
from broadcaster.audio.programme import BuiltProgramme, ManifestItem
from broadcaster.audio.slicing import slice_programme
from broadcaster.models import (
    AiringStatus,
    OutputConfig,
    PlayoutSettings,
    Programme,
    ProgrammeItem,
    Zone,
)
from broadcaster.outputs import FileOutput, NullOutput
from broadcaster.playout import EmergencyAudio, air_emergency, air_programme, emergency_zones
from broadcaster.station._chains import Channel
from tests import factories as make
from tests.fakes import FakeClock, FakeOutput, FakeZoneSwitch

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RATE = 8000
START = datetime(2026, 11, 28, 6, 30, tzinfo=TZ)


# Two villages on relays 1 and 2 and the market, always on (no relay), all on the one output.
ZONES = (Zone("thon-dong", "Thôn Đông", relay=1), Zone("thon-tay", "Thôn Tây", relay=2), Zone("cho", "Chợ"))


def _programme_and_built(tmp_path: Path) -> tuple[Programme, BuiltProgramme]:
    """opening 0.5 s + ident 0.5 s (all zones), bulletin a 2 s (Đông), chime 0.5 s (Tây), bulletin b 2 s (Tây),
    closing 1 s. Opening and ident follow each other with no silence: they air as one sound."""
    layout = [("opening", None, 0.5, ("thon-dong", "thon-tay")), ("ident", None, 0.5, ("thon-dong", "thon-tay")),
              ("bulletin", "a", 2.0, ("thon-dong",)),
              ("chime", None, 0.5, ("thon-tay",)), ("bulletin", "b", 2.0, ("thon-tay",)),
              ("closing", None, 1.0, ("thon-dong", "thon-tay"))]
    parts, items, offset = [], [], 0.0
    for n, (kind, bid, secs, zones) in enumerate(layout):
        parts.append(make.tone(secs, 300 + 100 * n, sample_rate=RATE))
        items.append(ManifestItem(kind, bid, bid or kind, offset, secs, zones, f"h-{bid or kind}", f"a-{n}"))
        offset += secs
    out = tmp_path / "built"
    wav = make.write_wav(out / "p.wav", np.concatenate(parts), RATE)
    built = BuiltProgramme(wav, None, out / "p.m3u8", out / "manifest.json", tuple(items), offset, "x")
    programme = Programme(
        day=START.date(), slot_id="sang", output_id="main", start=START, max_seconds=1800,
        items=(ProgrammeItem("a", "Tin A", frozenset({"thon-dong"}), 2.0, content_hash="h-a"),
               ProgrammeItem("b", "Tin B", frozenset({"thon-tay"}), 2.0, content_hash="h-b")),
        overhead_seconds=2.5,
    )
    return programme, built


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    station = make.station(tmp_path, zones=ZONES, outputs=(OutputConfig(kind="null"),))
    programme, built = _programme_and_built(tmp_path)
    clock = FakeClock(START - timedelta(seconds=3))
    log = AirLog(tmp_path / "log.sqlite3")
    return station, programme, built, clock, log


def test_slices_are_the_programme_audio_at_the_manifest_offsets(env) -> None:  # type: ignore[no-untyped-def]
    station, programme, built, clock, log = env
    segments = slice_programme(built, programme)
    with wave.open(str(built.wav), "rb") as w:
        whole = w.readframes(w.getnframes())
    for seg in segments:
        with wave.open(str(seg.wav), "rb") as w:
            frames = w.readframes(w.getnframes())
        start = round(seg.offset * RATE) * 2
        assert frames == whole[start:start + len(frames)] and len(frames) == round(seg.duration * RATE) * 2
    assert [s.kind for s in segments] == ["opening+ident", "bulletin", "chime", "bulletin", "closing"]
    assert segments[0].zones == {"thon-dong", "thon-tay"}


def test_airs_on_time_with_relays_per_item_and_logs_every_bulletin(env) -> None:  # type: ignore[no-untyped-def]
    station, programme, built, clock, log = env
    out, switch = FakeOutput(clock), FakeZoneSwitch(warmup_seconds=2.0)
    rows = air_programme(built, programme, station=station, output=out, switch=switch, log=log, clock=clock,
                         stop=threading.Event())
    assert out.plays[0]["at"] == START  # warm-up done before the scheduled start, first sample on the second
    assert [p["label"] for p in out.plays] == ["opening + ident", "a", "chime", "b", "closing"]
    assert switch.calls == [
        ("amplifier", True), ("select", frozenset({1, 2})), ("select", frozenset({1})), ("select", frozenset({2})),
        ("select", frozenset({1, 2})), ("all_off",), ("amplifier", False),
    ]
    assert [(r.bulletin_id, r.status) for r in rows] == [("a", AiringStatus.COMPLETED), ("b", AiringStatus.COMPLETED)]
    assert rows[0].scheduled_at == START + timedelta(seconds=1) == rows[0].started_at
    assert rows[1].scheduled_at == START + timedelta(seconds=3.5)
    assert rows[1].played_seconds == pytest.approx(2.0)
    logged = {r.bulletin_id: r for r in log.history()}
    assert logged["a"].status is AiringStatus.COMPLETED and logged["a"].ended_at == START + timedelta(seconds=3)
    assert logged["b"].zones == ("thon-tay",)


def test_output_failure_gives_failed_rows_with_reason_and_relays_off(env) -> None:  # type: ignore[no-untyped-def]
    station, programme, built, clock, log = env
    out, switch = FakeOutput(clock, fail="không mở được card âm thanh"), FakeZoneSwitch()
    rows = air_programme(built, programme, station=station, output=out, switch=switch, log=log, clock=clock,
                         stop=threading.Event())
    assert [r.status for r in rows] == [AiringStatus.FAILED, AiringStatus.FAILED]
    assert all("card âm thanh" in r.reason for r in log.history())
    assert switch.calls[-2:] == [("all_off",), ("amplifier", False)]


def test_zone_switch_failure_gives_failed_rows(env) -> None:  # type: ignore[no-untyped-def]
    station, programme, built, clock, log = env
    switch = FakeZoneSwitch(fail="không mở được cổng /dev/ttyUSB0")
    rows = air_programme(built, programme, station=station, output=FakeOutput(clock), switch=switch, log=log,
                         clock=clock, stop=threading.Event())
    assert [r.status for r in rows] == [AiringStatus.FAILED, AiringStatus.FAILED]
    assert "ttyUSB0" in rows[0].reason


def test_shutdown_mid_item_interrupts_it_and_the_rest_is_missed(env) -> None:  # type: ignore[no-untyped-def]
    station, programme, built, clock, log = env
    stop = threading.Event()
    out = FakeOutput(clock, during=lambda n, label, s: s.set() if label == "a" else None)
    switch = FakeZoneSwitch()
    rows = air_programme(built, programme, station=station, output=out, switch=switch, log=log, clock=clock,
                         stop=stop)
    assert [(r.bulletin_id, r.status) for r in rows] == [("a", AiringStatus.INTERRUPTED), ("b", AiringStatus.MISSED)]
    assert [p["label"] for p in out.plays] == ["opening + ident", "a"]
    assert switch.calls[-2:] == [("all_off",), ("amplifier", False)]
    assert {r.status for r in log.history()} == {AiringStatus.INTERRUPTED, AiringStatus.MISSED}


def _emergency(tmp_path: Path, zones: frozenset[str] = frozenset()) -> EmergencyAudio:
    return EmergencyAudio(
        id="e1", message=make.tone_wav(tmp_path / "msg.wav", 1.5, 880, sample_rate=RATE), message_seconds=1.5,
        attention=make.tone_wav(tmp_path / "att.wav", 0.5, 1000, sample_rate=RATE), zones=zones, repeat=2,
        title="Bão số 5",
        requested_at=START, who="canbo",
    )


@pytest.mark.parametrize("after", ["resume", "skip"])
def test_emergency_preempts_then_resumes_or_skips(env, tmp_path: Path, after: str) -> None:  # type: ignore[no-untyped-def]
    _, programme, built, clock, log = env
    station = make.station(tmp_path, zones=ZONES, outputs=(OutputConfig(kind="null"),),
                           playout=PlayoutSettings(after_emergency=after))
    switch = FakeZoneSwitch()
    channel_box: list[Channel] = []
    em = _emergency(tmp_path)

    def during(n: int, label: str, stop: threading.Event) -> None:
        if label == "a" and n == 1:  # the first time bulletin a plays: the officer sends an emergency
            channel_box[0]._queue.append(em)
            stop.set()

    out = FakeOutput(clock, during=during)
    channel = Channel(station, station.outputs[0], out, switch, log, clock, threading.Event())
    channel_box.append(channel)
    from broadcaster.station._sessions import Session

    rows = channel.air_session(Session(programme, built, tuple(slice_programme(built, programme))))
    labels = [p["label"] for p in out.plays]
    history = log.history()
    emergency_rows = [r for r in history if r.session_key.startswith("emergency/")]
    assert [r.status for r in emergency_rows] == [AiringStatus.COMPLETED] * 2
    assert all(r.zones == ("cho", "thon-dong", "thon-tay") for r in emergency_rows)
    assert ("select", frozenset({1, 2})) in switch.calls  # every zone on for the emergency
    if after == "resume":
        assert labels == ["opening + ident", "a", "attention", *[e.title for e in emergency_rows], "a", "chime", "b",
                          "closing"]
        assert [(r.bulletin_id, r.status) for r in rows] == [
            ("a", AiringStatus.INTERRUPTED), ("a", AiringStatus.COMPLETED), ("b", AiringStatus.COMPLETED)]
    else:
        assert labels == ["opening + ident", "a", "attention", *[e.title for e in emergency_rows]]
        assert [(r.bulletin_id, r.status) for r in rows] == [
            ("a", AiringStatus.INTERRUPTED), ("b", AiringStatus.SKIPPED)]
    assert rows[0].reason == "bị tin khẩn cấp cắt ngang"
    assert switch.calls.count(("amplifier", True)) == 1  # the emergency did not cycle the amplifier


def test_emergency_alone_switches_targeted_zones_and_airs_once(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    station, _, _, clock, log = env
    switch, out = FakeZoneSwitch(warmup_seconds=1.0), FakeOutput(clock)
    em = _emergency(tmp_path, frozenset({"thon-tay"}))
    kwargs = dict(station=station, output=out, output_id="main", switch=switch, log=log, clock=clock,
                  stop=threading.Event())
    rows = air_emergency(em, **kwargs)
    assert [r.status for r in rows] == [AiringStatus.COMPLETED, AiringStatus.COMPLETED]
    assert switch.calls == [("amplifier", True), ("select", frozenset({2})), ("all_off",), ("amplifier", False)]
    assert air_emergency(em, **kwargs) == []  # the same request never airs twice
    assert len(out.plays) == 3


def test_an_emergency_uses_only_the_relays_of_each_outputs_own_villages(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two amplifier chains, each with its own relay board: relay 1 is Thôn Đông on one board, Thôn Bắc on the
    other. An emergency for Thôn Bắc must not sound in Thôn Đông, and "every village" closes each board's own."""
    _, _, _, clock, log = env
    station = make.station(
        tmp_path,
        zones=(Zone("thon-dong", "Thôn Đông", relay=1), Zone("thon-tay", "Thôn Tây", relay=2),
               Zone("thon-bac", "Thôn Bắc", output="phu", relay=1)),
        outputs=(OutputConfig(id="main", kind="null"), OutputConfig(id="phu", kind="null")),
    )

    def air(em: EmergencyAudio, output_id: str) -> tuple[list, FakeZoneSwitch, FakeOutput]:  # type: ignore[type-arg]
        switch, out = FakeZoneSwitch(), FakeOutput(clock)
        rows = air_emergency(em, station=station, output=out, output_id=output_id, switch=switch, log=log,
                             clock=clock, stop=threading.Event())
        return rows, switch, out

    north = dataclasses.replace(_emergency(tmp_path, frozenset({"thon-bac"})), id="bac")
    rows, switch, out = air(north, "main")
    assert rows == [] and switch.calls == [] and out.plays == []  # Thôn Đông's relay 1 stays open
    rows, switch, _ = air(north, "phu")
    assert {r.status for r in rows} == {AiringStatus.COMPLETED} and ("select", frozenset({1})) in switch.calls
    assert all(r.zones == ("thon-bac",) for r in rows)

    everyone = dataclasses.replace(_emergency(tmp_path), id="all")
    _, switch, _ = air(everyone, "main")
    assert ("select", frozenset({1, 2})) in switch.calls
    rows, switch, _ = air(everyone, "phu")
    assert ("select", frozenset({1})) in switch.calls and all(r.zones == ("thon-bac",) for r in rows)
    assert emergency_zones(north, station, "main") is None  # the runner does not even interrupt that output


def test_a_second_emergency_waits_for_the_first_and_both_are_heard(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two emergencies 1.5 s apart (a storm warning, then a flood warning): the first is heard to the end, the
    second right after; neither is cut, both logged completed (today the second silenced the first)."""
    station, _, _, clock, log = env
    switch = FakeZoneSwitch()
    first = dataclasses.replace(_emergency(tmp_path), id="bao", title="Cảnh báo bão")
    second = dataclasses.replace(_emergency(tmp_path), id="lu", title="Cảnh báo lũ")
    box: list[Channel] = []

    def during(n: int, label: str, stop: threading.Event) -> None:
        if n == 1:  # play 0 is the attention tone, play 1 the first message
            box[0].offer(second)  # arrives while the first message is on air

    out = FakeOutput(clock, during=during)
    channel = Channel(station, station.outputs[0], out, switch, log, clock, threading.Event())
    box.append(channel)
    channel.offer(first)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len([p for p in out.plays if p["label"].startswith("Cảnh báo lũ")]) < 2:
        time.sleep(0.05)
    with channel.lock:  # the drain thread has finished
        pass
    labels = [p["label"] for p in out.plays]
    assert labels == ["attention", "Cảnh báo bão (lần 1/2)", "Cảnh báo bão (lần 2/2)",
                      "attention", "Cảnh báo lũ (lần 1/2)", "Cảnh báo lũ (lần 2/2)"]
    assert not any(p.get("stopped") for p in out.plays)
    rows = [r for r in log.history() if r.session_key.startswith("emergency/")]
    assert [(r.title[:11], r.status) for r in rows] == [("Cảnh báo bã", AiringStatus.COMPLETED)] * 2 + [
        ("Cảnh báo lũ", AiringStatus.COMPLETED)] * 2


@pytest.mark.parametrize(("kind", "test"), [("file", True), ("null", True), ("sounddevice", False)])
def test_each_row_records_the_kind_of_output_it_went_to(env, tmp_path: Path, kind: str, test: bool) -> None:  # type: ignore[no-untyped-def]
    """Airings into files (dry run, or `auto` with no sound card) or nowhere are test airings in the log."""
    station, programme, built, clock, log = env
    outputs = {"file": lambda: FileOutput(tmp_path / "aired", tz=station.timezone, name="main"),
               "null": lambda: NullOutput(name="main"), "sounddevice": lambda: _KindedFake(clock)}
    air_programme(built, programme, station=station, output=outputs[kind](), switch=FakeZoneSwitch(), log=log,
                  clock=clock, stop=threading.Event(), paced=False)
    rows = log.history()
    assert rows and {(r.output_kind, r.is_test) for r in rows} == {(kind, test)}


class _KindedFake(FakeOutput):
    kind = "sounddevice"  # stands for the sound card: FakeOutput plays on the fake clock
