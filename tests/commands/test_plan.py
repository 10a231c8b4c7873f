"""`broadcaster plan` in-process, on a small station written to disk and on the bundled sample commune."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

config = pytest.importorskip("broadcaster.config")

from broadcaster.cli import main  # noqa: E402
from broadcaster.services.approval import migrate_approvals  # noqa: E402
from tests import factories as make  # noqa: E402

STATION_YAML = """\
name: Đài truyền thanh xã Thử
commune: Thử
zones:
  dong: Thôn Đông
  tay: Thôn Tây
  nam: Thôn Nam
slots:
  sang:
    name: Buổi sáng
    start: "06:30"
    max_minutes: 4
  chieu:
    name: Buổi chiều
    start: "17:00"
    max_minutes: 4
days_off: [2026-03-04]
speech:
  engines: [espeak]
"""

BULLETINS = {
    "papi": """\
title: Giới thiệu chỉ số PAPI
topic: papi
status: approved
approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã
text: Chỉ số PAPI phản ánh trải nghiệm của người dân về chính quyền. Bà con hãy tham gia khảo sát khi được mời.
""",
    "thon-dong-hop": """\
title: Họp thôn Đông
topic: thong-bao
status: approved
approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã
zones: [dong]
priority: priority
text: Tối nay lúc 19 giờ 30, thôn Đông họp tại nhà văn hóa.
""",
    "nhap": """\
