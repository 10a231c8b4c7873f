"""Retention and the disk budget: archived days older than `archive.retention_days` are deleted; beyond
`archive.max_mb` the oldest days go first, never today's or tomorrow's. A warning from 80 % of the budget. What
was found is written to `<state_dir>/archive-status.json` for `broadcaster status` and the desk.

The budget counts the archive and the `file` output's copies in the default `<state_dir>/aired/` (a trial
station's "airings"): both are what the station keeps of what aired. A `directory:` the officer chose elsewhere is
theirs and never touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.airlog import AirLog
from broadcaster.archive._store import ARCHIVE_DIR
from broadcaster.models import Station
from broadcaster.words import fmt_date

__all__ = ["STATUS_FILE", "WARN_FRACTION", "ArchiveUsage", "prune", "read_archive_status"]

STATUS_FILE = "archive-status.json"
WARN_FRACTION = 0.8
MB = 1024 * 1024
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class ArchiveUsage:
    """The archive after a pruning pass: bytes used and allowed, the days kept, what was deleted, the warning."""

    used_bytes: int
    budget_bytes: int
    oldest_day: str | None
    pruned_days: tuple[str, ...] = ()
    warning: str = ""  # Vietnamese; empty when below 80 % of the budget
    checked_at: str = ""
    days: dict[str, int] = field(default_factory=dict)  # day -> bytes

    @property
    def percent(self) -> float:
        return 100.0 * self.used_bytes / self.budget_bytes if self.budget_bytes else 0.0


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _holdings(station: Station) -> dict[str, list[Path]]:
    """Day (YYYY-MM-DD) -> what the station keeps of it: the archive's day directory, the default aired copies."""
    out: dict[str, list[Path]] = defaultdict(list)
    archive = Path(station.state_dir) / ARCHIVE_DIR
    if archive.is_dir():
        for d in archive.iterdir():
            if d.is_dir() and _DAY.match(d.name):
                out[d.name].append(d)
    aired = Path(station.state_dir) / "aired"
    if aired.is_dir():
        for f in aired.iterdir():
            m = _DAY.match(f.name)
            if m and f.is_file():
                out[m.group(1)].append(f)
    return out


def _delete(paths: list[Path]) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def prune(station: Station, now: datetime) -> ArchiveUsage:
    """Apply retention and the disk budget now; write and return what the archive holds afterwards."""
    settings = station.archive
    today = now.date()
    protected = {today.isoformat(), (today + timedelta(days=1)).isoformat()}
    holdings = _holdings(station)
    sizes = {day: sum(_size(p) for p in paths) for day, paths in holdings.items()}
    budget = int(settings.max_mb * MB)
    oldest_kept = (today - timedelta(days=settings.retention_days - 1)).isoformat()
    pruned = [d for d in sorted(holdings) if d < oldest_kept]
    used = sum(size for day, size in sizes.items() if day not in pruned)
    for day in sorted(d for d in holdings if d not in pruned and d not in protected):
        if used <= budget:
            break
        pruned.append(day)
        used -= sizes[day]
    for day in pruned:
        _delete(holdings[day])
    _mark(station, [p for day in pruned for p in holdings[day]], now)
    kept = {day: size for day, size in sizes.items() if day not in pruned}
    usage = ArchiveUsage(used, budget, min(kept) if kept else None, tuple(pruned),
                         _warning(used, budget, pruned, oldest_kept), now.isoformat(), kept)
    _write(station, usage)
    return usage


def _mark(station: Station, deleted: list[Path], now: datetime) -> None:
    files = [p for p in deleted if p.parent.parent.name == ARCHIVE_DIR or p.parent.name == ARCHIVE_DIR]
    if not files or not station.database.exists():
        return
    rels = [f.relative_to(station.state_dir).as_posix() for f in files]
    with AirLog(station.database, tz=station.timezone) as db:
        prefixes = tuple(r.rstrip("/") + "/" for r in rels)
        paths = [link.path for link in db.audio_links()
                 if link.pruned_at is None and (link.path in rels or link.path.startswith(prefixes))]
        db.mark_pruned(paths, now)


def _mb(size: float) -> str:
    """Megabytes as the officer reads them: 1.234 MB (Vietnamese thousands separator)."""
    return f"{size / MB:,.0f}".replace(",", ".") + " MB"


def _warning(used: int, budget: int, pruned: list[str], oldest_kept: str) -> str:
    percent = 100.0 * used / budget if budget else 0.0
    parts = []
    budget_pruned = [d for d in pruned if d >= oldest_kept]
    if budget_pruned:
        parts.append(f"đã xoá âm thanh lưu trữ của {len(budget_pruned)} ngày cũ nhất (đến hết ngày "
                     f"{fmt_date(date.fromisoformat(max(budget_pruned)))}) để không vượt {_mb(budget)}")
    if used > budget:
        parts.append(f"kho lưu âm thanh dùng {_mb(used)}, vượt giới hạn {_mb(budget)} (chỉ còn âm "
                     "thanh hôm nay và ngày mai, không được xoá): tăng archive.max_mb hoặc giải phóng ổ đĩa")
    elif percent >= WARN_FRACTION * 100:
        parts.append(f"kho lưu âm thanh đã dùng {_mb(used)} / {_mb(budget)} ({percent:.0f} %): "
                     "sắp đầy, khi vượt sẽ xoá những ngày cũ nhất; tăng archive.max_mb nếu cần giữ lâu hơn")
    return "; ".join(parts)


def _write(station: Station, usage: ArchiveUsage) -> None:
    path = Path(station.state_dir) / STATUS_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(asdict(usage), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a full disk must not stop the station; the next pass writes it again
        tmp.unlink(missing_ok=True)


def read_archive_status(station: Station) -> dict[str, Any] | None:
    """The last `ArchiveUsage` the station wrote (as a dict); None when there is none."""
    try:
        data = json.loads((Path(station.state_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
