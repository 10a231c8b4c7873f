"""The airing history the planner needs, read compactly.

The planner's rotation (`plan.RotationState.from_history`) only looks at completed airings before the plan's
start, and of those only at the latest item of each bulletin in each session and at how many sessions aired it.
Reading every row instead turns a year of a large commune's log into a minute of work on each plan; this reads one
row per (bulletin, session key): the latest completed item, which is all the rotation digests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from broadcaster.airlog._log import AirLog
from broadcaster.airlog._schema import from_row
from broadcaster.models import Airing, AiringStatus

__all__ = ["rotation_history"]


def rotation_history(log: AirLog, before: date, bulletins: Iterable[str] | None = None) -> list[Airing]:
    """Per bulletin and session key, the completed row that started last, of sessions scheduled before `before`
    (station date); only of `bulletins` when given (the ones being planned: a bulletin deleted long ago has no say
    in the rotation). SQLite gives a bare column the values of the row that holds the MAX."""
    where, params = ["status = ?", "scheduled_at < ?", "bulletin_id IS NOT NULL"], [
        AiringStatus.COMPLETED.value, before.isoformat()]
    if bulletins is not None:
        where.append("bulletin_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(set(bulletins)), ensure_ascii=False))
    sql = (
        "SELECT *, MAX(COALESCE(started_at, scheduled_at)) AS latest FROM airings WHERE " + " AND ".join(where)
        + " GROUP BY bulletin_id, session_key ORDER BY scheduled_at, id"
    )
    with log._read() as db:  # noqa: SLF001 - same package: the log's read connection
        return [from_row(r) for r in db.execute(sql, params)]
