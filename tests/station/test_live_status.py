"""What the desk's live page reads from the running station: the status record says what airs now (session,
item, position, villages, voice), the next sessions and the warnings; and a request the station took but could
not go on with is answered `.failed` with the reason (the sender is never left believing it on its way)."""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from broadcaster.errors import BroadcasterError
from broadcaster.models import AlertSettings
from broadcaster.station import _control, read_status
from tests import factories as make
from tests.fakes import station_that_cannot
from tests.station.test_runner import DAY, Rig, _files


def status(rig: Rig) -> dict:  # type: ignore[type-arg]
    """status.json once the station's writer has caught up."""
    assert rig.runner.board.flush()
    record = read_status(rig.runner.station)
    assert record is not None
    return record


class Watching:
    """The record the station would write at every change (the fake output plays in no time: the files written
    may skip a state that lasted microseconds; on air an item lasts seconds)."""

    def __init__(self, rig: Rig):
        self.seen: list[dict] = []  # type: ignore[type-arg]
        board = rig.runner.board
        original = board._changed

        def changed() -> None:
            original()
            self.seen.append(board._record(rig.clock.now()))

        board._changed = changed  # type: ignore[method-assign]


def test_the_record_says_what_airs_now_item_by_item_and_the_next_session(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29, second=50))
    rig.runner.render_ahead()
    record = status(rig)
    assert record["schema_version"] == 2
    assert [s["session"] for s in record["next_sessions"]][:2] == ["2026-11-28/sang/main", "2026-11-28/trua/main"]
    assert record["next_sessions"][0]["slot_name"] == "Buổi sáng" and record["next_sessions"][0]["items"] == 1
    assert record["now_playing"] == [] and record["warnings"] == [] and "chain" not in record
    watch = Watching(rig)
    rig.runner.session_job("2026-11-28/sang/main")
    on_air = [r["now_playing"][0] for r in watch.seen if r["now_playing"] and r["now_playing"][0]["item"]]
    assert on_air, watch.seen
    item = on_air[0]["item"]
    assert on_air[0]["session"] == "2026-11-28/sang/main" and on_air[0]["title"] == "Buổi sáng"
    assert item["title"] == "Tin thử" and item["position"] == 1 and item["of"] == 1
    assert item["zones"] == ["Thôn Đông"] and item["engine"] == "espeak" and item["fallback"] is False
    final = status(rig)
    assert final["now_playing"] == []  # nothing on air once the session is over
    assert final["next_sessions"][0]["session"] == "2026-11-28/trua/main"


def test_warnings_are_generic_added_cleared_and_chain_checks_are_carried(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=10))
    board = rig.runner.board
    board.warn("relay-board:main", "Bộ chuyển vùng loa không trả lời", severity="error")
    board.warn("relay-board:main", "Bộ chuyển vùng loa không trả lời")  # same code: one warning, first `since`
    board.set_chain([{"name": "Bộ chuyển vùng loa", "ok": False, "checked_at": DAY.isoformat(), "message": "im lặng"}])
    record = status(rig)
    assert [(w["code"], w["severity"]) for w in record["warnings"]] == [("relay-board:main", "warning")]
    assert record["warnings"][0]["since"] == DAY.replace(hour=10).isoformat()
    assert record["chain"][0]["ok"] is False
    board.clear("relay-board:main")
    assert status(rig)["warnings"] == []


def test_a_missed_session_is_a_warning_until_a_later_session_airs(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    rig.clock.advance(60 * 20)  # the session's job ran 19 minutes late
    rig.runner.session_job("2026-11-28/sang/main")
    warnings = status(rig)["warnings"]
    assert [w["code"] for w in warnings] == ["missed-session"]
    assert warnings[0]["message"].startswith("Buổi sáng lúc 06:30:00 thứ Bảy 28/11/2026 đã bỏ lỡ")
    rig.clock.advance((DAY.replace(hour=8, minute=57, second=58) - rig.clock.now()).total_seconds())
    rig.runner.session_job("2026-11-28/trua/main")
    assert status(rig)["warnings"] == []


def test_missed_sessions_reach_the_alert_command_once(tmp_path: Path) -> None:
    """A session that did not air is what the officer most needs to hear of away from the desk (an SMS)."""
    sms = tmp_path / "sms.txt"
    files = _files(tmp_path)
    station = dataclasses.replace(files.station, alerts=AlertSettings(
        command=f"sh -c 'printf \"%s\\n\" \"$1\" >> {sms}' - {{message}}", timeout_seconds=5))
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29), files=dataclasses.replace(files, station=station))
    rig.runner.render_ahead()
    rig.clock.advance(60 * 20)  # the session's job ran 19 minutes late
    rig.runner.session_job("2026-11-28/sang/main")
    rig.runner.board.warn("missed-session", status(rig)["warnings"][0]["message"], severity="error")  # again
    rig.runner.chain.alerts.join()
    lines = sms.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("Buổi sáng lúc 06:30:00 thứ Bảy 28/11/2026 đã bỏ lỡ: "), lines


def test_low_disk_space_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from broadcaster.station import _runner

    rig = Rig(tmp_path, DAY.replace(hour=10))
    monkeypatch.setattr(_runner, "LOW_DISK_BYTES", 1 << 62)  # more than any disk has free
    rig.runner.check_disk()
    warnings = status(rig)["warnings"]
    assert warnings[0]["code"] == "disk-low" and "MB trống" in warnings[0]["message"]


