"""The week ("Lịch phát sóng"): the coming days as `broadcaster plan` plans them (the same service), per village or
all; sessions already begun as the airing log tells them (aired, missed, …); what is left out and why."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcaster.config import parse_day, resolve_zone
from broadcaster.errors import BroadcasterError
from broadcaster.models import Priority
from broadcaster.services.plan import plan_json, plan_station
from broadcaster.web._desk import TEMPLATES
from broadcaster.web._security import Ctx, page
from broadcaster.words import fmt_date, fmt_duration

__all__ = ["ROUTES"]

DAYS, MAX_DAYS = 7, 31
TEMPLATES.env.filters.update(duration=fmt_duration)


def _days(text: str) -> int:
    try:
        return min(MAX_DAYS, max(1, int(text)))
    except ValueError:
        return DAYS


def week(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    now = ctx.desk.now()
    days = _days(q.get("so_ngay", str(DAYS)))
    zone_arg = q.get("thon", "").strip()[:100]
    context = {"days": days, "zone_arg": zone_arg, "start_arg": q.get("tu", "").strip()[:20], "doc": None,
               "error": "", "now": now, "today": now.date(), "PRIORITY": Priority}
    try:
        first = parse_day(context["start_arg"], "từ ngày") if context["start_arg"] else now.date()
        sp = plan_station(ctx.desk.station_dir, first, first + timedelta(days=days - 1))
        zone = resolve_zone(sp.station, zone_arg) if zone_arg else None
        doc = plan_json(sp, zone, now=now)
    except BroadcasterError as exc:
        context["error"] = str(exc)
        return ctx.desk.render(request, "week.html", context, status_code=400)
    keep = {k: v for k, v in {"thon": zone_arg, "so_ngay": "" if days == DAYS else str(days)}.items() if v}
    link = lambda day: "?" + urlencode({**keep, "tu": day.isoformat()})  # noqa: E731
    by_day: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for s in doc["sessions"]:
        by_day.setdefault(s["date"], []).append(s)
    context.update(doc=doc, by_day=[(date.fromisoformat(d), sessions) for d, sessions in by_day.items()],
                   first=first, earlier=link(first - timedelta(days=days)), later=link(first + timedelta(days=days)),
                   this_week="?" + urlencode(keep), span=f"{fmt_date(first)} – {fmt_date(sp.end)}", zone=zone)
    return ctx.desk.render(request, "week.html", context)


ROUTES: list[Route] = [page("/lich-phat-song", week)]
