"""The airing log: SQLite (WAL), one writer; airings, renders, audit, session claims, a hash chain over the rows.

Private modules: `_schema` (SQL schema, row <-> `Airing`, row hashing), `_verify` (chain verification), `_log`
(the `AirLog` class), `_review` (the log as table, CSV, JSON), `_stats`
(the figures of a period report: the one query layer for reports).
"""

from broadcaster.airlog._log import RECOVERED_REASON, AirLog, AuditEvent, RenderRecord
from broadcaster.airlog._review import CSV_HEADERS, FORMATS, export
from broadcaster.airlog._schema import SCHEMA_VERSION
from broadcaster.airlog._stats import EmergencyAired, LogHead, PeriodStats, chain_position, log_head, period_stats
from broadcaster.airlog._verify import VerifyResult

__all__ = [
    "CSV_HEADERS",
    "FORMATS",
    "RECOVERED_REASON",
    "SCHEMA_VERSION",
    "AirLog",
    "AuditEvent",
    "EmergencyAired",
    "LogHead",
    "PeriodStats",
    "RenderRecord",
    "VerifyResult",
    "chain_position",
    "export",
    "log_head",
    "period_stats",
]
