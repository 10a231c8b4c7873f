"""A month of a station in simulated time (FakeClock, fake output, real builds, real ffmpeg and SQLite): what
aired is kept and can be listened to, retention and the disk budget hold, no build is left behind."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from broadcaster.archive import MB, find_audio, missing_reason, prune, read_archive_status
from broadcaster.ffmpeg import audio_duration
from broadcaster.models import AiringStatus, ArchiveSettings
from broadcaster.station import _control as control
from tests import factories as make
from tests.station.test_runner import DAY, Rig, _files

DAYS = 30
RETENTION = 7
Month = tuple[Rig, Path, list[int]]  # the runner after the month, its state directory, each day's archive bytes


def _emergency(rig: Rig, tmp_path: Path, n: int) -> None:
    """An emergency while the station is idle, taken through the control channel as the officer sends it."""
    station = rig.runner.station
    message = make.tone_wav(tmp_path / f"khan-{n}.wav", 0.6, hz=900)
    req = control.new_request(station, message=message, message_seconds=0.6, title=f"Bão số {n}",
                              now=rig.clock.now(), repeat=1)
    control.submit(station, req)
    plays = len(rig.output.plays)
    loop = threading.Thread(target=rig.runner.control_loop, daemon=True)
    loop.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(rig.output.plays) < plays + 2:
        time.sleep(0.05)
    rig.runner.shutdown.set()
    loop.join(2)
    rig.runner.shutdown.clear()
    deadline = time.monotonic() + 10  # archived in its own thread
    while time.monotonic() < deadline and not list((station.state_dir / "archive").glob("*/emergency-*")):
        time.sleep(0.05)


def _builds(var: Path) -> list[Path]:
    return sorted(p for p in (var / "programmes").rglob("*") if p.is_file()) if (var / "programmes").exists() else []


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    """30 days of two sessions a day, an emergency every tenth day, a restart on day 12; for the last 10 days a
    budget that holds only a few days (the station's `archive` settings changed, as an officer would)."""
    tmp_path = tmp_path_factory.mktemp("month")
    files = _files(tmp_path)
    files = dataclasses.replace(files, station=dataclasses.replace(
        files.station, archive=ArchiveSettings(retention_days=RETENTION, max_mb=50.0)))
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=0), files=files)
    day_bytes: list[int] = []
    for day in range(DAYS):
        start = DAY.replace(hour=6, minute=0) + timedelta(days=day)
        rig.clock.advance((start - rig.clock.now()).total_seconds())
        if day == 12:  # a restart: the old process had built today's sessions; the new one finds them
            rig.runner.render_ahead()
            rig.runner.log.close()
            rig = Rig(tmp_path, start, files=files)
            assert _builds(tmp_path / "var")  # what the previous process built
            rig.runner.housekeeping(startup=True)
            assert _builds(tmp_path / "var") == []
        if day == 20:
            small = dataclasses.replace(rig.runner.station, archive=ArchiveSettings(
                retention_days=RETENTION, max_mb=3 * day_bytes[-1] / MB))
            rig.runner.files = dataclasses.replace(rig.runner.files, station=small)
            rig.runner.station = small
        if day == DAYS - 1:  # the station starts a minute before the morning session: encoded after it aired
            rig.clock.advance(29 * 60)
        sessions = rig.runner.render_ahead()
        for session in sorted(sessions, key=lambda s: s.programme.start):
            if session.programme.day != start.date():
                continue
            rig.clock.advance((session.programme.start - rig.clock.now()).total_seconds() - 1)
            rig.runner.session_job(session.key)
        if day % 10 == 5:
            _emergency(rig, tmp_path, day)
        archive_day = tmp_path / "var" / "archive" / start.date().isoformat()
        day_bytes.append(sum(p.stat().st_size for p in archive_day.iterdir()))
    rig.runner.housekeeping()
    return rig, tmp_path / "var", day_bytes


def test_every_airing_within_retention_has_its_audio_and_older_ones_are_pruned(month: Month) -> None:
    rig, var, _sizes = month
    station = rig.runner.station
    today = rig.clock.now().date()
    rows = rig.runner.log.history()
    aired = [r for r in rows if r.status is AiringStatus.COMPLETED]
    assert len({r.session_key for r in aired if "emergency" not in r.session_key}) == 2 * DAYS
    assert sum("emergency" in r.session_key for r in aired) == 3
    kept = read_archive_status(station)
    assert kept is not None
    oldest = kept["oldest_day"]
    for row in aired:
        audio = find_audio(station, row.id)
        if row.scheduled_at.date().isoformat() >= oldest:
            assert audio is not None, (row, missing_reason(station, row.id))
            assert abs(audio.duration - row.played_seconds) < 0.01 and audio.path.is_file()
        else:
            assert audio is None and "đã bị xoá" in missing_reason(station, row.id)
    assert oldest > (today - timedelta(days=RETENTION)).isoformat()  # retention held...
    days = sorted(p.name for p in (var / "archive").iterdir())
    assert days[0] == oldest and days[-1] == today.isoformat()
    assert sorted(p.name for p in (var / "archive" / days[-1]).iterdir()) == ["sang-main.mp3", "trua-main.mp3"]


def test_an_archived_stretch_is_the_airing_itself(month: Month, tmp_path: Path) -> None:
    rig, _var, _sizes = month
    station = rig.runner.station
    row = [r for r in rig.runner.log.history() if r.bulletin_id == "tin"][-1]
    audio = find_audio(station, row.id)
    assert audio is not None and not audio.test
    out = audio.extract(tmp_path / "tin.mp3")
    assert abs(audio_duration(out) - row.played_seconds) < 0.1
    assert audio.mp3_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")


def test_the_disk_budget_holds_and_the_officer_is_warned(month: Month) -> None:
    rig, var, sizes = month
    status = read_archive_status(rig.runner.station)
    assert status is not None
    archive = sum(p.stat().st_size for p in (var / "archive").rglob("*") if p.is_file())
    assert archive == status["used_bytes"] <= status["budget_bytes"]
    assert len(status["days"]) <= 3  # the budget, not the 7-day retention, decided
    assert "để không vượt" in status["warning"] or "sắp đầy" in status["warning"]
    assert any("kho lưu âm thanh" in line or "âm thanh lưu trữ" in line for line in rig.lines)


def test_nothing_built_is_left_behind(month: Month) -> None:
    rig, var, _sizes = month
    left = _builds(var)
    # only sessions still to air keep their build: their segments and archive copy, never the programme WAV
    to_air = {s.key for s in rig.runner.sessions.values() if not rig.runner.log.session_aired(s.key)}
    assert {p.relative_to(var / "programmes").parts[0] for p in left} <= {k.split("/")[0] for k in to_air}
    assert not [p for p in left if p.suffix == ".wav" and p.parent.name != "segments"]


def test_pruning_never_touches_today_or_tomorrow(month: Month, tmp_path: Path) -> None:
    rig, var, _sizes = month
    now = rig.clock.now()
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    ahead = var / "archive" / tomorrow
    ahead.mkdir()
    (ahead / "x.mp3").write_bytes(b"\0" * 1000)
    tiny = dataclasses.replace(rig.runner.station, archive=ArchiveSettings(retention_days=1, max_mb=0.0001))
    usage = prune(tiny, now)
    assert sorted(usage.days) == [now.date().isoformat(), tomorrow]
    assert "vượt giới hạn" in usage.warning
    (ahead / "x.mp3").unlink()
    ahead.rmdir()
