"""Log review: what aired, where and when (filters as the officer names them), and the chain check.

Called by `broadcaster log` and the web desk; the formats live in `airlog` (`export`, `csv_values`); the desk's
Excel workbook is written here (`xlsx_bytes`) with the same columns as the CSV."""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from broadcaster.airlog import (
    CSV_HEADERS,
    TEST_STATUS,
    AirLog,
    LogFilter,
    LogPage,
    VerifyResult,
    browse,
    chain_position,
    csv_values,
    distinct,
    export,
    filtered,
    load_public_key,
    log_head,
)
from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.config import load_station, parse_day, resolve_zone
from broadcaster.errors import InputError
from broadcaster.models import Airing, AiringStatus, Station

__all__ = ["LogChoices", "LogFilter", "Review", "csv_bytes", "log_choices", "log_filter", "log_page", "log_rows",
           "review", "verify", "verify_station", "xlsx_bytes"]


@dataclass(frozen=True)
class Review:
    station: Station
    rows: tuple[Airing, ...]
    exists: bool  # False: the station has never aired (no log database yet)


def review(station_dir: str | Path, *, start: str | None = None, end: str | None = None, zone: str | None = None,
           bulletin: str | None = None, status: AiringStatus | str | None = None) -> Review:
    """The airings matching the filters, in the order they happened. Dates as the officer writes them ('28/11/2026' or
    '2026-11-28', inclusive); a village by id or name (a village removed from station.yaml since keeps its
    history under its id). Never creates the database."""
    station = load_station(station_dir)
    first = parse_day(start, "từ ngày (--from)") if start else None
    last = parse_day(end, "đến ngày (--to)") if end else None
    zone_id = None
    if zone:
        zone_id = zone if zone in {z.id for z in station.zones} else resolve_zone(station, zone).id
    if not station.database.exists():
        return Review(station, (), False)
    with AirLog(station.database, tz=station.timezone) as log:
        rows = log.query(from_date=first, to_date=last, zone=zone_id, bulletin=bulletin,
                         status=status)
    # the order things happened: when each row started, or (never started: missed, skipped) when it was due
    rows.sort(key=lambda r: (r.started_at or r.scheduled_at, r.id or 0))
    return Review(station, tuple(rows), True)


def verify(station_dir: str | Path, *, expect: str | None = None, public_key: str | Path | None = None,
           database: str | Path | None = None) -> VerifyResult | None:
    """The hash chain and the signed checkpoints checked end to end; None when the station has no log yet.
    `expect`: a head hash noted earlier (printed on a signed report): it must still be in the chain, or the log
    was rewritten or cut. `public_key`: the station's public key file (`station-key.pub`) to check the
    checkpoints against instead of the key beside the log; `database`: a copy of a log to check instead of the
    station's own (no station.yaml needed)."""
    if database is not None:
        path, tz = Path(database), DEFAULT_TIMEZONE
        if not path.is_file():
            raise InputError(f"không có tệp nhật ký {path}")
        return _verify_file(path, tz, expect=expect, public_key=public_key)
    return verify_station(load_station(station_dir), expect=expect, public_key=public_key)


def verify_station(station: Station, *, expect: str | None = None,
                   public_key: str | Path | None = None) -> VerifyResult | None:
    """`verify` for a station already loaded (also the desk's "Kiểm tra tính toàn vẹn")."""
    if not station.database.exists():
        return None
    return _verify_file(station.database, station.timezone, expect=expect, public_key=public_key)


def _verify_file(path: Path, tz: str, *, expect: str | None, public_key: str | Path | None) -> VerifyResult:
    key = load_public_key(public_key) if public_key else None
    with AirLog(path, tz=tz) as log:
        result = log.verify(key)
        if not expect or not result.ok:
            return result
        found = chain_position(log, expect)
        chained = log_head(log).chained
    if found is None:
        return dataclasses.replace(result, ok=False, message=(
            f"nhật ký phát sóng đã bị can thiệp: mã {expect.strip()} (ghi trên báo cáo) không còn trong chuỗi: "
            "nhật ký đã bị tính lại hoặc bị cắt bớt từ sau thời điểm đó"))
    after = chained - found[0]
    return dataclasses.replace(result, message=(
        f"{result.message}; mã đối chiếu khớp bản ghi số {found[1]}"
        + (f", sau đó có thêm {after} bản ghi" if after else " (cuối chuỗi)")))


