"""`broadcaster status`: is the station running, does the online voice answer, and which coming sessions will air
bulletins in the fallback voice (and why). Read from the status record the running station keeps in its state
directory (`status.json`, docs/runner.md#status-record); then what is wrong with the airing log, if anything
(`airlog-status.json`, docs/playout-hardware.md)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from broadcaster.airlog import read_degradations
from broadcaster.archive import read_archive_status
from broadcaster.commands import add_station_argument
from broadcaster.config import load_station
from broadcaster.station import read_status, running_station_pid, status_path
from broadcaster.words import fmt_when

__all__ = ["register", "run"]

_VOICE = {"ok": "trả lời bình thường", "down": "không dùng được", "unknown": "chưa rõ (chưa cần dùng)"}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "status",
        help="xem tình trạng đài: đang chạy không, buổi nào sắp phát bằng giọng dự phòng và vì sao",
        description="Tình trạng đài đang chạy: giọng Google có trả lời không, các buổi sắp phát có bản tin đọc "
        "bằng giọng dự phòng (eSpeak NG) và lý do. Đọc từ tệp trạng thái đài ghi trong thư mục dữ liệu.",
    )
    add_station_argument(parser)
    parser.add_argument("--json", action="store_true", help="in tệp trạng thái dạng JSON (cho chương trình khác)")
    parser.set_defaults(func=run)


def _when(iso: str | None) -> str:
    return fmt_when(datetime.fromisoformat(iso)) if iso else ""


def _lines(record: dict[str, Any] | None, pid: int | None, where: str) -> list[str]:
    running = f"đang chạy (tiến trình {pid})" if pid else "không chạy"
    if record is None:
        return [f"Đài {running}. Chưa có tệp trạng thái ({where}): đài chưa chạy lần nào với thư mục dữ liệu này."]
    lines = [f"{record.get('station') or 'Đài'}: {running}; trạng thái ghi lúc {_when(record.get('written_at'))}"
             + ("" if pid else " (lần chạy trước)")]
    voice = record.get("online_voice") or {}
    if "gtts" in (record.get("engines") or []):
        state = _VOICE.get(str(voice.get("state")), str(voice.get("state")))
        line = f"Giọng Google: {state}"
        if voice.get("state") == "down":
            line += f" từ {_when(voice.get('since'))} — {voice.get('reason')}"
            if voice.get("next_retry") and pid:
                line += f"; thử lại lúc {_when(voice.get('next_retry'))}"
        lines.append(line)
    sessions = record.get("fallback_sessions") or []
    if not sessions:
        lines.append("Không có buổi sắp phát nào dùng giọng dự phòng.")
        return lines
    lines.append("Các buổi sắp phát có bản tin đọc bằng giọng dự phòng:")
    for s in sessions:
        lines.append(f"  {_when(s.get('start'))} {s.get('slot_name')}: {len(s.get('bulletins') or [])} bản tin")
        for b in s.get("bulletins") or []:
            lines.append(f"    - {b.get('title')} ({b.get('id')}): {b.get('reason')}")
    return lines


def _archive_lines(archive: dict[str, Any] | None) -> list[str]:
    if not archive:
        return []
    mb = 1024 * 1024
    used, budget = float(archive.get("used_bytes") or 0), float(archive.get("budget_bytes") or 0)
    line = (f"Kho lưu âm thanh đã phát: {used / mb:.0f} MB / {budget / mb:.0f} MB"
            + (f", từ ngày {archive['oldest_day']}" if archive.get("oldest_day") else ""))
    return [line] + ([f"Cảnh báo: {archive['warning']}"] if archive.get("warning") else [])


def _chain_lines(record: dict[str, Any] | None) -> list[str]:
    """The chain the station checked (relay boards, amplifier, output) and what the monitor found."""
    chain = (record or {}).get("chain") or []
    if not chain:
        return []
    lines = ["Kiểm tra thiết bị:"]
    for entry in chain:
        mark = "tốt" if entry.get("ok") else "LỖI"
        lines.append(f"  [{mark}] {entry.get('name')}: {entry.get('message')} (lúc {_when(entry.get('checked_at'))})")
    return lines


def run(args: argparse.Namespace) -> int:
    station = load_station(args.station)
    record = read_status(station)
    pid = running_station_pid(station)
    log_problems = read_degradations(station.state_dir)  # the airing log's own health (journal, lost database)
    archive = read_archive_status(station)  # the audio archive's size against its budget (docs/archive.md)
    if args.json:
        json.dump({"running": pid is not None, "pid": pid, "record": record, "log_degradations": log_problems,
                   "archive": archive}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    warnings = [w for w in (record or {}).get("warnings") or [] if isinstance(w, dict)
                and w.get("code") != "fallback-voice"] if pid else []  # the fallback voice: listed above already
    print("\n".join(_lines(record, pid, str(status_path(station)))
                    + [f"Cần xử lý: {w.get('message')}" for w in warnings] + _chain_lines(record)
                    + [f"Nhật ký phát sóng: {problem}" for problem in log_problems] + _archive_lines(archive)))
    return 0
