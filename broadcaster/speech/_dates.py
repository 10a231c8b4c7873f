"""Dates, date ranges, weekday ranges, clock times and durations.

`24/01/2024` -> "ngày hai mươi tư tháng một năm hai nghìn không trăm hai mươi tư"; `từ 01/3 - 15/3/2024` ->
"từ ngày một tháng ba đến ngày mười lăm tháng ba năm …"; `7h30` -> "bảy giờ ba mươi phút"; `5:20:35` -> "năm giờ
hai mươi phút ba mươi lăm giây"; `3p20s` -> "ba phút hai mươi giây".
"""

from __future__ import annotations

import re

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._numbers import read_int, read_month, read_ordinal
from broadcaster.speech._patterns import DASH, YEAR

__all__ = ["replace_dates", "replace_times"]


def _valid_date(d: str, m: str) -> bool:
    return 1 <= int(d) <= 31 and 1 <= int(m) <= 12


def _date(c: Ctx, d: str, m: str | None, y: str | None, ngay: str = "ngày ") -> str:
    out = f"{ngay}{read_int(int(d), c.r)}"
    if m:
        out += f" tháng {read_month(int(m), c.r)}"
    if y:
        out += f" năm {read_int(int(y), c.r)}"
    return out


_DATE_RANGE_RE = re.compile(
    rf"(?P<tu>(?i:từ)\s+)?(?P<n1>(?i:ngày)\s+)?(?<![\d/.,])(?P<d1>\d{{1,2}})(?:/(?P<m1>\d{{1,2}})(?:/(?P<y1>{YEAR}))?)?"
    rf"{DASH}(?P<n2>(?i:ngày)\s+)?(?P<d2>\d{{1,2}})/(?P<m2>\d{{1,2}})(?:/(?P<y2>{YEAR}))?(?![\d/])"
)
_FROM_DAY_RE = re.compile(
    r"(?P<tu>(?i:từ)\s+)(?!ngày)(?P<d1>\d{1,2})\s+(?P<den>(?i:đến|tới))\s+(?:(?i:ngày)\s+)?(?P<d2>\d{1,2})/(?P<m2>\d{1,2})"
    r"(?:/(?P<y2>\d{4}))?(?![\d/])"
)
_DATE_RE = re.compile(rf"(?P<ngay>(?i:ngày)\s+)?(?<![\d/.,])(?P<d>\d{{1,2}})([/.-])(?P<m>\d{{1,2}})\3(?P<y>{YEAR})(?![\d/])")
_ISO_DATE_RE = re.compile(rf"(?P<ngay>(?i:ngày)\s+)?(?<![\d/.,-])(?P<y>{YEAR})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?![\d-])")
_MONTH_YEAR_RE = re.compile(rf"(?P<thang>(?i:tháng)\s+)?(?<![\d/.,])(?P<m>\d{{1,2}})[/-](?P<y>{YEAR})(?![\d/])")
_PARTIAL_DATE_RE = re.compile(
    r"(?P<ngay>(?i:ngày)\s+)?(?<![\d/.,])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d/]|,\d)"
)
_RATIO_CUE = re.compile(
    r"(?i)\b(?:đạt|có|được|thứ|xếp|chiếm|còn|hoàn thành|tỷ lệ|bằng|khoảng|gần|hơn|ngõ|ngách|hẻm|kiệt|nhà số|số nhà)\s*$"
)
_COUNTED_AFTER = re.compile(
    r"\s*(?:chỉ tiêu|tiêu chí|xã|thôn|hộ|người|số|phần|thủ tục|TTHC|hồ sơ|đơn vị|cơ quan|trường|lượt|ý kiến|câu|"
    r"điểm|nội dung|nhiệm vụ|công trình|dự án|thành viên|đại biểu|phiếu|diện tích|tổng|dân số|thời gian|"
    r"kinh phí|khối lượng|viên|gói|thìa|cốc|chén|bát|liều|ống|quả|lít|cân)(?!\w)"
)
_DATE_CUE = re.compile(r"(?i)(?:\b(?:từ|đến|tới|hôm|trước|sau|hạn|sáng|chiều|tối|đêm|và|mai|nay)\s*|[(,]\s*)$")


