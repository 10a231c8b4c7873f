"""A month of generated airings (test airings, misses, interruptions, emergencies, the fallback voice) and every
figure of the report checked against counts kept while generating them."""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.airlog import AirLog, period_stats
from broadcaster.cli import main
from broadcaster.errors import InputError
from broadcaster.models import Airing, AiringStatus, Priority
from broadcaster.reports import NATION, MOTTO, parse_period, place_and_date
from broadcaster.services.report import make_report, write_report
from tests import factories as make

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ZONES = ("thon-dong", "thon-tay", "thon-bac")
TOPICS = ("papi", "y-te", "dich-vu-cong")
STATION_YAML = """
name: Đài truyền thanh xã Tiền Phong
commune: Tiền Phong
province: Hưng Yên
zones:
  thon-dong: Thôn Đông
  thon-tay: Thôn Tây
  thon-bac: Thôn Bắc
slots:
  sang:
    name: Buổi sáng
    start: "06:30"
    max_minutes: 30
report:
  signer_name: Nguyễn Văn An
"""


@dataclass
class Expected:
    """What the generator did, counted as it did it (not from the log)."""

    planned: int = 0
    aired: int = 0
    interrupted: int = 0
    missed: int = 0
    test: int = 0
    bulletins: int = 0
    topics: Counter[str] = field(default_factory=Counter)
    zone_bulletins: Counter[str] = field(default_factory=Counter)
    zone_seconds: Counter[str] = field(default_factory=Counter)
    spoken: int = 0
    fallback: int = 0
    emergencies: list[datetime] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    test_rows: int = 0


def _row(key: str, n: int, at: datetime, zones: tuple[str, ...], **kw: object) -> Airing:
    base: dict[str, object] = dict(
        session_key=key, output_id="main", zones=zones, bulletin_id=f"tin-{n}", title=f"Bản tin {n}",
        topic=TOPICS[n % 3], priority=Priority.NORMAL, scheduled_at=at, status=AiringStatus.STARTED,
        started_at=at, planned_seconds=60.0, engine="gtts", output_kind="sounddevice",
    )  # fmt: skip
    base.update(kw)
    return Airing(**base)  # type: ignore[arg-type]


def _played(log: AirLog, row: Airing, status: AiringStatus, seconds: float, reason: str = "") -> None:
    row_id = log.start_item(row)
    log.finish_item(row_id, status, row.scheduled_at + timedelta(seconds=seconds), seconds, reason)


