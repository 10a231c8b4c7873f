"""The desk's airing log page: filters, pages, sorting, row details, CSV and XLSX of the filtered rows (read back
with the csv module and openpyxl), the chain check, and who may see it."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import sqlite3
from datetime import datetime, timedelta

import pytest

from broadcaster.airlog import AirLog, log_head
from broadcaster.cli import main
from broadcaster.models import AiringStatus
from tests.web.conftest import DeskApp
from tests.web.logdata import TZ, airing, write_log

LOG = "/nhat-ky-phat-song"
DAY = datetime(2026, 11, 28, tzinfo=TZ)


@pytest.fixture
def logged(desk_app: DeskApp) -> DeskApp:
    """115 rows: October's mornings and afternoons aired, then a weekend with every kind of outcome."""
    rows = [airing(datetime(2026, 10, 1, tzinfo=TZ) + timedelta(days=i // 2), ("sang", "chieu")[i % 2],
                   "2026-tiep-cong-dan", AiringStatus.COMPLETED) for i in range(60)]
    rows += [airing(datetime(2026, 11, 1, tzinfo=TZ) + timedelta(days=i // 2), ("sang", "chieu")[i % 2],
                    "2026-tiep-cong-dan", AiringStatus.COMPLETED) for i in range(50)]
    rows += [
        airing(DAY, "sang", "2026-tiep-cong-dan", AiringStatus.COMPLETED),
        airing(DAY, "chieu", "2026-tiep-cong-dan", AiringStatus.MISSED, zones=("dong",),
               reason="đài không chạy lúc đến giờ phát (trễ quá 5 phút cho phép)"),
        airing(DAY + timedelta(days=1), "sang", "2026-nop-ho-so", AiringStatus.COMPLETED, zones=("tay",),
               topic="dich-vu-cong", engine="gtts", title="Thông báo nộp hồ sơ"),
        airing(DAY + timedelta(days=1), "chieu", "2026-tiep-cong-dan", AiringStatus.COMPLETED, kind="file"),
        airing(DAY + timedelta(days=2), "sang", "2026-tiep-cong-dan", AiringStatus.INTERRUPTED, offset=1,
               reason="ngắt để phát tin khẩn cấp"),
    ]
    write_log(desk_app.desk.station, rows)
    desk_app.login("xem")
    return desk_app


def ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="card status-[a-z]+" data-id="(\d+)"', html)]


def count(html: str) -> str:
    match = re.search(r'id="log-count">([^<]+)<', html)
    assert match, html[:2000]
    return match.group(1)


@pytest.mark.parametrize(("query", "expected"), [
    ("trang_thai=missed", [112]),
    ("trang_thai=interrupted", [115]),
    ("trang_thai=test", [114]),
    ("thon=tay&tu=28/11/2026", [115, 114, 113, 111]),  # id or name of a village
    ("thon=Thôn Đông&tu=2026-11-28&den=2026-11-28", [112, 111]),
    ("chu_de=dich-vu-cong", [113]),
    ("cong_cu=gtts", [113]),
    ("ban_tin=2026-nop-ho-so", [113]),
    ("trang_thai=completed&tu=29/11/2026", [113]),  # a test airing is not "đã phát"
])
def test_each_filter_narrows_the_log(logged: DeskApp, query: str, expected: list[int]) -> None:
    r = logged.client.get(f"{LOG}?{query}")
    assert r.status_code == 200
    assert ids(r.text) == expected
    assert count(r.text).startswith(f"{len(expected)} lượt phát")


def test_rows_show_their_details_in_vietnamese(logged: DeskApp) -> None:
    yaml = logged.root / "station.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "topics:\n  dich-vu-cong: Dịch vụ công trực tuyến\n",
                    encoding="utf-8")
    html = logged.client.get(f"{LOG}?tu=28/11/2026").text
    # a topic the station names reads by its name (tag and filter); one it does not name, as written
    assert '>Dịch vụ công trực tuyến</span>' in html and '<option value="dich-vu-cong">Dịch vụ công trực tuyến<' in html
    assert '>thong-bao</span>' in html
    assert "bị lỡ" in html and "Lý do: đài không chạy lúc đến giờ phát (trễ quá 5 phút cho phép)" in html
    assert html.count("đài không chạy lúc đến giờ phát") == 1  # on the card, not repeated in its details
    assert "chạy thử" in html and "không ai nghe" in html  # the test airing is marked
    assert "bị gián đoạn" in html and "ngắt để phát tin khẩn cấp" in html
    assert "giọng Google (cần Internet)" in html and "giọng eSpeak NG (không cần Internet)" in html
    assert "06:30:00 thứ Bảy 28/11/2026" in html  # scheduled
    assert "06:30:02 thứ Bảy 28/11/2026" in html and "trễ 2 giây" in html  # actual start against it
    assert "đã phát 0:30 / dự kiến 0:30" in html and "Nguyễn Văn Lý" in html
    assert 'href="/ban-tin/2026-nop-ho-so"' in html and "Thôn Đông, Thôn Tây" in html
    # the session by its name and day, not its key (kept in the tooltip for the engineer)
    assert ">Buổi sáng thứ Bảy 28/11/2026 · đường loa main<" in html
    assert ">2026-11-28/sang/main" not in html and 'title="2026-11-28/sang/main' in html


def test_a_row_with_no_planned_length_shows_only_what_aired(desk_app: DeskApp) -> None:
    """A live announcement has no planned length: "dự kiến 0:00" would read as a fault."""
    live = dataclasses.replace(airing(DAY, "sang", "live-1", AiringStatus.COMPLETED, title="Nói trực tiếp"),
                               planned_seconds=0.0, played_seconds=7.0, session_key="live/20261128-0631/main")
    by_hand = dataclasses.replace(airing(DAY, "chieu", "tin", AiringStatus.COMPLETED),
                                  session_key="2026-11-28/chieu/main/manual-071205")
    write_log(desk_app.desk.station, [live, by_hand])
    desk_app.login("xem")
    html = desk_app.client.get(f"{LOG}?tu=28/11/2026").text
    assert "đã phát 0:07" in html and "dự kiến 0:00" not in html and "/ 0:00" not in html
    assert ">Nói trực tiếp · đường loa main<" in html
    assert ">Phát ngay buổi chiều thứ Bảy 28/11/2026 lúc 07:12:05 · đường loa main<" in html


def test_pages_of_fifty_newest_first_and_the_other_way(logged: DeskApp) -> None:
    first = logged.client.get(LOG).text
    assert ids(first) == list(range(115, 65, -1)) and "115 lượt phát · trang 1/3" in first
    last = logged.client.get(f"{LOG}?trang=3").text
    assert ids(last) == list(range(15, 0, -1))
    oldest = logged.client.get(f"{LOG}?sap_xep=cu").text
    assert ids(oldest)[:3] == [1, 2, 3]
    # the pager keeps the filters and the order
    nxt = re.search(r'href="([^"]+)" id="log-next"', oldest)
    assert nxt and "sap_xep=cu" in nxt.group(1)
    filtered = logged.client.get(f"{LOG}?cong_cu=espeak&sap_xep=cu").text
    nxt = re.search(r'href="([^"]+)" id="log-next"', filtered)
    assert nxt and "cong_cu=espeak" in nxt.group(1) and "trang=2" in nxt.group(1)


def test_a_wrong_date_is_explained_not_a_traceback(logged: DeskApp) -> None:
    r = logged.client.get(f"{LOG}?tu=31/02/2026")
    assert r.status_code == 400 and "không có thật" in r.text
    r = logged.client.get(f"{LOG}?thon=bac")
    assert r.status_code == 400 and "không có thôn" in r.text


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for the diacritics
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_of_the_filtered_rows_is_what_broadcaster_log_writes(
    logged: DeskApp, capsys: pytest.CaptureFixture[str]
) -> None:
    r = logged.client.get(f"{LOG}/tai-ve.csv?tu=28/11/2026&den=29/11/2026")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="nhat-ky-phat-song_2026-11-28_2026-11-29.csv"' in r.headers["content-disposition"]
    table = read_csv(r.content)
    assert table[0][:5] == ["Số", "Buổi phát", "Đầu ra", "Loại đầu ra", "Thôn"]
    assert [row[0] for row in table[1:]] == ["111", "112", "113", "114"]
    status = table[0].index("Trạng thái")
    assert [row[status] for row in table[1:]] == ["đã phát", "bị lỡ", "đã phát", "chạy thử"]
    assert main(["log", "--station", str(logged.root), "--from", "28/11/2026", "--to", "29/11/2026",
                 "--format", "csv"]) == 0
    assert read_csv(capsys.readouterr().out.encode("utf-8")) == table
    semi = logged.client.get(f"{LOG}/tai-ve.csv?trang_thai=missed&phan_cach=%3B").content.decode("utf-8-sig")
    assert semi.splitlines()[0].startswith("Số;Buổi phát;") and len(semi.splitlines()) == 2


def test_xlsx_of_the_filtered_rows_opens_in_a_spreadsheet(logged: DeskApp) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    r = logged.client.get(f"{LOG}/tai-ve.xlsx?thon=dong&tu=28/11/2026")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    assert head[0] == "Số" and "Trạng thái" in head and "Thời lượng dự kiến (giây)" in head
    body = rows[1:]
    assert [row[0] for row in body] == [111, 112, 114, 115]
    assert [row[head.index("Trạng thái")] for row in body] == ["đã phát", "bị lỡ", "chạy thử", "bị gián đoạn"]
    assert body[0][head.index("Giờ dự kiến")] == datetime(2026, 11, 28, 6, 30)  # a date cell, not text
    assert body[1][head.index("Bắt đầu")] is None  # missed: never started
    assert body[0][head.index("Đã phát (giây)")] == 30.0
    assert body[0][head.index("Thôn")] == "Thôn Đông, Thôn Tây"


def test_the_chain_check_shows_the_head_hash_and_finds_an_edit(logged: DeskApp) -> None:
    station = logged.desk.station
    csrf = logged.page_csrf(logged.client, LOG)
    r = logged.client.post(f"{LOG}/kiem-tra", data={"csrf": csrf})
    assert r.status_code == 200 and 'class="ok"' in r.text
    with AirLog(station.database, tz=station.timezone) as log:
        head = log_head(log).head_hash
    assert head and head in r.text
    with sqlite3.connect(station.database) as db:
        db.execute("UPDATE airings SET title = 'đã sửa' WHERE id = 112")
    r = logged.client.post(f"{LOG}/kiem-tra", data={"csrf": csrf})
    assert r.status_code == 200 and "không còn nguyên vẹn" in r.text and "112" in r.text


def test_who_may_see_the_log(desk_app: DeskApp) -> None:
    anon = desk_app.new_client()
    assert anon.get(LOG).status_code == 303 and anon.get(f"{LOG}/tai-ve.csv").status_code == 303
    assert anon.post(f"{LOG}/kiem-tra", data={}).status_code == 401
    viewer = desk_app.login("xem", client=desk_app.new_client())
    assert viewer.post(f"{LOG}/kiem-tra", data={"csrf": "sai"}).status_code == 403  # no CSRF token, no check
    page = viewer.get(LOG)
    assert page.status_code == 200 and "Chưa có nhật ký phát sóng" in page.text  # never aired: said, not created
    assert not desk_app.desk.station.database.exists()
    assert read_csv(viewer.get(f"{LOG}/tai-ve.csv").content)[1:] == []
