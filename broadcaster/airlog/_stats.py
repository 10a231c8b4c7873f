"""The figures of a period report, computed from the airing log: the one query layer the `report` command, the
web desk and the tests share (docs/reports.md says what each figure counts).

One indexed range read of the period's rows (by scheduled time), aggregated here; test airings (`file`/`null`
outputs) are never counted as aired.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from broadcaster.models import TEST_OUTPUT_KINDS

if TYPE_CHECKING:
    from broadcaster.airlog._log import AirLog

__all__ = [
    "EMERGENCY_PREFIX", "EmergencyAired", "LogHead", "PeriodStats", "chain_position", "log_head", "period_stats",
]  # fmt: skip

EMERGENCY_PREFIX = "emergency/"  # session_key of an emergency's rows
LIVE_PREFIX = "live/"  # a live announcement's row (`broadcaster live`): airtime for its villages, not a session
_PLAYED = frozenset({"completed", "interrupted"})
_COLUMNS = (
    "session_key, status, reason, bulletin_id, topic, zones, played_seconds, engine, output_kind, title, "
    "started_at, priority"
)


@dataclass(frozen=True)
class EmergencyAired:
    """One emergency that reached loudspeakers: when it first started, where, how many times it aired in full."""

    key: str
    title: str
    started_at: datetime
    zones: tuple[str, ...]
    times_aired: int
    interrupted: bool


@dataclass(frozen=True)
class PeriodStats:
    """Every figure of a report for the dates `start`..`end` (inclusive, by scheduled date)."""

    start: date
    end: date
    sessions_planned: int  # scheduled session occurrences in the log (emergencies excluded)
    sessions_aired: int  # every bulletin heard in full on a real output
    sessions_interrupted: int  # started, but some bulletin cut (and not replayed) or failed
    sessions_missed: int  # nothing of it aired
    sessions_test: int  # aired only into files or nowhere: not counted as aired
    reasons: tuple[tuple[str, int], ...]  # why sessions were missed or interrupted: (reason, sessions), most first
    bulletins_aired: int  # bulletin airings heard in full on a real output (emergencies excluded)
    by_topic: tuple[tuple[str, int], ...]  # (topic, bulletins aired), most first
    by_zone: tuple[tuple[str, int, float], ...]  # (zone id, bulletins aired, seconds on air incl. emergencies)
    emergencies: tuple[EmergencyAired, ...]
    spoken_airings: int  # bulletins aired in full that were spoken by an engine (not recorded audio)
    fallback_airings: int  # ... of them, in a voice other than the first engine's
    test_airings: int  # rows played into a file or a null output
    unknown_kind_rows: int  # played rows logged before schema 2 (their output is unknown; counted as aired)
    rows: int  # rows of the period, any status

    @property
    def fallback_share(self) -> float:
        return self.fallback_airings / self.spoken_airings if self.spoken_airings else 0.0

    @property
    def seconds_on_air(self) -> float:
        return sum(s for _, _, s in self.by_zone)


@dataclass(frozen=True)
class LogHead:
    """What a signer notes down: every row of the log, the chained ones, and the chain's last hash."""

    rows: int
    chained: int
    head_hash: str


