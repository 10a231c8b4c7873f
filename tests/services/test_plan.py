"""The officer's plan table and the stable JSON, from a station built in code (no config files needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from broadcaster.build import StationPlan, plan_loaded
from broadcaster.config import parse_day, resolve_zone
from broadcaster.errors import InputError
from broadcaster.models import Priority, Slot, Station, Status
from broadcaster.services.plan import SCHEMA_VERSION, default_range, format_plan, plan_json
from tests.factories import bulletin, station

MON = date(2026, 3, 2)  # a Monday
WED = date(2026, 3, 4)


def make(tmp_path: Path) -> tuple[Station, list]:  # type: ignore[type-arg]
    st = station(
        state_dir=tmp_path / "var",
        days_off=(date(2026, 3, 3),),
        slots=(
            Slot("sang", "Buổi sáng", time(6, 30), 4),
            Slot("chieu", "Buổi chiều", time(17, 0), 4),
            Slot("dem", "Buổi đêm", time(22, 0), 10),
        ),
    )
    bs = [
        bulletin("papi", title="Giới thiệu chỉ số PAPI", text="Chỉ số PAPI phản ánh trải nghiệm của người dân. " * 6),
        bulletin("hop", title="Họp thôn Đông", zones=("dong",), priority=Priority.PRIORITY, text="Tối nay họp thôn lúc 19 giờ 30."),
        bulletin("dai", title="Bản tin rất dài", text="bà con " * 800),
        bulletin("cu", title="Tin cũ", valid_until=date(2026, 1, 1)),
        bulletin("nhap", title="Bản nháp", status=Status.DRAFT),
    ]
    return st, bs


@pytest.fixture
def sp(tmp_path: Path) -> StationPlan:
    st, bs = make(tmp_path)
    return plan_loaded(st, bs, MON, WED)


def test_the_table_tells_the_officer_what_airs_where_and_why_not(sp: StationPlan) -> None:
    text = "\n".join(format_plan(sp))
    assert "Từ Thứ Hai 02/03/2026 đến Thứ Tư 04/03/2026" in text
    assert "Thứ Hai, 02/03/2026" in text
    assert "06:30 Buổi sáng — 1:15 (ước tính) / tối đa 4:00" in text
    assert "1. [ưu tiên] Họp thôn Đông  0:07 (ước tính) — Thôn Đông" in text
    assert "2. Giới thiệu chỉ số PAPI   0:30 (ước tính) — toàn xã" in text
    assert "bỏ qua: Bản tin rất dài — bản tin dài 534 giây, vượt thời lượng tối đa" in text
    assert "17:00 Buổi chiều: không phát — không bản tin nào vừa thời lượng buổi phát" in text
    assert "22:00 Buổi đêm: không phát — buổi phát lúc 22:00 nằm ngoài khung giờ phát thanh" in text
    assert "06:30 Buổi sáng: không phát — ngày nghỉ" in text
    assert "Tin cũ (cu): đã hết hiệu lực từ sau ngày 01/01/2026" in text
    assert "Bản nháp (nhap): chưa được duyệt" in text
    assert "Tổng cộng: 2 buổi phát, 4 lượt bản tin, 2:29." in text


def test_planning_never_creates_the_airing_log(sp: StationPlan) -> None:
    assert not sp.station.database.exists() and not sp.station.state_dir.exists()


def test_json_is_stable_iso_dates_seconds_and_a_schema_version(sp: StationPlan) -> None:
    doc = plan_json(sp)
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert set(doc) == {"schema_version", "station", "from", "to", "zone", "overhead", "sessions", "excluded",
                        "warnings", "totals"}
    assert (doc["from"], doc["to"], doc["zone"]) == ("2026-03-02", "2026-03-04", None)
    first = doc["sessions"][0]
    assert set(first) == {"key", "date", "weekday", "slot", "slot_name", "time", "start", "output", "airs", "reason",
                          "max_seconds", "overhead_seconds", "total_seconds", "estimated", "relay", "items", "skipped"}
    assert first["start"] == "2026-03-02T06:30:00+07:00" and first["key"] == "2026-03-02/sang/main"
    assert set(first["items"][0]) == {"position", "bulletin_id", "title", "priority", "zones", "zone_names",
                                      "duration_seconds", "estimated", "content_hash"}
    assert first["items"][0]["zones"] == ["dong"] and first["items"][0]["zone_names"] == ["Thôn Đông"]
    assert first["total_seconds"] == pytest.approx(first["overhead_seconds"] + sum(
        i["duration_seconds"] for i in first["items"]))
    assert [s["airs"] for s in doc["sessions"]] == [True, False, False, False, False, False, True, False, False]
    assert doc["totals"] == {"sessions": 2, "items": 4, "seconds": pytest.approx(148.4), "estimated_items": 4}


def test_zone_filter_keeps_what_reaches_the_village(sp: StationPlan) -> None:
    tay = resolve_zone(sp.station, "thôn tây")  # by name, any case
    doc = plan_json(sp, tay)
    items = [i["bulletin_id"] for s in doc["sessions"] for i in s["items"]]
    assert items == ["papi", "papi"]  # Thôn Tây has nothing of its own: only the common bulletin
    assert doc["zone"] == {"id": "tay", "name": "Thôn Tây"}
    assert "chỉ những gì phát tới Thôn Tây" in "\n".join(format_plan(sp, tay))
    dong = plan_json(sp, resolve_zone(sp.station, "dong"))
    assert [i["bulletin_id"] for i in dong["sessions"][0]["items"]] == ["hop", "papi"]


def test_an_unknown_village_lists_the_known_ones(sp: StationPlan) -> None:
    with pytest.raises(InputError, match=r"không có thôn 'bac'.*dong \(Thôn Đông\)"):
        resolve_zone(sp.station, "bac")


def test_a_village_served_by_no_session_sees_no_session(tmp_path: Path) -> None:
    st, bs = make(tmp_path)
    st = replace(st, slots=(Slot("sang", "Buổi sáng", time(6, 30), 4, zones=("dong",)),))
    doc = plan_json(plan_loaded(st, bs, MON, MON), resolve_zone(st, "nam"))
    assert doc["sessions"] == [] and doc["totals"]["sessions"] == 0


def test_multiple_outputs_are_labelled_in_the_table(tmp_path: Path) -> None:
    from broadcaster.models import OutputConfig, Zone

    st, bs = make(tmp_path)
    st = replace(st, outputs=(OutputConfig("main"), OutputConfig("bac")),
                 zones=(*st.zones, Zone("bac1", "Xóm Bắc", output="bac")))
    text = "\n".join(format_plan(plan_loaded(st, bs, MON, MON)))
    assert "06:30 Buổi sáng — đầu ra main" in text and "06:30 Buổi sáng — đầu ra bac" in text


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-02", date(2026, 3, 2)), ("02/03/2026", date(2026, 3, 2)), ("2/3/2026", date(2026, 3, 2)),
])
def test_dates_in_both_forms(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("31/02/2026", "không có thật"), ("mai", "không đúng dạng"), ("2026/03/02", "không đúng dạng"),
])
def test_bad_dates_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_day(text, "ngày bắt đầu (--from)")


def test_default_range_is_a_week() -> None:
    assert default_range(MON, None, None) == (MON, date(2026, 3, 8))
    assert default_range(MON, WED, None) == (WED, date(2026, 3, 10))


def test_rendered_audio_gives_the_real_duration_and_the_rest_is_estimated(tmp_path: Path) -> None:
    """Real eSpeak NG renders one bulletin; the plan uses its duration and marks only the other as estimated."""
    render = pytest.importorskip("broadcaster.speech.render")
    from broadcaster.models import SpeechSettings

    st = station(state_dir=tmp_path / "var", root=tmp_path / "schedules", speech=SpeechSettings(engines=("espeak",)))
    spoken = bulletin("papi", text="Chỉ số PAPI phản ánh trải nghiệm của người dân, ngày 24/01/2024.")
    unrendered = bulletin("moi", text="Bản tin mới chưa có giọng đọc.")
    summary = render.render_bulletins(st, [spoken])
    (done,) = summary.results
    assert done.render is not None, done.reason
    sp = plan_loaded(st, [spoken, unrendered], MON, MON)
    items = {i.bulletin_id: i for i in sp.result.programmes[0].items}
    assert not items["papi"].estimated and items["papi"].duration == pytest.approx(done.render.duration)
    assert items["moi"].estimated
    assert items["papi"].content_hash == render.content_hash(spoken)
    # the estimate errs long: planning on it never overruns once rendered
    from broadcaster.plan import estimate_seconds

    assert estimate_seconds(spoken.text or "") >= done.render.duration
