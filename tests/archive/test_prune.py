"""Retention and the disk budget over what the station keeps of what aired: the archive's day directories and the
`file` output's dry-run copies in the default `<state_dir>/aired/`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.archive import MB, prune, read_archive_status
from broadcaster.models import ArchiveSettings, OutputConfig
from tests import factories as make

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _fill(var: Path, days: list[str], size: int) -> None:
    for day in days:
        (var / "archive" / day).mkdir(parents=True, exist_ok=True)
        (var / "archive" / day / "sang-main.mp3").write_bytes(b"\0" * size)
        (var / "aired").mkdir(parents=True, exist_ok=True)
        (var / "aired" / f"{day}T06-30-00_tin_dong.wav").write_bytes(b"\0" * size)
        (var / "aired" / f"{day}T06-30-00_tin_dong.json").write_text("")


def test_retention_then_budget_oldest_first_counting_the_dry_run_copies(tmp_path: Path) -> None:
    days = [f"2026-11-{d:02d}" for d in range(20, 31)] + ["2026-12-01"]  # ... today, tomorrow
    station = make.station(tmp_path, archive=ArchiveSettings(retention_days=8, max_mb=10 * 0.1))
    _fill(tmp_path / "var", days, int(0.1 * MB))
    usage = prune(station, NOW)
    # retention: 23/11 .. 30/11 (8 days) and tomorrow; budget 1 MB = 5 days of 0.2 MB: the oldest go
    assert sorted(usage.days) == ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"]
    assert usage.used_bytes <= usage.budget_bytes
    assert sorted(p.name for p in (tmp_path / "var" / "archive").iterdir()) == sorted(usage.days)
    assert {p.name[:10] for p in (tmp_path / "var" / "aired").iterdir()} == set(usage.days)
    assert "đã xoá âm thanh lưu trữ của 4 ngày cũ nhất (đến hết ngày 26/11/2026)" in usage.warning
    assert read_archive_status(station)["pruned_days"] == [f"2026-11-{d}" for d in range(20, 27)]


def test_a_warning_from_80_percent_and_nothing_deleted_below_the_budget(tmp_path: Path) -> None:
    station = make.station(tmp_path, archive=ArchiveSettings(retention_days=90, max_mb=1.0))
    _fill(tmp_path / "var", ["2026-11-28", "2026-11-29"], int(0.21 * MB))
    usage = prune(station, NOW)
    assert len(usage.days) == 2 and not usage.pruned_days
    assert "sắp đầy" in usage.warning and "(84 %)" in usage.warning
    quiet = prune(make.station(tmp_path, archive=ArchiveSettings(retention_days=90, max_mb=2.0)), NOW)
    assert quiet.warning == ""


def test_a_directory_the_officer_chose_is_never_touched(tmp_path: Path) -> None:
    mine = tmp_path / "ban-thu"
    mine.mkdir()
    (mine / "2026-01-01T06-30-00_tin.wav").write_bytes(b"\0" * 1000)
    station = make.station(tmp_path, archive=ArchiveSettings(retention_days=1, max_mb=0.0001),
                           outputs=(OutputConfig(kind="file", directory=str(mine)),))
    prune(station, NOW)
    assert (mine / "2026-01-01T06-30-00_tin.wav").exists()
