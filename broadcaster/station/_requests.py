"""Control files are input: read them as untrusted. Regular files only (no symlink, FIFO or device: a request that
points at /dev/zero must not be read until memory runs out), a size cap, strict JSON types and the same ranges
as the command line (`repeat` 1–10). A bad request is refused with its reason; it never crashes a thread."""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from broadcaster.words import fmt_when

__all__ = ["MAX_REQUEST_BYTES", "REQUEST_MAX_AGE_SECONDS", "BadRequest", "check_air", "check_emergency", "check_live",
           "check_live_stop", "read_request", "stale_reason"]

MAX_REQUEST_BYTES = 64 * 1024  # a request is a few hundred bytes; a longer emergency text still fits
# Senders wait seconds for the station to take a request, then withdraw it; one still waiting after this long
# was left behind (its sender crashed mid-send, or the station was off): refused, never acted on late.
REQUEST_MAX_AGE_SECONDS = 600.0
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")


class BadRequest(ValueError):
    """Why a control file was refused (Vietnamese, for the station's log)."""


def stale_reason(requested_at: datetime, now: datetime) -> str:
    """Why a request taken at `now` is refused as too old, or "" when it is fresh enough to act on. A storm
    warning written yesterday must not air when the station comes back today; nobody is waiting for it. Both
    moments carry their zone (`_moment` refuses a request without one)."""
    if (now - requested_at).total_seconds() <= REQUEST_MAX_AGE_SECONDS:
        return ""
    return (f"yêu cầu gửi lúc {fmt_when(requested_at.astimezone(now.tzinfo))} đã chờ quá "
            f"{REQUEST_MAX_AGE_SECONDS / 60:.0f} phút mà đài chưa nhận (đài không chạy lúc đó?): không phát; "
            "gửi lại nếu vẫn cần")


def read_request(path: Path) -> str:
    """The file's text, if it is a regular file of at most MAX_REQUEST_BYTES (never follows a symlink)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise BadRequest(f"không mở được tệp yêu cầu (liên kết tượng trưng hoặc không đọc được: {exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadRequest("không phải tệp thường (thiết bị, FIFO hoặc thư mục)")
        if info.st_size > MAX_REQUEST_BYTES:
            raise BadRequest(f"tệp quá lớn ({info.st_size} byte, tối đa {MAX_REQUEST_BYTES})")
        data = os.read(fd, MAX_REQUEST_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_REQUEST_BYTES:
        raise BadRequest(f"tệp quá lớn (trên {MAX_REQUEST_BYTES} byte)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("không phải văn bản UTF-8") from None


def _text(limit: int, *, optional: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise BadRequest(f"phải là chuỗi tối đa {limit} ký tự")
        return value
    return check


def _ident(value: Any) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise BadRequest("mã yêu cầu không hợp lệ")
    return value


def _moment(value: Any) -> datetime:
    try:
        result = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        result = None
    if result is None or result.tzinfo is None:
        raise BadRequest("phải là thời điểm ISO 8601 có múi giờ")
    return result


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else _fail("phải là ngày YYYY-MM-DD")
    except ValueError:
        raise BadRequest("phải là ngày YYYY-MM-DD") from None


def _fail(message: str) -> Any:
    raise BadRequest(message)


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 < value <= 3 * 3600:
        raise BadRequest("phải là số giây từ 0 đến 10800")
    return float(value)


def _repeat(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise BadRequest("số lần phát phải là số nguyên từ 1 đến 10 (như lệnh broadcaster emergency --repeat)")
    return value


def _zones(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 200 or not all(isinstance(z, str) and len(z) <= 64
                                                                   for z in value):
        raise BadRequest("danh sách thôn không hợp lệ")
    return tuple(value)


def _wav(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 4096 or not os.path.isabs(value):
        raise BadRequest("đường dẫn âm thanh phải là đường dẫn tuyệt đối")
    if not os.path.isfile(value):  # follows links: a link to /dev/zero is not a regular file
        raise BadRequest(f"không có tệp âm thanh thường {value}")
    return value


_EMERGENCY: Mapping[str, tuple[Callable[[Any], Any], bool]] = {
    "id": (_ident, True), "requested_at": (_moment, True), "who": (_text(100), True), "message": (_wav, True),
    "message_seconds": (_seconds, True), "title": (_text(300), True), "zones": (_zones, False),
    "repeat": (_repeat, False), "text": (_text(20000, optional=True), False),
    "audio": (_text(4096, optional=True), False), "engine": (_text(100), False), "voice": (_text(100), False),
    "audio_hash": (_text(128), False),
}
_AIR: Mapping[str, tuple[Callable[[Any], Any], bool]] = {
    "id": (_ident, True), "requested_at": (_moment, True), "who": (_text(100), True), "slot": (_text(200), True),
    "day": (_day, True),
}


def _minutes_as_seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 < value <= 120 * 60:
        raise BadRequest("phải là số giây từ 0 đến 7200 (tối đa 120 phút)")
    return float(value)


def _target(value: Any) -> str:
    return "" if value in (None, "") else _ident(value)


_LIVE: Mapping[str, tuple[Callable[[Any], Any], bool]] = {
    "id": (_ident, True), "requested_at": (_moment, True), "who": (_text(100), True), "zones": (_zones, False),
    "device": (_text(200, optional=True), False), "max_seconds": (_minutes_as_seconds, False),
    "chime": (lambda v: None if v is None else _wav(v), False),
}
_LIVE_STOP: Mapping[str, tuple[Callable[[Any], Any], bool]] = {
    "id": (_ident, True), "requested_at": (_moment, True), "who": (_text(100), True), "target": (_target, False),
}


def _check(raw: str, spec: Mapping[str, tuple[Callable[[Any], Any], bool]]) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadRequest("không phải JSON hợp lệ") from None
    if not isinstance(data, dict):
        raise BadRequest("phải là một đối tượng JSON")
    out: dict[str, Any] = {}
    for key, (check, required) in spec.items():
        if key not in data:
            if required:
                raise BadRequest(f"thiếu trường '{key}'")
            continue
        try:
            out[key] = check(data[key])
        except BadRequest as exc:
            raise BadRequest(f"trường '{key}': {exc}") from None
    return out


def check_emergency(raw: str) -> dict[str, Any]:
    """An emergency request's fields, checked (BadRequest names the field and what it must be)."""
    return _check(raw, _EMERGENCY)


def check_air(raw: str) -> dict[str, Any]:
    """A "phát ngay" request's fields, checked."""
    return _check(raw, _AIR)


def check_live(raw: str) -> dict[str, Any]:
    """A live announcement request's fields (`broadcaster live`, the desk's "Nói trực tiếp"), checked."""
    return _check(raw, _LIVE)


def check_live_stop(raw: str) -> dict[str, Any]:
    """A request to stop the live announcement on air (`target`: its id, or empty for whichever airs)."""
    return _check(raw, _LIVE_STOP)
