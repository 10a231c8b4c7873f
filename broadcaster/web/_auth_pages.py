"""Login, logout, the first-run administrator, one's own password, accounts and the audit trail (admin)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broadcaster.airlog import ROLES, StoreError
from broadcaster.errors import InputError
from broadcaster.services import accounts
from broadcaster.web._security import SESSION_COOKIE, Ctx, page, set_session_cookie

__all__ = ["ROUTES"]

_MAX_AGE = accounts.SESSION_HOURS * 3600
AUDIT_PAGE = 50


def _safe_next(target: str) -> str:
    """Only a path on this site (never '//host' or 'http://…'): no open redirect after login."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/ban-tin"


def _logged_in(request: Request, ctx: Ctx, token: str, target: str) -> Response:
    if ctx.token:  # a session the browser brought is never kept (fixation): it ends here
        ctx.desk.store.end_session(accounts.token_hash(ctx.token))
    response = RedirectResponse(_safe_next(target), status_code=303)
    set_session_cookie(request, response, token, _MAX_AGE)
    return response


def login_form(request: Request, ctx: Ctx) -> Response:
    if ctx.session is not None:
        return RedirectResponse("/ban-tin", status_code=303)
    return ctx.desk.render(request, "login.html", {"next": request.query_params.get("next", "/ban-tin")})


def login(request: Request, ctx: Ctx) -> Response:
    result = accounts.login(ctx.desk.store, ctx.field("name"), ctx.field("password"), address=ctx.address,
                            now=ctx.desk.now())
    if result.account is None:
        return ctx.desk.render(request, "login.html", {"error": result.error, "name": ctx.field("name"),
                                                      "next": ctx.field("next")}, status_code=401)
    return _logged_in(request, ctx, result.token, ctx.field("next"))


def logout(request: Request, ctx: Ctx) -> Response:
    accounts.logout(ctx.desk.store, ctx.token, ctx.account, address=ctx.address, now=ctx.desk.now())
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def setup_form(request: Request, ctx: Ctx) -> Response:
    token = request.path_params["token"]
    if not ctx.desk.store.setup_token_valid(accounts.token_hash(token), ctx.desk.now()):
        return ctx.desk.render(request, "error.html", {"message": "Liên kết thiết lập đã dùng hoặc đã hết hạn."},
                               status_code=404)
    return ctx.desk.render(request, "setup.html", {"token": token})


def setup(request: Request, ctx: Ctx) -> Response:
    token = request.path_params["token"]
    if ctx.field("password") != ctx.field("password2"):
        return ctx.desk.render(request, "setup.html", {"token": token, "error": "Hai lần nhập mật khẩu không khớp.",
                                                      "name": ctx.field("name"), "display": ctx.field("display")},
                               status_code=400)
    try:
        _account, session_token = accounts.first_run_admin(
            ctx.desk.store, token, ctx.field("name"), ctx.field("display"), ctx.field("password"),
            address=ctx.address, now=ctx.desk.now())
    except (InputError, StoreError) as exc:
        return ctx.desk.render(request, "setup.html", {"token": token, "error": str(exc), "name": ctx.field("name"),
                                                      "display": ctx.field("display")}, status_code=400)
    return _logged_in(request, ctx, session_token, "/tai-khoan")


def password_form(request: Request, ctx: Ctx) -> Response:
    return ctx.desk.render(request, "password.html", {})


def password(request: Request, ctx: Ctx) -> Response:
    error = ""
    if ctx.field("new") != ctx.field("new2"):
        error = "Hai lần nhập mật khẩu mới không khớp."
    else:
        try:
            accounts.change_password(ctx.desk.store, ctx.account, ctx.field("old"), ctx.field("new"), token=ctx.token,
                                     address=ctx.address, now=ctx.desk.now())
        except InputError as exc:
            error = str(exc)
    if error:
        return ctx.desk.render(request, "password.html", {"error": error}, status_code=400)
    return ctx.desk.render(request, "password.html", {"done": True})


def users(request: Request, ctx: Ctx, *, error: str = "", status: int = 200, form: dict | None = None) -> Response:
    return ctx.desk.render(request, "users.html", {"users": ctx.desk.store.accounts(), "roles": ROLES,
                                                   "error": error, "form": form or {}}, status_code=status)


def user_add(request: Request, ctx: Ctx) -> Response:
    form = {k: ctx.field(k) for k in ("name", "display", "role")}
    if ctx.field("password") != ctx.field("password2"):
        return users(request, ctx, error="Hai lần nhập mật khẩu không khớp.", status=400, form=form)
    try:
        accounts.add_account(ctx.desk.store, form["name"], form["display"], form["role"], ctx.field("password"),
                             who=ctx.account.name, now=ctx.desk.now(), address=ctx.address)
    except (InputError, StoreError) as exc:
        return users(request, ctx, error=str(exc), status=400, form=form)
    return RedirectResponse("/tai-khoan", status_code=303)


def user_disable(request: Request, ctx: Ctx) -> Response:
    try:
        accounts.set_disabled(ctx.desk.store, ctx.account, request.path_params["name"], ctx.field("disabled") == "1",
                              address=ctx.address, now=ctx.desk.now())
    except InputError as exc:
        return users(request, ctx, error=str(exc), status=400)
    return RedirectResponse("/tai-khoan", status_code=303)


def audit(request: Request, ctx: Ctx) -> Response:
    try:
        page_no = max(1, int(request.query_params.get("trang", "1")))
    except ValueError:
        page_no = 1
    who = request.query_params.get("ai", "")
    action = request.query_params.get("viec", "")
    entries, total = ctx.desk.store.audit_entries(limit=AUDIT_PAGE, offset=(page_no - 1) * AUDIT_PAGE, who=who or None,
                                                  action=action or None)
    pages = max(1, (total + AUDIT_PAGE - 1) // AUDIT_PAGE)
    link = lambda n: "?" + urlencode({"trang": n, "ai": who, "viec": action})  # noqa: E731
    return ctx.desk.render(request, "audit.html", {"entries": entries, "total": total, "page_no": page_no,
                                                   "pages": pages, "link": link, "who": who, "action": action})


ROUTES: list[Route] = [
    page("/dang-nhap", login_form, perm=None),
    page("/dang-nhap", login, methods=("POST",), perm=None),
    page("/dang-xuat", logout, methods=("POST",)),
    page("/thiet-lap/{token}", setup_form, perm=None),
    page("/thiet-lap/{token}", setup, methods=("POST",), perm=None),
    page("/mat-khau", password_form),
    page("/mat-khau", password, methods=("POST",)),
    page("/tai-khoan", users, perm="admin"),
    page("/tai-khoan", user_add, methods=("POST",), perm="admin"),
    page("/tai-khoan/{name}/khoa", user_disable, methods=("POST",), perm="admin"),
    page("/nhat-ky-thao-tac", audit, perm="admin"),
]
