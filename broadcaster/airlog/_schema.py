"""The airing log's SQLite schema, its migrations, row <-> `Airing` conversion and the tamper-evidence hash.

Hash chain: a row enters the chain when it reaches its final state (at `record`, or at `finish_item` for a row
written `started` before the first sample). It then gets `seq` (its position in the chain), `prev_hash` (the
previous chained row's `row_hash`) and `row_hash = sha256(prev_hash + canonical JSON of every column but
row_hash)`. A `started` row is not in the chain yet (its final state is unknown); rows are never updated after
they are chained, so any later edit, reordering or deletion breaks a link that `verify` finds.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from broadcaster.models import Airing, AiringStatus, Priority

__all__ = [
    "COLUMNS",
    "GENESIS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "from_row",
    "iso",
    "parse_time",
    "row_hash",
    "to_row",
]

# columns added after schema 1 (see row_hash): rows without an approval, such as emergencies, keep a hash without it
_LATER = frozenset({"output_kind", "approved_by", "approval_hash"})
GENESIS = "0" * 64  # prev_hash of the first chained row

# The columns an Airing fills, in table order (id, seq, prev_hash, row_hash are the log's own).
COLUMNS = (
    "session_key",
    "output",
    "zones",
    "bulletin_id",
    "content_hash",
    "title",
    "topic",
    "priority",
    "scheduled_at",
    "started_at",
    "ended_at",
    "planned_seconds",
    "played_seconds",
    "status",
    "reason",
    "engine",
    "voice",
    "audio_hash",
    "output_kind",
    "approved_by",
    "approval_hash",
)

_V1 = """
CREATE TABLE airings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- AUTOINCREMENT: ids are never reused, so a deleted row leaves a gap
    seq INTEGER UNIQUE,                     -- position in the hash chain; NULL while `started`
    session_key TEXT NOT NULL,              -- Programme.key "2026-11-28/sang/main", or "emergency/<id>"
    output TEXT NOT NULL,
    zones TEXT NOT NULL,                    -- JSON array of zone ids
    bulletin_id TEXT,
    content_hash TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL,
    scheduled_at TEXT NOT NULL,             -- ISO 8601 with the station's offset: 2026-11-28T06:30:00+07:00
    started_at TEXT,
    ended_at TEXT,
    planned_seconds REAL NOT NULL DEFAULT 0,
    played_seconds REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('started','completed','interrupted','failed','missed','skipped')),
    reason TEXT NOT NULL DEFAULT '',
    engine TEXT NOT NULL DEFAULT '',
    voice TEXT NOT NULL DEFAULT '',
    audio_hash TEXT NOT NULL DEFAULT '',
    prev_hash TEXT,
    row_hash TEXT
);
CREATE INDEX airings_scheduled ON airings (scheduled_at);
CREATE INDEX airings_session ON airings (session_key);
CREATE INDEX airings_bulletin ON airings (bulletin_id);
CREATE INDEX airings_status ON airings (status);

CREATE TABLE renders (
    id INTEGER PRIMARY KEY,
    bulletin_id TEXT,
    key TEXT NOT NULL,                      -- render cache key
    engine TEXT NOT NULL,
    voice TEXT NOT NULL DEFAULT '',
    fallback INTEGER NOT NULL DEFAULT 0,    -- 1 when a later engine in the fallback order spoke it
    duration REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX renders_bulletin ON renders (bulletin_id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,                    -- run, stop, reload, emergency, air, recovered, ...
    who TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}'      -- JSON object
);
CREATE INDEX audit_at ON audit (at);

