"""`broadcaster emergency`: air an emergency message (tin khẩn cấp) now, interrupting whatever plays."""

from __future__ import annotations

import argparse

from broadcaster.commands import add_output_argument, add_station_argument

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "emergency",
        help="phát tin khẩn cấp ngay (cắt ngang chương trình đang phát)",
        description="Phát tin khẩn cấp ngay: chuông báo rồi bản tin, nhắc lại N lần, ở mọi thôn (hoặc --zones). "
        "Đài đang chạy sẽ nhận trong vòng một giây; nếu đài không chạy, lệnh này tự phát.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="VĂN_BẢN", help="nội dung tin (máy đọc thành lời)")
    what.add_argument("--audio", metavar="TỆP", help="tệp ghi âm sẵn (wav, mp3, ...)")
    parser.add_argument("--zones", metavar="THÔN1,THÔN2", default="", help="chỉ phát ở các thôn này (mặc định: tất cả)")
    parser.add_argument("--repeat", type=int, default=None, metavar="N", help="số lần phát (mặc định theo station.yaml)")
    add_station_argument(parser)
    add_output_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: the build stack (numpy, scipy) loads only when `emergency` runs
    from broadcaster.services.air import send_emergency

    zones = tuple(z.strip() for z in args.zones.split(",") if z.strip())
    send_emergency(args.station, text=args.text, audio=args.audio, zones=zones, repeat=args.repeat,
                   output_override=args.output, notify=lambda line: print(line, flush=True))
    return 0
