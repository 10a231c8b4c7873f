"""The planner reads a compact history (one row per bulletin and session) and must reach the same rotation as
from every row: which bulletin aired last, and in how many sessions."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.airlog import AirLog, rotation_history
from broadcaster.models import Airing, AiringStatus, Priority
from broadcaster.plan._rules import RotationState

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2026, 11, 20)


def month_of_rows(seed: int) -> list[Airing]:
    """Three weeks of sessions around START: per session a few bulletins, per bulletin one row per village and
    output, some missed or interrupted, started seconds apart within the session."""
    rng = random.Random(seed)
    rows = []
    for day in range(21):
        for slot, hour in (("sang", 6), ("chieu", 17)):
            at = datetime(2026, 11, 5, hour, 0, tzinfo=TZ) + timedelta(days=day)
            items = rng.sample(["a", "b", "c", "d", "e"], k=rng.randint(1, 4))
            for position, bulletin in enumerate(items):
                status = rng.choice([AiringStatus.COMPLETED] * 4 + [AiringStatus.MISSED, AiringStatus.INTERRUPTED])
                for output in rng.sample(["main", "second"], k=rng.randint(1, 2)):
                    for zone in ("dong", "tay", "bac")[: rng.randint(1, 3)]:
                        started = at + timedelta(seconds=40 * position + rng.randint(0, 3))
                        rows.append(Airing(
                            session_key=f"{at.date()}/{slot}/{output}", output_id=output, zones=(zone,),
                            bulletin_id=bulletin, title=bulletin.upper(), topic="papi", priority=Priority.NORMAL,
                            scheduled_at=at, status=status, engine="espeak", output_kind="sounddevice",
                            started_at=None if status is AiringStatus.MISSED else started))
    return rows


def test_the_compact_history_gives_the_same_rotation_as_every_row(tmp_path: Path) -> None:
    for seed in range(3):
        rows = month_of_rows(seed)
        with AirLog(tmp_path / f"log{seed}.sqlite3", tz=TZ) as log:
            for r in rows:
                log.record(r)
            compact = rotation_history(log, START)
            everything = log.history()
        full = RotationState.from_history(everything, START, TZ)
        short = RotationState.from_history(compact, START, TZ)
        assert short.last_aired == full.last_aired and short.occurrences == full.occurrences
        assert full.occurrences, "the month must have aired something before the plan's start"
        assert len(compact) * 3 < len(everything)  # a row per bulletin and session key, not per village
        assert all(r.scheduled_at.date() < START and r.status is AiringStatus.COMPLETED for r in compact)


def test_only_the_bulletins_being_planned_are_read(tmp_path: Path) -> None:
    with AirLog(tmp_path / "log.sqlite3", tz=TZ) as log:
        for r in month_of_rows(7):
            log.record(r)
        some = rotation_history(log, START, ["a", "c"])
        every = rotation_history(log, START)
    assert {r.bulletin_id for r in some} == {"a", "c"}
    assert some == [r for r in every if r.bulletin_id in ("a", "c")]