def generate(log: AirLog, first: date, days: int, seed: int) -> Expected:
    # long: one generator walks every kind of session the report distinguishes, counting as it goes
    rng, e = random.Random(seed), Expected()
    for d in range(days):
        day = first + timedelta(days=d)
        at = datetime(day.year, day.month, day.day, 6, 30, tzinfo=TZ)
        key = f"{day.isoformat()}/sang/main"
        kind = rng.choice(["aired"] * 5 + ["test", "missed", "interrupted", "replayed"])
        e.planned += 1
        rows = [(n, at + timedelta(minutes=n), (ZONES[n % 3],) if n % 2 else ()) for n in range(3)]
        if kind == "missed":
            e.missed += 1
            e.reasons["đài tắt máy quá giờ cho phép"] += 1
            for n, when, zones in rows:
                log.record(_row(key, n, when, zones, status=AiringStatus.MISSED, started_at=None,
                                reason="đài tắt máy quá giờ cho phép"))
            continue
        if kind == "test":
            e.test += 1
            for n, when, zones in rows:
                _played(log, _row(key, n, when, zones, output_kind="file"), AiringStatus.COMPLETED, 60)
                e.test_rows += 1
            continue
        e.aired += kind in ("aired", "replayed")
        e.interrupted += kind == "interrupted"
        for n, when, zones in rows:
            engine = rng.choice(["gtts", "gtts", "espeak", ""])  # "": recorded audio, no voice
            heard = zones or ZONES
            if n == 1 and kind in ("interrupted", "replayed"):
                _played(log, _row(key, n, when, zones, engine=engine), AiringStatus.INTERRUPTED, 20,
                        "bị tin khẩn cấp cắt ngang")
                e.zone_seconds.update({z: 20 for z in heard})
                if kind == "interrupted":
                    e.reasons["bị tin khẩn cấp cắt ngang"] += 1
                    continue
            _played(log, _row(key, n, when, zones, engine=engine), AiringStatus.COMPLETED, 60)
            e.bulletins += 1
            e.topics[TOPICS[n % 3]] += 1
            e.zone_bulletins.update(heard)
            e.zone_seconds.update({z: 60 for z in heard})
            e.spoken += engine != ""
            e.fallback += engine == "espeak"
        log.record(_row(key, 9, at, (), status=AiringStatus.SKIPPED, started_at=None, reason="không đủ thời lượng"))
        if rng.random() < 0.2:  # an emergency that day, aired twice to Thôn Bắc, and a test one (not counted)
            when = at + timedelta(hours=9, minutes=d)
            for rep, kinds in ((1, "sounddevice"), (2, "sounddevice")):
                _played(log, _row(f"emergency/{d}", 0, when, ("thon-bac",), bulletin_id=None,
                                  title=f"Bão số 5 (lần {rep}/2)", topic="khan-cap", priority=Priority.EMERGENCY,
                                  started_at=when + timedelta(seconds=40 * rep), output_kind=kinds),
                        AiringStatus.COMPLETED, 30)
                e.zone_seconds["thon-bac"] += 30
            e.emergencies.append(when + timedelta(seconds=40))
            _played(log, _row(f"emergency/t{d}", 0, when, (), bulletin_id=None, title="Thử (lần 1/1)",
                              priority=Priority.EMERGENCY, output_kind="null"), AiringStatus.COMPLETED, 30)
            e.test_rows += 1
    return e


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Expected, Expected]:
    root = make.station_dir(tmp_path_factory.mktemp("station"), STATION_YAML)
    with AirLog(root.parent / "var" / "broadcaster.sqlite3") as log:
        before = generate(log, date(2026, 10, 1), 31, seed=1)
        now = generate(log, date(2026, 11, 1), 30, seed=2)
        generate(log, date(2026, 12, 1), 5, seed=3)  # after the period: never counted
    return root, now, before


def test_every_figure_matches_what_was_generated(month: tuple[Path, Expected, Expected]) -> None:
    root, e, before = month
    report = make_report(root, today=date(2026, 12, 1), month="2026-11")
    s = report.stats
    assert (s.sessions_planned, s.sessions_aired, s.sessions_interrupted, s.sessions_missed, s.sessions_test) == (
        e.planned, e.aired, e.interrupted, e.missed, e.test)
    assert s.sessions_planned == 30 and e.test > 0 and e.missed > 0 and e.interrupted > 0
    assert dict(s.reasons) == dict(e.reasons)
    assert s.bulletins_aired == e.bulletins and dict(s.by_topic) == dict(e.topics)
    assert {z: n for z, n, _ in s.by_zone} == {z: e.zone_bulletins[z] for z in ZONES}
    assert {z: secs for z, _, secs in s.by_zone} == {z: float(e.zone_seconds[z]) for z in ZONES}
    assert [em.started_at for em in s.emergencies] == e.emergencies and e.emergencies
    assert all(em.times_aired == 2 and em.title == "Bão số 5" for em in s.emergencies)
    assert (s.spoken_airings, s.fallback_airings) == (e.spoken, e.fallback) and e.fallback > 0
    assert s.test_airings == e.test_rows
    p = report.previous
    assert (p.start, p.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert (p.sessions_planned, p.sessions_aired, p.bulletins_aired) == (31, before.aired, before.bulletins)
    assert report.head.rows == report.head.chained > 0 and len(report.head.head_hash) == 64


def test_html_is_an_administrative_report(month: tuple[Path, Expected, Expected], tmp_path: Path) -> None:
    root, e, _ = month
    report = make_report(root, today=date(2026, 12, 1), month="11/2026")
    target = tmp_path / "bao-cao.html"
    assert write_report(report, target) == "html"
    html = target.read_text("utf-8")
    text = re.sub(r"<[^>]+>", "\n", html)
    for line in (NATION, MOTTO, "ỦY BAN NHÂN DÂN XÃ TIỀN PHONG", "Số:       /BC-UBND",
                 "Tiền Phong, ngày 01 tháng 12 năm 2026", "BÁO CÁO",
                 "Kết quả hoạt động của đài truyền thanh xã Tiền Phong tháng 11 năm 2026", "Nơi nhận:",
                 "- Sở Văn hóa, Thể thao và Du lịch tỉnh Hưng Yên;", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN",
                 "CHỦ TỊCH", "Nguyễn Văn An", report.head.head_hash):
        assert line in text, line
    assert html.count("<svg") == 1 and html.count("<rect") == len(ZONES)
    cells = re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">([^<]+)</td>", html)
    assert ("Buổi phát theo kế hoạch", "30") in cells and ("Đã phát đủ", str(e.aired)) in cells
    assert ("Chạy thử (không tính là đã phát)", str(e.test)) in cells


