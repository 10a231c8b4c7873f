""""Nói trực tiếp" on the desk: whoever may air (approvers, administrators; editors when allowed) starts and stops a live announcement from the
station PC's microphone. The desk only sends the request through the control channel: the microphone, the sound
card and the relays belong to the running station (docs/runner.md#live-announcements-thông-báo-trực-tiếp)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from broadcaster.errors import BroadcasterError
from broadcaster.services.announce import live_now, request_live, stop_live
from broadcaster.web._security import Ctx, page

__all__ = ["ROUTES"]


def _page(request: Request, ctx: Ctx, *, message: str = "", error: str = "", status: int = 200) -> Response:
    station = ctx.desk.station
    return ctx.desk.render(request, "live_mic.html", {
        "on_air": live_now(station), "zones": station.zones, "message": message, "error": error,
        "max_minutes": station.live.max_minutes, "silence": station.live.silence_stop_seconds,
    }, status_code=status)


def live_page(request: Request, ctx: Ctx) -> Response:
    return _page(request, ctx)


def live_start(request: Request, ctx: Ctx) -> Response:
    assert ctx.form is not None
    zones = tuple(z for z in ctx.form.getlist("thon") if isinstance(z, str))
    try:
        request_live(ctx.desk.station_dir, zones=zones, who=ctx.account.display_name or ctx.account.name)
    except BroadcasterError as exc:
        return _page(request, ctx, error=str(exc), status=409)
    return _page(request, ctx, message="Đài đã nhận lệnh: bật loa các thôn, chuông báo, rồi mở micrô ở máy đài.")


def live_stop(request: Request, ctx: Ctx) -> Response:
    try:
        stop_live(ctx.desk.station_dir)
    except BroadcasterError as exc:
        return _page(request, ctx, error=str(exc), status=409)
    return _page(request, ctx, message="Đã dừng thông báo trực tiếp.")


ROUTES = [
    page("/noi-truc-tiep", live_page, perm="air"),
    page("/noi-truc-tiep", live_start, methods=("POST",), perm="air"),
    page("/noi-truc-tiep/dung", live_stop, methods=("POST",), perm="air"),
]
