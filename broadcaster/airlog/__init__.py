"""The station's records in SQLite: the airing log (WAL, one writer; airings, renders, audit, session claims, a
hash chain over the rows) and, in a file of its own, the desk's records (accounts, login sessions, throttling,
who edited what, approval decisions, the desk's audit trail).

Private modules: `_schema` (SQL schema, row <-> `Airing`, row hashing), `_verify` (chain verification), `_log`
(the `AirLog` class), `_review` (the log as table, CSV, JSON), `_stats` (the figures of a period report: the one
query layer for reports). The running station's log, `StationLog` (`open_station_log`), never lets a write wait on
SQLite: `_station` (its writes and reads), `_healing` (replay, recovery), `_journal` (the journal files),
`_memory` (claimed sessions), `_recovery` (setting a bad file aside), `_faults` (error kinds, the officer's
warnings), `_status` (the status file), `_space` (the scratch directory). The officer's desk keeps
its own records in a file of their own: `_desk_schema` and `_desk` (`DeskStore`), through `_sqlite` (connection,
migrations, write transactions).
"""

from broadcaster.airlog._archive import AudioLink
from broadcaster.airlog._desk import (
    ROLES,
    Account,
    AuditEntry,
    Decision,
    DeskStore,
    Edit,
    Session,
    StoreError,
    desk_database,
    open_store,
)
from broadcaster.airlog._log import RECOVERED_REASON, AirLog, AuditEvent, RenderRecord
from broadcaster.airlog._review import CSV_HEADERS, FORMATS, export
from broadcaster.airlog._schema import SCHEMA_VERSION
from broadcaster.airlog._space import is_space_error, scratch_dir, short_of_space
from broadcaster.airlog._station import WRITE_BUDGET_SECONDS, StationLog, open_station_log
from broadcaster.airlog._stats import EmergencyAired, LogHead, PeriodStats, chain_position, log_head, period_stats
from broadcaster.airlog._status import read_degradations
from broadcaster.airlog._verify import VerifyResult

__all__ = [
    "CSV_HEADERS",
    "FORMATS",
    "RECOVERED_REASON",
    "ROLES",
    "SCHEMA_VERSION",
    "WRITE_BUDGET_SECONDS",
    "Account",
    "AirLog",
    "AuditEntry",
    "AuditEvent",
    "AudioLink",
    "Decision",
    "DeskStore",
    "Edit",
    "EmergencyAired",
    "LogHead",
    "PeriodStats",
    "RenderRecord",
    "StationLog",
    "Session",
    "StoreError",
    "VerifyResult",
    "chain_position",
    "desk_database",
    "export",
    "is_space_error",
    "log_head",
    "open_station_log",
    "open_store",
    "period_stats",
    "read_degradations",
    "scratch_dir",
    "short_of_space",
]
