"""A session with a relay through the runner: planned and prepared with its bulletins (a relay alone needs no
build), aired at its time; the stream down, so the relay is logged failed, the notice airs, the bulletin follows,
the session is incomplete, and the chain in status.json says the relay was lost. Fake output and relays, real
ffmpeg (reaching a closed local port), real build and log."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.models import AiringStatus
from broadcaster.station import read_status
from broadcaster.station._chains import Channel
from broadcaster.station._runner import Runner
from broadcaster.streams import Relay
from tests.fakes import FakeClock, FakeOutput, FakeZoneSwitch
from tests.station.test_runner import _files

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RELAY = Relay("http://127.0.0.1:9/vov1.mp3", "Thời sự VOV1", 120.0, max_gap_seconds=1.0)


def test_a_relay_session_with_the_stream_down_airs_the_notice_then_its_bulletin(tmp_path: Path) -> None:
    files = _files(tmp_path)
    slots = tuple(dataclasses.replace(s, relay=RELAY) if s.id == "sang" else s for s in files.station.slots)
    files = dataclasses.replace(files, station=dataclasses.replace(files.station, slots=slots))
    clock = FakeClock(datetime(2026, 11, 28, 6, 29, tzinfo=TZ))
    output = FakeOutput(clock)
    lines: list[str] = []

    def channels(station, log, clock, shutdown):  # type: ignore[no-untyped-def]
        return {"main": Channel(station, station.outputs[0], output, FakeZoneSwitch(), log, clock, shutdown)}

    runner = Runner(tmp_path / "schedules", files=files, clock=clock, make_channels=channels, notify=lines.append)
    sessions = {s.key: s for s in runner.render_ahead()}
    key = "2026-11-28/sang/main"
    assert sessions[key].programme.relay == RELAY and sessions[key].segments and not sessions[key].error
    job = runner.scheduler.get_job(f"session:{key}")
    assert (sessions[key].programme.start - job.trigger.run_date).total_seconds() >= 6  # opened early

    runner.session_job(key)
    rows = [(r.title, r.status) for r in runner.log.history() if r.session_key == key]
    assert rows == [("Tiếp âm: Thời sự VOV1", AiringStatus.FAILED),
                    ("Thông báo mất tín hiệu tiếp âm: Thời sự VOV1", AiringStatus.COMPLETED),
                    ("Tin thử", AiringStatus.COMPLETED)]
    assert runner.log.session_status(key) == "incomplete"
    assert runner.board.flush()
    chain = {e["name"]: e for e in (read_status(runner.station) or {}).get("chain", [])}
    lost = chain["Tiếp âm (main)"]
    assert not lost["ok"] and "không nhận được tín hiệu tiếp âm" in lost["message"]
    assert any(line.startswith("cảnh báo: tiếp âm Thời sự VOV1") for line in lines)
