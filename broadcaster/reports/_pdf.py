"""The report as PDF: the HTML page laid out by WeasyPrint (A4, the SVG chart as vectors), in the Noto fonts
Debian ships (`fonts-noto-core`: Vietnamese diacritics in Noto Serif)."""

from __future__ import annotations

from pathlib import Path

from broadcaster.errors import InputError
from broadcaster.reports._document import Report
from broadcaster.reports._html import render_html

__all__ = ["PDF_FONTS", "write_pdf"]

# Debian's Noto Serif first (Times New Roman, named by the HTML for a browser's print, is not on a Debian PC)
PDF_FONTS = '.report { font-family: "Noto Serif", "DejaVu Serif", serif; } svg text { font-family: "Noto Serif"; }'


def write_pdf(report: Report, path: Path) -> None:
    """Write the PDF to `path`. A machine without Pango (WeasyPrint's layout library) gets the Debian packages
    to install, not a traceback."""
    try:
        # lazy: WeasyPrint (and Pango behind it) costs a second and tens of MB: only when a PDF is written
        from weasyprint import CSS, HTML
    except OSError as exc:  # cffi could not load libpango / libgobject
        raise InputError("không tạo được PDF: thiếu thư viện Pango (Debian: apt-get install libpango-1.0-0 "
                         f"libpangoft2-1.0-0 fonts-noto-core) — {exc}") from exc
    HTML(string=render_html(report)).write_pdf(path, stylesheets=[CSS(string=PDF_FONTS)])
