"""`broadcaster serve`: the officer's desk (web UI) in its own process, never the station's.

Binds 127.0.0.1 by default; any other address prints a warning (docs/web.md says how to open it to the commune
LAN safely). With no account yet, prints a one-time link that creates the first administrator (24 hours).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

from broadcaster.commands import add_station_argument

__all__ = ["register", "run", "is_loopback"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve",
        help="mở bàn làm việc (giao diện web): viết, nghe thử và duyệt bản tin",
        description="Chạy bàn làm việc của đài trong tiến trình riêng. Mặc định chỉ máy này vào được "
        "(127.0.0.1); --host 0.0.0.0 mở cho mạng LAN của xã (xem docs/web.md).",
    )
    parser.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, metavar="CỔNG", help="cổng (mặc định 8080)")
    add_station_argument(parser)
    parser.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    # lazy: the web stack (Starlette, Jinja2, uvicorn, argon2) is loaded only by this command
    import uvicorn

    # lazy: as above (argon2, the desk's store and the web app)
    from broadcaster.services.accounts import create_first_run_link
    from broadcaster.services.approval import note_four_eyes_setting
    from broadcaster.web import create_app

    app = create_app(args.station)
    desk = app.state.desk
    note_four_eyes_setting(desk.station, desk.store, desk.now())
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    base = f"http://{shown}:{args.port}"
    if not is_loopback(args.host):
        print(f"cảnh báo: bàn làm việc mở cho các máy khác trong mạng ({args.host}:{args.port}). Chỉ làm vậy trong "
              "mạng LAN của xã, sau tường lửa, mỗi người một tài khoản có mật khẩu mạnh; không mở ra Internet "
              "(xem docs/web.md).", file=sys.stderr, flush=True)
    token = create_first_run_link(desk.store, desk.now())
    if token:
        print("Chưa có tài khoản nào. Mở liên kết này để tạo tài khoản quản trị đầu tiên (dùng một lần, hết hạn "
              f"sau 24 giờ):\n  {base}/thiet-lap/{token}", flush=True)
    print(f"Bàn làm việc: {base}/  (Ctrl+C để dừng)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, server_header=False)
    return 0