def test_housekeeping_warns_of_a_full_archive_until_it_is_not_and_prunes_old_control_files(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=10))
    station = rig.runner.station
    rig.runner.station = dataclasses.replace(station, archive=dataclasses.replace(station.archive, max_mb=1.0))
    day = tmp_path / "var" / "archive" / "2026-11-27"
    day.mkdir(parents=True)
    (day / "sang-main.mp3").write_bytes(b"\0" * int(0.9 * 1024 * 1024))  # 90 % of the budget
    rig.runner.housekeeping()
    warnings = status(rig)["warnings"]
    assert [(w["code"], w["severity"]) for w in warnings] == [("archive", "warning")]
    assert warnings[0]["message"].startswith("Kho lưu âm thanh đã dùng 1 MB / 1 MB (90 %): sắp đầy")
    rig.runner.station = dataclasses.replace(station, archive=dataclasses.replace(station.archive, max_mb=100.0))
    old = tmp_path / "var" / "control" / "emergency-20260101T060000-aaaaaa.accepted"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text("", encoding="utf-8")
    os.utime(old, (0, 0))
    rig.runner.housekeeping()
    assert status(rig)["warnings"] == []
    assert not old.exists()  # housekeeping also prunes the control files (tests/station/test_control.py)


def test_an_emergency_whose_audio_cannot_be_prepared_is_answered_failed_with_the_reason(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=10))
    station = rig.runner.station
    (tmp_path / "audio" / "attention.wav").write_bytes(b"not audio at all")  # the attention tone cannot be read
    rig.runner._attention = None
    req = _control.new_request(station, message=make.tone_wav(tmp_path / "m.wav", 0.5), message_seconds=0.5,
                               title="Bão", now=rig.clock.now())
    _control.submit(station, req)
    control = threading.Thread(target=rig.runner.control_loop, daemon=True)
    control.start()
    try:
        assert _control.wait_taken(station, req, 5)
        state, reason = _control.wait_answer(station, req, 5)
    finally:
        rig.runner.shutdown.set()
        control.join(2)
    assert state == _control.FAILED and "không chuẩn bị được âm thanh" in reason
    assert rig.output.plays == []
    assert any("LỖI" in line for line in rig.lines)


def test_a_request_left_waiting_while_the_station_was_off_is_refused_not_aired(tmp_path: Path) -> None:
    """A storm warning and a "phát ngay" dropped yesterday (their sender crashed before it could withdraw them,
    the station was off) must not air when the station comes back: each is answered failed with the reason; a
    fresh emergency still airs."""
    rig = Rig(tmp_path, DAY.replace(hour=10))
    station = rig.runner.station
    yesterday = rig.clock.now() - timedelta(hours=20)
    old = _control.new_request(station, message=make.tone_wav(tmp_path / "m.wav", 0.5), message_seconds=0.5,
                               title="Bão số 5", now=yesterday)
    old_air = _control.submit_air(station, "sang", DAY.date(), yesterday)
    _control.submit(station, old)
    fresh = _control.new_request(station, message=make.tone_wav(tmp_path / "n.wav", 0.5), message_seconds=0.5,
                                 title="Cháy rừng", now=rig.clock.now() - timedelta(minutes=9))
    _control.submit(station, fresh)
    control = threading.Thread(target=rig.runner.control_loop, daemon=True)
    control.start()
    try:
        answers = [_control.wait_answer(station, r, 5) for r in (old, old_air)]
        assert _control.wait_answer(station, fresh, 5)[0] == _control.ACCEPTED
    finally:
        rig.runner.shutdown.set()
        control.join(2)
    for state, reason in answers:
        assert state == _control.FAILED, (state, reason)
        assert reason.startswith("yêu cầu gửi lúc 14:00:00 thứ Sáu 27/11/2026 đã chờ quá 10 phút"), reason
    assert sum("không thực hiện" in line for line in rig.lines) == 2
    assert not any("Bão số 5" in line and "TIN KHẨN CẤP" in line for line in rig.lines)
    assert any("TIN KHẨN CẤP" in line and "Cháy rừng" in line for line in rig.lines)


def test_the_sender_is_told_when_the_station_answers_failed(tmp_path: Path) -> None:
    """`broadcaster emergency`'s service: the running station took it, then answered `.failed`: the command says
    so with the reason (exit 1 in the CLI), instead of 'the station airs it now'."""
    from broadcaster.config import load_station
    from broadcaster.services.air import send_emergency

    sdir = make.station_dir(tmp_path, {"name": "Đài thử", "commune": "Thử", "zones": {"dong": "Thôn Đông"},
                                       "slots": {"sang": {"name": "Buổi sáng", "start": "06:30", "max_minutes": 20}},
                                       "speech": {"engines": ["espeak"]}, "state_dir": "../var"})
    station = load_station(sdir)
    lines: list[str] = []
    with station_that_cannot(station, "đài không chuẩn bị được âm thanh của tin khẩn cấp: ổ đĩa hỏng"):
        with pytest.raises(BroadcasterError, match="ổ đĩa hỏng"):
            send_emergency(sdir, audio=str(make.tone_wav(tmp_path / "m.wav", 0.5)), notify=lines.append)
    assert not any("đài phát ngay" in line for line in lines)


def test_a_broken_log_chain_is_a_warning(tmp_path: Path) -> None:
    import sqlite3

    rig = Rig(tmp_path, DAY.replace(hour=6, minute=33))
    rig.runner.render_ahead()
    rig.runner.session_job("2026-11-28/sang/main")
    rig.runner.check_log_chain()
    assert status(rig)["warnings"] == []
    with sqlite3.connect(rig.runner.station.database) as db:  # someone edits what aired
        db.execute("UPDATE airings SET title = 'Tin đã sửa' WHERE bulletin_id = 'tin'")
    rig.runner.check_log_chain()
    warnings = status(rig)["warnings"]
    assert [w["code"] for w in warnings] == ["log-chain"] and "không còn nguyên vẹn" in warnings[0]["message"]
