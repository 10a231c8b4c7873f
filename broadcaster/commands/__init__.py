"""The CLI's commands: one module each, `register(subparsers)` adds its parser and sets `func=run`, where
`run(args) -> int` calls one service function. `cli.py` lists them explicitly.

Commands import light modules (config, clock, errors) at the top; a service that loads the audio stack or the
scheduler is imported in the command's `run`, so `broadcaster --help` and light commands start fast.
"""

from __future__ import annotations

import argparse
import re

__all__ = ["OUTPUT_HELP", "add_output_argument", "add_station_argument", "allow_negative_text"]

OUTPUT_HELP = (
    "nơi phát âm thanh, ghi đè station.yaml: auto | sounddevice[:THIẾT_BỊ] | command:'aplay -q {file}' | "
    "file:THƯ_MỤC (chạy thử, ghi ra tệp) | null"
)


def add_station_argument(parser: argparse.ArgumentParser) -> None:
    """Every command accepts --station DIR (default: schedules/)."""
    parser.add_argument(
        "--station",
        default="schedules",
        metavar="THƯ_MỤC",
        help="thư mục của đài (chứa station.yaml), mặc định: schedules/",
    )


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """--output KIND[:ARG], shared by run, air and emergency."""
    parser.add_argument("--output", metavar="LOẠI[:THAM_SỐ]", default=None, help=OUTPUT_HELP)


def allow_negative_text(parser: argparse.ArgumentParser) -> None:
    """Let a positional text start with a minus and a digit ('-1,5', '-5 độ'): argparse would take it for an
    option. A text starting with '-' and a letter still needs `--` before it (the usage error says so)."""
    parser._negative_number_matcher = re.compile(r"^-\d")  # noqa: SLF001 - argparse's own hook for negative numbers
