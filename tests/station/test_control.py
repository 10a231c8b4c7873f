"""Emergency requests: the control channel between the command and a running station, and message rendering."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.airlog import scratch_dir
from broadcaster.errors import BroadcasterError
from broadcaster.models import SpeechSettings, Station, Zone
from broadcaster.station import _control as emergency
from tests import factories as make

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return make.station(tmp_path, zones=(Zone("thon-dong", "Thôn Đông", relay=1),),
                        speech=SpeechSettings(engines=("gtts", "espeak"), gtts_retries=1))


def _request(station: Station, tmp_path: Path) -> emergency.EmergencyRequest:
    message = tmp_path / "m.wav"
    message.write_bytes(b"RIFF")  # the prepared clip: the station checks it is a regular file it can open
    return emergency.new_request(station, message=message, message_seconds=3.0, title="Bão", now=NOW,
                                 zones=("thon-dong",), repeat=3, text="Bão số năm")


def test_request_reaches_the_station_once_and_the_sender_sees_it_taken(station: Station, tmp_path: Path) -> None:
    req = _request(station, tmp_path)
    emergency.submit(station, req)
    assert not emergency.wait_taken(station, req, 0.05)
    taken = emergency.take_requests(station)
    assert taken == [req]  # round-trips through JSON exactly
    assert emergency.wait_taken(station, req, 0.05)
    assert emergency.take_requests(station) == []
    assert not emergency.withdraw(station, req)  # too late: the station has it


def test_withdrawn_request_is_never_taken(station: Station, tmp_path: Path) -> None:
    req = _request(station, tmp_path)
    emergency.submit(station, req)
    assert emergency.withdraw(station, req)
    assert emergency.take_requests(station) == []


def test_unreadable_request_is_set_aside(station: Station, tmp_path: Path) -> None:
    directory = emergency.control_dir(station)
    directory.mkdir(parents=True)
    (directory / "emergency-x.json").write_text("{not json", encoding="utf-8")
    good = _request(station, tmp_path)
    emergency.submit(station, good)
    assert emergency.take_requests(station) == [good]
    assert (directory / "emergency-x.bad").exists()


def test_running_station_is_seen_only_while_its_heartbeat_is_fresh(station: Station) -> None:
    assert emergency.running_station_pid(station) is None
    emergency.write_heartbeat(station, {})
    assert emergency.running_station_pid(station) == os.getpid()
    beat = emergency.control_dir(station) / "runner.json"
    old = time.time() - 10 * emergency.HEARTBEAT_SECONDS
    os.utime(beat, (old, old))
    assert emergency.running_station_pid(station) is None
    dead = subprocess.Popen(["true"])
    dead.wait()
    beat.write_text(json.dumps({"pid": dead.pid}), encoding="utf-8")
    assert emergency.running_station_pid(station) is None
    emergency.clear_heartbeat(station)
    assert not beat.exists()


def test_unknown_zone_and_bad_repeat_are_refused_in_vietnamese(station: Station, tmp_path: Path) -> None:
    with pytest.raises(BroadcasterError, match="không có vùng.*thon-bac.*thon-dong"):
        emergency.new_request(station, message=tmp_path / "m.wav", message_seconds=1, title="x", now=NOW,
                              zones=("thon-bac",))
    with pytest.raises(BroadcasterError, match="từ 1 đến 10"):
        emergency.new_request(station, message=tmp_path / "m.wav", message_seconds=1, title="x", now=NOW, repeat=0)


def test_text_is_spoken_offline_when_the_online_voice_does_not_answer(station: Station) -> None:
    start = time.monotonic()
    req = emergency.prepare_request(station, now=NOW, text="Khẩn cấp: bão số 5 sắp đổ bộ, bà con vào nơi an toàn.")
    assert time.monotonic() - start < 15
    assert req.engine == "espeak"
    assert Path(req.message).is_file() and req.message_seconds > 2
    assert req.title.startswith("Khẩn cấp: bão số 5")
    assert req.who


def test_audio_file_must_exist(station: Station, tmp_path: Path) -> None:
    with pytest.raises(BroadcasterError, match="không có tệp âm thanh"):
        emergency.prepare_request(station, now=NOW, audio=tmp_path / "khong-co.wav")


def _crafted(station: Station, tmp_path: Path, **changes: object) -> Path:
    """A request file as a hand (or a bug) might write it: a good request with some fields replaced."""
    data = json.loads(_request(station, tmp_path).to_json())
    data.update(changes)
    directory = emergency.control_dir(station)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "emergency-crafted.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("changes", "why"), [
    ({"repeat": "2"}, "số lần phát phải là số nguyên từ 1 đến 10"),
    ({"repeat": 40}, "số lần phát phải là số nguyên từ 1 đến 10"),
    ({"repeat": True}, "số lần phát phải là số nguyên từ 1 đến 10"),
    ({"message_seconds": "abc"}, "trường 'message_seconds'"),
    ({"message_seconds": float("nan")}, "trường 'message_seconds'"),
    ({"message": "/dev/zero"}, "không có tệp âm thanh thường /dev/zero"),
    ({"message": "relative.wav"}, "đường dẫn tuyệt đối"),
    ({"zones": "thon-dong"}, "danh sách thôn không hợp lệ"),
    ({"requested_at": "hôm qua"}, "trường 'requested_at'"),
    ({"id": "../../etc/passwd"}, "mã yêu cầu không hợp lệ"),
], ids=["repeat-str", "repeat-40", "repeat-bool", "seconds-str", "seconds-nan", "dev-zero", "relative", "zones-str",
        "time", "id-path"])
def test_a_crafted_request_is_set_aside_with_its_reason(station: Station, tmp_path: Path,
                                                       changes: dict[str, object], why: str) -> None:
    path = _crafted(station, tmp_path, **changes)
    assert emergency.take_requests(station) == []  # refused, and the poll goes on
    bad = path.with_suffix(".bad")
    assert bad.exists() and why in path.with_suffix(".bad.txt").read_text(encoding="utf-8")


def test_a_request_that_is_a_symlink_to_a_device_is_never_read(station: Station, tmp_path: Path) -> None:
    directory = emergency.control_dir(station)
    directory.mkdir(parents=True)
    (directory / "emergency-zero.json").symlink_to("/dev/zero")
    (directory / "air-fifo.json").parent.mkdir(exist_ok=True)
    os.mkfifo(directory / "air-fifo.json")
    huge = directory / "emergency-huge.json"
    huge.write_bytes(b" " * (2 * 1024 * 1024))
    assert emergency.take_requests(station) == [] and emergency.take_air_requests(station) == []
    reasons = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.bad.txt")}
    assert "liên kết tượng trưng" in reasons["emergency-zero.bad.txt"]
    assert "không phải tệp thường" in reasons["air-fifo.bad.txt"]
    assert "tệp quá lớn" in reasons["emergency-huge.bad.txt"]


def test_old_answers_and_desk_jobs_are_pruned_and_nothing_recent(station: Station, tmp_path: Path) -> None:
    """A request a day for years must not pile up: files unchanged for 30 days go, in the control directory and
    its RAM twin (the station's housekeeping) and in the desk's job folder (when the desk starts a job);
    anything newer (a request on its way, a job from last week) stays."""
    from broadcaster.services import air_job

    state = Path(station.state_dir)
    fresh = emergency.submit(station, _request(station, tmp_path))  # waiting now: never touched
    control = [emergency.control_dir(station) / "emergency-20260101T060000-aaaaaa.accepted",
               emergency.control_dir(station) / "live-20260101T060000-bbbbbb.state",
               scratch_dir(state) / "control" / "air-20260101T060000-cccccc.failed.txt"]
    job = state / "desk-jobs" / "20260101T060000-dddddd.events"
    recent = state / "desk-jobs" / "20261120T060000-eeeeee.json"
    month = time.time() - 31 * 86400
    for path in (*control, job, recent):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (month, month))
    os.utime(recent, (time.time() - 29 * 86400,) * 2)
    assert emergency.prune_control_files(station) == 3
    assert not any(p.exists() for p in control) and fresh.exists() and job.exists()
    assert emergency.prune_control_files(station) == 0
    air_job.start_job(station, station.root, "air", {"slot": "sang"}, now=NOW, python="true")
    assert not job.exists() and recent.exists()
