"""The "Báo cáo" page: choose a period (a month, a quarter, two dates), read the report, download it as PDF,
XLSX, CSV or HTML. Every signed-in role may view it; the figures come from `services.report` (the one query layer
the CLI and the tests share), and each report signs a checkpoint of the log (reused while nothing new aired)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcaster.errors import InputError
from broadcaster.reports import REPORT_CSS, Report, report_body
from broadcaster.services.report import MEDIA_TYPES, make_report, report_bytes
from broadcaster.web._security import Ctx, page

__all__ = ["ROUTES"]

_KINDS = {"thang": "Tháng", "quy": "Quý", "khoang": "Từ ngày … đến ngày"}
_DOWNLOADS = (("pdf", "PDF (in, ký)"), ("xlsx", "Excel (XLSX)"), ("csv", "CSV"), ("html", "HTML"))


def _choice(request: Request, ctx: Ctx) -> dict[str, str]:
    """The period as the form gives it; by default the month before today (what is reported at its start)."""
    q = request.query_params
    today = ctx.desk.now().date()
    last_month = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    return {"ky": q.get("ky", "") if q.get("ky", "") in _KINDS else "", "thang": q.get("thang", "") or last_month,
            "quy": q.get("quy", "") or f"{today.year}-Q{(today.month - 1) // 3 + 1}",
            "tu": q.get("tu", ""), "den": q.get("den", "")}


def _report(ctx: Ctx, choice: dict[str, str]) -> Report:
    kind = choice["ky"]
    if kind == "khoang" and not (choice["tu"] and choice["den"]):
        raise InputError("báo cáo theo khoảng ngày cần cả \"Từ ngày\" và \"Đến ngày\"")
    return make_report(ctx.desk.station_dir, today=ctx.desk.now().date(), now=ctx.desk.now(),
                       month=choice["thang"] if kind == "thang" else None,
                       quarter=choice["quy"] if kind == "quy" else None,
                       start=choice["tu"] if kind == "khoang" else None,
                       end=choice["den"] if kind == "khoang" else None)


def report_page(request: Request, ctx: Ctx) -> Response:
    choice = _choice(request, ctx)
    context: dict[str, object] = {"choice": choice, "kinds": _KINDS, "downloads": _DOWNLOADS, "error": ""}
    if choice["ky"]:
        try:
            report = _report(ctx, choice)
        except InputError as exc:
            context["error"] = str(exc)
        else:
            query = urlencode({k: v for k, v in choice.items() if v})
            # report_body escapes every value itself (reports._html): the page inserts it as it is
            context.update(report=report, body=report_body(report), css=REPORT_CSS, query=query)
    return ctx.desk.render(request, "report.html", context, status_code=400 if context["error"] else 200)


def report_download(request: Request, ctx: Ctx) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA_TYPES:
        raise InputError(f"không có báo cáo dạng '{fmt}': chọn pdf, xlsx, csv hoặc html")
    choice = _choice(request, ctx)
    if not choice["ky"]:
        raise InputError("chưa chọn kỳ báo cáo")
    report = _report(ctx, choice)
    sep = ";" if request.query_params.get("sep") == ";" else ","
    with tempfile.TemporaryDirectory(prefix="bao-cao-") as scratch:
        data = report_bytes(report, fmt, Path(scratch), sep=sep)
    name = f"bao-cao-{report.period.slug}.{fmt}"
    return Response(data, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES: list[Route] = [
    page("/bao-cao", report_page),
    page("/bao-cao/tai-ve/{fmt}", report_download),
]
