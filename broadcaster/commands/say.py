"""`broadcaster say TEXT -o FILE`: hear how a sentence will sound on air (normalized, then spoken)."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from pathlib import Path
from typing import Any

from broadcaster.commands import add_station_argument, allow_negative_text
from broadcaster.config import load_station
from broadcaster.errors import BroadcasterError
from broadcaster.ffmpeg import run_ffmpeg
from broadcaster.models import Station
from broadcaster.speech.engines import ENGINE_LABELS
from broadcaster.speech.render import render_text

__all__ = ["register", "run"]

FORMATS = (".wav", ".mp3")
SAY_WAIT_SECONDS = 3.0  # read timeout of the online voice for `say`: a black-hole network falls back in ~4 s


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "say",
        help="đọc thử một câu ra tệp âm thanh (.wav hoặc .mp3)",
        description="Chuẩn hóa và đọc thử một câu, ghi ra tệp để nghe. Dùng giọng và cài đặt của đài.",
    )
    parser.add_argument("text", metavar="VĂN_BẢN", help="câu cần đọc thử; '-' để đọc từ đầu vào chuẩn")
    parser.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp ra: .wav hoặc .mp3")
    parser.add_argument(
        "--engine", metavar="TÊN", help="bộ máy đọc (gtts, espeak); mặc định theo thứ tự của đài"
    )
    add_station_argument(parser)
    allow_negative_text(parser)
    parser.set_defaults(func=run)


def _station(station_dir: str) -> Station:
    """The station's speech settings; without a station.yaml, the defaults (cache beside the directory)."""
    root = Path(station_dir)
    if (root / "station.yaml").is_file():

        return load_station(root)
    return Station(name="", commune="", root=root, state_dir=root.absolute().parent / "var")


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix.lower() not in FORMATS:
        raise BroadcasterError(f"{out}: chỉ ghi được tệp .wav hoặc .mp3 (đổi đuôi tên tệp)")
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise BroadcasterError("không có chữ nào để đọc")
    station = _station(args.station)
    # someone is listening: wait at most SAY_WAIT_SECONDS for an answer from the online voice, then speak offline
    speech = dataclasses.replace(station.speech, gtts_timeout=min(station.speech.gtts_timeout, SAY_WAIT_SECONDS))
    made = render_text(dataclasses.replace(station, speech=speech), text, engine=args.engine,
                       notify=lambda line: print(line, file=sys.stderr, flush=True))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".wav":
        shutil.copyfile(made.path, out)
    else:
        run_ffmpeg(
            ["-y", "-i", str(made.path), "-codec:a", "libmp3lame", "-q:a", "3", str(out)], what=str(out)
        )
    engine = ENGINE_LABELS.get(made.engine, made.engine)
    note = " (giọng dự phòng)" if made.fallback else ""
    print(f"Đã ghi {out} — {made.duration:.1f} giây, {engine}{note}")
    print(f"Văn bản được đọc: {made.normalized_text}")
    return 0
