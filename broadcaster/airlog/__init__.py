"""The airing log: SQLite (WAL), one writer; airings, renders, audit, session claims, a hash chain over the rows.

Private modules: `_schema` (SQL schema, row <-> `Airing`, row hashing), `_verify` (chain verification), `_log`
(the `AirLog` class), `_review` (the log as table, CSV, JSON), `_stats` (the figures of a period report: the one
query layer for reports). The running station's log, `StationLog` (`open_station_log`), never lets a write wait on
SQLite: `_station` (its writes and reads), `_healing` (replay, recovery), `_journal` (the journal files),
`_memory` (claimed sessions), `_recovery` (setting a bad file aside), `_faults` (error kinds, the officer's
warnings), `_status` (the status file), `_space` (the scratch directory).
"""

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
    "SCHEMA_VERSION",
    "WRITE_BUDGET_SECONDS",
    "AirLog",
    "AuditEvent",
    "EmergencyAired",
    "LogHead",
    "PeriodStats",
    "RenderRecord",
    "StationLog",
    "VerifyResult",
    "chain_position",
    "export",
    "is_space_error",
    "log_head",
    "open_station_log",
    "period_stats",
    "read_degradations",
    "scratch_dir",
    "short_of_space",
]
