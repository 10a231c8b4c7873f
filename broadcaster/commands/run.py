"""`broadcaster run`: the station itself — airs every session on time until Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import argparse
import logging

from broadcaster.commands import add_output_argument, add_station_argument

__all__ = ["register", "run"]

def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "run",
        help="chạy đài: tự động phát các buổi theo lịch (Ctrl+C để dừng)",
        description="Chạy đài truyền thanh: chuẩn bị âm thanh trước 24 giờ, phát từng buổi đúng giờ, bật tắt loa "
        "từng thôn, nhận tin khẩn cấp. Nhấn Ctrl+C để dừng.",
    )
    add_station_argument(parser)
    add_output_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: the scheduler (APScheduler) and the station load only for `run`
    from broadcaster.station import run_station

    if not getattr(args, "verbose", False):  # the officer reads our lines, not the scheduler's bookkeeping
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

    return run_station(args.station, output_override=args.output, notify=lambda line: print(line, flush=True))
