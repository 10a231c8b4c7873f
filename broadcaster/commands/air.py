"""`broadcaster air SLOT`: air a session now (the officer's "phát ngay"), building it first if needed."""

from __future__ import annotations

import argparse

from broadcaster.commands import add_output_argument, add_station_argument
from broadcaster.config import parse_day

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "air",
        help="phát ngay một buổi (ví dụ: broadcaster air sang)",
        description="Phát ngay chương trình của một buổi (hôm nay, hoặc ngày --date). Buổi phát theo lịch vẫn "
        "phát bình thường vào giờ của nó. Khi đài đang chạy, lệnh được chuyển cho đài: đài phát ngay khi loa rảnh.",
    )
    parser.add_argument("slot", metavar="BUỔI", help="mã buổi phát trong station.yaml, ví dụ: sang, chieu")
    parser.add_argument("--date", metavar="YYYY-MM-DD", default=None, help="ngày của chương trình (mặc định hôm nay)")
    add_station_argument(parser)
    add_output_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: the build stack (numpy, scipy) loads only when `air` runs
    from broadcaster.services.air import air_now

    day = parse_day(args.date, "ngày của chương trình (--date)") if args.date else None
    rows = air_now(args.station, args.slot, day=day, output_override=args.output,
                   notify=lambda line: print(line, flush=True))
    if rows is None:  # handed to the running station, which airs it and logs it
        return 0
    return 0 if rows and all(r.status.value == "completed" for r in rows) else 1
