"""Period reports upward (Decree 30/2020/NĐ-CP layout): the period, the document as data, HTML with an SVG
chart and CSV. Every figure comes from `airlog.period_stats` (the one query layer); this package only lays out.

Private modules: `_period` (month, quarter, range; the previous period), `_document` (heading, body tables,
sign-off lines), `_html` (HTML, SVG, CSV), `_xlsx` (Excel workbook, xlsxwriter), `_pdf` (PDF, WeasyPrint).
"""

from broadcaster.reports._document import (
    MOTTO,
    NATION,
    Checkpoint,
    Heading,
    Report,
    Table,
    cell_text,
    fmt_moment,
    heading,
    place_and_date,
    proof_lines,
    tables,
)
from broadcaster.reports._html import REPORT_CSS, render_csv, render_html, report_body, svg_chart
from broadcaster.reports._pdf import write_pdf
from broadcaster.reports._period import Period, parse_period
from broadcaster.reports._xlsx import CHART_TITLE, SHEET_PERIOD, SHEET_REPORT, write_xlsx

__all__ = [
    "CHART_TITLE",
    "MOTTO",
    "NATION",
    "REPORT_CSS",
    "Checkpoint",
    "Heading",
    "Period",
    "Report",
    "SHEET_PERIOD",
    "SHEET_REPORT",
    "Table",
    "cell_text",
    "fmt_moment",
    "heading",
    "parse_period",
    "place_and_date",
    "proof_lines",
    "render_csv",
    "render_html",
    "report_body",
    "svg_chart",
    "tables",
    "write_pdf",
    "write_xlsx",
]
