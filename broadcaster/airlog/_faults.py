"""What went wrong with a log write (from SQLite's error code), and how the officer is told about it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from broadcaster.airlog._recovery import Inspection
from broadcaster.airlog._space import is_space_error
from broadcaster.errors import LogError

__all__ = [
    "CAUSES",
    "disk_full_message",
    "journal_message",
    "kind_of",
    "memory_message",
    "new_log_message",
    "replayed_message",
    "unavailable_message",
]

# SQLite primary result codes -> what the station does: busy/full/io: journal and retry; corrupt: set aside
_KINDS = {5: "busy", 6: "busy", 13: "full", 11: "corrupt", 26: "corrupt", 10: "io", 14: "io", 8: "io", 15: "io"}

CAUSES = {
    "busy": "cơ sở dữ liệu đang bị một chương trình khác khóa",
    "full": "ổ đĩa đầy",
    "io": "lỗi đọc ghi tệp cơ sở dữ liệu",
    "corrupt": "tệp cơ sở dữ liệu bị hỏng",
    "deleted": "tệp cơ sở dữ liệu bị xóa",
    "replaced": "tệp cơ sở dữ liệu bị thay bằng tệp khác",
    "unavailable": "không mở được cơ sở dữ liệu",
}

_LOST = {"deleted": "bị xóa", "replaced": "bị thay bằng tệp khác", "corrupt": "bị hỏng",
         "missing": "bị mất trong lúc đài tắt"}


def kind_of(exc: BaseException) -> str | None:
    """busy, full, io or corrupt when the log could not write for a reason outside the write itself; None for
    a mistake in the write (finishing a row that is not on air, ...), which is raised as before."""
    cause = exc.__cause__ if isinstance(exc, LogError) else exc
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        if code is None:  # "Cannot operate on a closed database": the connection went with a recovery
            return "io" if isinstance(cause, sqlite3.ProgrammingError) else None
        kind = _KINDS.get(code & 0xFF)
        if kind is not None:
            return kind
    return "full" if is_space_error(exc) else None


def journal_message(db: Path, journal: Path, cause: str) -> str:
    return (f"nhật ký phát sóng tạm chưa ghi được vào {db.name} ({cause or 'không rõ lý do'}): các bản ghi được "
            f"giữ trong nhật ký dự phòng {journal} và sẽ được ghi bù; đài vẫn phát bình thường")


def disk_full_message(state_dir: Path, scratch: Path) -> str:
    return (f"ổ đĩa chứa {state_dir} đã đầy: nhật ký dự phòng đang ghi tạm vào bộ nhớ RAM ({scratch}), sẽ mất nếu "
            "tắt máy trước khi ghi bù; hãy giải phóng dung lượng ổ đĩa")


def memory_message(problem: str) -> str:
    return (f"không ghi được nhật ký dự phòng lên ổ đĩa lẫn bộ nhớ tạm ({problem}): các bản ghi chỉ còn trong bộ "
            "nhớ của chương trình cho tới khi ghi bù được; đừng tắt đài")


def unavailable_message(db: Path, exc: BaseException) -> str:
    return (f"không mở được cơ sở dữ liệu nhật ký phát sóng {db} ({exc}): đài vẫn phát, các bản ghi được giữ "
            "trong nhật ký dự phòng")


def new_log_message(db: Path, reason: str, aside: str, old: Inspection, when: str) -> str:
    kept = f"đã cất tệp cũ thành {aside} để kiểm tra và " if aside else ""
    if not old.head and not old.rows:
        chain = "không đọc được chuỗi cũ"
    else:
        checked = "đã kiểm tra lại" if old.verified else "lần cuối ghi nhận được"
        chain = f"chuỗi cũ có {old.rows} bản ghi, mã đầu chuỗi {old.head[:16] or 'trống'}… ({checked})"
    return (f"tệp nhật ký phát sóng {db.name} {_LOST.get(reason, reason)} (phát hiện lúc {when}): {kept}mở nhật ký "
            f"mới; {chain}; đài vẫn phát bình thường")


def replayed_message(count: int, earlier: bool) -> str:
    whose = " của lần chạy trước" if earlier else ""
    return f"đã ghi bù {count} bản ghi{whose} từ nhật ký dự phòng vào nhật ký phát sóng"
