"""`broadcaster log`: review what aired, where and when; `broadcaster log verify`: check nobody altered it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from broadcaster.commands import add_station_argument
from broadcaster.models import AiringStatus
from broadcaster.words import fmt_date, fmt_time

__all__ = ["register", "run"]

def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "log",
        help="xem nhật ký phát sóng (đã phát gì, ở thôn nào, lúc nào); 'log verify' kiểm tra nhật ký có bị sửa",
        description=(
            "Nhật ký phát sóng: mỗi dòng là một lượt phát một bản tin, với giờ dự kiến, giờ phát thật, thôn nhận "
            "và trạng thái (đã phát, bị gián đoạn, không phát được, bị lỡ, bỏ qua). 'broadcaster log verify' "
            "kiểm tra chuỗi mã "
            "chống sửa đổi và báo bản ghi đầu tiên bị sửa hoặc xóa."
        ),
    )
    add_station_argument(parser)
    parser.add_argument(
        "action",
        nargs="?",
        choices=["verify", "audio"],
        metavar="verify|audio",
        help="verify: kiểm tra nhật ký có bị sửa/xóa; audio SỐ: nghe lại hoặc lấy âm thanh của lượt phát số SỐ",
    )
    parser.add_argument("airing", nargs="?", type=int, metavar="SỐ",
                        help="với audio: số của lượt phát (cột Số của nhật ký; --format json: id)")
    parser.add_argument("--play", action="store_true",
                        help="với audio: nghe trên máy này (tai nghe, loa văn phòng), không bao giờ qua loa của đài")
    parser.add_argument("--device", metavar="THIẾT_BỊ",
                        help="với audio --play: thiết bị âm thanh để nghe (xem `aplay -L`); bắt buộc khi card "
                        "mặc định là đường ra loa của đài")
    parser.add_argument(
        "--expect",
        metavar="MÃ",
        help="với verify: mã cuối chuỗi ghi trên một báo cáo đã ký; báo lỗi nếu nhật ký không còn chứa mã đó",
    )
    parser.add_argument(
        "--public-key",
        metavar="TỆP",
        help="với verify: khóa công khai của đài (station-key.pub) để kiểm tra chữ ký các điểm kiểm tra của một "
        "bản sao nhật ký; nhật ký của đài khác sẽ bị báo lỗi",
    )
    parser.add_argument(
        "--db",
        metavar="TỆP",
        help="với verify: kiểm tra tệp nhật ký này (một bản sao broadcaster.sqlite3) thay cho nhật ký của đài",
    )
    parser.add_argument("--from", dest="start", metavar="NGÀY", help="từ ngày (2026-11-28 hoặc 28/11/2026)")
    parser.add_argument("--to", dest="end", metavar="NGÀY", help="đến ngày (tính cả ngày này)")
    parser.add_argument("--zone", metavar="THÔN", help="chỉ các lượt phát tới thôn này (mã hoặc tên thôn)")
    parser.add_argument(
        "--bulletin", metavar="MÃ", help="chỉ các lượt phát của bản tin này (tên tệp, bỏ .yaml)"
    )
    parser.add_argument(
        "--status", choices=[s.value for s in AiringStatus], help="chỉ các lượt có trạng thái này"
    )
    parser.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default=None,
        help="table: bảng để đọc (mặc định; với -o TỆP.csv hoặc .json thì theo đuôi tệp); csv: mở bằng Excel; "
        "json: cho chương trình khác",
    )
    parser.add_argument(
        "--sep",
        choices=[",", ";"],
        default=",",
        help="dấu phân cách cột của CSV: ',' (mặc định) hoặc ';' cho Excel cài tiếng Việt",
    )
    parser.add_argument("-o", "--output", metavar="TỆP", help="ghi ra tệp thay vì in ra màn hình")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: SQLite and the config loader only when `log` runs
    from broadcaster.airlog import export
    from broadcaster.services.log import review, verify

    if args.action == "audio":
        return _audio(args)
    if args.action == "verify":
        result = verify(args.station, expect=args.expect, public_key=args.public_key, database=args.db)
        if result is None:
            print("Chưa có nhật ký phát sóng (đài chưa phát lần nào).")
            return 0
        if not result.ok:
            print(f"lỗi: {result.message}", file=sys.stderr)
            for problem in result.problems[1:]:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        print(f"{result.message[0].upper()}{result.message[1:]}.")
        if result.head_hash:
            print(f"Mã cuối chuỗi (ghi lại để đối chiếu về sau): {result.head_hash}")
        if result.last_checkpoint is not None:
            c = result.last_checkpoint
            print(f"Điểm kiểm tra có chữ ký mới nhất: số {c.n}, {fmt_time(c.at)} {fmt_date(c.at.date())}, "
                  f"{c.rows} bản ghi; khóa của đài {result.key}")
        return 0
    found = review(args.station, start=args.start, end=args.end, zone=args.zone, bulletin=args.bulletin,
                   status=args.status)
    if not found.exists:
        print(f"Chưa có nhật ký phát sóng ({found.station.database} chưa được tạo: đài chưa phát lần nào).")
        return 0
    fmt = args.format or _format_of(args.output)
    text = export(list(found.rows), found.station, fmt, sep=args.sep)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        print(f"Đã ghi {len(found.rows)} lượt phát vào {args.output}")
    else:
        sys.stdout.write(("\ufeff" if fmt == "csv" else "") + text)
    return 0


def _audio(args: argparse.Namespace) -> int:
    """`log audio ID -o FILE` / `--play`: an airing's stretch of the archive, to a file or a local device."""
    # lazy: the archive (ffmpeg) only when audio is asked for
    from broadcaster.services.archive import play_airing, save_airing
    from broadcaster.words import fmt_when

    if args.airing is None or bool(args.output) == bool(args.play):
        print("lỗi: dùng `broadcaster log audio SỐ -o TỆP.mp3` (lấy âm thanh) hoặc `broadcaster log audio SỐ "
              "--play [--device THIẾT_BỊ]` (nghe trên máy này)", file=sys.stderr)
        return 2
    if args.play:
        audio = play_airing(args.station, args.airing, args.device)
    else:
        audio = save_airing(args.station, args.airing, Path(args.output))
    row = audio.airing
    test = " (chạy thử: không phát ra loa)" if audio.test else ""
    where = f"đã phát xong: {args.device or 'thiết bị mặc định'}" if args.play else f"đã ghi vào {args.output}"
    print(f"Lượt {row.id}: {row.title} — {fmt_when(row.started_at or row.scheduled_at)}, "
          f"{audio.duration:.1f} giây{test}; {where}")
    return 0


def _format_of(output: str | None) -> str:
    """`-o thang11.csv` writes CSV and `-o x.json` JSON without --format; otherwise the table."""
    suffix = Path(output).suffix.lower() if output else ""
    return {".csv": "csv", ".json": "json"}.get(suffix, "table")
