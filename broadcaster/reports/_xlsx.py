"""The report as an Excel workbook (xlsxwriter): the same tables as the HTML, numbers as numbers, moments and
dates as real Excel dates, a native bar chart of minutes on air per village, and the sign-off lines.

Sheets: "Báo cáo" (heading, body tables, chart, proof lines) and "Kỳ báo cáo" (the period, the issue date and the
signed checkpoint's fields, each in its own cell, dates as dates)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from broadcaster.reports._document import MOTTO, NATION, Report, heading, proof_lines, tables

__all__ = ["CHART_TITLE", "SHEET_PERIOD", "SHEET_REPORT", "write_xlsx"]

SHEET_REPORT = "Báo cáo"
SHEET_PERIOD = "Kỳ báo cáo"
CHART_TITLE = "Thời lượng phát theo thôn (phút)"


def write_xlsx(report: Report, path: Path) -> None:
    """Write the workbook to `path` (replacing it)."""
    # lazy: xlsxwriter only when a workbook is written (the desk and the CLI start without it)
    import xlsxwriter

    h = heading(report)
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})  # station-local times, as the log holds them
    f = _formats(book)
    sheet = book.add_worksheet(SHEET_REPORT)
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 3, 16)
    row = 0
    for text, style in ((h.parent, f["bold"]), (h.issuer, f["bold"]), (h.number, None), (NATION, f["bold"]),
                        (MOTTO, f["bold"]), (h.place_date, f["italic"]), (h.title, f["title"]),
                        (h.subject, f["bold"])):
        if text:
            sheet.write_string(row, 0, text, style)
            row += 1
    zones_at: tuple[int, int] | None = None
    for t in tables(report):
        row += 1
        sheet.write_string(row, 0, t.title, f["bold"])
        row += 1
        sheet.write_row(row, 0, t.headers, f["header"])
        first = row + 1
        for values in t.rows:
            row += 1
            for col, value in enumerate(values):
                _write(sheet, row, col, value, f)
        if t.title.startswith("4."):
            zones_at = (first, row)
        if t.note:
            row += 1
            sheet.write_string(row, 0, t.note, f["italic"])
    if zones_at is not None:
        chart = book.add_chart({"type": "bar"})
        chart.add_series({
            "name": CHART_TITLE,
            "categories": [SHEET_REPORT, zones_at[0], 0, zones_at[1], 0],
            "values": [SHEET_REPORT, zones_at[0], 2, zones_at[1], 2],
            "data_labels": {"value": True},
        })
        chart.set_title({"name": CHART_TITLE})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        sheet.insert_chart(row + 2, 0, chart, {"x_scale": 1.4, "y_scale": 1.1})
        row += 20
    row += 1
    for line in proof_lines(report):
        row += 1
        sheet.write_string(row, 0, line, f["small"])
    row += 2
    sheet.write_string(row, 0, "Nơi nhận:", f["bold"])
    sheet.write_string(row, 2, h.authority, f["bold"])
    for i, recipient in enumerate(h.recipients):
        sheet.write_string(row + 1 + i, 0, f"- {recipient}")
    sheet.write_string(row + 1, 2, h.signer_title, f["bold"])
    sheet.write_string(row + 5, 2, h.signer_name, f["bold"])
    _period_sheet(book, report, f)
    book.close()


def _write(sheet: Any, row: int, col: int, value: object, f: dict[str, Any]) -> None:
    if isinstance(value, datetime):
        sheet.write_datetime(row, col, value, f["moment"])
    elif isinstance(value, bool) or not isinstance(value, int | float):
        sheet.write_string(row, col, str(value))
    elif isinstance(value, float):
        sheet.write_number(row, col, value, f["minutes"])
    else:
        sheet.write_number(row, col, value, f["int"])


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "Times New Roman", "font_size": 12}
    return {
        "bold": book.add_format({**base, "bold": True}),
        "italic": book.add_format({**base, "italic": True}),
        "title": book.add_format({**base, "bold": True, "font_size": 14}),
        "header": book.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDDDDD"}),
        "int": book.add_format({**base, "num_format": "#,##0", "border": 1}),
        "minutes": book.add_format({**base, "num_format": "#,##0.0", "border": 1}),
        "moment": book.add_format({**base, "num_format": "dd/mm/yyyy hh:mm", "border": 1}),
        "date": book.add_format({**base, "num_format": "dd/mm/yyyy"}),
        "small": book.add_format({**base, "font_size": 10}),
    }


def _period_sheet(book: Any, report: Report, f: dict[str, Any]) -> None:
    sheet = book.add_worksheet(SHEET_PERIOD)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 70)
    c = report.checkpoint
    rows: list[tuple[str, object]] = [
        ("Kỳ báo cáo", report.period.label),
        ("Từ ngày", report.period.start),
        ("Đến ngày", report.period.end),
        ("Ngày lập báo cáo", report.issued),
        ("Số bản ghi của nhật ký", report.head.rows),
        ("Mã cuối chuỗi", report.head.head_hash),
    ]
    if c is not None:
        rows += [("Điểm kiểm tra có chữ ký số", c.n), ("Lúc", c.at), ("Số bản ghi trong chuỗi khi ký", c.rows),
                 ("Khóa của đài", c.key), ("Chữ ký", c.signature)]
    for i, (label, value) in enumerate(rows):
        sheet.write_string(i, 0, label, f["bold"])
        if isinstance(value, datetime):
            sheet.write_datetime(i, 1, value, f["moment"])
        elif isinstance(value, date):
            sheet.write_datetime(i, 1, datetime(value.year, value.month, value.day), f["date"])
        elif isinstance(value, int):
            sheet.write_number(i, 1, value, f["int"])
        else:
            sheet.write_string(i, 1, str(value))