# --- the desk's log page --------------------------------------------------------------------------------------


def log_filter(station: Station, *, start: str = "", end: str = "", zone: str = "", bulletin: str = "",
               topic: str = "", status: str = "", engine: str = "") -> LogFilter:
    """The filters as the officer gives them (dates in either form, a village by id or name); InputError with a
    Vietnamese message for a date or village that does not exist, or a status the log does not know."""
    first = parse_day(start, "từ ngày") if start else None
    last = parse_day(end, "đến ngày") if end else None
    zone_id = ""
    if zone:
        zone_id = zone if zone in {z.id for z in station.zones} else resolve_zone(station, zone).id
    if status and status != TEST_STATUS:
        AiringStatus(status)  # ValueError -> the caller's 400
    return LogFilter(start=first, end=last, zone=zone_id, bulletin=bulletin.strip(), topic=topic.strip(),
                     status=status, engine=engine.strip())


def log_page(station: Station, flt: LogFilter, *, page: int = 1, per_page: int = 50,
             newest_first: bool = True) -> LogPage | None:
    """One page of the filtered log (None: the station has never aired, no database)."""
    if not station.database.exists():
        return None
    with AirLog(station.database, tz=station.timezone) as log:
        return browse(log, flt, offset=(max(1, page) - 1) * per_page, limit=per_page, newest_first=newest_first)


def log_rows(station: Station, flt: LogFilter) -> list[Airing]:
    """Every row of the filtered log, oldest first (for a download)."""
    if not station.database.exists():
        return []
    with AirLog(station.database, tz=station.timezone) as log:
        return filtered(log, flt)


def csv_bytes(rows: list[Airing], station: Station, *, sep: str = ",") -> bytes:
    """The same CSV as `broadcaster log --format csv`, with the UTF-8 BOM Excel needs for the diacritics."""
    return ("\ufeff" + export(rows, station, "csv", sep=sep)).encode("utf-8")


def xlsx_bytes(rows: list[Airing], station: Station, *, title: str = "Nhật ký phát sóng") -> bytes:
    """The CSV's columns as an Excel workbook: times as date cells, seconds as numbers, headings frozen."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})  # Excel's cell format: Vietnamese day order
    sheet.write_row(0, 0, CSV_HEADERS, bold)
    times = {CSV_HEADERS.index(h): i for i, h in enumerate(("Giờ dự kiến", "Bắt đầu", "Kết thúc"))}
    seconds = {CSV_HEADERS.index(h) for h in ("Thời lượng dự kiến (giây)", "Đã phát (giây)")}
    for n, r in enumerate(rows, 1):
        stamps = (r.scheduled_at, r.started_at, r.ended_at)
        for col, value in enumerate(csv_values(r, station)):
            if col in times:
                moment = stamps[times[col]]
                if moment is not None:
                    sheet.write_datetime(n, col, moment.replace(tzinfo=None), when)
            elif col in seconds:
                sheet.write_number(n, col, float(value))
            elif col == 0:
                sheet.write_number(n, col, int(value))
            else:
                sheet.write_string(n, col, str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(rows)), len(CSV_HEADERS) - 1)
    sheet.set_column(0, len(CSV_HEADERS) - 1, 16)
    book.close()
    return buffer.getvalue()


@dataclass(frozen=True)
class LogChoices:
    """What the log's filters offer: the topics, engines and bulletins the log holds."""

    topics: tuple[str, ...] = ()
    engines: tuple[str, ...] = ()
    bulletins: tuple[str, ...] = ()


def log_choices(station: Station) -> LogChoices:
    if not station.database.exists():
        return LogChoices()
    with AirLog(station.database, tz=station.timezone) as log:
        return LogChoices(tuple(distinct(log, "topic")), tuple(distinct(log, "engine")),
                          tuple(distinct(log, "bulletin_id")))
