"""`broadcaster log`: review what aired, where and when; `broadcaster log verify`: check nobody altered it."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from broadcaster.cli import add_station_argument
from broadcaster.models import Airing, AiringStatus, Station

__all__ = ["CSV_HEADERS", "STATUS_LABELS", "register", "run"]

STATUS_LABELS = {
    "started": "đang phát",
    "completed": "đã phát",
    "interrupted": "bị ngắt",
    "failed": "lỗi",
    "missed": "bị lỡ",
    "skipped": "bỏ qua",
}
PRIORITY_LABELS = {"normal": "thường", "priority": "ưu tiên", "emergency": "khẩn cấp"}
CSV_HEADERS = (
    "Số", "Buổi phát", "Đầu ra", "Thôn", "Mã bản tin", "Tiêu đề", "Chủ đề", "Mức ưu tiên", "Giờ dự kiến",
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


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "log",
        help="xem nhật ký phát sóng (đã phát gì, ở thôn nào, lúc nào); 'log verify' kiểm tra nhật ký có bị sửa",
        description=(
            "Nhật ký phát sóng: mỗi dòng là một lượt phát một bản tin, với giờ dự kiến, giờ phát thật, thôn nhận "
            "và trạng thái (đã phát, bị ngắt, lỗi, bị lỡ, bỏ qua). 'broadcaster log verify' kiểm tra chuỗi mã "
            "chống sửa đổi và báo bản ghi đầu tiên bị sửa hoặc xóa."
        ),
    )
    add_station_argument(parser)
    parser.add_argument(
        "action",
        nargs="?",
        choices=["verify"],
        metavar="verify",
        help="verify: kiểm tra nhật ký có bị sửa/xóa",
    )
    parser.add_argument("--from", dest="start", metavar="NGÀY", help="từ ngày (2026-11-28 hoặc 28/11/2026)")
    parser.add_argument("--to", dest="end", metavar="NGÀY", help="đến ngày (tính cả ngày này)")
    parser.add_argument("--zone", metavar="THÔN", help="chỉ các lượt phát tới thôn này (mã hoặc tên thôn)")
    parser.add_argument(
        "--bulletin", metavar="MÃ", help="chỉ các lượt phát của bản tin này (tên tệp, bỏ .yaml)"
    )
    parser.add_argument(
        "--status", choices=[s.value for s in AiringStatus], help="chỉ các lượt có trạng thái này"
    )
    parser.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table: bảng để đọc (mặc định); csv: mở bằng Excel; json: cho chương trình khác",
    )
    parser.add_argument("-o", "--output", metavar="TỆP", help="ghi ra tệp thay vì in ra màn hình")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from broadcaster.airlog import AirLog
    from broadcaster.config import load_station

    station = load_station(args.station)
    if not station.database.exists():
        print(f"Chưa có nhật ký phát sóng ({station.database} chưa được tạo: đài chưa phát lần nào).")
        return 0
    with AirLog(station.database, tz=station.timezone) as log:
        if args.action == "verify":
            result = log.verify()
            if not result.ok:
                print(f"lỗi: {result.message}", file=sys.stderr)
                return 1
            print(f"{result.message[0].upper()}{result.message[1:]}.")
            if result.head_hash:
                print(f"Mã cuối chuỗi (ghi lại để đối chiếu về sau): {result.head_hash}")
            return 0
        rows = log.query(**_filters(args, station))
    text = {"table": _table, "csv": _csv, "json": _json}[args.format](rows, station)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
        print(f"Đã ghi {len(rows)} lượt phát vào {args.output}")
    else:
        sys.stdout.write(("\ufeff" if args.format == "csv" else "") + text)
    return 0


def _filters(args: argparse.Namespace, station: Station) -> dict[str, Any]:
    from broadcaster.config import parse_day, resolve_zone

    filters: dict[str, Any] = {
        "from_date": parse_day(args.start, "từ ngày (--from)") if args.start else None,
        "to_date": parse_day(args.end, "đến ngày (--to)") if args.end else None,
        "bulletin": args.bulletin,
        "status": args.status,
    }
    if args.zone:
        # A village removed from station.yaml since still has its history under its id.
        known = {z.id for z in station.zones}
        filters["zone"] = args.zone if args.zone in known else resolve_zone(station, args.zone).id
    return filters


def _clock(value: Any, fmt: str) -> str:
    return value.strftime(fmt) if value is not None else ""


def _zone_names(row: Airing, station: Station) -> str:
    names = {z.id: z.name for z in station.zones}
    return ", ".join(names.get(z, z) for z in row.zones) or "tất cả"


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _table(rows: list[Airing], station: Station) -> str:
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
            STATUS_LABELS[r.status.value],
            f"{_minutes(r.played_seconds)}/{_minutes(r.planned_seconds)}",
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
        counts[STATUS_LABELS[r.status.value]] = counts.get(STATUS_LABELS[r.status.value], 0) + 1
    out.append(f"Tổng: {len(rows)} lượt (" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")")
    return "\n".join(out) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _csv(rows: list[Airing], station: Station) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    stamp = "%Y-%m-%d %H:%M:%S"
    for r in rows:
        writer.writerow((
            r.id, r.session_key, r.output_id, _zone_names(r, station), r.bulletin_id or "", r.title, r.topic,
            PRIORITY_LABELS[r.priority.value], _clock(r.scheduled_at, stamp), _clock(r.started_at, stamp),
            _clock(r.ended_at, stamp), f"{r.planned_seconds:.1f}", f"{r.played_seconds:.1f}",
            STATUS_LABELS[r.status.value], r.reason, r.engine, r.voice, r.content_hash, r.audio_hash,
        ))  # fmt: skip
    return buffer.getvalue()


def _json(rows: list[Airing], station: Station) -> str:
    def one(r: Airing) -> dict[str, Any]:
        return {
            "id": r.id, "session_key": r.session_key, "output": r.output_id, "zones": list(r.zones),
            "bulletin_id": r.bulletin_id, "title": r.title, "topic": r.topic, "priority": r.priority.value,
            "scheduled_at": r.scheduled_at.isoformat(),
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "ended_at": r.ended_at.isoformat() if r.ended_at else None,
            "planned_seconds": r.planned_seconds, "played_seconds": r.played_seconds, "status": r.status.value,
            "reason": r.reason, "engine": r.engine, "voice": r.voice, "content_hash": r.content_hash,
            "audio_hash": r.audio_hash,
        }  # fmt: skip

    return json.dumps([one(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
