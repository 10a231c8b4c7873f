"""The report as XLSX (opened with openpyxl, as a reader would) and as PDF (read back with poppler's pdftotext and
pdftoppm): the same figures as the generated month, diacritics intact, dates as dates, the chart present."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from broadcaster.cli import main
from broadcaster.reports import CHART_TITLE, MOTTO, NATION, SHEET_PERIOD, SHEET_REPORT
from broadcaster.services.report import make_report, write_report
from tests.reports.test_report import ZONES, Expected, month  # noqa: F401 - the shared month of airings

NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils not installed (scripts/system-packages)")


def _cells(sheet) -> dict[str, list[object]]:  # type: ignore[no-untyped-def]
    """Each row by its first cell's text: the values after it."""
    return {str(r[0]): list(r[1:]) for r in sheet.iter_rows(values_only=True) if r[0] is not None}


def _november(root: Path, target: Path):  # type: ignore[no-untyped-def]
    """November's report, written to `target` in the format its suffix names."""
    report = make_report(root, today=date(2026, 12, 1), month="2026-11")
    assert write_report(report, target) == target.suffix[1:]
    return report


def test_xlsx_has_the_figures_as_numbers_dates_as_dates_and_a_chart(
        month: tuple[Path, Expected, Expected], tmp_path: Path) -> None:  # noqa: F811
    root, e, before = month
    target = tmp_path / "bao-cao.xlsx"
    report = _november(root, target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [SHEET_REPORT, SHEET_PERIOD]
    sheet = book[SHEET_REPORT]
    rows = _cells(sheet)
    assert rows["Buổi phát theo kế hoạch"][:3] == [30, 31, "-1"]
    assert rows["Đã phát đủ"][:2] == [e.aired, before.aired]
    assert rows["Chạy thử (không tính là đã phát)"][0] == e.test
    assert rows["Lượt bản tin đã phát"][0] == e.bulletins
    assert rows["Thôn Bắc"][:2] == [e.zone_bulletins["thon-bac"], round(e.zone_seconds["thon-bac"] / 60, 1)]
    assert NATION in rows and MOTTO in rows and "ỦY BAN NHÂN DÂN XÃ TIỀN PHONG" in rows
    moments = [r[0] for r in sheet.iter_rows(values_only=True) if isinstance(r[0], datetime)]
    assert moments == [m.replace(tzinfo=None) for m in e.emergencies]  # real dates, station time
    assert sheet.cell(1, 1).value and isinstance(moments[0], datetime)
    charts = sheet._charts  # noqa: SLF001 - openpyxl keeps the charts it read here
    assert len(charts) == 1 and CHART_TITLE in str(charts[0].title.tx.rich.p[0].r[0].t)
    period = _cells(book[SHEET_PERIOD])
    assert period["Từ ngày"][0] == datetime(2026, 11, 1) and period["Đến ngày"][0] == datetime(2026, 11, 30)
    assert period["Mã cuối chuỗi"][0] == report.head.head_hash
    assert report.checkpoint is not None and period["Chữ ký"][0] == report.checkpoint.signature


@NEEDS_POPPLER
def test_pdf_reads_back_with_diacritics_and_figures_and_page_one_is_not_blank(
        month: tuple[Path, Expected, Expected], tmp_path: Path) -> None:  # noqa: F811
    root, e, _ = month
    target = tmp_path / "bao-cao.pdf"
    report = _november(root, target)
    assert target.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    reading = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", reading)  # in reading order: the heading's two columns one after the other
    for line in (NATION, MOTTO, "ỦY BAN NHÂN DÂN XÃ TIỀN PHONG", "Tiền Phong, ngày 01 tháng 12 năm 2026", "BÁO CÁO",
                 "Kết quả hoạt động của đài truyền thanh xã Tiền Phong tháng 11 năm 2026", "Nơi nhận:",
                 "Thôn Bắc", "Giọng đọc dự phòng", "Nguyễn Văn An"):
        assert line in flat, line
    assert re.search(r"Buổi phát theo kế hoạch\s+30\s+31", text)
    assert re.search(rf"Đã phát đủ\s+{e.aired}\s", text)
    assert report.checkpoint is not None and f"Điểm kiểm tra có chữ ký số {report.checkpoint.n}" in flat
    assert report.head.head_hash[:32] in flat.replace(" ", "")
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", str(target), str(out)], check=True)
    pgm = next(tmp_path.glob("page*.pgm")).read_bytes()
    width, height = (int(x) for x in pgm.split(b"\n")[1].split())
    pixels = pgm[-width * height:]
    dark = sum(1 for p in pixels if p < 128)
    assert dark > 0.01 * width * height, f"page 1 is blank ({dark} dark pixels of {width * height})"


def test_cli_writes_pdf_and_xlsx_by_extension(month: tuple[Path, Expected, Expected], tmp_path: Path,  # noqa: F811
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, _, _ = month
    for name in ("r.xlsx", "r.pdf"):
        assert main(["report", "--station", str(root), "--month", "2026-11", "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert "Đã ghi báo cáo tháng 11 năm 2026" in capsys.readouterr().out
    assert len(ZONES) == 3