def _date_range(m: re.Match[str], c: Ctx) -> str:
    if not m.group("m1") and not (m.group("tu") or m.group("n1")):
        return m.group(0)  # "3 - 5/7" without a cue could be anything: leave it to the number rules
    if not (_valid_date(m.group("d1"), m.group("m1") or "1") and _valid_date(m.group("d2"), m.group("m2"))):
        return m.group(0)
    first = _date(c, m.group("d1"), m.group("m1"), m.group("y1"), m.group("n1") or "ngày ")
    second = _date(c, m.group("d2"), m.group("m2"), m.group("y2"), m.group("n2") or "ngày ")
    return f"{m.group('tu') or ''}{first} đến {second}"


def _from_day(m: re.Match[str], c: Ctx) -> str:
    """"từ 14 đến 16/10" -> "từ ngày mười bốn đến ngày mười sáu tháng mười"."""
    if not (_valid_date(m.group("d1"), m.group("m2")) and _valid_date(m.group("d2"), m.group("m2"))):
        return m.group(0)
    second = _date(c, m.group("d2"), m.group("m2"), m.group("y2"))
    return f"{m.group('tu')}ngày {read_int(int(m.group('d1')), c.r)} {m.group('den')} {second}"


def _full_date(m: re.Match[str], c: Ctx) -> str:
    if not _valid_date(m.group("d"), m.group("m")):
        return m.group(0)
    return _date(c, m.group("d"), m.group("m"), m.group("y"), m.group("ngay") or "ngày ")


def _month_year(m: re.Match[str], c: Ctx) -> str:
    if not 1 <= int(m.group("m")) <= 12:
        return m.group(0)
    year = read_int(int(m.group("y")), c.r)
    return f"{m.group('thang') or 'tháng '}{read_month(int(m.group('m')), c.r)} năm {year}"


def _partial_date(m: re.Match[str], c: Ctx) -> str:
    d, mo = m.group("d"), m.group("m")
    if not _valid_date(d, mo):
        return m.group(0)
    cue = m.group("ngay") or _DATE_CUE.search(m.string, max(0, m.start() - 12), m.start())
    if (d, mo) == ("24", "7") and not cue:
        return m.group(0)  # "trực 24/7": around the clock, "hai mươi tư trên bảy"
    # a comma or bracket before is only a weak cue: ", 3/4 diện tích" counts, ", 3/4 bà con" is a date
    weak = cue is not None and not m.group("ngay") and cue.group(0).strip()[:1] in ",("
    if not ((cue and not weak) or d.startswith("0") or mo.startswith("0")) and (
        (not cue and _RATIO_CUE.search(m.string, max(0, m.start() - 14), m.start()))
        or _COUNTED_AFTER.match(m.string, m.end())
    ):
        return m.group(0)  # "đạt 5/7 chỉ tiêu", "1/2 số hộ": a ratio, "năm trên bảy"
    return _date(c, d, mo, None, m.group("ngay") or "ngày ")


def replace_dates(text: str, c: Ctx) -> str:
    """Date ranges, full dates (d/m/y, d-m-y, d.m.y, ISO), month/year, day/month."""
    if "/" not in text and "-" not in text and "." not in text:
        return text
    text = sub(c, "date range", _DATE_RANGE_RE, _date_range, text)
    text = sub(c, "date range", _FROM_DAY_RE, _from_day, text)
    text = sub(c, "date", _DATE_RE, _full_date, text)
    if "-" in text:
        text = sub(c, "date", _ISO_DATE_RE, _full_date, text)
    text = sub(c, "month and year", _MONTH_YEAR_RE, _month_year, text)
    return sub(c, "date", _PARTIAL_DATE_RE, _partial_date, text)


# --- weekdays, clock times, durations --------------------------------------------------------------------------

