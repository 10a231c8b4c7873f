"""The station's records in SQLite: the airing log (WAL, one writer; airings, renders, audit, session claims, a
hash chain over the rows) and, in a file of its own, the desk's records (accounts, login sessions, throttling,
who edited what, approval decisions, the desk's audit trail).

Private modules: `_schema` (SQL schema, row <-> `Airing`, row hashing), `_checkpoints` (the station's Ed25519
key, signed checkpoints), `_verify` (chain and checkpoint verification), `_log` (the `AirLog` class), `_review` (the
log as table, CSV, JSON), `_browse` (the desk's filtered, paged log), `_stats` (the figures of a period report: the
one query layer for reports), `_rotation` (the compact history the planner digests). The running station's log,
`StationLog` (`open_station_log`), never lets a write wait on
SQLite: `_station` (its writes and reads), `_healing` (replay, recovery), `_journal` (the journal files),
`_memory` (claimed sessions), `_recovery` (setting a bad file aside), `_faults` (error kinds, the officer's
warnings), `_status` (the status file), `_space` (the scratch directory). The officer's desk keeps
its own records in a file of their own: `_desk_schema` and `_desk` (`DeskStore`), through `_sqlite` (connection,
migrations, write transactions).
"""

from broadcaster.airlog._archive import AudioLink
from broadcaster.airlog._browse import (
    COUNT_CAP,
    TEST_STATUS,
    LogFilter,
    LogPage,
    browse,
    distinct,
    filtered,
    session_rows,
)
from broadcaster.airlog._checkpoints import (
    CHECKPOINT_EVERY,
    CHECKPOINT_FILE,
    PRIVATE_KEY_FILE,
    PUBLIC_KEY_FILE,
    Checkpoint,
    StationKey,
    checkpoint_if_due,
    latest_checkpoint,
    load_public_key,
    station_key,
    write_checkpoint,
)
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
from broadcaster.airlog._review import CSV_HEADERS, FORMATS, csv_values, export
from broadcaster.airlog._rotation import rotation_history
from broadcaster.airlog._schema import SCHEMA_VERSION
from broadcaster.airlog._space import is_space_error, scratch_dir, short_of_space
from broadcaster.airlog._station import WRITE_BUDGET_SECONDS, StationLog, open_station_log
from broadcaster.airlog._stats import EmergencyAired, LogHead, PeriodStats, chain_position, log_head, period_stats
from broadcaster.airlog._status import read_degradations
from broadcaster.airlog._verify import VerifyResult

__all__ = [
    "COUNT_CAP",
    "CHECKPOINT_EVERY",
    "CHECKPOINT_FILE",
    "CSV_HEADERS",
    "FORMATS",
    "RECOVERED_REASON",
    "ROLES",
    "SCHEMA_VERSION",
    "TEST_STATUS",
    "WRITE_BUDGET_SECONDS",
    "PRIVATE_KEY_FILE",
    "PUBLIC_KEY_FILE",
    "Account",
    "AirLog",
    "AuditEntry",
    "AuditEvent",
    "AudioLink",
    "Checkpoint",
    "Decision",
    "DeskStore",
    "Edit",
    "LogFilter",
    "LogPage",
    "EmergencyAired",
    "LogHead",
    "PeriodStats",
    "RenderRecord",
    "StationKey",
    "StationLog",
    "Session",
    "StoreError",
    "VerifyResult",
    "browse",
    "chain_position",
    "csv_values",
    "distinct",
    "checkpoint_if_due",
    "desk_database",
    "export",
    "filtered",
    "is_space_error",
    "latest_checkpoint",
    "load_public_key",
    "log_head",
    "open_station_log",
    "open_store",
    "period_stats",
    "rotation_history",
    "read_degradations",
    "scratch_dir",
    "session_rows",
    "short_of_space",
    "station_key",
    "write_checkpoint",
]
