"""The periodic report: its figures from the log (`airlog.period_stats`, the one query layer), this period and
the one before, laid out by `reports`. Called by `broadcaster report` and (later) the desk's "Báo cáo" page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from broadcaster.airlog import AirLog, log_head, period_stats
from broadcaster.config import load_station
from broadcaster.errors import InputError
from broadcaster.reports import Report, parse_period, render_csv, render_html

__all__ = ["FORMATS", "format_of", "make_report", "write_report"]

FORMATS = {".html": "html", ".htm": "html", ".csv": "csv"}


def make_report(station_dir: str | Path, *, today: date, month: str | None = None, quarter: str | None = None,
                start: str | None = None, end: str | None = None) -> Report:
    """The report for one period (a month, a quarter or two dates), issued `today`."""
    station = load_station(station_dir)
    period = parse_period(month=month, quarter=quarter, start=start, end=end)
    if not station.database.exists():
        raise InputError(f"chưa có nhật ký phát sóng ({station.database}): đài chưa phát lần nào")
    zones = [z.id for z in station.zones]
    primary = station.speech.engines[0] if station.speech.engines else ""
    with AirLog(station.database, tz=station.timezone) as log:
        stats = period_stats(log, period.start, period.end, zones=zones, primary_engine=primary)
        before = period.previous()
        previous = period_stats(log, before.start, before.end, zones=zones, primary_engine=primary)
        head = log_head(log)
    return Report(station, period, stats, previous, head, today, None, {z.id: z.name for z in station.zones})


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"không ghi được báo cáo dạng '{suffix or Path(path).name}': dùng tệp .html hoặc .csv")
    return FORMATS[suffix]


def write_report(report: Report, path: str | Path, *, sep: str = ",") -> str:
    """Write the report in the format of the file's extension; returns the format."""
    fmt = format_of(path)
    if fmt == "html":
        Path(path).write_text(render_html(report), encoding="utf-8")
    else:  # UTF-8 with BOM: Excel reads the diacritics
        Path(path).write_text(render_csv(report, sep=sep), encoding="utf-8-sig")
    return fmt
