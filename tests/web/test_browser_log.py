"""The week and the airing log in a real browser (Debian's Chromium via pytest-playwright) against a real
`broadcaster serve`: today's early session, already past and logged as aired, reads "đã phát" on the week page
and the later one "sắp phát"; the officer filters the log and downloads the CSV, which the test opens and checks.
Screenshots at 360 px and 1280 px go to var/screenshots/desk/ (nothing may stick out sideways on a phone)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.airlog import open_store
from broadcaster.config import load_station
from broadcaster.models import AiringStatus
from broadcaster.services import accounts
from tests.web.conftest import STATION_YAML, write_station
from tests.web.logdata import airing, write_log

pytest.importorskip("playwright")

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.web.test_browser import serve_desk, shot  # noqa: E402

PASSWORD = "mat-khau-that-dai"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def week_yaml(early: datetime, late: datetime) -> str:
    """The desk's test station with a session that began two minutes ago and one starting in five."""
    text = STATION_YAML.replace(
        'slots:\n  sang: {name: Buổi sáng, start: "06:30", max_minutes: 20}\n'
        '  chieu: {name: Buổi chiều, start: "17:00", max_minutes: 20}\n',
        f'window: {{start: "00:00", end: "23:59"}}\nslots:\n  sang: {{name: Buổi sớm, start: "{early:%H:%M}", '
        f'max_minutes: 3}}\n  chieu: {{name: Buổi muộn, start: "{late:%H:%M}", max_minutes: 3}}\n')
    assert text != STATION_YAML
    return text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    now = datetime.now(TZ).replace(second=0, microsecond=0)
    early, late = now - timedelta(minutes=2), now + timedelta(minutes=5)
    if early.date() != now.date() or late.replace(hour=23, minute=51) < late:
        pytest.skip("too close to midnight for a session already past and one to come on the same day")
    station_dir = write_station(tmp_path_factory.mktemp("desklog") / "project" / "schedules")
    (station_dir / "station.yaml").write_text(week_yaml(early, late), encoding="utf-8")
    station = load_station(station_dir)
    store = open_store(station)
    accounts.add_account(store, "vanhoa", "Trần Thị Hoa - Công chức văn hóa", "bien-tap", PASSWORD, who="test",
                         now=now)
    store.close()
    at = (early.hour, early.minute)
    rows = [airing(early - timedelta(days=d), "sang", "2026-tiep-cong-dan", AiringStatus.COMPLETED, clock=at)
            for d in range(3, 0, -1)]
    rows += [airing(early - timedelta(days=2), "sang", "2026-nop-ho-so", AiringStatus.MISSED, zones=("tay",),
                    reason="đài không chạy lúc đến giờ phát", title="Thông báo nộp hồ sơ", topic="dich-vu-cong",
                    clock=at)]
    rows += [airing(early, "sang", "2026-tiep-cong-dan", AiringStatus.COMPLETED, clock=at)]
    write_log(station, rows)
    with serve_desk(station_dir) as (url, _out, _proc):
        yield url, station_dir


def log_in(browser: Browser, args: dict, url: str) -> Page:  # type: ignore[type-arg]
    page = browser.new_context(**args, accept_downloads=True).new_page()
    page.goto(url + "/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("vanhoa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/ban-tin$"))
    return page


def test_the_week_shows_todays_past_session_as_aired(browser: Browser, browser_context_args: dict,  # type: ignore[type-arg]
                                                     server: tuple[str, Path]) -> None:
    url, _ = server
    page = log_in(browser, browser_context_args, url)
    page.get_by_role("link", name="Lịch phát sóng").click()
    today = datetime.now(TZ).date().isoformat()
    early = page.locator(f'[data-key="{today}/sang/main"]')
    expect(early).to_have_attribute("data-state", "aired")
    expect(early.locator(".session-state")).to_have_text("đã phát")
    late = page.locator(f'[data-key="{today}/chieu/main"]')
    expect(late).to_have_attribute("data-state", "upcoming")
    shot(page, "lich-phat-song")
    early.get_by_role("link", name="Lịch tiếp công dân").click()  # a bulletin opens in the editor
    expect(page).to_have_url(re.compile(r"/ban-tin/2026-tiep-cong-dan$"))
    expect(page.get_by_label("Tiêu đề")).to_have_value("Lịch tiếp công dân")


def test_the_officer_filters_the_log_and_downloads_the_csv(browser: Browser, browser_context_args: dict,  # type: ignore[type-arg]
                                                          server: tuple[str, Path]) -> None:
    url, _ = server
    page = log_in(browser, browser_context_args, url)
    page.get_by_role("link", name="Nhật ký phát sóng").click()
    expect(page.locator("#log-count")).to_have_text("5 lượt phát")
    page.get_by_label("Thôn").select_option(label="Thôn Tây")
    page.get_by_label("Trạng thái").select_option(label="bị lỡ")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#log-count")).to_have_text("1 lượt phát")
    row = page.locator("#log-rows li.card")
    expect(row).to_contain_text("Thông báo nộp hồ sơ")
    expect(row).to_contain_text("Lý do: đài không chạy lúc đến giờ phát")
    row.locator("summary").click()
    expect(row.locator("dl.facts")).to_contain_text("không phát")
    shot(page, "nhat-ky-phat-song")
    with page.expect_download() as info:
        page.locator("#log-csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    head, rows = table[0], table[1:]
    assert len(rows) == 1
    assert rows[0][head.index("Tiêu đề")] == "Thông báo nộp hồ sơ"
    assert rows[0][head.index("Trạng thái")] == "bị lỡ" and rows[0][head.index("Thôn")] == "Thôn Tây"
    page.get_by_role("button", name="Kiểm tra tính toàn vẹn").click()
    expect(page.locator("#verify-result")).to_contain_text("5 bản ghi")
    expect(page.locator("#verify-head")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
