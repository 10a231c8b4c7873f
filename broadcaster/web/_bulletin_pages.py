"""Bulletin pages: the list with filters and findings, the edit form (save, preview, listen), approve/return."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from broadcaster.errors import BroadcasterError, InputError
from broadcaster.services import approval, listen
from broadcaster.services.bulletins import (
    BulletinForm,
    BulletinView,
    Filters,
    bulletin_path,
    form_from_bulletin,
    list_bulletins,
    save_bulletin,
)
from broadcaster.services.recordings import Upload
from broadcaster.web._security import Ctx, page

__all__ = ["ROUTES"]

PAGE = 50  # bulletins a page: a phone scrolls through 50 cards, not 2,000
_STATES = ("pending", "returned", "stale", "approved", "error")
_VALIDITY = {"now": "đang hiệu lực", "future": "chưa tới ngày", "expired": "đã hết hạn"}


def home(request: Request, ctx: Ctx) -> Response:
    return RedirectResponse("/ban-tin", status_code=303)


def bulletins(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    filters = Filters(state=q.get("trang_thai", ""), priority=q.get("uu_tien", ""), topic=q.get("chu_de", ""),
                      zone=q.get("thon", ""), validity=q.get("hieu_luc", ""), q=q.get("tim", "")[:100])
    today = ctx.desk.now().date()
    views, topics = list_bulletins(ctx.desk.index, ctx.desk.store, filters, today)
    pages = max(1, (len(views) + PAGE - 1) // PAGE)
    try:
        page_no = min(pages, max(1, int(q.get("trang", "1"))))
    except ValueError:
        page_no = 1
    keep = {k: v for k, v in q.items() if k != "trang" and v}
    link = lambda n: "?" + urlencode({**keep, "trang": n})  # noqa: E731
    return ctx.desk.render(request, "bulletins.html", {
        "views": views[(page_no - 1) * PAGE:page_no * PAGE], "total": len(views), "page_no": page_no,
        "pages": pages, "link": link, "filters": filters, "topics": topics, "states": _STATES,
        "validity": _VALIDITY, "today": today, "zone_names": {z.id: z.name for z in ctx.desk.station.zones},
    })


def _view(ctx: Ctx, bulletin_id: str) -> BulletinView | None:
    path = bulletin_path(ctx.desk.station, bulletin_id)
    if not path.is_file():
        return None
    decisions = ctx.desk.store.decisions(bulletin_id)
    return ctx.desk.index.view(path, ctx.desk.now().date(), decisions[0] if decisions else None)


def _form_page(request: Request, ctx: Ctx, *, view: BulletinView | None, form: BulletinForm, sha: str,
               errors: dict[str, list[str]] | None = None, conflict: tuple[str, str] | None = None,
               status: int = 200, notice: str = "") -> Response:
    station = ctx.desk.station
    blocked = ""
    if view is not None and view.bulletin is not None and ctx.can("approve"):
        blocked = approval.four_eyes_blocks(station, ctx.desk.store, ctx.account, view.id,
                                            view.bulletin.content_key)
    return ctx.desk.render(request, "bulletin.html", {
        "view": view, "form": form, "sha": sha, "errors": errors or {}, "conflict": conflict, "notice": notice,
        "decisions": ctx.desk.store.decisions(view.id) if view is not None else [],
        "edit": ctx.desk.store.edit(view.id) if view is not None else None,
        "four_eyes_block": blocked, "editable": ctx.can("edit"),
    }, status_code=status)


def bulletin_new(request: Request, ctx: Ctx) -> Response:
    return _form_page(request, ctx, view=None, form=BulletinForm(), sha="")


def bulletin_show(request: Request, ctx: Ctx) -> Response:
    view = _view(ctx, request.path_params["bulletin_id"])
    if view is None:
        return ctx.desk.render(request, "error.html", {"message": "Không có bản tin này."}, status_code=404)
    form = form_from_bulletin(view.bulletin, ctx.desk.station) if view.bulletin is not None else BulletinForm(
        title=view.title)
    notice = {"saved": "Đã lưu.", "approve": "Đã duyệt bản tin.", "return": "Đã trả lại bản tin cho người viết."}
    return _form_page(request, ctx, view=view, form=form, sha=view.sha,
                      notice=notice.get(request.query_params.get("xong", ""), ""))


def _upload(ctx: Ctx) -> Upload | None:
    item = ctx.form.get("recording") if ctx.form is not None else None
    if item is None or isinstance(item, str) or not item.filename:
        return None
    data = item.file.read()
    return Upload(item.filename, data) if data else None


def _save(request: Request, ctx: Ctx, bulletin_id: str | None) -> Response:
    assert ctx.form is not None
    form = BulletinForm.from_fields(ctx.form.get, ctx.form.getlist)
    station = ctx.desk.station
    try:
        result = save_bulletin(station, ctx.desk.store, ctx.account, bulletin_id, form,
                               expected_sha=ctx.field("sha"), now=ctx.desk.now(), address=ctx.address,
                               upload=_upload(ctx))
    except BroadcasterError as exc:
        return ctx.desk.render(request, "error.html", {"message": str(exc)}, status_code=400)
    if result.saved:
        return RedirectResponse(f"/ban-tin/{result.bulletin_id}?xong=saved", status_code=303)
    view = _view(ctx, bulletin_id) if bulletin_id else None
    sha = result.disk_sha if result.conflict else ctx.field("sha")
    return _form_page(request, ctx, view=view, form=form, sha=sha, errors=result.errors, conflict=result.conflict,
                      status=409 if result.conflict else 400)


def bulletin_create(request: Request, ctx: Ctx) -> Response:
    return _save(request, ctx, None)


def bulletin_save(request: Request, ctx: Ctx) -> Response:
    bulletin_id = request.path_params["bulletin_id"]
    if not bulletin_path(ctx.desk.station, bulletin_id).is_file():
        return ctx.desk.render(request, "error.html", {"message": "Không có bản tin này."}, status_code=404)
    return _save(request, ctx, bulletin_id)


def bulletin_decide(request: Request, ctx: Ctx) -> Response:
    bulletin_id = request.path_params["bulletin_id"]
    decision = ctx.field("decision")
    try:
        approval.decide(ctx.desk.station, ctx.desk.store, ctx.account, bulletin_id, decision,
                        expected_sha=ctx.field("sha"), comment=ctx.field("comment"), now=ctx.desk.now(),
                        address=ctx.address)
    except InputError as exc:
        view = _view(ctx, bulletin_id)
        if view is None:
            return ctx.desk.render(request, "error.html", {"message": str(exc)}, status_code=404)
        form = form_from_bulletin(view.bulletin, ctx.desk.station) if view.bulletin else BulletinForm()
        return _form_page(request, ctx, view=view, form=form, sha=view.sha, errors={"decision": [str(exc)]},
                          status=400)
    return RedirectResponse(f"/ban-tin/{bulletin_id}?xong={decision}", status_code=303)


def preview(request: Request, ctx: Ctx) -> Response:
    text = ctx.field("text")
    return ctx.desk.render(request, "_reading.html", {"reading": listen.reading(ctx.desk.station, text)})


def hear(request: Request, ctx: Ctx) -> Response:
    text = ctx.field("text").strip()
    if not text:
        return ctx.desk.render(request, "_heard.html", {"error": "Chưa có nội dung để đọc."})
    try:
        heard = listen.listen(ctx.desk.station, text)
    except BroadcasterError as exc:
        return ctx.desk.render(request, "_heard.html", {"error": str(exc)})
    return ctx.desk.render(request, "_heard.html", {"heard": heard})


def heard_audio(request: Request, ctx: Ctx) -> Response:
    path = listen.heard_file(ctx.desk.station, request.path_params["key"])
    if path is None:
        return Response("Không có tệp âm thanh này.", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(path, media_type="audio/wav")


def recording(request: Request, ctx: Ctx) -> Response:
    view = _view(ctx, request.path_params["bulletin_id"])
    audio = view.bulletin.audio if view is not None and view.bulletin is not None else None
    if audio is None or not audio.is_file():
        return Response("Không có tệp ghi âm.", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(audio)


ROUTES: list[Route] = [
    page("/", home),
    page("/ban-tin", bulletins),
    page("/ban-tin/moi", bulletin_new, perm="edit"),
    page("/ban-tin/moi", bulletin_create, methods=("POST",), perm="edit"),
    page("/ban-tin/{bulletin_id}", bulletin_show),
    page("/ban-tin/{bulletin_id}", bulletin_save, methods=("POST",), perm="edit"),
    page("/ban-tin/{bulletin_id}/duyet", bulletin_decide, methods=("POST",), perm="approve"),
    page("/ban-tin/{bulletin_id}/ghi-am", recording),
    page("/xem-truoc", preview, methods=("POST",)),
    page("/nghe-thu", hear, methods=("POST",)),
    page("/am-thanh/{key}", heard_audio),
]
