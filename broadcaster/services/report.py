"""The periodic report: its figures from the log (`airlog.period_stats`, the one query layer), this period and
the one before, and the signed checkpoint written with it; laid out by `reports`. Called by `broadcaster report`
and the desk's "Báo cáo" page."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.airlog import AirLog, log_head, period_stats, station_key, write_checkpoint
from broadcaster.config import load_station
from broadcaster.errors import InputError, LogError
from broadcaster.reports import Report, parse_period, render_csv, render_html, write_pdf, write_xlsx

__all__ = ["FORMATS", "MEDIA_TYPES", "format_of", "make_report", "report_bytes", "write_report"]

FORMATS = {".html": "html", ".htm": "html", ".csv": "csv", ".xlsx": "xlsx", ".pdf": "pdf"}
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def make_report(station_dir: str | Path, *, today: date, month: str | None = None, quarter: str | None = None,
                start: str | None = None, end: str | None = None, now: datetime | None = None) -> Report:
    """The report for one period (a month, a quarter or two dates), issued `today`, with the checkpoint signed
    at `now` (default: the station's clock) over the log as it stands; a log unchanged since the last
    checkpoint reuses it."""
    station = load_station(station_dir)
    period = parse_period(month=month, quarter=quarter, start=start, end=end)
    if not station.database.exists():
        raise InputError(f"chưa có nhật ký phát sóng ({station.database}): đài chưa phát lần nào")
    zones = [z.id for z in station.zones]
    primary = station.speech.engines[0] if station.speech.engines else ""
    checkpoint, problem = None, ""
    with AirLog(station.database, tz=station.timezone) as log:
        stats = period_stats(log, period.start, period.end, zones=zones, primary_engine=primary)
        before = period.previous()
        previous = period_stats(log, before.start, before.end, zones=zones, primary_engine=primary)
        try:
            key = station_key(station.state_dir)
            assert key is not None  # created when missing
            checkpoint = write_checkpoint(log, key, station.name, now or datetime.now(ZoneInfo(station.timezone)),
                                          reuse=True)
        except LogError as exc:  # the chain no longer matches the last checkpoint, or the key cannot be read
            problem = str(exc)
        head = log_head(log)
    return Report(station, period, stats, previous, head, today, checkpoint,
                  {z.id: z.name for z in station.zones}, problem)


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"không ghi được báo cáo dạng '{suffix or Path(path).name}': dùng tệp .pdf, .xlsx, .html "
                         "hoặc .csv")
    return FORMATS[suffix]


def write_report(report: Report, path: str | Path, *, sep: str = ",") -> str:
    """Write the report in the format of the file's extension; returns the format."""
    fmt, target = format_of(path), Path(path)
    if fmt == "html":
        target.write_text(render_html(report), encoding="utf-8")
    elif fmt == "csv":  # UTF-8 with BOM: Excel reads the diacritics
        target.write_text(render_csv(report, sep=sep), encoding="utf-8-sig")
    elif fmt == "xlsx":
        write_xlsx(report, target)
    else:
        write_pdf(report, target)
    return fmt


def report_bytes(report: Report, fmt: str, scratch: Path, *, sep: str = ",") -> bytes:
    """The report as a download (the desk): written into `scratch` (a private temporary folder), read back."""
    target = scratch / f"bao-cao-{report.period.slug}.{fmt}"
    write_report(report, target, sep=sep)
    return target.read_bytes()
