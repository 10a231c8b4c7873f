"""Command line: thin commands that parse arguments and call one service function each.

Errors are translated here, in one place: a `BroadcasterError` prints `lỗi: ...` and exits 1; a traceback is
shown only with `--debug`. Each command lives in `broadcaster/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func=run` where `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from datetime import datetime
from zoneinfo import ZoneInfo

from broadcaster.errors import BroadcasterError

__all__ = ["main", "build_parser", "COMMANDS"]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"  # log lines' clock (stations in Vietnam; the station's own clock elsewhere)

# Stable names (scripts and tests depend on them), in the order `--help` lists them.
COMMANDS = (
    "check",
    "normalize",
    "say",
    "render",
    "plan",
    "build",
    "run",
    "air",
    "emergency",
    "log",
    "report",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadcaster",
        description="Đài truyền thanh xã: soạn tin, chuyển văn bản thành giọng nói, lập và phát chương trình.",
    )
    parser.add_argument("--debug", action="store_true", help="hiện chi tiết lỗi (traceback) cho kỹ thuật viên")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"broadcaster.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"broadcaster.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def add_station_argument(parser: argparse.ArgumentParser) -> None:
    """Every command accepts --station DIR (default: schedules/)."""
    parser.add_argument(
        "--station",
        default="schedules",
        metavar="THƯ_MỤC",
        help="thư mục của đài (chứa station.yaml), mặc định: schedules/",
    )


class _OfficerFormatter(logging.Formatter):
    """What the officer reads: time of day, a Vietnamese level word, the message (no module names)."""

    _LEVELS = {logging.WARNING: "cảnh báo", logging.ERROR: "lỗi", logging.CRITICAL: "lỗi nghiêm trọng"}

    def format(self, record: logging.LogRecord) -> str:
        level = self._LEVELS.get(record.levelno)
        text = record.getMessage() if level is None else f"{level}: {record.getMessage()}"
        if record.exc_info and record.levelno >= logging.ERROR:
            text += "\n" + self.formatException(record.exc_info)
        # the station's clock (Asia/Ho_Chi_Minh by default), whatever the machine's timezone
        at = datetime.fromtimestamp(record.created, ZoneInfo(DEFAULT_TIMEZONE))
        return f"{at:%H:%M:%S} {text}"


class _DeveloperFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_DeveloperFormatter() if args.verbose else _OfficerFormatter())
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=[handler])
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BroadcasterError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"lỗi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
