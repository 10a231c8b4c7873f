"""The planner's rules, each with fixed dates. Models are built in code (no files, no clock)."""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.models import (
    Airing,
    AiringStatus,
    BroadcastWindow,
    Bulletin,
    Caps,
    OutputConfig,
    Priority,
    RepeatRule,
    Slot,
    Station,
    Status,
    Zone,
)
from broadcaster.plan import Overhead, PlanError, estimate_seconds, make_plan
from tests.factories import bulletin, station

ROOT = Path(__file__).resolve().parents[2]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MON = date(2026, 3, 2)  # a Monday
SUN = date(2026, 3, 8)
NO_OVERHEAD = Overhead(opening=0, ident=0, chime=0, closing=0, pause=0, closing_jingle=0)


def run(st: Station, bs: list[Bulletin], start: date = MON, end: date | None = None, **kw: object):  # type: ignore[no-untyped-def]
    durations = kw.pop("durations", {b.id: 60.0 for b in bs})
    return make_plan(st, bs, kw.pop("history", []), start, end or start, durations=durations, **kw)  # type: ignore[arg-type]


def aired(result, bid: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Keys of the programmes that carry this bulletin."""
    return [p.key for p in result.programmes if any(i.bulletin_id == bid for i in p.items)]


def airing(bid: str, day: date, slot: str = "sang", output: str = "main", zones: tuple[str, ...] = (), **kw):  # type: ignore[no-untyped-def]
    return Airing(
        session_key=f"{day.isoformat()}/{slot}/{output}",
        output_id=output,
        zones=zones,
        bulletin_id=bid,
        title=bid,
        topic="t",
        priority=Priority.NORMAL,
        scheduled_at=datetime.combine(day, time(6, 30), tzinfo=TZ),
        status=kw.pop("status", AiringStatus.COMPLETED),
        **kw,
    )


# --- which bulletins -----------------------------------------------------------------------------------------


def test_only_approved_non_emergency_bulletins_are_planned_and_the_others_are_explained() -> None:
    bs = [
        bulletin("ok"),
        bulletin("draft", status=Status.DRAFT),
        bulletin("urgent", priority=Priority.EMERGENCY),
    ]
    result = run(station(), bs)
    assert aired(result, "ok") == ["2026-03-02/sang/main"]
    assert aired(result, "draft") == [] and aired(result, "urgent") == []
    reasons = {s.bulletin_id: s.reason for s in result.excluded}
    assert "chưa được duyệt" in reasons["draft"]
    assert "khẩn cấp" in reasons["urgent"]


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "days"),
    [
        (date(2026, 3, 3), None, ["03", "04"]),
        (None, date(2026, 3, 3), ["02", "03"]),
        (date(2026, 3, 3), date(2026, 3, 3), ["03"]),  # both ends inclusive
    ],
)
def test_validity_dates_are_inclusive(valid_from: date | None, valid_until: date | None, days: list[str]) -> None:
    b = bulletin("a", valid_from=valid_from, valid_until=valid_until)
    result = run(station(), [b], MON, date(2026, 3, 4))
    assert [k[8:10] for k in aired(result, "a")] == days


def test_everything_expired_gives_no_programme_and_says_why() -> None:
    bs = [bulletin("a", valid_until=date(2026, 2, 28)), bulletin("b", valid_until=date(2026, 3, 1))]
    result = run(station(), bs, MON, SUN)
    assert result.programmes == ()
    assert {s.bulletin_id for s in result.excluded} == {"a", "b"}
    assert all("hết hiệu lực" in s.reason for s in result.excluded)
    assert len(result.unplanned) == 14 and all("không có bản tin" in u.reason for u in result.unplanned)


# --- zones ---------------------------------------------------------------------------------------------------


def test_a_common_bulletin_reaches_every_zone_and_a_village_bulletin_only_its_village() -> None:
    result = run(station(), [bulletin("chung"), bulletin("rieng", zones=("tay",))])
    (prog,) = [p for p in result.programmes if p.slot_id == "sang"]
    zones = {i.bulletin_id: i.zones for i in prog.items}
    assert zones == {"chung": {"dong", "tay", "nam"}, "rieng": {"tay"}}


def test_a_session_serving_some_villages_only_reaches_those() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 10, zones=("dong", "nam")),))
    result = run(st, [bulletin("chung"), bulletin("rieng-tay", zones=("tay",))])
    (prog,) = result.programmes
    assert [(i.bulletin_id, i.zones) for i in prog.items] == [("chung", {"dong", "nam"})]


def test_a_village_with_nothing_of_its_own_still_hears_common_bulletins() -> None:
    bs = [bulletin("chung"), bulletin("dong-1", zones=("dong",)), bulletin("tay-1", zones=("tay",))]
    result = run(station(), bs)
    reaching_nam = [i.bulletin_id for p in result.programmes for i in p.items if "nam" in i.zones]
    assert reaching_nam == ["chung"]


def test_each_output_gets_its_own_programme_with_its_own_zones() -> None:
    st = station(
        outputs=(OutputConfig("main"), OutputConfig("bac")),
        zones=(Zone("dong", "Thôn Đông"), Zone("bac1", "Xóm Bắc 1", output="bac"), Zone("bac2", "Xóm Bắc 2", "bac")),
        slots=(Slot("sang", "Buổi sáng", time(6, 30), 10),),
    )
    result = run(st, [bulletin("chung"), bulletin("bac-rieng", zones=("bac2",))])
    assert [p.key for p in result.programmes] == ["2026-03-02/sang/main", "2026-03-02/sang/bac"]
    main, bac = result.programmes
    assert [(i.bulletin_id, i.zones) for i in main.items] == [("chung", {"dong"})]
    assert [(i.bulletin_id, i.zones) for i in bac.items] == [("bac-rieng", {"bac2"}), ("chung", {"bac1", "bac2"})]


# --- repeat rules --------------------------------------------------------------------------------------------


def test_default_rule_airs_once_a_day_in_the_first_session() -> None:
    result = run(station(), [bulletin("a")], MON, date(2026, 3, 3))
    assert aired(result, "a") == ["2026-03-02/sang/main", "2026-03-03/sang/main"]


def test_every_session_airs_in_each_session() -> None:
    result = run(station(), [bulletin("a", repeat=RepeatRule(every_session=True))])
    assert aired(result, "a") == ["2026-03-02/sang/main", "2026-03-02/chieu/main"]


def test_per_day_takes_the_first_sessions_of_the_day() -> None:
    st = station(slots=(*station().slots, Slot("trua", "Buổi trưa", time(11, 0), 10)))
    result = run(st, [bulletin("a", repeat=RepeatRule(per_day=2))])
    assert aired(result, "a") == ["2026-03-02/sang/main", "2026-03-02/trua/main"]


def test_weekdays_rule_keeps_to_those_weekdays() -> None:
    b = bulletin("a", repeat=RepeatRule(weekdays=frozenset({0, 3})))  # Monday, Thursday
    result = run(station(), [b], MON, SUN)
    assert [k[:10] for k in aired(result, "a")] == ["2026-03-02", "2026-03-05"]


def test_dates_and_slots_rules() -> None:
    b = bulletin("a", repeat=RepeatRule(dates=(date(2026, 3, 4), date(2026, 3, 6)), slots=("chieu",)))
    result = run(station(), [b], MON, SUN)
    assert aired(result, "a") == ["2026-03-04/chieu/main", "2026-03-06/chieu/main"]
    outside = run(station(), [b], date(2026, 3, 9), date(2026, 3, 15))
    assert "không có ngày phát" in outside.excluded[0].reason


def test_max_total_counts_completed_airings_before_the_range_once_per_session() -> None:
    b = bulletin("a", repeat=RepeatRule(max_total=3))
    history = [
        # one session aired to two villages on two outputs: one occurrence
        airing("a", date(2026, 2, 20), zones=("dong",)),
        airing("a", date(2026, 2, 20), zones=("tay",)),
        airing("a", date(2026, 2, 20), output="bac", zones=("bac1",)),
        airing("a", date(2026, 2, 21), status=AiringStatus.FAILED),  # did not air: does not count
        airing("a", date(2026, 2, 22), status=AiringStatus.INTERRUPTED),
    ]
    result = run(station(), [b], MON, SUN, history=history)
    assert aired(result, "a") == ["2026-03-02/sang/main", "2026-03-03/sang/main"]
    history.append(airing("a", date(2026, 2, 25)))
    history.append(airing("a", date(2026, 2, 26), slot="chieu"))
    done = run(station(), [b], MON, SUN, history=history)
    assert done.programmes == ()
    assert "đã phát đủ 3 lần" in done.excluded[0].reason


def test_a_session_already_aired_in_the_range_is_still_planned_the_same() -> None:
    b = bulletin("a", repeat=RepeatRule(max_total=1))
    fresh = run(station(), [b])
    again = run(station(), [b], history=[airing("a", MON)])
    assert again.programmes == fresh.programmes and aired(again, "a") == ["2026-03-02/sang/main"]


# --- days, window, caps --------------------------------------------------------------------------------------


def test_days_off_and_holidays_have_no_session() -> None:
    st = station(days_off=(date(2026, 3, 3), date(2026, 4, 30)))
    result = run(st, [bulletin("a")], MON, date(2026, 3, 4))
    assert [k[:10] for k in aired(result, "a")] == ["2026-03-02", "2026-03-04"]
    off = [u for u in result.unplanned if u.day == date(2026, 3, 3)]
    assert {u.slot_id for u in off} == {"sang", "chieu"} and all("ngày nghỉ" in u.reason for u in off)


def test_slot_days_limit_the_weekdays_a_session_exists() -> None:
    st = station(slots=(Slot("cn", "Chủ nhật", time(7, 0), 10, days=frozenset({6})),))
    result = run(st, [bulletin("a")], MON, SUN)
    assert [p.key for p in result.programmes] == ["2026-03-08/cn/main"]


def test_a_session_outside_the_broadcast_window_is_not_planned() -> None:
    st = station(
        window=BroadcastWindow(time(6, 0), time(21, 0)),
        slots=(Slot("dem", "Buổi đêm", time(22, 0), 10), Slot("som", "Sớm", time(5, 30), 10)),
    )
    result = run(st, [bulletin("a")])
    assert result.programmes == ()
    assert all("ngoài khung giờ phát thanh (06:00–21:00)" in u.reason for u in result.unplanned)
    assert {u.slot_id for u in result.unplanned} == {"dem", "som"}


def test_a_session_running_past_the_window_end_is_cut_at_the_end() -> None:
    st = station(slots=(Slot("toi", "Buổi tối", time(20, 50), 30),))
    (prog,) = run(st, [bulletin("a")]).programmes
    assert prog.max_seconds == 600


def test_conflicting_caps_three_sessions_but_two_a_day() -> None:
    st = station(
        caps=Caps(max_sessions_per_day=2, max_minutes_per_session=45),
        slots=(*station().slots, Slot("trua", "Buổi trưa", time(11, 0), 10)),
    )
    result = run(st, [bulletin("a", repeat=RepeatRule(every_session=True))])
    assert [p.slot_id for p in result.programmes] == ["sang", "trua"]
    (dropped,) = result.unplanned
    assert dropped.slot_id == "chieu" and "vượt giới hạn 2 buổi phát mỗi ngày" in dropped.reason


def test_minutes_per_session_cap_lowers_the_slot_maximum() -> None:
    st = station(
        caps=Caps(max_minutes_per_session=5),
        slots=(Slot("sang", "Buổi sáng", time(6, 30), 30), Slot("chieu", "Buổi chiều", time(17, 0), 3)),
    )
    result = run(st, [bulletin("a", repeat=RepeatRule(every_session=True))])
    assert [p.max_seconds for p in result.programmes] == [300, 180]


# --- order and rotation --------------------------------------------------------------------------------------


def test_priority_bulletins_come_first_by_officer_order_then_approval_time() -> None:
    t = datetime(2026, 2, 1, 8, 0, tzinfo=TZ)
    bs = [
        bulletin("n1"),
        bulletin("p-late", priority=Priority.PRIORITY, approved_at=t.replace(day=5)),
        bulletin("p-early", priority=Priority.PRIORITY, approved_at=t.replace(day=2)),
        bulletin("p-order2", priority=Priority.PRIORITY, order=2),
        bulletin("p-order1", priority=Priority.PRIORITY, order=1, approved_at=t.replace(day=9)),
    ]
    (prog, *_) = run(station(), bs).programmes
    assert [i.bulletin_id for i in prog.items] == ["p-order1", "p-order2", "p-early", "p-late", "n1"]


def test_normal_bulletins_rotate_least_recently_aired_first() -> None:
    history = [airing("x", date(2026, 3, 1)), airing("y", date(2026, 2, 20)), airing("z", date(2026, 2, 25))]
    bs = [bulletin(b) for b in ("x", "y", "z", "new")]
    (prog, *_) = run(station(), bs, history=history).programmes
    assert [i.bulletin_id for i in prog.items] == ["new", "y", "z", "x"]


def test_rotation_is_fair_over_a_week() -> None:
    # 10 bulletins of 2 minutes, sessions that hold 3: each gets its share of the 42 places over 7 days
    st = station(slots=(*station().slots, Slot("trua", "Buổi trưa", time(11, 0), 7)))
    st = replace(st, slots=tuple(replace(s, max_minutes=7) for s in st.slots))
    bs = [bulletin(f"b{i:02d}", repeat=RepeatRule(every_session=True)) for i in range(10)]
    result = run(st, bs, MON, SUN, durations={b.id: 120.0 for b in bs}, overhead=NO_OVERHEAD)
    counts = Counter(i.bulletin_id for p in result.programmes for i in p.items)
    assert sum(counts.values()) == 63 and set(counts) == {b.id for b in bs}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_the_plan_is_deterministic_whatever_the_input_order() -> None:
    bs = [bulletin(f"b{i}", zones=(("dong",) if i % 3 else ())) for i in range(12)]
    first = run(station(), bs, MON, SUN)
    shuffled = bs[:]
    random.Random(7).shuffle(shuffled)
    assert run(station(), shuffled, MON, SUN) == first


# --- fitting -------------------------------------------------------------------------------------------------


def test_what_does_not_fit_is_skipped_with_its_reason_and_carried_to_the_next_session() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 4), Slot("chieu", "Buổi chiều", time(17, 0), 4)))
    bs = [bulletin("a"), bulletin("b"), bulletin("c")]
    durations = {"a": 100.0, "b": 100.0, "c": 95.0}
    result = run(st, bs, durations=durations, overhead=NO_OVERHEAD)
    morning, afternoon = result.programmes
    assert [i.bulletin_id for i in morning.items] == ["a", "b"]
    (skip,) = morning.skipped
    assert skip.bulletin_id == "c"
    assert skip.reason == "không đủ thời lượng buổi phát (còn 40 giây, bản tin dài 95 giây); chuyển sang buổi sau"
    assert skip.zones == {"dong", "tay", "nam"}
    assert [i.bulletin_id for i in afternoon.items] == ["c"]


def test_a_smaller_item_still_fills_the_room_a_long_one_left() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 3),))
    bs = [bulletin("a"), bulletin("big"), bulletin("small")]
    result = run(st, bs, durations={"a": 100.0, "big": 100.0, "small": 50.0}, overhead=NO_OVERHEAD)
    (prog,) = result.programmes
    assert [i.bulletin_id for i in prog.items] == ["a", "small"]
    assert [s.bulletin_id for s in prog.skipped] == ["big"]


def test_a_bulletin_longer_than_its_session_is_skipped_every_time() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 2),))
    result = run(st, [bulletin("long"), bulletin("a")], MON, SUN, durations={"long": 200.0, "a": 30.0})
    assert len(result.programmes) == 7
    for prog in result.programmes:
        assert [i.bulletin_id for i in prog.items] == ["a"]
        (skip,) = prog.skipped
        assert skip.bulletin_id == "long" and "vượt thời lượng tối đa của buổi phát" in skip.reason


def test_overhead_counts_against_the_session_length() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 2),))
    oh = Overhead(opening=6, ident=8, chime=1.5, closing=10, pause=1, closing_jingle=6)
    # opening 6 + ident 8 + (pause, chime, pause) 3.5 before each item + pause 1 + closing 10 + jingle 6
    assert oh.total(1) == 34.5 and oh.total(3) == 34.5 + 2 * 3.5
    result = run(st, [bulletin(x) for x in "abc"], durations={"a": 38.0, "b": 38.0, "c": 38.0}, overhead=oh)
    (prog,) = result.programmes
    assert len(prog.items) == 2  # 34.5 + 3.5 + 76 = 114 <= 120; a third needs 155.5
    assert prog.overhead_seconds == 38.0 and prog.total_seconds == 114.0 <= prog.max_seconds


def test_an_empty_session_is_not_aired_and_the_plan_says_so() -> None:
    result = run(station(), [bulletin("a", repeat=RepeatRule(slots=("sang",)))])
    assert [p.slot_id for p in result.programmes] == ["sang"]
    (empty,) = result.unplanned
    assert (empty.slot_id, empty.output_id) == ("chieu", "main")
    assert empty.reason == "không có bản tin nào để phát; không phát buổi này"


def test_a_session_where_nothing_fits_lists_the_skips() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 1),))
    (empty,) = run(st, [bulletin("a")], durations={"a": 300.0}).unplanned
    assert "không bản tin nào vừa" in empty.reason and empty.skipped[0].bulletin_id == "a"


# --- durations -----------------------------------------------------------------------------------------------


def test_estimates_are_used_and_marked_when_no_audio_exists() -> None:
    text = "Bà con thôn Đông chú ý. " * 10
    result = run(station(), [bulletin("a", text=text), bulletin("b")], durations={"b": 42.0})
    items = {i.bulletin_id: i for i in result.programmes[0].items}
    assert items["a"].estimated and items["a"].duration == estimate_seconds(text)
    assert not items["b"].estimated and items["b"].duration == 42.0


def test_a_recording_without_a_known_duration_is_skipped_with_a_reason() -> None:
    from pathlib import Path

    result = run(station(), [bulletin("rec", text=None, audio=Path("/x/rec.mp3"))], durations={})
    assert "chưa biết thời lượng" in result.unplanned[0].skipped[0].reason


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("", 0.0, 0.0),
        ("một hai ba bốn năm sáu bảy", 2.5, 3.5),  # 7 syllables at 3.5/s + 1 s lead-in
        ("ngày 24/01/2024", 5.0, 7.0),  # digits expand: "ngày hai mươi tư tháng một năm hai nghìn …"
        ("UBND xã", 2.0, 3.0),  # "ủy ban nhân dân xã"
    ],
)
def test_estimate_seconds_expands_digits_and_abbreviations(text: str, low: float, high: float) -> None:
    assert low <= estimate_seconds(text) <= high


def test_estimates_are_conservative_for_a_real_bulletin() -> None:
    text = (
        "Thực hiện Kế hoạch số 09/KH-UBND ngày 24/01/2024 của UBND xã Tiền Phong, "
        "bà con có thể nộp hồ sơ trực tuyến tại Cổng dịch vụ công quốc gia."
    )
    syllables = len(text.split())
    assert estimate_seconds(text) >= syllables / 4.0 + 3  # digits and abbreviations add on top of the words


def test_a_reversed_range_is_an_error_the_officer_understands() -> None:
    with pytest.raises(PlanError, match="trước ngày bắt đầu"):
        make_plan(station(), [], [], SUN, MON)


def test_a_busy_year_keeps_every_rule() -> None:
    """The benchmark commune (20 villages, 3 sessions, 200 bulletins): invariants over a whole year."""
    spec = importlib.util.spec_from_file_location("plan_bench", ROOT / "scripts" / "plan_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    START, year_inputs = bench.START, bench.year_inputs

    st, bs, history, durations = year_inputs()
    end = date(2026, 12, 31)
    result = make_plan(st, bs, history, START, end, durations=durations)
    assert result == make_plan(st, bs, history, START, end, durations=durations)  # deterministic
    by_id = {b.id: b for b in bs}
    per_zone_day: Counter[tuple[str, str, date]] = Counter()
    sessions: Counter[str] = Counter()
    for p in result.programmes:
        assert p.items and p.total_seconds <= p.max_seconds
        assert p.day not in st.days_off
        for i in p.items:
            b = by_id[i.bulletin_id]
            assert b.valid_on(p.day) and i.zones and (not b.zones or i.zones <= set(b.zones))
            assert b.repeat.weekdays is None or p.day.weekday() in b.repeat.weekdays
            assert b.repeat.slots is None or p.slot_id in b.repeat.slots
            sessions[b.id] += 1
            for z in i.zones:
                per_zone_day[(b.id, z, p.day)] += 1
    for (bid, _z, _d), n in per_zone_day.items():
        r = by_id[bid].repeat
        assert r.every_session or n <= r.per_day
    past = Counter(b for b, _key in {(a.bulletin_id, a.session_key) for a in history})  # one per session
    for bid, n in sessions.items():
        limit = by_id[bid].repeat.max_total
        assert limit is None or n + past[bid] <= limit


def test_a_station_without_village_zones_plays_to_every_loudspeaker() -> None:
    result = run(station(zones=()), [bulletin("a"), bulletin("rieng", zones=("dong",))])
    (prog, *_) = result.programmes
    assert [(i.bulletin_id, i.zones) for i in prog.items] == [("a", frozenset())]


def test_a_session_serving_no_known_village_says_so() -> None:
    st = station(slots=(Slot("sang", "Buổi sáng", time(6, 30), 10, zones=("khong-co",)),))
    (u,) = run(st, [bulletin("a")]).unplanned
    assert "không phục vụ thôn nào" in u.reason
