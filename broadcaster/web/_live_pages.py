""""Trạm phát": the station, live — running or not, what airs now, the next session with a countdown, outputs
and relays, the warnings the officer must act on, the last airings. The page polls a fragment every second;
the fragment is answered 204 (nothing to swap) while nothing it shows has changed."""

from __future__ import annotations

import threading

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcaster.services.live import live_version, live_view
from broadcaster.speech.engines import ENGINE_LABELS
from broadcaster.web._security import Ctx, page

__all__ = ["ROUTES"]

POLL_SECONDS = 1  # the page asks this often: it is never more than ~1 s behind the station's status record
_cache_lock = threading.Lock()
_cache: dict[int, tuple[str, dict]] = {}  # per desk: the last version and what it showed  # type: ignore[type-arg]


def _context(ctx: Ctx) -> dict:  # type: ignore[type-arg]
    desk = ctx.desk
    station = desk.station
    now = desk.now()
    version = live_version(station, now)
    with _cache_lock:
        cached = _cache.get(id(desk))
    if cached is not None and cached[0] == version:
        return cached[1]
    context = {"view": live_view(station, now), "version": version, "now": now, "poll": POLL_SECONDS,
               "zone_names": {z.id: z.name for z in station.zones}, "engine_labels": ENGINE_LABELS}
    with _cache_lock:
        _cache[id(desk)] = (version, context)
    return context


def live(request: Request, ctx: Ctx) -> Response:
    return ctx.desk.render(request, "live.html", _context(ctx))


def live_fragment(request: Request, ctx: Ctx) -> Response:
    context = _context(ctx)
    if request.query_params.get("v") == context["version"]:
        return Response(status_code=204)  # htmx keeps the page as it is
    return ctx.desk.render(request, "_live.html", context)


ROUTES: list[Route] = [
    page("/tram-phat", live),
    page("/tram-phat/cap-nhat", live_fragment),
]
