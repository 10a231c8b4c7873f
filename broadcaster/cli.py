"""Command line: thin commands that parse arguments and call one service function each.

Errors are translated here, in one place: a `BroadcasterError` prints `lỗi: ...` and exits 1; a traceback is
shown only with `--debug`. Each command lives in `broadcaster/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func=run` where `run(args) -> int`; `COMMANDS` lists
them all, explicitly.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import traceback
from datetime import datetime
from typing import Any, NoReturn

from broadcaster.clock import SystemClock
from broadcaster.commands import (
    air,
    build,
    check,
    emergency,
    live,
    log,
    normalize,
    plan,
    render,
    report,
    run,
    say,
    serve,
    status,
    user,
)
from broadcaster.errors import BroadcasterError

__all__ = ["COMMANDS", "build_parser", "main"]

# Stable names (scripts and tests depend on them), in the order `--help` lists them.
COMMANDS = (check, normalize, say, render, plan, build, run, air, emergency, live, log, report, status, serve, user)


_ARGPARSE_VI = (
    (re.compile(r"^the following arguments are required: (.*)$"), r"thiếu tham số bắt buộc: \1"),
    (re.compile(r"^argument (.*?): invalid choice: (.*?) \(choose from (.*)\)$"),
     r"tham số \1: giá trị \2 không hợp lệ (chọn một trong: \3)"),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"không hiểu tham số: \1"),
    (re.compile(r"^argument (.*?): expected one argument$"), r"tham số \1 cần một giá trị"),
    (re.compile(r"^argument (.*?): invalid (?:int|float) value: (.*)$"), r"tham số \1: \2 không phải là số"),
    (re.compile(r"^argument (.*?): not allowed with argument (.*)$"), r"tham số \1 không dùng cùng với \2"),
    (re.compile(r"^one of the arguments (.*) is required$"), r"cần một trong các tham số \1"),
    (re.compile(r"^invalid choice: (.*?) \(choose from (.*)\)$"), r"lệnh \1 không có (chọn một trong: \2)"),
)


def vietnamese_usage_error(message: str) -> str:
    """argparse's English usage errors in the officer's words (unknown ones pass through unchanged)."""
    for pattern, words in _ARGPARSE_VI:
        if pattern.match(message):
            return pattern.sub(words, message)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "cách dùng: ")


class _Parser(argparse.ArgumentParser):
    """argparse with Vietnamese help headings and usage errors; every sub-command's parser is one too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="hiện hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        hint = ""
        if message.startswith("unrecognized arguments: -"):
            hint = " (văn bản bắt đầu bằng dấu '-': viết -- trước nó, ví dụ broadcaster normalize -- \"-Tin\")"
        self.exit(2, f"{self.prog}: lỗi: {vietnamese_usage_error(message)}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="broadcaster",
        description="Đài truyền thanh xã: soạn tin, chuyển văn bản thành giọng nói, lập và phát chương trình.",
    )
    parser.add_argument("--debug", action="store_true", help="hiện chi tiết lỗi (traceback) cho kỹ thuật viên")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    for command in COMMANDS:
        command.register(sub)
    return parser


class _OfficerFormatter(logging.Formatter):
    """What the officer reads: time of day, a Vietnamese level word, the message (no module names)."""

    _LEVELS = {logging.WARNING: "cảnh báo", logging.ERROR: "lỗi", logging.CRITICAL: "lỗi nghiêm trọng"}

    def format(self, record: logging.LogRecord) -> str:
        level = self._LEVELS.get(record.levelno)
        text = record.getMessage() if level is None else f"{level}: {record.getMessage()}"
        if record.exc_info and record.levelno >= logging.ERROR:
            text += "\n" + self.formatException(record.exc_info)
        # the station clock's default zone (Asia/Ho_Chi_Minh), whatever the machine's timezone
        at = datetime.fromtimestamp(record.created, SystemClock().tz)
        return f"{at:%H:%M:%S} {text}"


class _DeveloperFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def _closed_pipe() -> int:
    """`broadcaster plan | head`: the reader has what it wanted. End quietly with 0 (as `cat` does under a shell
    that ignores SIGPIPE), and point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (tests capture it)
        pass
    return 0


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
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except BroadcasterError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"lỗi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
