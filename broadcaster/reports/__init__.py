"""Period reports upward (Decree 30/2020/NĐ-CP layout): the period, the document as data, HTML with an SVG
chart and CSV. Every figure comes from `airlog.period_stats` (the one query layer); this package only lays out.

Private modules: `_period` (month, quarter, range; the previous period), `_document` (heading, body tables,
sign-off lines), `_html` (HTML, SVG, CSV).
"""

from broadcaster.reports._document import (
    MOTTO,
    NATION,
    Checkpoint,
    Heading,
    Report,
    Table,
    heading,
    place_and_date,
    proof_lines,
    tables,
)
from broadcaster.reports._html import render_csv, render_html, svg_chart
from broadcaster.reports._period import Period, parse_period

__all__ = [
    "MOTTO",
    "NATION",
    "Checkpoint",
    "Heading",
    "Period",
    "Report",
    "Table",
    "heading",
    "parse_period",
    "place_and_date",
    "proof_lines",
    "render_csv",
    "render_html",
    "svg_chart",
    "tables",
]
