"""`broadcaster build` end to end on a small station: real config, planner, eSpeak NG, ffmpeg."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

# written by other engineers at the same time: skip (not fail) while one of them cannot be imported
for _module in ['broadcaster.build._inputs', 'broadcaster.config', 'broadcaster.speech.render']:
    try:
        importlib.import_module(_module)
    except ImportError as exc:
        pytest.skip(f"build's collaborators not importable yet: {exc}", allow_module_level=True)

from broadcaster.cli import main
from broadcaster.services.approval import migrate_approvals
from tests import factories as make
from tests.audio.conftest import ebur128

STATION_YAML = """\
name: Đài truyền thanh xã Thử
commune: Thử
slots:
  sang: {name: Buổi sáng, start: "06:00", max_minutes: 5}
  chieu: {name: Buổi chiều, start: "17:30", max_minutes: 5}
zones:
  dong: Thôn Đông
  tay: Thôn Tây
speech:
  engines: [espeak]
"""

BULLETINS = {
    "dich-vu-cong": """\
title: Nộp hồ sơ trực tuyến
topic: dich-vu-cong
status: approved
approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã
repeat:
  every_session: true
text: Bà con có thể nộp hồ sơ trên Cổng dịch vụ công quốc gia, không phải đến trụ sở xã.
""",
    "tiem-chung": """\
title: Tiêm chủng thôn Đông
topic: y-te
status: approved
approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã
zones: [dong]
priority: priority
text: Sáng thứ Năm, trạm y tế tiêm chủng cho trẻ em thôn Đông tại nhà văn hóa.
""",
}


@pytest.fixture
def station_dir(tmp_path: Path) -> Path:
    root = make.station_dir(tmp_path, STATION_YAML, BULLETINS)
    migrate_approvals(root)  # approvals bound to the content written above
    return root


def test_build_a_day(station_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    rc = main(["build", "--station", str(station_dir), "--date", "02/03/2026", "-o", str(out)])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert "Ngày 02/03/2026: dựng xong 2/2 chương trình" in printed
    assert "Buổi sáng 06:00" in printed and "WAV (để phát)" in printed
    morning = out / "2026-03-02_sang_main"
    manifest = json.loads((morning / "manifest.json").read_text(encoding="utf-8"))
    bulletins = [i for i in manifest["items"] if i["kind"] == "bulletin"]
    assert [b["bulletin_id"] for b in bulletins] == ["tiem-chung", "dich-vu-cong"]
    assert bulletins[0]["zones"] == ["dong"] and bulletins[0]["content_hash"]
    assert [i["kind"] for i in manifest["items"]][:3] == ["opening", "ident", "chime"]
    for name in ("2026-03-02_sang_main.wav", "2026-03-02_sang_main.mp3"):
        integrated, peak = ebur128(morning / name)  # real eSpeak NG speech through the whole chain
        assert integrated == pytest.approx(-16.0, abs=1.0) and peak <= -1.0
    assert (out / "2026-03-02_chieu_main" / "2026-03-02_chieu_main.m3u8").is_file()


def test_build_one_session_again_uses_the_caches(station_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    args = ["build", "--station", str(station_dir), "--date", "2026-03-02", "--slot", "chieu", "-o",
            str(tmp_path / "out")]
    assert main(args) == 0
    clips = sorted((station_dir.parent / "var" / "cache" / "clips").glob("*.wav"))
    stamps = [c.stat().st_mtime_ns for c in clips]
    assert main(args) == 0
    assert sorted((station_dir.parent / "var" / "cache" / "clips").glob("*.wav")) == clips
    assert [c.stat().st_mtime_ns for c in clips] == stamps
    assert not (tmp_path / "out" / "2026-03-02_sang_main").exists()
    assert "dựng xong 1/1" in capsys.readouterr().out


def test_unknown_session_is_an_error_listing_the_sessions(station_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["build", "--station", str(station_dir), "--date", "2026-03-02", "--slot", "toi", "-o",
               str(tmp_path / "out")])
    assert rc == 1
    err = capsys.readouterr().err
    assert "không có buổi phát 'toi'" in err and "sang (Buổi sáng)" in err


def test_a_day_with_everything_expired_builds_nothing_and_says_so(
    station_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (station_dir / "bulletins").glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8") + "valid_until: 2026-03-01\n", encoding="utf-8")
    rc = main(["build", "--station", str(station_dir), "--date", "2026-03-02", "-o", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert rc == 0
    assert "dựng xong 0/0" in printed and "Không có buổi phát nào trong ngày này" in printed
    assert not (tmp_path / "out").exists()


def test_plan_counts_the_same_seconds_as_the_built_programme(
    station_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_args = ["plan", "--station", str(station_dir), "--from", "2026-03-02", "--to", "2026-03-02", "--json"]
    assert main(plan_args) == 0
    before = capsys.readouterr()
    assert "lời giới thiệu và lời kết buổi phát là ước tính" in before.err  # not yet spoken: said so
    assert "broadcaster " not in before.err  # the desk shows the same warning: an officer runs no commands

    assert main(["build", "--station", str(station_dir), "--date", "2026-03-02", "-o", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(plan_args) == 0
    after = capsys.readouterr()
    assert "ước tính" not in after.err
    sessions = {s["slot"]: s for s in json.loads(after.out)["sessions"]}
    for slot in ("sang", "chieu"):
        manifest = json.loads((tmp_path / "out" / f"2026-03-02_{slot}_main" / "manifest.json").read_text("utf-8"))
        # what the officer is told a session lasts is what the built audio lasts (ident, jingles, chimes
        # included); the plan counts the day's longest ident and closing, so it may be a fraction longer
        planned, built = sessions[slot]["total_seconds"], manifest["totals"]["duration"]
        assert built - 0.05 <= planned <= built + 1.0
        assert [i["bulletin_id"] for i in sessions[slot]["items"]] == [
            i["bulletin_id"] for i in manifest["items"] if i["kind"] == "bulletin"]
        assert not sessions[slot]["estimated"]
