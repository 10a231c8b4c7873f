"""Every Vietnamese word, date and duration format an officer reads in more than one place: the one source.

The CLI, the station's log lines, the plan, the airing log's table/CSV and (later) the web desk and the reports all
take their status names, weekday names and formats from here, so the same airing never reads "bị ngắt" in one
place and "bị gián đoạn" in another.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time

from broadcaster.models import AiringStatus, Bulletin, Priority, Station

__all__ = [
    "APPROVAL_LABELS",
    "AUDIT_LABELS",
    "PRIORITY_LABELS",
    "ROLE_LABELS",
    "SESSION_STATES",
    "STATUS_LABELS",
    "WEEKDAYS",
    "WEEKDAY_SHORT",
    "fmt_date",
    "fmt_duration",
    "fmt_seconds",
    "fmt_spoken_duration",
    "fmt_time",
    "fmt_when",
    "session_label",
    "slot_name",
    "TEST_LABEL",
    "airing_label",
    "approval_label",
    "stale_reason",
    "status_label",
    "topic_name",
    "weekday",
]

# Monday first, as `date.weekday()` counts.
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_SHORT = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")

STATUS_LABELS: dict[AiringStatus, str] = {
    AiringStatus.STARTED: "đang phát",
    AiringStatus.COMPLETED: "đã phát",
    AiringStatus.INTERRUPTED: "bị gián đoạn",
    AiringStatus.FAILED: "không phát được",
    AiringStatus.MISSED: "bị lỡ",
    AiringStatus.SKIPPED: "bỏ qua",
}

PRIORITY_LABELS: dict[Priority, str] = {
    Priority.NORMAL: "thường",
    Priority.PRIORITY: "ưu tiên",
    Priority.EMERGENCY: "khẩn cấp",
}


# Roles of the desk's accounts (ids as stored; labels as the officer reads them).
ROLE_LABELS: dict[str, str] = {
    "bien-tap": "biên tập",
    "duyet": "duyệt",
    "quan-tri": "quản trị",
    "xem": "xem",
}

# What the desk's audit trail records, as the officer reads it.
AUDIT_LABELS: dict[str, str] = {
    "login": "đăng nhập",
    "login_failed": "đăng nhập sai",
    "login_throttled": "đăng nhập bị chặn tạm thời",
    "logout": "đăng xuất",
    "first_run_link": "tạo liên kết thiết lập",
    "account_add": "thêm tài khoản",
    "account_disable": "khoá tài khoản",
    "account_enable": "mở khoá tài khoản",
    "password_change": "đổi mật khẩu",
    "password_change_failed": "đổi mật khẩu sai",
    "password_reset": "đặt lại mật khẩu",
    "bulletin_create": "viết bản tin",
    "bulletin_save": "sửa bản tin",
    "approve": "duyệt",
    "approve_refused": "từ chối duyệt (bốn mắt)",
    "return": "trả lại",
    "setting_four_eyes": "đổi nguyên tắc bốn mắt",
    "emergency": "phát khẩn cấp",
    "air_now": "phát ngay",
}

# A bulletin's vetting state as the desk and `check` name it.
APPROVAL_LABELS: dict[str, str] = {
    "pending": "chờ duyệt",
    "returned": "bị trả lại",
    "approved": "đã duyệt",
    "stale": "chờ duyệt lại",
    "error": "có lỗi",
}


def approval_label(state: str) -> str:
    return APPROVAL_LABELS.get(state, state)


def stale_reason(bulletin: Bulletin) -> str:
    """Why a bulletin marked approved does not air: its approval names no content, or the content changed."""
    if not bulletin.approved_hash:
        return (
            "đã ghi duyệt nhưng lời duyệt chưa gắn với nội dung (thiếu approved_hash): cần duyệt lại trên bàn "
            "làm việc (broadcaster serve)"
        )
    when = bulletin.approved_at
    at = f" lúc {fmt_time(when)} {fmt_date(when.date())}" if when is not None else ""
    return f"nội dung đã thay đổi sau khi duyệt{at}, cần duyệt lại"


def status_label(status: AiringStatus | str) -> str:
    """'interrupted' -> 'bị gián đoạn' (an unknown value is shown as it is, never hidden)."""
    try:
        return STATUS_LABELS[AiringStatus(status)]
    except ValueError:
        return str(status)


# A planned session as the week (plan table, desk) shows it: still to come, or what the log says became of it.
SESSION_STATES: dict[str, str] = {
    "upcoming": "sắp phát",
    "due": "đến giờ phát",  # its time has just passed (within the grace time): the station may still air it
    "airing": "đang phát",
    "aired": "đã phát",
    "test": "chạy thử",  # aired into a file or nowhere: no villager heard it
    "incomplete": "phát không trọn",
    "missed": "bị lỡ",
    "failed": "không phát được",
    "not_logged": "không có trong nhật ký",  # past, and the log has nothing for it (the station did not run)
    "past": "đã qua",  # a session that was not to air anyway (day off, nothing fitted) and whose time has passed
}

TEST_LABEL = "chạy thử"  # an airing into a file or nowhere (output file/null): no villager heard it


def airing_label(status: AiringStatus | str, test: bool = False) -> str:
    """A log row's status as the officer reads it: 'đã phát', or 'chạy thử' for a test airing that played to the
    end ('chạy thử (bị gián đoạn)' otherwise), so a test airing never reads as aired."""
    if not test:
        return status_label(status)
    return TEST_LABEL if status == AiringStatus.COMPLETED else f"{TEST_LABEL} ({status_label(status)})"


def topic_name(station: Station, topic: str) -> str:
    """A topic's Vietnamese name when station.yaml gives one (`topics:`), else the topic as the bulletin writes it."""
    return dict(station.topics).get(topic, topic)


