"""The log as the desk browses it: date edges (the last second of the last day is in, the next midnight out, the
same in `AirLog.query`), a village's rows, counting capped, distinct values, a session's rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.airlog import AirLog, LogFilter, browse, distinct, filtered, session_rows
from broadcaster.airlog import _browse
from broadcaster.models import Airing, AiringStatus, Priority

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def row(at: datetime, **kw: object) -> Airing:
    values: dict[str, object] = dict(session_key=f"{at.date()}/sang/main", output_id="main", zones=("dong",),
                                     bulletin_id="a", title="A", topic="papi", priority=Priority.NORMAL,
                                     scheduled_at=at, status=AiringStatus.COMPLETED, engine="espeak",
                                     output_kind="sounddevice")
    values.update(kw)
    return Airing(**values)  # type: ignore[arg-type]


@pytest.fixture
def log(tmp_path: Path):  # type: ignore[no-untyped-def]
    with AirLog(tmp_path / "log.sqlite3", tz=TZ) as log:
        for r in (row(datetime(2026, 11, 27, 23, 59, 59, tzinfo=TZ)),
                  row(datetime(2026, 11, 28, 0, 0, tzinfo=TZ), zones=("dong", "tay-2")),
                  row(datetime(2026, 11, 28, 23, 59, 59, tzinfo=TZ), topic="y-te", engine="gtts"),
                  row(datetime(2026, 11, 29, 0, 0, tzinfo=TZ), zones=("tay",), output_kind="file", bulletin_id="b"),
                  row(datetime(2026, 11, 29, 6, 30, tzinfo=TZ), status=AiringStatus.MISSED, bulletin_id=None)):
            log.record(r)
        yield log


def ids(rows: tuple[Airing, ...] | list[Airing]) -> list[int | None]:
    return [r.id for r in rows]


def test_a_day_is_from_midnight_to_its_last_second_in_both_queries(log: AirLog) -> None:
    day = LogFilter(start=date(2026, 11, 28), end=date(2026, 11, 28))
    assert ids(filtered(log, day)) == [2, 3]
    assert ids(log.query(from_date=date(2026, 11, 28), to_date=date(2026, 11, 28))) == [2, 3]
    assert ids(log.query(from_date=date(2026, 11, 29))) == [4, 5]


def test_a_village_matches_its_id_only_and_test_airings_are_not_aired(log: AirLog) -> None:
    assert ids(filtered(log, LogFilter(zone="tay"))) == [4]  # not "tay-2"
    assert ids(filtered(log, LogFilter(zone="tay_2"))) == []  # LIKE's wildcards are escaped
    assert ids(filtered(log, LogFilter(status="test"))) == [4]
    assert ids(filtered(log, LogFilter(status="completed"))) == [1, 2, 3]
    assert ids(filtered(log, LogFilter(status="missed", topic="papi"))) == [5]


def test_pages_newest_first_and_the_count_capped(log: AirLog, monkeypatch: pytest.MonkeyPatch) -> None:
    page = browse(log, LogFilter(), offset=1, limit=2)
    assert ids(page.rows) == [4, 3] and page.total == 5 and not page.capped
    monkeypatch.setattr(_browse, "COUNT_CAP", 3)
    page = browse(log, LogFilter(), limit=2, newest_first=False)
    assert ids(page.rows) == [1, 2] and page.total == 3 and page.capped


def test_distinct_values_and_a_sessions_rows(log: AirLog) -> None:
    assert distinct(log, "topic") == ["papi", "y-te"]
    assert distinct(log, "engine") == ["espeak", "gtts"]
    assert distinct(log, "bulletin_id") == ["a", "b"]
    with pytest.raises(ValueError):
        distinct(log, "title; DROP TABLE airings")
    rows = session_rows(log, ["2026-11-29/sang/main", "2026-11-30/sang/main"])
    assert list(rows) == ["2026-11-29/sang/main"] and ids(rows["2026-11-29/sang/main"]) == [4, 5]
