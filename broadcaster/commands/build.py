"""`broadcaster build --date D [--slot S] [--zone Z] -o DIR`: build a day's programme audio without airing it.

The service is `broadcaster.services.build.build_day`; this module parses the command and prints the result, in
Vietnamese. It imports the audio stack only when the command runs (every command's parser is built at start-up).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadcaster.commands import add_station_argument

if TYPE_CHECKING:
    from broadcaster.services.build import DayBuild

__all__ = ["format_day", "register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "build",
        help="dựng sẵn âm thanh các chương trình của một ngày (không phát)",
        description=(
            "Dựng âm thanh chương trình phát thanh của một ngày: nhạc hiệu, lời giới thiệu, các bản tin cách nhau "
            "bằng tiếng chuông, lời kết thúc. Ghi WAV (để phát), MP3 (lưu trữ, nghe thử), danh sách M3U8 và "
            "tệp manifest.json."
        ),
    )
    add_station_argument(parser)
    parser.add_argument("--date", required=True, metavar="NGÀY", help="ngày phát (2026-03-02 hoặc 02/03/2026)")
    parser.add_argument("--slot", metavar="BUỔI", help="chỉ dựng buổi phát này (mã buổi, ví dụ: sang)")
    parser.add_argument("--zone", metavar="THÔN", help="chỉ dựng những chương trình phát tới thôn này")
    parser.add_argument("-o", "--output", required=True, metavar="THƯ_MỤC", help="thư mục ghi âm thanh")
    parser.set_defaults(func=run)


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def format_day(result: DayBuild) -> list[str]:
    """The officer's summary: one block per programme with its files, and anything left out with why."""
    station = result.station
    built = sum(1 for p in result.programmes if p.built)
    lines = [(f"Ngày {result.day:%d/%m/%Y}: dựng xong {built}/{len(result.programmes)} chương trình "
              f"vào thư mục {result.out_dir}")]
    if not result.programmes:
        lines.append("  Không có buổi phát nào trong ngày này (ngày nghỉ, hoặc không có bản tin nào được phát).")
    for pb in result.programmes:
        p = pb.programme
        try:
            slot_name = station.slot(p.slot_id).name
        except KeyError:
            slot_name = p.slot_id
        head = f"• {slot_name} {p.start:%H:%M}, đường loa {p.output_id}"
        if p.relay is not None:  # decoded live at air time: nothing to build (docs/relay.md)
            lines.append(f"{head}: tiếp âm {p.relay.name} {_mmss(p.relay.seconds)} trực tiếp từ {p.relay.url} "
                         "(không dựng trước; phát lúc lên sóng)")
        if p.relay is not None and not p.items:
            pass  # a relay on its own
        elif pb.built is None:
            lines.append(f"{head}: KHÔNG DỰNG — {pb.problem}")
        else:
            b = pb.built
            lines.append(f"{head}: {len(p.items)} bản tin, dài {_mmss(b.duration)} "
                         f"(tối đa {_mmss(p.max_seconds)})")
            lines += [f"    WAV (để phát):   {b.wav}", f"    MP3 (nghe thử):  {b.mp3}",
                      f"    Danh sách M3U8:  {b.m3u8}", f"    Manifest:        {b.manifest}"]
        lines += [f"    bỏ qua: {s.bulletin_id} — {s.reason}" for s in p.skipped]
    return lines


def run(args: argparse.Namespace) -> int:
    import sys

    # lazy: the audio stack (numpy, scipy; ~70 MB, ~0.4 s) loads only when `build` runs, not for every command
    from broadcaster.config import parse_day
    from broadcaster.services.build import build_day

    result = build_day(args.station, parse_day(args.date, "ngày phát (--date)"), Path(args.output),
                       slot=args.slot, zone=args.zone)
    for w in result.warnings:
        print(f"cảnh báo: {w}", file=sys.stderr)
    print("\n".join(format_day(result)))
    return 0 if all(p.built for p in result.programmes) else 1
