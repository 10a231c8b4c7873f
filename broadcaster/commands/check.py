"""`broadcaster check`: validate the station and every bulletin, print every problem at once, exit 0/1."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.commands import add_station_argument
from broadcaster.config import check_station, is_error, load_bulletins, load_station
from broadcaster.errors import BroadcasterError, Problem
from broadcaster.models import Status
from broadcaster.speech.normalize import check_dictionary

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="kiểm tra tệp cấu hình đài và các bản tin",
        description="Kiểm tra station.yaml, mọi bản tin trong bulletins/ và từ điển cách đọc pronunciations.yaml, "
        "báo tất cả lỗi cùng lúc "
        "(tệp:dòng: mục: lỗi). Thoát với mã 1 nếu có lỗi.",
    )
    add_station_argument(parser)
    parser.add_argument(
        "--no-audio", action="store_true", help="không giải mã thử các tệp âm thanh (nhanh hơn)"
    )
    parser.set_defaults(func=run)


def _dictionary_problems(station_dir: str) -> list[Problem]:
    """The station's pronunciations.yaml, checked like the other files (where station.yaml says it is; the
    default name when station.yaml cannot be read)."""
    root = Path(station_dir).absolute()
    try:
        name = load_station(root).speech.pronunciations
    except BroadcasterError:
        name = "pronunciations.yaml"
    if not name:
        return []
    path = root / name
    if not path.exists() and not path.is_symlink():
        return []  # optional: the built-in dictionary alone
    return check_dictionary(path, station_root=root)


def run(args: argparse.Namespace) -> int:
    today = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
    problems = check_station(args.station, today=today, decode_audio=not args.no_audio)
    problems += _dictionary_problems(args.station)
    errors = [p for p in problems if is_error(p)]
    notices = [p for p in problems if not is_error(p)]
    for problem in errors:
        print(problem)
    if notices:
        print("Lưu ý (không phải lỗi):" if errors else "Lưu ý:")
        for notice in notices:
            print(f"  {notice}")
    if errors:
        files = len({p.file for p in errors})
        print(f"Có {len(errors)} lỗi trong {files} tệp: sửa các dòng trên rồi chạy lại 'broadcaster check'.")
        return 1
    station = load_station(args.station)
    bulletins, _ = load_bulletins(station)
    approved = sum(1 for b in bulletins if b.status is Status.APPROVED)
    print(
        f"Mọi tệp đều hợp lệ: {len(bulletins)} bản tin ({approved} đã duyệt, {len(bulletins) - approved} "
        f"bản nháp), {len(station.zones)} thôn, {len(station.slots)} buổi phát."
    )
    return 0
