"""`broadcaster live`: speak live into the station's microphone to chosen villages (thông báo trực tiếp)."""

from __future__ import annotations

import argparse

from broadcaster.commands import add_output_argument, add_station_argument

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "live",
        help="nói trực tiếp qua micrô tới các thôn (cắt ngang buổi phát đang phát)",
        description="Thông báo trực tiếp: bật loa các thôn (chờ âm ly khởi động), phát chuông báo, rồi mở micrô "
        "của máy đài ra loa; ghi âm lại và ghi vào nhật ký phát. Dừng bằng Ctrl+C, `broadcaster live --stop`, "
        "khi hết thời lượng tối đa hoặc khi micrô im lặng quá lâu (mục live: trong station.yaml). Khi đài đang "
        "chạy, lệnh được chuyển cho đài; không bao giờ cắt ngang tin khẩn cấp.",
    )
    parser.add_argument("--zones", metavar="THÔN1,THÔN2", default="", help="chỉ phát ở các thôn này (mặc định: tất cả)")
    parser.add_argument("--device", metavar="TÊN", default=None,
                        help="micrô (tên hoặc số thiết bị thu âm), ghi đè live.device trong station.yaml")
    parser.add_argument("--max-minutes", type=float, default=None, metavar="N",
                        help="tự dừng sau N phút (không quá live.max_minutes trong station.yaml)")
    parser.add_argument("--stop", action="store_true", help="dừng thông báo trực tiếp đang phát")
    add_station_argument(parser)
    add_output_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: the live service loads the station's control channel and, for the chime, the audio stack
    from broadcaster.services.announce import go_live, stop_live, summary

    def say(line: str) -> None:
        print(line, flush=True)

    if args.stop:
        return 0 if stop_live(args.station, notify=say) else 1
    zones = tuple(z.strip() for z in args.zones.split(",") if z.strip())
    state = go_live(args.station, zones=zones, device=args.device, max_minutes=args.max_minutes,
                    output_override=args.output, notify=say)
    say(summary(state, args.zones or "mọi thôn"))
    return 0 if state.get("status") == "completed" else 1
