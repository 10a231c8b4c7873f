"""The airing log as the desk browses it: filters, a page in time order, the filtered rows for a download, and the
rows of given sessions (the week's past sessions).

Every filter is written so SQLite can use an index on a million rows: dates as a range on the ISO text of
`scheduled_at` (never `substr`), the status, topic, engine, bulletin and test airings through the (column,
scheduled_at) indexes of schema 4, a village through its quoted id in the JSON array (`LIKE`, the same match as `json_each` for an id).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from broadcaster.airlog._log import AirLog
from broadcaster.airlog._schema import from_row
from broadcaster.models import TEST_OUTPUT_KINDS, Airing, AiringStatus

__all__ = ["COUNT_CAP", "TEST_STATUS", "LogFilter", "LogPage", "browse", "distinct", "filtered", "session_rows"]

COUNT_CAP = 100_000  # a page says "more than 100,000" rather than counting a million rows on every click
TEST_STATUS = "test"  # the status filter's value for test airings ("chạy thử": into a file or nowhere)
_TEST_KINDS = tuple(sorted(TEST_OUTPUT_KINDS))


@dataclass(frozen=True)
class LogFilter:
    """What the officer narrows the log to; empty values do not filter. `status`: an `AiringStatus` value
    ('completed' means heard by the villages: test airings are left out) or `TEST_STATUS`."""

    start: date | None = None
    end: date | None = None  # inclusive
    zone: str = ""
    bulletin: str = ""
    topic: str = ""
    status: str = ""
    engine: str = ""

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause (with its leading keyword, or '') and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        if self.start is not None:
            parts.append("scheduled_at >= ?")
            params.append(self.start.isoformat())
        if self.end is not None:
            parts.append("scheduled_at < ?")  # ISO text: every time of the last day sorts below the next day
            params.append((self.end + timedelta(days=1)).isoformat())
        if self.zone:
            parts.append("zones LIKE ? ESCAPE '\\'")
            params.append('%"' + self.zone.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%')
        # a rare status (missed, test, …) is the narrowest index: '+' keeps SQLite from walking the topic's or the
        # engine's (which would spare it the sort, but read every row of that topic to find the few missed ones)
        rare = "+" if self.status and self.status != AiringStatus.COMPLETED.value else ""
        for column, value in (("bulletin_id", self.bulletin), ("topic", self.topic), ("engine", self.engine)):
            if value:
                parts.append(f"{rare if column != 'bulletin_id' else ''}{column} = ?")
                params.append(value)
        if self.status == TEST_STATUS:
            parts.append(f"output_kind IN ({', '.join('?' * len(_TEST_KINDS))})")
            params += _TEST_KINDS
        elif self.status:
            parts.append("status = ?")
            params.append(AiringStatus(self.status).value)
            if self.status == AiringStatus.COMPLETED.value:
                parts.append(f"output_kind NOT IN ({', '.join('?' * len(_TEST_KINDS))})")
                params += _TEST_KINDS
        return (" WHERE " + " AND ".join(parts) if parts else ""), params


@dataclass(frozen=True)
class LogPage:
    rows: tuple[Airing, ...]
    total: int  # rows matching, counted up to COUNT_CAP + 1
    capped: bool  # more than COUNT_CAP rows match


def browse(log: AirLog, flt: LogFilter, *, offset: int = 0, limit: int = 50, newest_first: bool = True) -> LogPage:
    """One page of the rows matching `flt`, by scheduled time (newest first unless asked), and how many match."""
    where, params = flt.where()
    order = "DESC" if newest_first else "ASC"
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        total = db.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM airings{where} LIMIT ?)",
                           [*params, COUNT_CAP + 1]).fetchone()[0]
        rows = db.execute(f"SELECT * FROM airings{where} ORDER BY scheduled_at {order}, id {order} LIMIT ? OFFSET ?",
                          [*params, limit, max(0, offset)]).fetchall()
    return LogPage(tuple(from_row(r) for r in rows), min(total, COUNT_CAP), total > COUNT_CAP)


def filtered(log: AirLog, flt: LogFilter) -> list[Airing]:
    """Every row matching `flt`, oldest first (a download)."""
    where, params = flt.where()
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        return [from_row(r) for r in db.execute(f"SELECT * FROM airings{where} ORDER BY scheduled_at, id", params)]


_INDEXED = frozenset({"topic", "engine", "bulletin_id", "status"})  # each leads an index (schema 1 and 4)


def distinct(log: AirLog, column: str, limit: int = 1000) -> list[str]:
    """The distinct non-empty values of an indexed column, sorted: one index seek per value (a recursive query
    that skips to the next value), so a million rows with a dozen topics cost a dozen seeks, not a scan."""
    if column not in _INDEXED:
        raise ValueError(column)
    sql = (f"WITH RECURSIVE v(x, n) AS (SELECT (SELECT MIN({column}) FROM airings WHERE {column} > ''), 1 "
           f"UNION ALL SELECT (SELECT MIN({column}) FROM airings WHERE {column} > v.x), n + 1 FROM v "
           f"WHERE v.x IS NOT NULL AND n < ?) SELECT x FROM v WHERE x IS NOT NULL")
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        return [r[0] for r in db.execute(sql, (limit,))]


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def session_rows(log: AirLog, keys: Iterable[str]) -> dict[str, list[Airing]]:
    """The logged rows of each session key (in the order they were written); keys never logged are absent."""
    out: dict[str, list[Airing]] = {}
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        for chunk in _chunks(sorted(set(keys))):
            sql = f"SELECT * FROM airings WHERE session_key IN ({', '.join('?' * len(chunk))}) ORDER BY id"
            for r in db.execute(sql, chunk):
                out.setdefault(r["session_key"], []).append(from_row(r))
    return out
