"""The desk's "Báo cáo" page: every signed-in role reads the report of a period and downloads it; the figures
are those of `services.report` (the CLI's); a bad period is a Vietnamese message, not a traceback. The browser
test opens the page in Chromium and downloads the XLSX."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from broadcaster.airlog import AirLog, latest_checkpoint
from broadcaster.config import load_station
from broadcaster.models import Airing, AiringStatus, Priority
from tests.web.conftest import USERS, DeskApp

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def fill_log(root: Path) -> int:
    """Ten days of October 2026: one morning session a day, two bulletins each, the 3rd missed. Returns the
    sessions aired in full."""
    station = load_station(root)
    aired = 0
    with AirLog(station.database, tz=station.timezone) as log:
        for d in range(1, 11):
            at = datetime(2026, 10, d, 6, 30, tzinfo=TZ)
            key = f"2026-10-{d:02d}/sang/main"
            for n in range(2):
                row = Airing(key, "main", (), f"tin-{n}", f"Bản tin {n}", "thong-bao", Priority.NORMAL,
                             at + timedelta(minutes=n), AiringStatus.MISSED if d == 3 else AiringStatus.STARTED,
                             started_at=None if d == 3 else at, engine="espeak", output_kind="sounddevice",
                             reason="đài tắt máy quá giờ cho phép" if d == 3 else "")
                if d == 3:
                    log.record(row)
                else:
                    row_id = log.start_item(row)
                    log.finish_item(row_id, AiringStatus.COMPLETED, at + timedelta(minutes=n + 1), 60)
            aired += d != 3
    return aired


@pytest.mark.parametrize("name", sorted(USERS))
def test_every_role_reads_the_report_and_downloads_it(desk_app: DeskApp, name: str) -> None:
    aired = fill_log(desk_app.root)
    client = desk_app.login(name)
    home = client.get("/ban-tin")
    assert 'href="/bao-cao"' in home.text
    page = client.get("/bao-cao", params={"ky": "thang", "thang": "2026-10"})
    assert page.status_code == 200, page.text[:500]
    text = re.sub(r"<[^>]+>", "\n", page.text)
    assert "Kết quả hoạt động của đài truyền thanh xã Thử tháng 10 năm 2026" in text
    assert re.search(rf'<td>Đã phát đủ</td><td class="n">{aired}</td>', page.text)
    assert re.search(r'<td>Bị lỡ \(không phát\)</td><td class="n">1</td>', page.text)
    checkpoint = latest_checkpoint(AirLog(load_station(desk_app.root).database))
    assert checkpoint is not None and f"Điểm kiểm tra có chữ ký số {checkpoint.n}" in text
    xlsx = client.get("/bao-cao/tai-ve/xlsx", params={"ky": "thang", "thang": "2026-10"})
    assert xlsx.status_code == 200 and 'filename="bao-cao-2026-10.xlsx"' in xlsx.headers["content-disposition"]
    rows = {r[0]: r[1:] for r in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)}
    assert rows["Đã phát đủ"][0] == aired
    csv = client.get("/bao-cao/tai-ve/csv", params={"ky": "quy", "quy": "2026-Q4", "sep": ";"})
    assert csv.content.startswith(b"\xef\xbb\xbf") and "Đã phát đủ;9".encode() in csv.content


def test_a_bad_period_is_a_message(desk_app: DeskApp) -> None:
    fill_log(desk_app.root)
    client = desk_app.login("xem")
    page = client.get("/bao-cao", params={"ky": "khoang", "tu": "2026-10-05"})
    assert page.status_code == 400 and "cần cả" in page.text and "Traceback" not in page.text
    page = client.get("/bao-cao", params={"ky": "thang", "thang": "2026-13"})
    assert page.status_code == 400 and "không phải tháng" in page.text
    assert client.get("/bao-cao/tai-ve/doc", params={"ky": "thang", "thang": "2026-10"}).status_code == 400


def test_no_log_yet_says_so(desk_app: DeskApp) -> None:
    client = desk_app.login("xem")
    page = client.get("/bao-cao", params={"ky": "thang", "thang": "2026-10"})
    assert page.status_code == 400 and "chưa có nhật ký phát sóng" in page.text
    assert "Chọn tháng, quý" in client.get("/bao-cao").text