title: Bản nháp
topic: thu
text: Chưa duyệt.
""",
}


@pytest.fixture
def station_dir(tmp_path: Path) -> Path:
    root = make.station_dir(tmp_path, STATION_YAML, BULLETINS)
    migrate_approvals(root)  # approvals bound to the content written above
    return root


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["plan", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_table_for_a_few_days(station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["plan", "--station", str(station_dir), "--from", "02/03/2026", "--to", "2026-03-04"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Thứ Hai, 02/03/2026" in out and "06:30 Buổi sáng" in out
    assert "[ưu tiên] Họp thôn Đông" in out and "— Thôn Đông" in out and "(ước tính)" in out
    assert "Buổi sáng: không phát — ngày nghỉ" in out
    assert "Bản nháp (nhap): chưa được duyệt" in out
    assert not (station_dir.parent / "var" / "broadcaster.sqlite3").exists()  # planning creates no log


def test_json_and_zone_filter(station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = plan_json(capsys, "--station", str(station_dir), "--from", "2026-03-02", "--to", "2026-03-02")
    assert doc["schema_version"] == 1 and doc["from"] == doc["to"] == "2026-03-02"
    morning = doc["sessions"][0]
    assert [i["bulletin_id"] for i in morning["items"]] == ["thon-dong-hop", "papi"]
    assert morning["total_seconds"] <= morning["max_seconds"] == 240
    tay = plan_json(capsys, "--station", str(station_dir), "--from", "2026-03-02", "--to", "2026-03-02",
                    "--zone", "Thôn Tây")
    assert [i["bulletin_id"] for s in tay["sessions"] for i in s["items"]] == ["papi"]


def test_default_range_is_a_week_from_today_in_the_station_timezone(
    station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    doc = plan_json(capsys, "--station", str(station_dir))
    after = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    start = datetime.fromisoformat(doc["from"]).date()
    assert start in (before, after)
    assert doc["to"] == (start + timedelta(days=6)).isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "31/02/2026"], "lỗi: ngày bắt đầu (--from) '31/02/2026' không có thật"),
        (["--from", "mai"], "không đúng dạng: viết NNNN-TT-NN"),
        (["--from", "2026-03-08", "--to", "2026-03-02"], "trước ngày bắt đầu"),
        (["--from", "2026-03-02", "--zone", "bac"], "không có thôn 'bac'"),
    ],
)
def test_mistakes_are_explained(
    station_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["plan", "--station", str(station_dir), *args]) == 1
    assert message in capsys.readouterr().err


def test_a_broken_bulletin_is_a_warning_and_the_others_are_planned(
    station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (station_dir / "bulletins" / "hong.yaml").write_text("title: [không đóng\n", encoding="utf-8")
    doc = plan_json(capsys, "--station", str(station_dir), "--from", "2026-03-02", "--to", "2026-03-02")
    assert "papi" in [i["bulletin_id"] for i in doc["sessions"][0]["items"]]
    assert any("hong.yaml" in w for w in doc["warnings"])


def test_the_airing_log_history_drives_rotation_and_max_total(
    station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    airlog = pytest.importorskip("broadcaster.airlog")
    from broadcaster.models import Airing, AiringStatus, Priority

    station = config.load_station(station_dir)
    station.database.parent.mkdir(parents=True, exist_ok=True)
    log = airlog.AirLog(station.database)
    tz = ZoneInfo(station.timezone)
    log.record(Airing(
        session_key="2026-03-01/sang/main", output_id="main", zones=("dong", "tay", "nam"), bulletin_id="papi",
        title="Giới thiệu chỉ số PAPI", topic="papi", priority=Priority.NORMAL,
        scheduled_at=datetime(2026, 3, 1, 6, 30, tzinfo=tz), status=AiringStatus.COMPLETED,
    ))
    close = getattr(log, "close", None)
    if callable(close):
        close()
    (station_dir / "bulletins" / "papi.yaml").write_text(
        BULLETINS["papi"] + "repeat:\n  max_total: 1\n", encoding="utf-8"
    )
    migrate_approvals(station_dir)  # the new repeat rule is approved too
    doc = plan_json(capsys, "--station", str(station_dir), "--from", "2026-03-02", "--to", "2026-03-03")
    assert "papi" not in [i["bulletin_id"] for s in doc["sessions"] for i in s["items"]]
    assert any(e["bulletin_id"] == "papi" and "đã phát đủ 1 lần" in e["reason"] for e in doc["excluded"])


def test_the_sample_commune_week(sample_station_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not (sample_station_dir / "station.yaml").exists():
        pytest.skip("the sample commune (schedules/station.yaml) is not there yet")
    station = config.load_station(sample_station_dir)
    bulletins, _problems = config.load_bulletins(station)
    approved = [b for b in bulletins if b.approved and b.priority.value != "emergency"]
    if not approved:
        pytest.skip("the sample commune has no approved bulletin yet")
    start = next((b.valid_from for b in approved if b.valid_from), None) or date(2026, 3, 2)
    doc = plan_json(capsys, "--station", str(sample_station_dir), "--from", start.isoformat())
    aired = [s for s in doc["sessions"] if s["airs"]]
    assert aired, "the sample commune airs something in a week"
    for s in aired:
        assert s["items"] and s["total_seconds"] <= s["max_seconds"]
    assert main(["plan", "--station", str(sample_station_dir), "--from", start.isoformat()]) == 0
    assert "Tổng cộng:" in capsys.readouterr().out


def test_sessions_already_past_are_shown_from_the_airing_log(
    station_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Yesterday is always past: its morning, logged as aired, reads 'đã phát' with what aired; its afternoon,
    logged missed, reads 'bị lỡ' with the reason; neither is listed as if it were still to come."""
    airlog = pytest.importorskip("broadcaster.airlog")
    from broadcaster.models import Airing, AiringStatus, Priority

    station = config.load_station(station_dir)
    tz = ZoneInfo(station.timezone)
    day = datetime.now(tz).date() - timedelta(days=1)
    if day.isoformat() == "2026-03-04":
        day -= timedelta(days=1)  # the day off of STATION_YAML
    with airlog.AirLog(station.database, tz=tz) as log:
        for slot, hour, status in (("sang", 6, AiringStatus.COMPLETED), ("chieu", 17, AiringStatus.MISSED)):
            at = datetime(day.year, day.month, day.day, hour, 30 if hour == 6 else 0, tzinfo=tz)
            log.record(Airing(
                session_key=f"{day.isoformat()}/{slot}/main", output_id="main", zones=("dong", "tay", "nam"),
                bulletin_id="papi", title="Giới thiệu chỉ số PAPI", topic="papi", priority=Priority.NORMAL,
                scheduled_at=at, status=status, started_at=at if status is AiringStatus.COMPLETED else None,
                played_seconds=12.0 if status is AiringStatus.COMPLETED else 0.0,
                reason="" if status is AiringStatus.COMPLETED else "đài không chạy lúc đến giờ phát",
            ))
    assert main(["plan", "--station", str(station_dir), "--from", day.isoformat(), "--to", day.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "06:30 Buổi sáng: đã phát" in out and "Giới thiệu chỉ số PAPI  0:12 — toàn xã — đã phát" in out
    assert "17:00 Buổi chiều: bị lỡ" in out and "(đài không chạy lúc đến giờ phát)" in out
    assert "/ tối đa" not in out  # nothing shown as a session still to come
    doc = plan_json(capsys, "--station", str(station_dir), "--from", day.isoformat(), "--to", day.isoformat())
    assert [(s["slot"], s["state"]) for s in doc["sessions"]] == [("sang", "aired"), ("chieu", "missed")]