def test_csv_for_excel(month: tuple[Path, Expected, Expected], tmp_path: Path) -> None:
    root, e, _ = month
    target = tmp_path / "bao-cao.csv"
    write_report(make_report(root, today=date(2026, 12, 1), quarter="2026-Q4"), target, sep=";")
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert ["Kết quả hoạt động của đài truyền thanh xã Tiền Phong quý IV năm 2026"] in rows
    topics = rows.index(["3. Bản tin đã phát theo chủ đề"])
    assert rows[topics + 1] == ["Chủ đề", "Lượt phát"]


def test_cli_report(month: tuple[Path, Expected, Expected], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, _, _ = month
    assert main(["report", "--station", str(root), "--month", "2026-11", "-o", str(tmp_path / "r.html")]) == 0
    assert "Đã ghi báo cáo tháng 11 năm 2026" in capsys.readouterr().out
    assert main(["report", "--station", str(root), "--from", "01/11/2026", "--to", "2026-11-15"]) == 0
    out = capsys.readouterr().out
    assert "từ ngày 01/11/2026 đến ngày 15/11/2026" in out and "Mã cuối chuỗi:" in out
    assert main(["report", "--station", str(root), "--month", "2026-11", "-o", str(tmp_path / "r.doc")]) == 1
    assert ".doc" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "start", "end", "previous"), [
    ({"month": "2026-01"}, date(2026, 1, 1), date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
    ({"quarter": "2026-Q1"}, date(2026, 1, 1), date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
    ({"quarter": "Q4/2026"}, date(2026, 10, 1), date(2026, 12, 31), (date(2026, 7, 1), date(2026, 9, 30))),
    ({"start": "2026-11-10", "end": "2026-11-19"}, date(2026, 11, 10), date(2026, 11, 19),
     (date(2026, 10, 31), date(2026, 11, 9))),
])  # fmt: skip
def test_periods(args: dict[str, str], start: date, end: date, previous: tuple[date, date]) -> None:
    period = parse_period(**args)
    assert (period.start, period.end) == (start, end)
    assert (period.previous().start, period.previous().end) == previous


@pytest.mark.parametrize("args", [{}, {"month": "2026-13"}, {"quarter": "2026-Q5"}, {"start": "2026-11-01"},
                                  {"month": "2026-11", "quarter": "2026-Q4"}])
def test_bad_periods_are_refused_in_vietnamese(args: dict[str, str]) -> None:
    with pytest.raises(InputError):
        parse_period(**args)


def test_place_and_date_follow_decree_30() -> None:
    assert place_and_date("Tiền Phong", date(2026, 2, 5)) == "Tiền Phong, ngày 05 tháng 02 năm 2026"
    assert place_and_date("Tiền Phong", date(2026, 11, 30)) == "Tiền Phong, ngày 30 tháng 11 năm 2026"


def test_a_test_airing_never_counts_as_aired(tmp_path: Path) -> None:
    with AirLog(tmp_path / "l.sqlite3") as log:
        at = datetime(2026, 11, 2, 6, 30, tzinfo=TZ)
        _played(log, _row("2026-11-02/sang/main", 0, at, (), output_kind="file"), AiringStatus.COMPLETED, 60)
        s = period_stats(log, date(2026, 11, 1), date(2026, 11, 30), zones=ZONES, primary_engine="gtts")
    assert (s.sessions_aired, s.sessions_test, s.bulletins_aired, s.seconds_on_air, s.test_airings) == (0, 1, 0, 0, 1)