_WEEKDAY_RANGE_RE = re.compile(
    r"(?<!\w)(?:(?P<w1>[Tt]hứ)\s*|T)(?P<a>[2-7])" + DASH + r"(?:(?:[Tt]hứ\s*|T)(?P<b>[2-7])|(?P<cn>CN|[Cc]hủ nhật))(?!\w)"
)


def _weekday_range(m: re.Match[str], c: Ctx) -> str:
    """"T2-T6", "Thứ 2 - Thứ 6", "T2 - CN" -> "thứ hai đến thứ sáu", "... đến chủ nhật"."""
    first = f"{m.group('w1') or 'thứ'} {read_ordinal(int(m.group('a')), c.r)}"
    last = f"thứ {read_ordinal(int(m.group('b')), c.r)}" if m.group("b") else "chủ nhật"
    return f"{first} đến {last}"


def _time_pattern(i: str) -> str:
    return (rf"(?<![\d:/.,])(?P<h{i}>\d{{1,2}})(?:(?:h|g(?=\d{{2}}))(?P<m{i}>\d{{2}})?(?:p|ph|')?|:(?P<c{i}>\d{{2}})"
            rf"(?::(?P<s{i}>\d{{2}}))?)(?![\w:])")


_TIME_RANGE_RE = re.compile(_time_pattern("1") + DASH + _time_pattern("2"))
_TIME_RE = re.compile(_time_pattern(""))
# durations: "3p20s", "3p 20s", "2h30p15s", "2'30''" (minutes and seconds)
_DURATION_RE = re.compile(
    r"(?<![\d:/.,])(?:(?P<h>\d{1,3})h\s?)?(?:(?P<m>\d{1,3})(?:p|ph)\s?)(?:(?P<s>\d{1,2})s)?(?![\w:])"
    r"|(?<![\d:/.,])(?P<m2>\d{1,3})'\s?(?P<s2>\d{1,2})(?:''|\")"
)


def _read_time(m: re.Match[str], i: str, c: Ctx) -> str | None:
    h = int(m.group(f"h{i}"))
    minutes = m.group(f"m{i}") or m.group(f"c{i}")
    mi = int(minutes) if minutes else 0
    sec = int(m.group(f"s{i}") or 0) if m.group(f"s{i}") else None
    if h > 24 and sec is None and mi <= 59 and m.group(f"c{i}"):  # 38:45 is a race time: minutes, seconds
        return f"{read_int(h, c.r)} phút {read_int(mi, c.r)} giây"
    if h > 24 or mi > 59 or (sec is not None and sec > 59):
        return None
    if sec is not None and h == 0:  # 00:45:10 is a duration: "bốn mươi lăm phút mười giây"
        out = f"{read_int(mi, c.r)} phút"
    else:
        out = f"{read_int(h, c.r)} giờ" + (f" {read_int(mi, c.r)} phút" if mi or sec else "")
    return out + (f" {read_int(sec, c.r)} giây" if sec else "")


def _time_range(m: re.Match[str], c: Ctx) -> str:
    a, b = _read_time(m, "1", c), _read_time(m, "2", c)
    return f"{a} đến {b}" if a and b else m.group(0)


def _duration(m: re.Match[str], c: Ctx) -> str:
    h, mi, s = m.group("h"), m.group("m") or m.group("m2"), m.group("s") or m.group("s2")
    if (s and int(s) > 59) or (h and int(mi) > 59):
        return m.group(0)
    out = [f"{read_int(int(h), c.r)} giờ"] if h else []
    out.append(f"{read_int(int(mi), c.r)} phút")
    if s:
        out.append(f"{read_int(int(s), c.r)} giây")
    return " ".join(out)


def replace_times(text: str, c: Ctx) -> str:
    """Weekday ranges, clock-time ranges, clock times (with seconds), durations in minutes and seconds."""
    if "T" in text or "hứ" in text:
        text = sub(c, "weekday range", _WEEKDAY_RANGE_RE, _weekday_range, text)
    text = sub(c, "duration", _DURATION_RE, _duration, text)
    text = sub(c, "time range", _TIME_RANGE_RE, _time_range, text)
    return sub(c, "time", _TIME_RE, lambda m, c: _read_time(m, "", c) or m.group(0), text)
