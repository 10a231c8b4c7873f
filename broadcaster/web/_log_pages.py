"""The airing log ("Nhật ký phát sóng"): filters, pages in time order, row details, CSV/XLSX of the filtered rows,
and the chain check ("Kiểm tra tính toàn vẹn"). Everything through `services.log`, as `broadcaster log` does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcaster.airlog import COUNT_CAP, TEST_STATUS, LogFilter
from broadcaster.errors import InputError
from broadcaster.models import AiringStatus
from broadcaster.services import archive as archive_service
from broadcaster.services import log as log_service
from broadcaster.speech.engines import ENGINE_LABELS
from broadcaster.web._desk import TEMPLATES
from broadcaster.web._security import Ctx, page
from broadcaster.words import (
    STATUS_LABELS,
    TEST_LABEL,
    airing_label,
    fmt_date,
    fmt_duration,
    fmt_seconds,
    fmt_when,
)

__all__ = ["ROUTES"]

PER_PAGE = 50
# The filter fields as they appear in the address (Vietnamese, like the bulletin list's).
_FIELDS = {"tu": "start", "den": "end", "thon": "zone", "ban_tin": "bulletin", "chu_de": "topic",
           "trang_thai": "status", "cong_cu": "engine"}
_STATUSES = {**{s.value: label for s, label in STATUS_LABELS.items()}, TEST_STATUS: TEST_LABEL}


def _late(started: datetime, scheduled: datetime) -> str:
    """'đúng giờ', 'trễ 12 giây', 'sớm 3 giây' (an item's start against its planned time)."""
    delta = (started - scheduled).total_seconds()
    if abs(delta) < 1:
        return "đúng giờ"
    return f"{'trễ' if delta > 0 else 'sớm'} {fmt_seconds(abs(delta))}"


TEMPLATES.env.filters.update(airing=airing_label, duration=fmt_duration, moment=fmt_when, late=_late)


@dataclass(frozen=True)
class _Query:
    values: dict[str, str]  # the filter fields as given (to refill the form)
    flt: LogFilter
    error: str


def _query(request: Request, ctx: Ctx) -> _Query:
    q = request.query_params
    values = {name: q.get(name, "").strip()[:100] for name in _FIELDS}
    try:
        flt = log_service.log_filter(ctx.desk.station, **{_FIELDS[k]: v for k, v in values.items()})
    except InputError as exc:
        return _Query(values, LogFilter(), str(exc))
    except ValueError:
        return _Query(values, LogFilter(), "Trạng thái không hợp lệ.")
    return _Query(values, flt, "")


def _filename(flt: LogFilter, suffix: str) -> str:
    """'nhat-ky-phat-song_2026-11-01_2026-11-30.csv' (ASCII: every browser keeps it as it is)."""
    span = "_".join(d.isoformat() for d in (flt.start, flt.end) if d is not None)
    return f"nhat-ky-phat-song{'_' + span if span else ''}.{suffix}"


def log_list(request: Request, ctx: Ctx) -> Response:
    query = _query(request, ctx)
    station = ctx.desk.station
    newest = request.query_params.get("sap_xep", "moi") != "cu"
    try:
        page_no = max(1, int(request.query_params.get("trang", "1")))
    except ValueError:
        page_no = 1
    found = log_service.log_page(station, query.flt, page=page_no, per_page=PER_PAGE, newest_first=newest)
    pages = max(1, (found.total + PER_PAGE - 1) // PER_PAGE) if found is not None else 1
    keep = {k: v for k, v in query.values.items() if v}
    order = {} if newest else {"sap_xep": "cu"}
    link = lambda **kw: "?" + urlencode({**keep, **order, **kw})  # noqa: E731
    return ctx.desk.render(request, "log.html", {
        "q": query.values, "error": query.error, "found": found, "page_no": page_no, "pages": pages,
        "newest": newest, "link": link, "keep": urlencode(keep), "choices": log_service.log_choices(station),
        "statuses": _STATUSES, "engine_labels": ENGINE_LABELS, "cap": COUNT_CAP,
        "zone_names": {z.id: z.name for z in station.zones}, "done": AiringStatus.COMPLETED,
    }, status_code=400 if query.error else 200)


def _download(request: Request, ctx: Ctx, kind: str) -> Response:
    query = _query(request, ctx)
    if query.error:
        return ctx.desk.render(request, "error.html", {"message": query.error}, status_code=400)
    station = ctx.desk.station
    rows = log_service.log_rows(station, query.flt)
    if kind == "xlsx":
        body = log_service.xlsx_bytes(rows, station)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        sep = ";" if request.query_params.get("phan_cach") == ";" else ","
        body = log_service.csv_bytes(rows, station, sep=sep)
        media = "text/csv; charset=utf-8"
    name = _filename(query.flt, kind)
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


def log_csv(request: Request, ctx: Ctx) -> Response:
    return _download(request, ctx, "csv")


def log_xlsx(request: Request, ctx: Ctx) -> Response:
    return _download(request, ctx, "xlsx")


def log_verify(request: Request, ctx: Ctx) -> Response:
    result = log_service.verify_station(ctx.desk.station)
    now = ctx.desk.now()
    return ctx.desk.render(request, "_verify.html", {"result": result, "at": now, "day": fmt_date(now.date())})


def log_listen(request: Request, ctx: Ctx) -> Response:
    """"Nghe": the row's stretch of the archived programme, as MP3 (cut on demand; the player asks only when the
    officer presses play). A row without audio answers 404 with the reason, in words."""
    try:
        airing_id = int(request.path_params["airing"])
    except ValueError:
        return Response("Không có lượt phát này.", status_code=404, media_type="text/plain; charset=utf-8")
    audio = archive_service.airing_audio(ctx.desk.station, airing_id)
    if audio is None:
        return Response(archive_service.missing_audio(ctx.desk.station, airing_id), status_code=404,
                        media_type="text/plain; charset=utf-8")
    return Response(audio.mp3_bytes(), media_type="audio/mpeg",
                    headers={"content-disposition": f'inline; filename="luot-phat-{airing_id}.mp3"'})


ROUTES: list[Route] = [
    page("/nhat-ky-phat-song", log_list),
    page("/nhat-ky-phat-song/tai-ve.csv", log_csv),
    page("/nhat-ky-phat-song/tai-ve.xlsx", log_xlsx),
    page("/nhat-ky-phat-song/kiem-tra", log_verify, methods=("POST",)),
    page("/nhat-ky-phat-song/{airing}/nghe.mp3", log_listen),
]
