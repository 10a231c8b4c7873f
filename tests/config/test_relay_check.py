"""`check` on a session's relay (tiếp âm), `monitor` and `alerts`: a wrong address, a relay longer than its
session or the province's cap, a missing notice file — each as `file:line: key: message` in Vietnamese; and the
plan showing the relay with its duration, its time taken from the bulletins' share."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.config import load_station
from tests.config.test_check import expected_line, project, run_check, sub  # noqa: F401 - `project` is a fixture

SESSION = '    start: "06:30"\n    max_minutes: 30\n'


def relay(url: str = "http://vov1.example.vn:8000/vov1.mp3", duration: str = "15", more: str = "") -> str:
    return (SESSION + f"    relay:\n      url: {url}\n      name: Thời sự VOV1\n      duration: {duration}\n"
            + more)


@pytest.mark.parametrize(("url", "marker", "message"), [
    ("ftp://vov.example.vn/vov1.mp3", "url: ftp", "phải bắt đầu bằng http:// hoặc https://"),
    ("http:///vov1.mp3", "url: http:", "thiếu tên máy chủ"),
    ('"http://vov.example.vn/thoi su.mp3"', "url: \"http", "có dấu cách"),
    ("vov1.mp3", "url: vov1", "phải bắt đầu bằng http://"),
    ("http://vov.example.vn:99999/a.mp3", "url: http", "không hợp lệ"),
])
def test_a_wrong_stream_address_names_file_line_and_field(
        project: Path, capsys: pytest.CaptureFixture[str], url: str, marker: str, message: str) -> None:  # noqa: F811
    sub("station.yaml", SESSION, relay(url))(project)
    code, out = run_check(capsys)
    assert code == 1
    line = expected_line(project, "station.yaml", marker)
    assert any(row.startswith(f"schedules/station.yaml:{line}: slots.sang.relay.url: ") and message in row
               for row in out.splitlines()), out


def test_a_relay_longer_than_its_session_is_refused(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    sub("station.yaml", SESSION, relay(duration="40"))(project)
    code, out = run_check(capsys)
    line = expected_line(project, "station.yaml", "duration: 40")
    assert code == 1
    assert (f"schedules/station.yaml:{line}: slots.sang.relay.duration: tiếp âm 40 phút dài hơn buổi phát "
            "(30 phút") in out


def test_a_missing_notice_and_unknown_keys_are_reported(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    sub("station.yaml", SESSION, relay(more="      fallback: ../audio/khong-co.mp3\n      thoi_luong: 5\n"))(project)
    code, out = run_check(capsys)
    assert code == 1
    assert f"station.yaml:{expected_line(project, 'station.yaml', 'fallback:')}: slots.sang.relay.fallback: " \
           "không tìm thấy tệp '../audio/khong-co.mp3'" in out
    assert "slots.sang.relay.thoi_luong: không có mục 'thoi_luong' ở đây" in out


def test_relay_monitor_and_alerts_load(project: Path) -> None:  # noqa: F811
    sub("station.yaml", SESSION, relay(more="      max_gap_seconds: 6\n"))(project)
    text = (project / "station.yaml").read_text(encoding="utf-8")
    text += "monitor:\n  dead_air_seconds: 8\n  check_before_session: false\nalerts:\n  command: gui-tin {message}\n"
    (project / "station.yaml").write_text(text, encoding="utf-8")
    station = load_station(project)
    r = station.slot("sang").relay
    assert r is not None and (r.url, r.name, r.seconds, r.max_gap_seconds, r.fallback) == (
        "http://vov1.example.vn:8000/vov1.mp3", "Thời sự VOV1", 900.0, 6.0, None)
    assert station.slot("chieu").relay is None
    assert station.monitor.dead_air_seconds == 8 and not station.monitor.check_before_session
    assert station.alerts.command == "gui-tin {message}" and station.alerts.timeout_seconds == 20


def test_the_plan_shows_the_relay_with_its_duration_and_fits_bulletins_after_it(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    args = ["plan", "--station", "schedules", "--from", "2026-11-30", "--to", "2026-11-30"]
    assert main([*args, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["sessions"][0]
    sub("station.yaml", SESSION, relay(duration="25"))(project)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "▶ [tiếp âm] Thời sự VOV1  25:00 — toàn xã (http://vov1.example.vn:8000/vov1.mp3)" in out
    assert main([*args, "--json"]) == 0
    session = json.loads(capsys.readouterr().out)["sessions"][0]
    assert session["relay"]["duration_seconds"] == 1500 and session["relay"]["name"] == "Thời sự VOV1"
    assert session["total_seconds"] <= 30 * 60  # the relay and the bulletins share the session: caps kept
    assert len(session["items"]) < len(before["items"])  # five minutes left for bulletins after the relay
    assert session["skipped"]


def test_a_relay_only_session_is_planned(project: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    sub("station.yaml", SESSION, relay(duration="30"))(project)
    assert main(["plan", "--station", "schedules", "--from", "2026-11-30", "--to", "2026-11-30", "--json"]) == 0
    session = json.loads(capsys.readouterr().out)["sessions"][0]
    assert session["airs"] and session["items"] == [] and session["relay"]["duration_seconds"] == 1800
    assert session["skipped"] == []  # no bulletin is tried in a session the relay fills: they air later
    assert date.fromisoformat(session["date"]) == date(2026, 11, 30)
