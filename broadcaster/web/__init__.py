"""The officer's desk: a Vietnamese web UI (Starlette + Jinja2 + htmx) in its own process (`broadcaster serve`).

It sits at the top layer with the CLI: it calls `services/` and `config/` (and the desk's store for accounts),
never station internals. Private modules: `_app` (route table, headers), `_security` (`page()`: session, role
and CSRF rules declared with each route), `_desk` (shared state, templates), `_auth_pages`, `_bulletin_pages`.
"""

from broadcaster.web._app import create_app

__all__ = ["create_app"]
