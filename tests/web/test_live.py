"""The live page and the air pages through the app (Starlette's TestClient, real files, real child processes):
a stopped station said plainly, what the running station's status record says shown, the fragment answered 204
while nothing changed, the two-step emergency confirmation, roles, and a station's `.failed` answer reaching
the page (the real job process, the real control channel)."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta

import pytest

from broadcaster.station import _control
from tests.fakes import station_that_cannot
from tests.web.conftest import STATION_YAML, DeskApp


def _station(desk_app: DeskApp):  # type: ignore[no-untyped-def]
    return desk_app.desk.station


def _status(desk_app: DeskApp, **extra: object) -> None:
    import os

    station = _station(desk_app)
    now = datetime.now(desk_app.clock.now().tzinfo)
    record = {"schema_version": 2, "written_at": now.isoformat(), "pid": os.getpid(), "station": station.name,
              "engines": ["espeak"], "online_voice": {"state": "unknown"}, "fallback_sessions": [],
              "now_playing": [], "next_sessions": [], "warnings": [], **extra}
    path = station.state_dir / "status.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def test_a_stopped_station_is_said_plainly(desk_app: DeskApp) -> None:
    page = desk_app.login("xem").get("/tram-phat")
    assert page.status_code == 200
    assert "Đài KHÔNG chạy" in page.text and "scripts/station" in page.text
    assert "Phát khẩn cấp</a>" not in page.text  # a viewer is not offered the buttons


def test_the_running_station_s_record_is_shown_and_unchanged_polls_answer_204(desk_app: DeskApp) -> None:
    station = _station(desk_app)
    _control.write_heartbeat(station, {})  # this process plays the running station
    start = (datetime.now(desk_app.clock.now().tzinfo) + timedelta(hours=2)).replace(microsecond=0)
    _status(desk_app,
            now_playing=[{"output": "main", "kind": "session", "session": "2026-11-30/sang/main", "title": "Buổi sáng",
                          "start": start.isoformat(), "items": ["a", "b"], "zones": ["Thôn Đông"],
                          "item": {"row": 1, "bulletin_id": "b", "title": "Lịch tiếp công dân", "position": 2, "of": 2,
                                   "zones": ["Thôn Đông", "Thôn Tây"], "engine": "espeak", "voice": "vi",
                                   "fallback": True, "started_at": start.isoformat(), "seconds": 30.0}}],
            next_sessions=[{"session": "x", "slot": "chieu", "slot_name": "Buổi chiều", "start": start.isoformat(),
                            "output": "main", "items": 3, "seconds": 300, "zones": ["Thôn Đông"], "fallback": 0,
                            "error": ""}],
            warnings=[{"code": "disk-low", "severity": "error", "message": "Ổ đĩa chỉ còn 12 MB trống",
                       "since": start.isoformat()}],
            chain=[{"name": "Bộ chuyển vùng loa", "ok": False, "checked_at": start.isoformat(),
                    "message": "không trả lời"}])
    try:
        client = desk_app.login("xem")
        text = client.get("/tram-phat").text
        assert "Đài đang chạy" in text
        assert "Bản tin 2/2: Lịch tiếp công dân" in text and "Thôn Đông, Thôn Tây" in text
        assert "giọng dự phòng" in text and "Thôn Đông, Thôn Tây · giọng eSpeak NG (không cần Internet) · vi" in text
        assert "Buổi chiều" in text and "3 bản tin" in text and f'data-countdown="{start.isoformat()}"' in text
        assert "Ổ đĩa chỉ còn 12 MB trống" in text and "Bộ chuyển vùng loa: không trả lời" in text
        version = re.search(r'data-version="([^"]+)"', text).group(1)  # type: ignore[union-attr]
        assert client.get("/tram-phat/cap-nhat", params={"v": version}).status_code == 204
        time.sleep(0.01)
        _status(desk_app)  # the station rewrote its record: nothing on air now
        fresh = client.get("/tram-phat/cap-nhat", params={"v": version})
        assert fresh.status_code == 200 and "Không phát gì lúc này" in fresh.text
    finally:
        _control.clear_heartbeat(station)


def test_emergency_confirmation_shows_what_will_be_said_and_where(desk_app: DeskApp) -> None:
    client = desk_app.login("duyet")
    form = client.get("/khan-cap")
    assert form.status_code == 200 and "Đài KHÔNG chạy" in form.text
    csrf = desk_app.page_csrf(client, "/khan-cap")
    r = client.post("/khan-cap/xac-nhan", data={"csrf": csrf, "text": "Bão số 5 đổ bộ lúc 14h, bà con vào nơi an toàn.",
                                                 "zones": ["dong"], "repeat": "3"})
    assert r.status_code == 200
    assert "mười bốn giờ" in r.text  # the reading, as the station will say it
    assert "Thôn Đông" in r.text and "Thôn Tây" not in r.text and "3 lần" in r.text
    assert "Phát khẩn cấp từ máy này (đài không chạy)" in r.text  # the CLI's fallback, offered plainly
    empty = client.post("/khan-cap/xac-nhan", data={"csrf": csrf, "text": " ", "all": "1"})
    assert empty.status_code == 400 and "chỉ một trong hai" in empty.text


def test_air_now_of_a_session_with_nothing_to_air_says_so_by_its_name(desk_app: DeskApp) -> None:
    for f in (desk_app.root / "bulletins").glob("*.yaml"):
        f.unlink()  # nothing approved to air
    client = desk_app.login("duyet")
    csrf = desk_app.page_csrf(client, "/phat-ngay")
    r = client.post("/phat-ngay/xac-nhan", data={"csrf": csrf, "slot": "sang", "day": "2026-12-01"})
    assert r.status_code == 400
    assert "Buổi sáng ngày 01/12/2026 không có bản tin nào phát được" in r.text and "Buổi Buổi" not in r.text


def test_editors_air_only_when_station_yaml_allows_it(desk_app: DeskApp) -> None:
    editor = desk_app.login("bientap")
    assert editor.get("/khan-cap").status_code == 403 and "Phát khẩn cấp</a>" not in editor.get("/ban-tin").text
    (desk_app.root / "station.yaml").write_text(STATION_YAML + "desk:\n  editors_may_air: true\n", encoding="utf-8")
    assert editor.get("/khan-cap").status_code == 200
    assert desk_app.login("xem", client=desk_app.new_client()).get("/khan-cap").status_code == 403


def test_a_failed_answer_from_the_station_reaches_the_page(desk_app: DeskApp) -> None:
    """The whole path: the desk's job process prepares the message and hands it over; the station takes it and
    answers `.failed` (its audio could not be prepared): the page says so with the station's reason."""
    station = _station(desk_app)
    with station_that_cannot(station, "đài không chuẩn bị được âm thanh của tin khẩn cấp: ổ đĩa hỏng"):
        client = desk_app.login("duyet")
        csrf = desk_app.page_csrf(client, "/khan-cap")
        r = client.post("/khan-cap/phat", data={"csrf": csrf, "text": "Thử tin khẩn cấp.", "all": "1", "repeat": "1"})
        assert r.status_code == 303 and r.headers["location"].startswith("/lenh/")
        deadline = time.monotonic() + 60
        text = ""
        while time.monotonic() < deadline:
            text = client.get(r.headers["location"] + "/trang-thai").text
            if "không phát được" in text.lower():
                break
            time.sleep(0.2)
        assert "ổ đĩa hỏng" in text, text
    assert [e.action for e in desk_app.desk.store.audit_entries(limit=5)[0]][0] == "emergency"


@pytest.mark.parametrize("path", ["/lenh/khong-co", "/lenh/20261130T090000-abcdef"])
def test_an_unknown_job_is_a_plain_error(desk_app: DeskApp, path: str) -> None:
    r = desk_app.login("quantri").get(path)
    assert r.status_code == 400 and "không có lệnh này" in r.text
