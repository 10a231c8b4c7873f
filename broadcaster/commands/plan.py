"""`broadcaster plan`: what will air, when and in which villages, with the reason for anything left out."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from broadcaster.clock import SystemClock
from broadcaster.commands import add_station_argument
from broadcaster.config import parse_day, resolve_zone
from broadcaster.errors import BroadcasterError
from broadcaster.models import Station

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="xem kế hoạch phát thanh: buổi nào phát bản tin nào, tới thôn nào",
        description=(
            "Lập kế hoạch phát thanh (không phát gì): mỗi buổi phát, các bản tin theo thứ tự, thôn nhận, "
            "thời lượng so với mức tối đa, và lý do những bản tin bị bỏ qua."
        ),
    )
    add_station_argument(parser)
    parser.add_argument("--from", dest="start", metavar="NGÀY",
                        help="ngày bắt đầu (2026-03-02 hoặc 02/03/2026), mặc định: hôm nay")
    parser.add_argument("--to", dest="end", metavar="NGÀY", help="ngày kết thúc, mặc định: 6 ngày sau ngày bắt đầu")
    parser.add_argument("--zone", metavar="THÔN", help="chỉ xem những gì phát tới thôn này (mã hoặc tên thôn)")
    parser.add_argument("--json", action="store_true", help="in kế hoạch dạng JSON (cho chương trình khác đọc)")
    parser.set_defaults(func=run)


def _today(station: Station) -> date:
    """The clock is read here, in the station's timezone, never in the planner."""

    return SystemClock(station.timezone).now().date()


def error_json(exc: BroadcasterError) -> dict[str, Any]:
    """`plan --json` when no plan can be made: the message and, for file problems, each one with file and line."""
    problems = getattr(exc, "problems", ())
    return {
        "schema_version": 1,
        "error": str(exc),
        "problems": [{"file": p.file, "line": p.line, "key": p.key, "message": p.message} for p in problems],
    }


def run(args: argparse.Namespace) -> int:
    # lazy: the plan view reads the speech cache and the log; loaded only for `plan`
    from broadcaster.services.plan import format_plan, plan_json, plan_station

    try:
        start = parse_day(args.start, "ngày bắt đầu (--from)") if args.start else None
        end = parse_day(args.end, "ngày kết thúc (--to)") if args.end else None
        sp = plan_station(args.station, start, end, today=_today)
        zone = resolve_zone(sp.station, args.zone) if args.zone else None
        # sessions already begun are shown from the airing log (aired, missed, …), not as if still to come
        now = SystemClock(sp.station.timezone).now()
    except BroadcasterError as exc:
        if not args.json:
            raise
        # scripts read stdout: even a failure is a JSON document (the message also goes to stderr)
        json.dump(error_json(exc), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        print(f"lỗi: {exc}", file=sys.stderr)
        return 1
    for w in sp.warnings:
        print(f"cảnh báo: {w}", file=sys.stderr)
    if args.json:
        # allow_nan=False: NaN is not JSON; a NaN here is a bug to see, never a document scripts choke on
        json.dump(plan_json(sp, zone, now=now), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    print("\n".join(format_plan(sp, zone, now=now)))
    return 0
