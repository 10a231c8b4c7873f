"""`broadcaster render`: speak every approved bulletin into the render cache, with a Vietnamese summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from broadcaster.commands import add_station_argument
from broadcaster.config import is_error, load_bulletins, load_station
from broadcaster.errors import BroadcasterError
from broadcaster.speech.engines import ENGINE_LABELS
from broadcaster.speech.render import STATUS_LABELS, RenderSummary, render_bulletins

__all__ = ["register", "run", "format_summary"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render",
        help="chuyển mọi bản tin đã duyệt thành giọng nói (bỏ qua bản đã có trong bộ nhớ đệm)",
        description="Tạo giọng đọc cho mọi bản tin đã duyệt. Bản tin đã có sẵn không gọi lại bộ máy đọc.",
    )
    add_station_argument(parser)
    parser.add_argument(
        "--engine", metavar="TÊN", help="chỉ dùng bộ máy đọc này (gtts, espeak), không dự phòng"
    )
    parser.add_argument(
        "--bulletin", nargs="+", metavar="MÃ", default=None, help="chỉ tạo các bản tin có mã này"
    )
    parser.set_defaults(func=run)


def _progress_bar(total_hint: int) -> Any:
    """tqdm on stderr, silent when stderr is not a terminal (cron, tests, the runner's log)."""
    from tqdm import tqdm

    return tqdm(
        total=total_hint,
        desc="Tạo giọng đọc",
        unit="bản tin",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
    )


def _shown(path: Path) -> str:
    """A path as the officer would type it: relative to the current directory when below it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_summary(summary: RenderSummary) -> list[str]:
    """The per-bulletin lines and the totals the officer reads at the end of a render run."""
    lines: list[str] = []
    for r in summary.results:
        label = STATUS_LABELS[r.status]
        if r.render is not None:
            engine = ENGINE_LABELS.get(r.render.engine, r.render.engine)
            lines.append(
                f"  {r.bulletin_id}: {label} — {engine}, {r.render.duration:.1f} giây — {r.render.path}"
            )
        else:
            lines.append(f"  {r.bulletin_id}: {label} — {r.reason}")
    lines.append(
        "Tổng kết: "
        f"{summary.count('rendered')} đã tạo, "
        f"{summary.count('cached')} có sẵn trong bộ nhớ đệm, "
        f"{summary.count('fallback')} dùng giọng dự phòng, "
        f"{summary.count('recording')} bản ghi âm sẵn, "
        f"{summary.count('failed')} lỗi"
        + (f" (bỏ qua {summary.drafts_skipped} bản nháp chưa duyệt)" if summary.drafts_skipped else "")
    )
    reasons = dict.fromkeys(r.reason for r in summary.results if r.status == "fallback" and r.reason)
    for reason in reasons:  # usually one: the same network failure for every bulletin
        lines.append(f"Lý do dùng giọng dự phòng: {reason}")
    if summary.count("fallback"):
        lines.append("Bản dùng giọng dự phòng sẽ được tạo lại bằng giọng chính ở lần chạy sau khi có mạng.")
    lines.append(f"Âm thanh nằm trong: {_shown(summary.cache_dir)}")
    return lines


def run(args: argparse.Namespace) -> int:

    station = load_station(args.station)
    bulletins, problems = load_bulletins(station)
    errors = [p for p in problems if is_error(p)]
    for p in errors:
        print(f"lỗi: {p}", file=sys.stderr)
    if args.bulletin:
        known = {b.id: b for b in bulletins}
        missing = [i for i in args.bulletin if i not in known]
        if missing:
            raise BroadcasterError(
                f"không có bản tin mã {', '.join(missing)} (hoặc tệp có lỗi: chạy broadcaster check); "
                f"các mã hiện có: {', '.join(sorted(known)) or 'không có'}"
            )
        bulletins = [known[i] for i in args.bulletin]
    bar = _progress_bar(0)
    try:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = render_bulletins(station, bulletins, progress=progress, engine=args.engine)
    finally:
        bar.close()
    for line in format_summary(summary):
        print(line)
    if errors:
        print(
            f"{len(errors)} lỗi trong tệp bản tin: các bản tin đó chưa được tạo; "
            "chạy broadcaster check để xem chi tiết"
        )
    return 1 if summary.failed or errors else 0
