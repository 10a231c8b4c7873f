"""The airing log: SQLite (WAL), one writer; airings, renders, audit, session claims, a hash chain over the rows.

Private modules: `_schema` (SQL schema, row <-> `Airing`, row hashing), `_verify` (chain verification), `_log`
(the `AirLog` class).
"""

from broadcaster.airlog._log import RECOVERED_REASON, AirLog, AuditEvent, RenderRecord
from broadcaster.airlog._schema import SCHEMA_VERSION
from broadcaster.airlog._verify import VerifyResult

__all__ = ["RECOVERED_REASON", "SCHEMA_VERSION", "AirLog", "AuditEvent", "RenderRecord", "VerifyResult"]
