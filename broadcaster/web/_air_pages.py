""""Phát ngay" (air a session now) and "Phát khẩn cấp" (an emergency at once): a form, a confirmation that shows
what will be said and where, then a job page that follows the request: the station's answer (taken, accepted or
failed with its reason), then the airing as the log records it. Both go through the control channel the CLI
uses (`services.air`, run in a child process by `services.air_job`). With no station running the page says so
and offers the CLI's fallback: airing from this machine."""

from __future__ import annotations

import re
from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broadcaster.errors import BroadcasterError, InputError
from broadcaster.services import listen
from broadcaster.services.air_job import read_job, start_job, warm
from broadcaster.services.live import request_rows, request_state
from broadcaster.services.plan import plan_station
from broadcaster.services.recordings import Upload, store_upload
from broadcaster.station import running_station_pid
from broadcaster.web._security import Ctx, page

__all__ = ["ROUTES"]

_STORED = re.compile(r"recordings/khan-cap-[0-9a-f]{12}\.[a-z0-9]{2,5}")
MAX_TEXT = 5000


def _who(ctx: Ctx) -> str:
    """Who asked, as the station audits it (a control request's `who` holds at most 100 characters)."""
    suffix = f" ({ctx.account.name}, bàn làm việc)"
    return ctx.account.display_name[:100 - len(suffix)] + suffix


def _zones(ctx: Ctx) -> list[str]:
    known = {z.id for z in ctx.desk.station.zones}
    chosen = [z for z in (ctx.form.getlist("zones") if ctx.form is not None else []) if isinstance(z, str)]
    unknown = [z for z in chosen if z not in known]
    if unknown:
        raise InputError(f"không có thôn {', '.join(unknown)}")
    return [] if ctx.field("all") == "1" or set(chosen) == known else chosen


def _repeat(ctx: Ctx) -> int:
    try:
        value = int(ctx.field("repeat") or ctx.desk.station.playout.emergency_repeat)
    except ValueError:
        raise InputError("số lần phát phải là số từ 1 đến 10") from None
    if not 1 <= value <= 10:
        raise InputError("số lần phát phải từ 1 đến 10")
    return value


def _day(ctx: Ctx) -> date:
    try:
        return date.fromisoformat(ctx.field("day")) if ctx.field("day") else ctx.desk.now().date()
    except ValueError:
        raise InputError("ngày không hợp lệ") from None


def _running(ctx: Ctx) -> int | None:
    return running_station_pid(ctx.desk.station)


