"""`broadcaster normalize TEXT [--explain]`: print how a text will be read aloud (the exact text the speech engine
gets); with --explain, which rule or dictionary entry produced each part.

Reads stdin when TEXT is omitted or "-". Uses the station's own pronunciations.yaml on top of the built-in one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadcaster.commands import add_station_argument, allow_negative_text
from broadcaster.config import load_station
from broadcaster.errors import ConfigError
from broadcaster.models import Station
from broadcaster.speech.explain import format_explanation
from broadcaster.speech.normalize import load_dictionary, normalize

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "normalize",
        help="xem văn bản sẽ được đọc thành lời như thế nào (số, ngày tháng, số hiệu văn bản, chữ viết tắt)",
        description="In ra đúng câu chữ mà máy đọc sẽ đọc. Không có VĂN_BẢN hoặc '-' thì đọc từ bàn phím/tệp "
        "(stdin). Văn bản bắt đầu bằng dấu '-' và một chữ cái: viết -- trước nó (broadcaster normalize -- \"-Tin\").",
    )
    parser.add_argument("text", nargs="?", default="-", metavar="VĂN_BẢN", help="văn bản cần xem cách đọc")
    parser.add_argument("--explain", action="store_true",
                        help="cho biết quy tắc hoặc mục từ điển nào đã tạo ra từng phần (để sửa pronunciations.yaml)")
    add_station_argument(parser)
    allow_negative_text(parser)
    parser.set_defaults(func=run)


def _station(station_dir: str) -> Station:
    """The station (for its pronunciations.yaml); a missing or broken station.yaml falls back to the defaults
    with the same directory, because `check` is where station problems are reported."""
    root = Path(station_dir)
    try:

        return load_station(root)
    except (ConfigError, ImportError, OSError):
        return Station(name="", commune="", root=root)


def run(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    dictionary = load_dictionary(_station(args.station))
    print(format_explanation(text, dictionary) if args.explain else normalize(text, dictionary))
    return 0