CREATE TABLE sessions (                     -- the runner's idempotency record: a claimed session never airs again
    session_key TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

# Version 2: the kind of output each airing went to (test airings: file, null). Rows logged before it keep ''
# (unknown): they were chained without the column, and a chained row is never rewritten (docs/reports.md).
_V2 = """
ALTER TABLE airings ADD COLUMN output_kind TEXT NOT NULL DEFAULT '';
"""

# Version 3: the approval each airing aired under (approver, content key). Added the same way: '' in older rows.
_V3 = """
ALTER TABLE airings ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';   -- the approval the bulletin aired under
ALTER TABLE airings ADD COLUMN approval_hash TEXT NOT NULL DEFAULT '';  -- content key that approval was given for
"""

# Version 4: the desk's log page filters a status, topic, engine, bulletin or test airings and shows the newest first; these
# indexes keep that fast on a million rows (docs/web.md#figures). Indexes only: no row changes.
_V4 = """
CREATE INDEX IF NOT EXISTS airings_status_time ON airings (status, scheduled_at);
CREATE INDEX IF NOT EXISTS airings_kind_time ON airings (output_kind, scheduled_at);
CREATE INDEX IF NOT EXISTS airings_topic_time ON airings (topic, scheduled_at);
CREATE INDEX IF NOT EXISTS airings_engine_time ON airings (engine, scheduled_at);
CREATE INDEX IF NOT EXISTS airings_bulletin_time ON airings (bulletin_id, scheduled_at);
"""

# Version 5: the station's signed checkpoints (`_checkpoints`): every day and at every report, the chain's length
# and head signed with the station's Ed25519 key, so a cut tail or a recomputed chain is found (docs/reports.md).
_V5 = """
CREATE TABLE checkpoints (
    n INTEGER PRIMARY KEY,                  -- checkpoint number, 1, 2, ... (also inside the signed payload)
    payload TEXT NOT NULL,                  -- the canonical JSON that was signed
    signature TEXT NOT NULL                 -- Ed25519 signature of payload, base64
);
"""

# Version 6: the audio archive's links (docs/archive.md): where the audio of an aired row is kept. A table of its
# own, outside the hash chain: archiving or pruning a file never touches a chained row.
_V6 = """
CREATE TABLE archive (
    airing_id INTEGER PRIMARY KEY,          -- airings.id
    path TEXT NOT NULL,                     -- the MP3, relative to the state directory
    offset_s REAL NOT NULL DEFAULT 0,       -- where the airing's stretch starts in it
    duration_s REAL NOT NULL DEFAULT 0,     -- how long it aired
    sha256 TEXT NOT NULL DEFAULT '',        -- of the MP3 when archived
    pruned_at TEXT                          -- set when the file was deleted (retention, disk budget)
);
CREATE INDEX archive_path ON archive (path);
"""

# MIGRATIONS[n] takes a database at user_version n to n + 1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6)
SCHEMA_VERSION = len(MIGRATIONS)


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 in the station's timezone (naive values are taken as station time)."""
    if value is None:
        return None
    value = value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    return value.isoformat()


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def to_row(airing: Airing, tz: ZoneInfo) -> dict[str, Any]:
    """The column values of an Airing (without id, seq and hashes)."""
    return {
        "session_key": airing.session_key,
        "output": airing.output_id,
        "zones": json.dumps(list(airing.zones), ensure_ascii=False),
        "bulletin_id": airing.bulletin_id,
        "content_hash": airing.content_hash,
        "title": airing.title,
        "topic": airing.topic,
        "priority": Priority(airing.priority).value,
        "scheduled_at": iso(airing.scheduled_at, tz),
        "started_at": iso(airing.started_at, tz),
        "ended_at": iso(airing.ended_at, tz),
        "planned_seconds": float(airing.planned_seconds),
        "played_seconds": float(airing.played_seconds),
        "status": AiringStatus(airing.status).value,
        "reason": airing.reason,
        "engine": airing.engine,
        "voice": airing.voice,
        "audio_hash": airing.audio_hash,
        "output_kind": airing.output_kind,
        "approved_by": airing.approved_by,
        "approval_hash": airing.approval_hash,
    }


@lru_cache(maxsize=512)
def _zones(text: str) -> tuple[str, ...]:
    """A row's zone list (a log has few distinct ones: parsed once each, a month's CSV reads 10,000 rows)."""
    return tuple(json.loads(text))


def from_row(row: sqlite3.Row) -> Airing:
    scheduled = parse_time(row["scheduled_at"])
    assert scheduled is not None  # NOT NULL column
    return Airing(
        session_key=row["session_key"],
        output_id=row["output"],
        zones=_zones(row["zones"]),
        bulletin_id=row["bulletin_id"],
        title=row["title"],
        topic=row["topic"],
        priority=Priority(row["priority"]),
        scheduled_at=scheduled,
        status=AiringStatus(row["status"]),
        content_hash=row["content_hash"],
        started_at=parse_time(row["started_at"]),
        ended_at=parse_time(row["ended_at"]),
        planned_seconds=row["planned_seconds"],
        played_seconds=row["played_seconds"],
        reason=row["reason"],
        engine=row["engine"],
        voice=row["voice"],
        audio_hash=row["audio_hash"],
        approved_by=row["approved_by"],
        approval_hash=row["approval_hash"],
        id=row["id"],
        output_kind=row["output_kind"],
    )


def row_hash(fields: dict[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON of id, seq, every Airing column and prev_hash). A column added by a later
    schema is covered only when it holds a value, so rows chained before it still verify (blanking it in a newer
    row changes that row's hash all the same)."""
    covered = {k: fields.get(k, "") for k in ("id", "seq", "prev_hash", *COLUMNS) if k not in _LATER or fields.get(k)}
    canonical = json.dumps(covered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((str(fields["prev_hash"]) + canonical).encode("utf-8")).hexdigest()
