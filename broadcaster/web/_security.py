"""Security by construction: every route of the desk is made by `page()`, which declares its rule next to it.

The wrapper, before any handler runs: finds the session from the cookie (expired, unknown or disabled -> none);
refuses a route that needs a session without one (GET: redirect to the login page; anything else: 401); refuses a
role that lacks the route's permission (403); and on every state-changing method reads the form (size-limited)
and checks the CSRF token — the session's own, or for the login and first-run pages a double-submit cookie —
before the handler sees anything (403). `tests/web/test_security.py` walks the route table to prove it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broadcaster.airlog import Account, Session
from broadcaster.errors import InputError
from broadcaster.services.accounts import can, check_csrf, session_for
from broadcaster.services.recordings import MAX_UPLOAD_BYTES
from broadcaster.web._desk import Desk

__all__ = ["ANON_CSRF_COOKIE", "SESSION_COOKIE", "Ctx", "Rule", "page", "set_session_cookie"]

SESSION_COOKIE = "desk_session"
ANON_CSRF_COOKIE = "desk_csrf"  # double-submit token for the forms shown before login
SAFE_METHODS = frozenset({"GET", "HEAD"})
MAX_BODY = MAX_UPLOAD_BYTES + 1024 * 1024  # one recording and the form around it


@dataclass(frozen=True)
class Rule:
    """What a route requires: `perm` None = public (login, first run); `csrf` on every non-GET method."""

    perm: str | None
    methods: tuple[str, ...]


@dataclass
class Ctx:
    """What a handler gets beside the request."""

    desk: Desk
    session: Session | None
    token: str
    form: FormData | None
    csrf: str  # the token to put in this page's forms
    address: str

    @property
    def account(self) -> Account:
        assert self.session is not None  # only called on routes that need a session
        return self.session.account

    def can(self, permission: str) -> bool:
        return self.session is not None and _allowed(self.desk, self.session.account, permission)

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else ""


def _allowed(desk: Desk, account: Account, permission: str) -> bool:
    return can(account, permission, editors_may_air=permission == "air" and desk.station.desk.editors_may_air)


def _refuse(request: Request, desk: Desk, status: int, message: str) -> Response:
    response = desk.render(request, "error.html", {"message": message}, status_code=status)
    return response


def _needs_login(request: Request) -> Response:
    if request.method in SAFE_METHODS:
        return RedirectResponse(f"/dang-nhap?next={request.url.path}", status_code=303)
    response = Response("Cần đăng nhập.", status_code=401, media_type="text/plain; charset=utf-8")
    response.headers["HX-Redirect"] = "/dang-nhap"
    return response


async def _read_form(request: Request) -> FormData | Response:
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return Response("Thiếu độ dài nội dung.", status_code=411, media_type="text/plain; charset=utf-8")
    if int(length) > MAX_BODY:
        mb = MAX_UPLOAD_BYTES // (1024 * 1024)
        return Response(f"Dữ liệu gửi lên quá lớn (tối đa {mb} MB).", status_code=413,
                        media_type="text/plain; charset=utf-8")
    return await request.form(max_files=2, max_fields=300, max_part_size=256 * 1024)


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def page(path: str, handler: Callable[[Request, Ctx], Any], *, methods: tuple[str, ...] = ("GET",),
         perm: str | None = "view", name: str | None = None) -> Route:
    """A route whose handler (a plain function, run in a worker thread) only runs when the rule is met."""
    rule = Rule(perm, methods)

    async def endpoint(request: Request) -> Response:
        desk: Desk = request.app.state.desk
        token = request.cookies.get(SESSION_COOKIE, "")
        session = await run_in_threadpool(session_for, desk.store, token, desk.now())
        address = request.client.host if request.client else ""
        anon = request.cookies.get(ANON_CSRF_COOKIE) or ""
        public = perm is None
        csrf = session.csrf if (session is not None and not public) else anon or secrets.token_urlsafe(24)
        ctx = Ctx(desk, session, token, None, csrf, address)
        request.state.desk_ctx = ctx
        if perm is not None and session is None:
            return _needs_login(request)
        if perm is not None and session is not None and not _allowed(desk, session.account, perm):
            return _refuse(request, desk, 403, "Tài khoản của bạn không có quyền vào trang này.")
        if request.method not in SAFE_METHODS:
            form = await _read_form(request)
            if isinstance(form, Response):
                return form
            ctx.form = form
            given = form.get("csrf")
            given = given if isinstance(given, str) else request.headers.get("x-csrf-token", "")
            expected = anon if public else session.csrf if session is not None else ""
            if not expected or not check_csrf(expected, given):
                return _refuse(request, desk, 403, "Phiên làm việc không hợp lệ hoặc đã hết hạn: tải lại trang "
                               "rồi thử lại.")
        try:
            response: Response = await run_in_threadpool(handler, request, ctx)
        except InputError as exc:  # a bad id or value in the request: a plain message, never a traceback
            return _refuse(request, desk, 400, str(exc))
        if public and not anon:
            response.set_cookie(ANON_CSRF_COOKIE, ctx.csrf, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
        return response

    endpoint.desk_rule = rule  # type: ignore[attr-defined]  # read by the route-table security test
    return Route(path, endpoint, methods=list(methods), name=name or handler.__name__)
