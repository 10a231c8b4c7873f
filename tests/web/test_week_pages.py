"""The desk's week ("Lịch phát sóng"): the plan service's sessions per day, today's past session as the log says
(aired / missed / nothing logged), never as if still to come; villages, days, links to the bulletins."""

from __future__ import annotations

import re
from datetime import datetime

from broadcaster.models import AiringStatus
from tests.web.conftest import NOW, DeskApp
from tests.web.logdata import airing, write_log

WEEK = "/lich-phat-song"


def session(html: str, key: str) -> str:
    match = re.search(rf'<li class="card session[^"]*" data-key="{re.escape(key)}" data-state="(\w+)">(.*?)</li>\s*(?=<li class="card|</ul>)',
                      html, re.S)
    assert match, key
    return match.group(1) + " " + match.group(2)


def test_a_morning_that_aired_today_reads_aired_and_the_afternoon_is_still_to_come(desk_app: DeskApp) -> None:
    today = NOW.replace(hour=0)
    write_log(desk_app.desk.station, [airing(today, "sang", "2026-tiep-cong-dan", AiringStatus.COMPLETED)])
    desk_app.login("xem")
    html = desk_app.client.get(WEEK).text
    morning = session(html, "2026-11-30/sang/main")
    assert morning.startswith("aired") and "đã phát" in morning and "tối đa" not in morning
    assert 'href="/ban-tin/2026-tiep-cong-dan"' in morning
    assert session(html, "2026-11-30/chieu/main").startswith("upcoming")
    assert html.count('class="day') == 7 and "Thứ Hai, 30/11/2026" in html and "Chủ nhật, 06/12/2026" in html
    assert "Thông báo nộp hồ sơ" in html and "chưa được duyệt" in html  # left out, and why


def test_a_morning_missed_today_reads_missed_and_one_never_logged_says_so(desk_app: DeskApp) -> None:
    desk_app.login("xem")
    html = desk_app.client.get(WEEK).text  # 09:00, the station never ran
    assert session(html, "2026-11-30/sang/main").startswith("not_logged")
    assert "không có trong nhật ký" in html
    write_log(desk_app.desk.station, [airing(NOW.replace(hour=0), "sang", "2026-tiep-cong-dan", AiringStatus.MISSED,
                                             reason="đài không chạy lúc đến giờ phát")])
    morning = session(desk_app.client.get(WEEK).text, "2026-11-30/sang/main")
    assert morning.startswith("missed") and "bị lỡ" in morning and "đài không chạy lúc đến giờ phát" in morning


def test_days_village_and_a_bad_date(desk_app: DeskApp) -> None:
    desk_app.login("xem")
    html = desk_app.client.get(f"{WEEK}?so_ngay=3&tu=01/12/2026&thon=tay").text
    assert html.count('class="day') == 3 and "01/12/2026 – 03/12/2026" in html
    assert "chỉ những gì phát tới Thôn Tây" in html and "đã phát" not in html
    r = desk_app.client.get(f"{WEEK}?tu=31/02/2026")
    assert r.status_code == 400 and "không có thật" in r.text
    anon = desk_app.new_client()
    assert anon.get(WEEK).status_code == 303


def test_the_week_is_the_same_plan_as_the_cli(desk_app: DeskApp) -> None:
    """Same service: the sessions and items the page lists are those of plan_json for the same days."""
    from broadcaster.services.plan import plan_json, plan_station

    desk_app.login("xem")
    html = desk_app.client.get(f"{WEEK}?tu=2026-12-01&so_ngay=2").text
    doc = plan_json(plan_station(desk_app.root, datetime(2026, 12, 1).date(), datetime(2026, 12, 2).date()))
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert keys == [s["key"] for s in doc["sessions"]]
    for s in doc["sessions"]:
        for i in s["items"]:
            assert f'href="/ban-tin/{i["bulletin_id"]}">{i["title"]}</a>' in session(html, s["key"])