def log_head(log: AirLog) -> LogHead:
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        rows = db.execute("SELECT count(*) FROM airings").fetchone()[0]
        head = db.execute(
            "SELECT seq, row_hash FROM airings WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    return LogHead(rows, head["seq"] if head else 0, head["row_hash"] if head else "")


def chain_position(log: AirLog, row_hash: str) -> tuple[int, int] | None:
    """(seq, id) of the chained row whose hash is `row_hash` (a head hash noted on an earlier report), or None."""
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        row = db.execute(
            "SELECT seq, id FROM airings WHERE row_hash = ? AND seq IS NOT NULL", (row_hash.strip().lower(),)
        ).fetchone()
    return (row["seq"], row["id"]) if row else None


def period_stats(
    log: AirLog, start: date, end: date, *, zones: Sequence[str], primary_engine: str
) -> PeriodStats:
    """The period's figures; `zones`: the station's village ids (a row for no zone in particular went to all of
    them); `primary_engine`: the first engine of the station's order (any other voice is the fallback)."""
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND status != 'started'",
            (start.isoformat(), (end + timedelta(days=1)).isoformat()),
        ).fetchall()
    sessions: dict[str, list[tuple]] = defaultdict(list)
    emergencies: dict[str, list[tuple]] = defaultdict(list)
    topics: Counter[str] = Counter()
    zone_count: Counter[str] = Counter()
    zone_seconds: dict[str, float] = defaultdict(float)
    spoken = fallback = test = unknown = 0
    parsed: dict[str, list[str]] = {}  # a village list is one of a few strings: parse each once
    for row in rows:
        key, status, _, bulletin_id, topic, zones_json, played, engine, kind, _, _, _ = row
        is_emergency = key.startswith(EMERGENCY_PREFIX)
        if not key.startswith(LIVE_PREFIX):
            (emergencies if is_emergency else sessions)[key].append(row)
        if status not in _PLAYED:
            continue
        if kind in TEST_OUTPUT_KINDS:
            test += 1
            continue
        unknown += kind == ""
        heard = parsed.get(zones_json)
        if heard is None:
            heard = parsed[zones_json] = json.loads(zones_json) or list(zones)
        for zone in heard:
            zone_seconds[zone] += played
        if status != "completed" or is_emergency or bulletin_id is None:
            continue
        topics[topic] += 1
        zone_count.update(heard)
        if engine:
            spoken += 1
            fallback += engine != primary_engine
    outcomes, reasons = _sessions(sessions)
    return PeriodStats(
        start=start,
        end=end,
        sessions_planned=len(sessions),
        sessions_aired=outcomes["aired"],
        sessions_interrupted=outcomes["interrupted"],
        sessions_missed=outcomes["missed"],
        sessions_test=outcomes["test"],
        reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        bulletins_aired=sum(topics.values()),
        by_topic=tuple(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_zone=tuple((z, zone_count[z], zone_seconds[z]) for z in _zone_order(zones, zone_seconds)),
        emergencies=_emergencies(emergencies),
        spoken_airings=spoken,
        fallback_airings=fallback,
        test_airings=test,
        unknown_kind_rows=unknown,
        rows=len(rows),
    )


def _zone_order(zones: Sequence[str], seen: dict[str, float]) -> list[str]:
    """The station's villages in its order, then any village no longer in station.yaml that has airtime."""
    return [*zones, *sorted(z for z in seen if z not in zones)]


def _sessions(sessions: dict[str, list[tuple]]) -> tuple[Counter[str], Counter[str]]:
    """Each session's outcome (aired, interrupted, missed, test) and, per reason, the sessions it explains."""
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for rows in sessions.values():
        played = [r for r in rows if r[1] in _PLAYED]
        real = [r for r in played if r[8] not in TEST_OUTPUT_KINDS]
        if not played:
            outcome, bad = "missed", [r for r in rows if r[1] != "skipped"] or rows
        elif not real:
            outcome, bad = "test", []
        else:
            heard = {r[3] for r in real if r[1] == "completed"}
            bad = [r for r in rows if r[1] == "failed" or (r[1] == "interrupted" and r[3] not in heard)]
            outcome = "interrupted" if bad else "aired"
        outcomes[outcome] += 1
        reasons.update({r[2] or "không rõ lý do" for r in bad})
    return outcomes, reasons


def _emergencies(groups: dict[str, list[tuple]]) -> tuple[EmergencyAired, ...]:
    out = []
    for key, rows in groups.items():
        real = [r for r in rows if r[1] in _PLAYED and r[8] not in TEST_OUTPUT_KINDS and r[10]]
        if not real:
            continue
        first = min(real, key=lambda r: r[10])
        title = first[9].rsplit(" (lần ", 1)[0]  # "Bão số 5 (lần 1/2)" -> "Bão số 5"
        out.append(EmergencyAired(
            key, title, datetime.fromisoformat(first[10]), tuple(json.loads(first[5])),
            sum(r[1] == "completed" for r in real), any(r[1] == "interrupted" for r in real),
        ))  # fmt: skip
    return tuple(sorted(out, key=lambda e: e.started_at))
