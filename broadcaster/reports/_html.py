"""The report as one self-contained HTML page (A4, printable), with a server-side SVG chart; and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape

from broadcaster.reports._document import (
    MOTTO,
    NATION,
    Report,
    Table,
    cell_text,
    fmt_moment,
    heading,
    proof_lines,
    tables,
)

__all__ = ["REPORT_CSS", "render_csv", "render_html", "report_body", "svg_chart"]

REPORT_CSS = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
.report { font-family: "Times New Roman", "Noto Serif", serif; font-size: 13pt; line-height: 1.35; max-width: 170mm;
          margin: 0 auto; color: #000; background: #fff; }
.report .head { display: flex; justify-content: space-between; text-align: center; }
.report .head > div:first-child { width: 40%; }
.report .head > div:last-child { width: 60%; }
.report .nation { font-size: 12pt; white-space: nowrap; }
.report .bold { font-weight: bold; }
.report .motto { font-weight: bold; text-decoration: underline; }
.report .date { font-style: italic; text-align: right; margin-top: 6pt; }
.report h1 { text-align: center; font-size: 14pt; margin: 18pt 0 0; }
.report .subject { text-align: center; font-weight: bold; margin-bottom: 12pt; }
.report h2 { font-size: 13pt; margin: 12pt 0 4pt; }
.report table { border-collapse: collapse; width: 100%; font-size: 12pt; }
.report th, .report td { border: 1px solid #000; padding: 2pt 4pt; }
.report td.n { text-align: right; }
.report .note { font-style: italic; font-size: 11pt; }
.report .proof { font-size: 10.5pt; word-break: break-all; margin-top: 12pt; }
.report .end { display: flex; justify-content: space-between; margin-top: 18pt; }
.report .recipients { width: 50%; font-size: 11pt; }
.report .signer { width: 45%; text-align: center; font-weight: bold; }
.report .signer .name { margin-top: 60pt; }
.report svg { max-width: 100%; height: auto; }
@media screen and (max-width: 640px) {  /* a phone: the heading's two blocks one above the other, nothing cut off */
  .report .head, .report .end { flex-direction: column; gap: 8pt; }
  .report .head > div, .report .recipients, .report .signer { width: auto !important; }
  .report .nation { white-space: normal; }
}
"""


def _cell(value: object) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="n">{cell_text(value)}</td>' if numeric else f"<td>{escape(cell_text(value))}</td>"


def _table(t: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in t.rows)
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    return f"<h2>{escape(t.title)}</h2><table><tr>{head}</tr>{body}</table>{note}"


def svg_chart(bars: list[tuple[str, float]], title: str, unit: str) -> str:
    """A horizontal bar chart as inline SVG (no script, prints as vector): one bar per label."""
    width, left, row = 600, 170, 22
    height = 30 + row * max(1, len(bars))
    top = max((v for _, v in bars), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="serif" font-size="12">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="14" font-weight="bold">{escape(title)} ({escape(unit)})</text>']
    for i, (label, value) in enumerate(bars):
        y = 24 + i * row
        length = (width - left - 60) * value / top
        shown = f"{value:.1f}".replace(".", ",")
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" fill="#1f5fa8">'
                     f"<title>{escape(label)}: {shown}</title></rect>"
                     f'<text x="{left + length + 4:.1f}" y="{y + 14}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_body(report: Report) -> str:
    """The report as one `<div class="report">` (every value escaped here), styled by `REPORT_CSS`: the whole
    page of `render_html`, and what the desk's "Báo cáo" page shows inside its own layout."""
    h = heading(report)
    body = tables(report)
    zones = next(t for t in body if t.title.startswith("4."))
    chart = svg_chart([(str(r[0]), float(r[2])) for r in zones.rows], "Thời lượng phát theo thôn", "phút")
    parent = f"<div>{escape(h.parent)}</div>" if h.parent else ""
    recipients = "".join(f"<div>- {escape(r)};</div>" for r in h.recipients[:-1])
    recipients += f"<div>- {escape(h.recipients[-1])}.</div>" if h.recipients else ""
    proof = "".join(f"<div>{escape(line)}</div>" for line in proof_lines(report))
    return f"""<div class="report">
<div class="head"><div>{parent}<div class="bold">{escape(h.issuer)}</div><div>{escape(h.number)}</div></div>
<div><div class="bold nation">{NATION}</div><div class="motto">{MOTTO}</div></div></div>
<p class="date">{escape(h.place_date)}</p>
<h1>{escape(h.title)}</h1><p class="subject">{escape(h.subject)}</p>
{"".join(_table(t) for t in body)}
<h2>Biểu đồ</h2>{chart}
<div class="proof">{proof}</div>
<div class="end"><div class="recipients"><div class="bold"><i>Nơi nhận:</i></div>{recipients}</div>
<div class="signer"><div>{escape(h.authority)}</div><div>{escape(h.signer_title)}</div>
<div class="name">{escape(h.signer_name)}</div></div></div>
</div>"""


def render_html(report: Report) -> str:
    h = heading(report)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{escape(h.title)} {escape(h.subject)}</title>
<style>{REPORT_CSS}</style></head><body>
{report_body(report)}
</body></html>
"""


def render_csv(report: Report, *, sep: str = ",") -> str:
    """Every table one after the other (title row, header row, rows), then the sign-off lines; numbers plain."""
    h = heading(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    for line in (h.issuer, NATION, h.number, h.place_date, h.title, h.subject):
        writer.writerow([line])
    for t in tables(report):
        writer.writerow([])
        writer.writerow([t.title])
        writer.writerow(t.headers)
        writer.writerows([fmt_moment(v) if isinstance(v, datetime) else v for v in row] for row in t.rows)
    writer.writerow([])
    for line in proof_lines(report):
        writer.writerow([line])
    return buffer.getvalue()
