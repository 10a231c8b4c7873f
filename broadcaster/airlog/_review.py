"""The airing log as the officer and the level above read it: an aligned table, CSV for Excel, JSON for programs.

Shared by `broadcaster log`, the web desk and the reports, so every view names statuses and durations alike
(`broadcaster.words`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from broadcaster.models import Airing, Station
from broadcaster.words import PRIORITY_LABELS, airing_label, fmt_duration

__all__ = ["CSV_HEADERS", "FORMATS", "TABLE_HEADERS", "csv_values", "export", "format_csv", "format_json", "format_table"]

CSV_HEADERS = (
    "Số", "Buổi phát", "Đầu ra", "Loại đầu ra", "Thôn", "Mã bản tin", "Tiêu đề", "Chủ đề", "Mức ưu tiên", "Giờ dự kiến",
    "Bắt đầu", "Kết thúc", "Thời lượng dự kiến (giây)", "Đã phát (giây)", "Trạng thái", "Lý do", "Công cụ đọc",
    "Giọng đọc", "Mã nội dung", "Mã âm thanh",
)  # fmt: skip
TABLE_HEADERS = (
    "Số",
    "Giờ dự kiến",
    "Bắt đầu",
    "Kết thúc",
    "Thôn",
    "Bản tin",
    "Trạng thái",
    "Đã phát",
    "Lý do",
)


_STAMP = "%Y-%m-%d %H:%M:%S"


def _clock(value: Any, fmt: str) -> str:
    if value is None:
        return ""
    if fmt == _STAMP:  # the CSV's stamp, 3 a row: isoformat is several times faster than strftime
        return value.isoformat(" ", "seconds")[:19]
    return value.strftime(fmt)


def _zone_names(row: Airing, station: Station) -> str:
    names = {z.id: z.name for z in station.zones}
    return ", ".join(names.get(z, z) for z in row.zones) or "tất cả"


def format_table(rows: list[Airing], station: Station) -> str:
    if not rows:
        return "Không có lượt phát nào khớp điều kiện lọc.\n"
    lines = [
        (
            str(r.id),
            _clock(r.scheduled_at, "%d/%m/%Y %H:%M"),
            _clock(r.started_at, "%H:%M:%S"),
            _clock(r.ended_at, "%H:%M:%S"),
            _zone_names(r, station),
            _cut(r.title or r.bulletin_id or "", 40),
            airing_label(r.status, r.is_test),
            f"{fmt_duration(r.played_seconds)}/{fmt_duration(r.planned_seconds)}",
            _cut(r.reason, 50),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(TABLE_HEADERS)]
    out = ["  ".join(h.ljust(w) for h, w in zip(TABLE_HEADERS, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    counts: dict[str, int] = {}
    for r in rows:
        label = airing_label(r.status, r.is_test)
        counts[label] = counts.get(label, 0) + 1
    out.append(f"Tổng: {len(rows)} lượt (" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")")
    return "\n".join(out) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def csv_values(r: Airing, station: Station) -> tuple[Any, ...]:
    """One row's cells under `CSV_HEADERS` (the CSV and the desk's XLSX download share them)."""
    stamp = _STAMP
    return (
        r.id, r.session_key, r.output_id, r.output_kind, _zone_names(r, station), r.bulletin_id or "", r.title, r.topic,
        PRIORITY_LABELS[r.priority], _clock(r.scheduled_at, stamp), _clock(r.started_at, stamp),
        _clock(r.ended_at, stamp), f"{r.planned_seconds:.1f}", f"{r.played_seconds:.1f}",
        airing_label(r.status, r.is_test), r.reason, r.engine, r.voice, r.content_hash, r.audio_hash,
    )  # fmt: skip


def format_csv(rows: list[Airing], station: Station, *, sep: str = ",") -> str:
    """CSV for Excel; `sep=";"` for an Excel set to Vietnamese (its list separator is ';'). The caller adds the
    UTF-8 BOM Excel needs to read the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    writer.writerows(csv_values(r, station) for r in rows)
    return buffer.getvalue()


def format_json(rows: list[Airing], station: Station) -> str:
    def one(r: Airing) -> dict[str, Any]:
        return {
            "id": r.id, "session_key": r.session_key, "output": r.output_id, "output_kind": r.output_kind,
            "test": r.is_test, "zones": list(r.zones),
            "bulletin_id": r.bulletin_id, "title": r.title, "topic": r.topic, "priority": r.priority.value,
            "scheduled_at": r.scheduled_at.isoformat(),
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "ended_at": r.ended_at.isoformat() if r.ended_at else None,
            "planned_seconds": r.planned_seconds, "played_seconds": r.played_seconds, "status": r.status.value,
            "reason": r.reason, "engine": r.engine, "voice": r.voice, "content_hash": r.content_hash,
            "audio_hash": r.audio_hash,
        }  # fmt: skip

    return json.dumps([one(r) for r in rows], ensure_ascii=False, indent=2) + "\n"


FORMATS = {"table": format_table, "csv": format_csv, "json": format_json}


def export(rows: list[Airing], station: Station, fmt: str, *, sep: str = ",") -> str:
    """Rows in one of `FORMATS` (table, csv, json); `sep` is the CSV separator."""
    return format_csv(rows, station, sep=sep) if fmt == "csv" else FORMATS[fmt](rows, station)
