"""`broadcaster user add NAME --role R`, `user password NAME`, `user list`: the desk's accounts from the
station's own machine (the administrator's way in when no one can log in)."""

from __future__ import annotations

import argparse
import getpass
import sys

from broadcaster.clock import SystemClock
from broadcaster.commands import add_station_argument
from broadcaster.config import load_station
from broadcaster.errors import InputError
from broadcaster.words import ROLE_LABELS

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("user", help="tài khoản của bàn làm việc: thêm, đặt lại mật khẩu, xem danh sách",
                                   description="Quản lý tài khoản của bàn làm việc (broadcaster serve) ngay trên máy "
                                   "của đài. Mật khẩu hỏi hai lần; không có bàn phím thì đọc một dòng từ stdin.")
    actions = parser.add_subparsers(dest="action", metavar="VIỆC", required=True)
    add = actions.add_parser("add", help="thêm tài khoản")
    add.add_argument("name", metavar="TÊN", help="tên đăng nhập (chữ thường không dấu)")
    add.add_argument("--role", required=True, metavar="VAI_TRÒ", help="biên-tập, duyệt, quản-trị hoặc xem")
    add.add_argument("--display-name", default="", metavar="HỌ_TÊN", help="họ tên, chức vụ (hiện trên lời duyệt)")
    add_station_argument(add)
    reset = actions.add_parser("password", help="đặt lại mật khẩu của một tài khoản")
    reset.add_argument("name", metavar="TÊN")
    add_station_argument(reset)
    listing = actions.add_parser("list", help="danh sách tài khoản")
    add_station_argument(listing)
    parser.set_defaults(func=run)


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise InputError("hai lần nhập mật khẩu không khớp")
    return first


def run(args: argparse.Namespace) -> int:
    # lazy: argon2 and the desk's store are loaded only by this command
    from broadcaster.airlog import open_store
    from broadcaster.services import accounts

    station = load_station(args.station)
    now = SystemClock(station.timezone).now()
    with open_store(station) as store:
        if args.action == "list":
            for a in store.accounts():
                state = " (đã khoá)" if a.disabled else ""
                print(f"{a.name}\t{ROLE_LABELS[a.role]}\t{a.display_name}{state}")
            return 0
        if args.action == "add":
            role = accounts.parse_role(args.role)
            account = accounts.add_account(store, args.name, args.display_name, role, _password(), who="cli", now=now)
            print(f"Đã thêm tài khoản {account.name} ({ROLE_LABELS[account.role]}).")
            return 0
        account = store.account(args.name.strip().lower())
        if account is None:
            raise InputError(f"không có tài khoản '{args.name}'")
        accounts.reset_password(store, account, _password(), who="cli", now=now)
        print(f"Đã đặt lại mật khẩu cho {account.name}; các phiên đăng nhập cũ đã kết thúc.")
        return 0
