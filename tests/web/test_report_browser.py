"""The "Báo cáo" page in a real browser (Debian's Chromium via pytest-playwright) against a real `broadcaster
serve` process: a viewer ("xem") chooses a month, reads the report and downloads the XLSX, which opens with the
same figures. Screenshots at 360 px and 1280 px go to var/screenshots/desk/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from broadcaster.airlog import open_store
from broadcaster.config import load_station
from broadcaster.services import accounts
from tests.web.conftest import write_station
from tests.web.test_report_page import fill_log

pytest.importorskip("playwright")

from playwright.sync_api import Browser, expect  # noqa: E402

from tests.web.test_browser import PASSWORD, Server, log_in, serve_desk, shot  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    station_dir = write_station(tmp_path_factory.mktemp("desk-report") / "project" / "schedules")
    aired = fill_log(station_dir)
    station = load_station(station_dir)
    store = open_store(station)
    accounts.add_account(store, "xem", "Nguyễn Thị Xem - Lãnh đạo", "xem", PASSWORD, who="test", now=datetime.now())
    store.close()
    with serve_desk(station_dir) as (url, _out, proc):
        yield Server(url, "", station_dir, proc), aired


def test_a_viewer_reads_the_month_and_downloads_the_xlsx(browser: Browser, browser_context_args: dict,  # type: ignore[type-arg]
                                                         server: tuple[Server, int], tmp_path: Path) -> None:
    desk, aired = server
    page = log_in(browser, {**browser_context_args, "accept_downloads": True}, desk, "xem")
    page.get_by_role("link", name="Báo cáo").click()
    expect(page.get_by_role("heading", name="Báo cáo định kỳ")).to_be_visible()
    page.get_by_label("Kỳ báo cáo").select_option("thang")
    page.get_by_label("Tháng", exact=True).fill("2026-10")
    page.get_by_role("button", name="Xem báo cáo").click()
    report = page.locator(".report")
    expect(report).to_contain_text("Kết quả hoạt động của đài truyền thanh xã Thử tháng 10 năm 2026")
    expect(report.locator("tr", has_text="Đã phát đủ")).to_contain_text(str(aired))
    expect(report.locator("svg")).to_be_visible()
    shot(page, "bao-cao")
    page.set_viewport_size({"width": 360, "height": 800})  # on a phone the Decree 30 heading is read whole
    assert page.evaluate("[...document.querySelectorAll('.report .head *')]"
                         ".every(e => e.getBoundingClientRect().right <= window.innerWidth)"), "heading cut off"
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename == "bao-cao-2026-10.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = {r[0]: r[1:] for r in openpyxl.load_workbook(target).active.iter_rows(values_only=True)}
    assert rows["Đã phát đủ"][0] == aired and rows["Buổi phát theo kế hoạch"][0] == 10
    assert re.match(r"bao-cao-2026-10\.xlsx", target.name)
