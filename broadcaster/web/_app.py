"""The desk's Starlette app: the route table (every route made by `_security.page`), static files, headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadcaster.clock import Clock
from broadcaster.web import (
    _air_pages,
    _auth_pages,
    _bulletin_pages,
    _live_mic_pages,
    _live_pages,
    _log_pages,
    _report_pages,
    _week_pages,
)
from broadcaster.web._desk import Desk

__all__ = ["create_app"]

_STATIC = Path(__file__).resolve().parent / "static"
# Scripts only from this server (htmx and the desk's own script); no inline script can run, so an escaped
# value that slipped through could still not execute. Styles inline are allowed (htmx sets a few).
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'")
_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"microphone=(self), camera=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the headers above to every response (pages, fragments, static files, errors)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(station_dir: str | Path, *, clock: Clock | None = None) -> Starlette:
    """The desk for one station folder (`clock`: tests pass a fake one)."""
    desk = Desk(station_dir, clock=clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        desk.close()

    routes = [*_bulletin_pages.ROUTES, *_auth_pages.ROUTES, *_live_pages.ROUTES, *_air_pages.ROUTES,
              *_week_pages.ROUTES, *_log_pages.ROUTES, *_live_mic_pages.ROUTES, *_report_pages.ROUTES,
              Mount("/static", StaticFiles(directory=_STATIC), name="static")]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.desk = desk
    return app
