"""Sessions already begun are shown from the airing log (aired, missed, test, …), never as if still to come: the
plan service that `broadcaster plan` and the desk's week page both call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.airlog import AirLog
from broadcaster.build import StationPlan, plan_loaded
from broadcaster.models import Airing, AiringStatus, Priority, Slot, Station
from broadcaster.services.plan import format_plan, plan_json
from tests.factories import bulletin, station

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MON = date(2026, 3, 2)


def make(tmp_path: Path) -> tuple[Station, StationPlan]:
    st = station(state_dir=tmp_path / "var", slots=(Slot("sang", "Buổi sáng", time(6, 30), 10),
                                                   Slot("trua", "Buổi trưa", time(11, 0), 10),
                                                   Slot("chieu", "Buổi chiều", time(17, 0), 10)))
    bs = [bulletin("papi", title="Giới thiệu chỉ số PAPI", text="Chỉ số PAPI phản ánh trải nghiệm của người dân."),
          bulletin("hop", title="Họp thôn Đông", zones=("dong",), text="Tối nay họp thôn lúc 19 giờ 30.")]
    return st, plan_loaded(st, bs, MON, MON)


def log_rows(st: Station, *rows: Airing) -> None:
    with AirLog(st.database, tz=st.timezone) as log:
        for r in rows:
            log.record(r)


def row(slot: str, at: time, bid: str, status: AiringStatus, **kw: object) -> Airing:
    return Airing(session_key=f"{MON.isoformat()}/{slot}/main", output_id="main", zones=("dong",), bulletin_id=bid,
                  title={"papi": "Giới thiệu chỉ số PAPI", "hop": "Họp thôn Đông"}[bid], topic="papi",
                  priority=Priority.NORMAL, scheduled_at=datetime.combine(MON, at, TZ), status=status,
                  **kw)  # type: ignore[arg-type]


@pytest.fixture
def planned(tmp_path: Path) -> tuple[Station, StationPlan]:
    return make(tmp_path)


def test_a_morning_that_aired_and_a_noon_that_was_missed_read_from_the_log(planned: tuple[Station, StationPlan]) -> None:
    st, sp = planned
    aired_at = datetime.combine(MON, time(6, 30, 5), TZ)
    log_rows(st,
             row("sang", time(6, 30), "papi", AiringStatus.COMPLETED, started_at=aired_at, played_seconds=21.0,
                 engine="espeak"),
             row("trua", time(11, 0), "papi", AiringStatus.MISSED, reason="đài không chạy lúc đến giờ phát"))
    now = datetime.combine(MON, time(12, 0), TZ)
    doc = plan_json(sp, now=now)
    by_slot = {s["slot"]: s for s in doc["sessions"]}
    assert by_slot["sang"]["state"] == "aired" and by_slot["sang"]["state_label"] == "đã phát"
    # the items are what the log holds (one bulletin aired), not the plan re-made for a session already past
    assert [(i["bulletin_id"], i["status_label"], i["duration_seconds"]) for i in by_slot["sang"]["items"]] == [
        ("papi", "đã phát", 21.0)]
    assert by_slot["trua"]["state"] == "missed"
    assert by_slot["chieu"]["state"] == "upcoming" and by_slot["chieu"]["state_label"] == "sắp phát"
    text = "\n".join(format_plan(sp, now=now))
    assert "06:30 Buổi sáng: đã phát" in text and "Giới thiệu chỉ số PAPI  0:21 — Thôn Đông — đã phát" in text
    assert "11:00 Buổi trưa: bị lỡ" in text and "bị lỡ (đài không chạy lúc đến giờ phát)" in text
    assert "17:00 Buổi chiều: không phát — " in text  # still to come: as planned (nothing left to air today)


def test_a_past_session_with_nothing_logged_says_so_and_one_just_due_is_not_called_missed(
    planned: tuple[Station, StationPlan],
) -> None:
    st, _sp = planned
    sp = plan_loaded(st, list(_sp.bulletins), MON, MON + timedelta(days=1))
    now = datetime.combine(MON + timedelta(days=1), time(6, 32), TZ)  # 2 minutes after 06:30, grace is 5
    states = [(s["date"][-2:], s["slot"], s["state"]) for s in plan_json(sp, now=now)["sessions"]]
    assert states == [("02", "sang", "not_logged"), ("02", "trua", "past"), ("02", "chieu", "past"),
                      ("03", "sang", "due"), ("03", "trua", "upcoming"), ("03", "chieu", "upcoming")]
    text = "\n".join(format_plan(sp, now=now))
    assert "— không có trong nhật ký" in text and "— đến giờ phát" in text
    assert not sp.station.database.exists()  # reading the past never creates the log


def test_a_test_airing_is_not_shown_as_aired_and_an_airing_in_progress_is_shown(
    planned: tuple[Station, StationPlan],
) -> None:
    st, sp = planned
    start = datetime.combine(MON, time(6, 30), TZ)
    log_rows(st, row("sang", time(6, 30), "papi", AiringStatus.COMPLETED, started_at=start, played_seconds=20.0,
                     output_kind="file"))
    with AirLog(st.database, tz=st.timezone) as log:
        log.start_item(row("trua", time(11, 0), "papi", AiringStatus.STARTED, started_at=start + timedelta(hours=4.5)))
    states = {s["slot"]: s["state_label"] for s in plan_json(sp, now=datetime.combine(MON, time(11, 0, 30), TZ))["sessions"]}
    assert states == {"sang": "chạy thử", "trua": "đang phát", "chieu": "sắp phát"}


def test_without_a_moment_the_plan_is_the_plan(planned: tuple[Station, StationPlan]) -> None:
    _st, sp = planned
    assert all("state" not in s for s in plan_json(sp)["sessions"])