# --- phát ngay ------------------------------------------------------------------------------------------------
def air_form(request: Request, ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    return ctx.desk.render(request, "air.html", {"pid": _running(ctx), "today": ctx.desk.now().date(),
                                                 "error": error}, status_code=status)


def air_confirm(request: Request, ctx: Ctx) -> Response:
    station = ctx.desk.station
    slot = next((s for s in station.slots if s.id == ctx.field("slot")), None)
    if slot is None:
        return air_form(request, ctx, error="Chọn một buổi phát.", status=400)
    day = _day(ctx)
    plan = plan_station(ctx.desk.station_dir, day, day)
    programmes = [p for p in plan.result.programmes if p.slot_id == slot.id]
    if not programmes:
        return air_form(request, ctx, status=400, error=f"{slot.name} ngày {day:%d/%m/%Y} không có bản tin nào "
                        "phát được (ngày nghỉ, ngoài khung giờ phát, hoặc chưa có bản tin đã duyệt).")
    names = {z.id: z.name for z in station.zones}
    return ctx.desk.render(request, "air_confirm.html", {
        "slot": slot, "day": day, "programmes": programmes, "names": names, "pid": _running(ctx)})


def air_start(request: Request, ctx: Ctx) -> Response:
    station = ctx.desk.station
    if ctx.field("slot") not in {s.id for s in station.slots}:
        raise InputError("không có buổi phát này")
    params = {"slot": ctx.field("slot"), "day": _day(ctx).isoformat(), "who": _who(ctx),
              "fallback": ctx.field("fallback") == "1"}
    return _start(ctx, "air", params, f"{params['day']}/{params['slot']}")


# --- khẩn cấp -------------------------------------------------------------------------------------------------
def emergency_form(request: Request, ctx: Ctx, *, error: str = "", status: int = 200,
                   text: str = "") -> Response:
    warm()  # the officer is typing an emergency: a job process gets ready meanwhile (imports done)
    return ctx.desk.render(request, "emergency.html", {"pid": _running(ctx), "error": error, "text": text},
                           status_code=status)


def emergency_confirm(request: Request, ctx: Ctx) -> Response:
    station = ctx.desk.station
    text = ctx.field("text").strip()[:MAX_TEXT]
    item = ctx.form.get("recording") if ctx.form is not None else None
    upload = None
    if item is not None and not isinstance(item, str) and item.filename:
        data = item.file.read()
        upload = Upload(item.filename, data) if data else None
    if bool(text) == bool(upload):
        return emergency_form(request, ctx, status=400, text=text,
                              error="Nhập nội dung tin hoặc chọn/ghi một bản ghi âm (chỉ một trong hai).")
    try:
        zones, repeat = _zones(ctx), _repeat(ctx)
        stored = store_upload(station, "khan-cap", upload) if upload else None
    except InputError as exc:
        return emergency_form(request, ctx, status=400, text=text, error=str(exc))
    names = {z.id: z.name for z in station.zones}
    warm()
    return ctx.desk.render(request, "emergency_confirm.html", {
        "text": text, "reading": listen.reading(station, text) if text else "", "stored": stored,
        "zones": zones, "zone_names": [names[z] for z in zones], "repeat": repeat, "pid": _running(ctx)})


def emergency_start(request: Request, ctx: Ctx) -> Response:
    station = ctx.desk.station
    text = ctx.field("text").strip()[:MAX_TEXT]
    audio = ctx.field("audio")
    if audio and not _STORED.fullmatch(audio):
        raise InputError("bản ghi âm không hợp lệ")
    if bool(text) == bool(audio):
        raise InputError("tin khẩn cấp cần nội dung hoặc bản ghi âm")
    params = {"text": text, "audio": str(station.root / audio) if audio else "", "zones": _zones(ctx),
              "repeat": _repeat(ctx), "who": _who(ctx), "fallback": ctx.field("fallback") == "1"}
    return _start(ctx, "emergency", params, text[:80] or audio)


def _start(ctx: Ctx, kind: str, params: dict, target: str) -> Response:  # type: ignore[type-arg]
    now = ctx.desk.now()
    job = start_job(ctx.desk.station, ctx.desk.station_dir, kind, params, now=now)
    ctx.desk.store.audit(ctx.account.name, "emergency" if kind == "emergency" else "air_now", now, target=target,
                         address=ctx.address, details={"job": job, "fallback": params["fallback"]})
    return RedirectResponse(f"/lenh/{job}", status_code=303)


# --- following a job --------------------------------------------------------------------------------------------
def _job_context(ctx: Ctx, job_id: str) -> dict:  # type: ignore[type-arg]
    station = ctx.desk.station
    job = read_job(station, job_id)
    if job is None:
        raise InputError("không có lệnh này")
    state, reason = request_state(station, job.kind, job.request) if job.request else ("", "")
    rows = []
    if job.request and job.kind == "emergency":
        rows = request_rows(station, f"emergency/{job.request}/")
    elif job.kind == "air":
        started = job.params.get("started", "")
        rows = [r for r in request_rows(station, f"{job.params['day']}/{job.params['slot']}/")
                if "/manual-" in r.session_key and (r.started_at or r.scheduled_at).isoformat() >= started[:19]]
    names = {z.id: z.name for z in station.zones}
    # an emergency is over once each repetition has its finished row; a "phát ngay" page follows the log while open
    repeat = int(job.params.get("repeat") or 0)
    finished = (job.kind == "emergency" and job.done and len(rows) >= repeat > 0
                and all(r.status.value != "started" for r in rows))
    return {"job": job, "state": state, "reason": reason, "rows": rows, "names": names, "finished": finished,
            "slot_names": {s.id: s.name for s in station.slots}}


def job_page(request: Request, ctx: Ctx) -> Response:
    return ctx.desk.render(request, "job.html", _job_context(ctx, request.path_params["job"]))


def job_fragment(request: Request, ctx: Ctx) -> Response:
    return ctx.desk.render(request, "_job.html", _job_context(ctx, request.path_params["job"]))


def job_fallback(request: Request, ctx: Ctx) -> Response:
    """The station was not running: the same request, aired from this machine (as the CLI does)."""
    job = read_job(ctx.desk.station, request.path_params["job"])
    if job is None:
        raise InputError("không có lệnh này")
    params = {k: v for k, v in job.params.items() if k not in ("kind", "station_dir", "started")}
    try:
        return _start(ctx, job.kind, {**params, "who": _who(ctx), "fallback": True}, job.id)
    except BroadcasterError as exc:
        raise InputError(str(exc)) from None


ROUTES: list[Route] = [
    page("/phat-ngay", air_form, perm="air"),
    page("/phat-ngay/xac-nhan", air_confirm, methods=("POST",), perm="air"),
    page("/phat-ngay/phat", air_start, methods=("POST",), perm="air"),
    page("/khan-cap", emergency_form, perm="air"),
    page("/khan-cap/xac-nhan", emergency_confirm, methods=("POST",), perm="air"),
    page("/khan-cap/phat", emergency_start, methods=("POST",), perm="air"),
    page("/lenh/{job}", job_page, perm="air"),
    page("/lenh/{job}/trang-thai", job_fragment, perm="air"),
    page("/lenh/{job}/tu-phat", job_fallback, methods=("POST",), perm="air"),
]