def slot_name(station: Station, slot_id: str) -> str:
    """A session slot's name ('Buổi sáng'); 'Buổi <id>' for a slot since removed from station.yaml."""
    return next((s.name for s in station.slots if s.id == slot_id), f"Buổi {slot_id}")


def session_label(station: Station, session_key: str, output_id: str = "") -> str:
    """A log row's session as the officer reads it, not its key: 'Buổi sáng thứ Hai 30/11/2026 · đường loa main',
    'Phát ngay buổi sáng … lúc 07:12:05' (aired by hand), 'Tin khẩn cấp', 'Nói trực tiếp'. A key of an unknown
    shape is shown as it is."""
    parts = session_key.split("/")
    line = f" · đường loa {output_id}" if output_id else ""
    if parts[0] == "emergency":
        return f"Tin khẩn cấp{line}"
    if parts[0] == "live":
        return f"Nói trực tiếp{line}"
    try:
        day = date.fromisoformat(parts[0])
    except ValueError:
        return session_key
    if len(parts) < 2:
        return session_key
    text = f"{slot_name(station, parts[1])} {weekday(day, capital=False)} {fmt_date(day)}"
    manual = parts[3] if len(parts) > 3 and parts[3].startswith("manual-") else ""
    if len(manual) == len("manual-HHMMSS") and manual[7:].isdigit():
        text = f"Phát ngay {text[:1].lower()}{text[1:]} lúc {manual[7:9]}:{manual[9:11]}:{manual[11:13]}"
    return text + line


def weekday(d: date | int, *, capital: bool = True) -> str:
    """'Thứ Hai' at the start of a line, 'thứ Hai' inside a sentence ('buổi sáng thứ Hai'); `d` a date or a
    weekday number (0 = Monday)."""
    name = WEEKDAYS[d if isinstance(d, int) else d.weekday()]
    return name if capital or not name.startswith("Thứ") else "t" + name[1:]  # "Chủ nhật" keeps its capital


def fmt_date(d: date) -> str:
    """30/11/2026."""
    return d.strftime("%d/%m/%Y")


def fmt_time(t: time | datetime) -> str:
    """06:30."""
    return t.strftime("%H:%M")


def fmt_when(dt: datetime) -> str:
    """A moment in a log line: '06:30:00 thứ Hai 30/11/2026'."""
    return f"{dt:%H:%M:%S} {weekday(dt.date(), capital=False)} {fmt_date(dt.date())}"


def fmt_duration(seconds: float) -> str:
    """Durations in tables: 95 -> '1:35'; an hour or more -> '1:02:05'. Rounded up, so a programme of 59.5 s is
    never shown shorter than it is."""
    total = max(0, math.ceil(seconds - 1e-9))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def fmt_seconds(seconds: float) -> str:
    """Whole seconds in reasons: '95 giây'."""
    return f"{max(0, round(seconds))} giây"


def fmt_spoken_duration(seconds: float) -> str:
    """Durations in prose: '8 phút 10 giây', '45 giây', '1 giờ 5 phút'."""
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} giờ"] if h else []
    if m:
        parts.append(f"{m} phút")
    if s and not h:
        parts.append(f"{s} giây")
    return " ".join(parts) or "0 giây"
