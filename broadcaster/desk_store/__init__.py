"""The desk's own records (accounts, login sessions, throttling, edits, approval decisions, audit) in SQLite.

Sits beside `airlog/` in the layers: the web desk and the services call these small query functions; no SQL
anywhere else. Private modules: `_schema` (tables and migrations), `_store` (`DeskStore`).
"""

from pathlib import Path

from broadcaster.desk_store._schema import SCHEMA_VERSION
from broadcaster.desk_store._store import (
    ROLES,
    Account,
    AuditEntry,
    Decision,
    DeskStore,
    Edit,
    Session,
    StoreError,
)
from broadcaster.models import Station

__all__ = [
    "ROLES",
    "SCHEMA_VERSION",
    "Account",
    "AuditEntry",
    "Decision",
    "DeskStore",
    "Edit",
    "Session",
    "StoreError",
    "desk_database",
    "open_store",
]


def desk_database(station: Station) -> Path:
    """`<state_dir>/desk.sqlite3`: beside the airing log, in a file of its own."""
    return station.state_dir / "desk.sqlite3"


def open_store(station: Station) -> DeskStore:
    return DeskStore(desk_database(station), station_id=station.commune, tz=station.timezone)
