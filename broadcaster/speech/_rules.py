"""Numeric rules in the order an announcer resolves them: dates and date ranges, times, money, percentages and
units, ranges ("đến"), months and ordinals, Roman numerals in context, then every number left.

Each rule is a precompiled regex and a small callback; `apply` runs them in order, so a later rule never sees
digits an earlier one already turned into words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from broadcaster.speech._dictionary import Dictionary
from broadcaster.speech._numbers import (
    read_decimal,
    read_int,
    read_month,
    read_numeral,
    read_ordinal,
    roman_to_int,
)

__all__ = ["apply", "read_number"]

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_NUM_RE = re.compile(rf"(?<![\d])(?:{_NUM})(?![\d])")
_DASH = r"\s*[-–—]\s*"
_YEAR = r"(?:19|20)\d{2}"


def read_number(s: str) -> str:
    """A written number with Vietnamese separators: "1.500" -> "một nghìn năm trăm", "2,5" -> "hai phẩy năm"."""
    whole, _, frac = s.partition(",")
    return read_decimal(whole.replace(".", ""), frac) if frac else read_numeral(whole)


def _keep(word: str | None) -> str:
    """Echo an optional captured lead word ("ngày ", "Từ ") as written."""
    return word or ""


def _valid_date(d: str, m: str) -> bool:
    return 1 <= int(d) <= 31 and 1 <= int(m) <= 12


def _date(d: str, m: str | None, y: str | None, ngay: str = "ngày ") -> str:
    out = f"{ngay}{read_int(int(d))}"
    if m:
        out += f" tháng {read_month(int(m))}"
    if y:
        out += f" năm {read_int(int(y))}"
    return out


# --- dates ---------------------------------------------------------------------------------------------------

_DATE_RANGE_RE = re.compile(
    rf"(?P<tu>(?i:từ)\s+)?(?P<n1>(?i:ngày)\s+)?(?<![\d/.,])(?P<d1>\d{{1,2}})(?:/(?P<m1>\d{{1,2}})(?:/(?P<y1>{_YEAR}))?)?"
    rf"{_DASH}(?P<n2>(?i:ngày)\s+)?(?P<d2>\d{{1,2}})/(?P<m2>\d{{1,2}})(?:/(?P<y2>{_YEAR}))?(?![\d/])"
)
_DATE_RE = re.compile(rf"(?P<ngay>(?i:ngày)\s+)?(?<![\d/.,])(?P<d>\d{{1,2}})([/.-])(?P<m>\d{{1,2}})\3(?P<y>{_YEAR})(?![\d/])")
_MONTH_YEAR_RE = re.compile(rf"(?P<thang>(?i:tháng)\s+)?(?<![\d/.,])(?P<m>\d{{1,2}})[/-](?P<y>{_YEAR})(?![\d/])")
_PARTIAL_DATE_RE = re.compile(
    r"(?P<ngay>(?i:ngày)\s+)?(?<![\d/.,])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d/]|,\d)"
)
_RATIO_CUE = re.compile(r"(?i)\b(?:đạt|có|được|thứ|xếp|chiếm|còn|hoàn thành|tỷ lệ|bằng)\s*$")
_COUNTED_AFTER = re.compile(
    r"\s*(?:chỉ tiêu|tiêu chí|xã|thôn|hộ|người|số|phần|thủ tục|TTHC|hồ sơ|đơn vị|cơ quan|trường|lượt|ý kiến|câu|"
    r"điểm|nội dung|nhiệm vụ|công trình|dự án|thành viên|đại biểu|phiếu|diện tích|tổng|dân số|thời gian|"
    r"kinh phí|khối lượng)(?!\w)"
)
_DATE_CUE = re.compile(r"(?i)(?:\b(?:từ|đến|tới|hôm|trước|sau|hạn|sáng|chiều|tối|đêm|và|mai|nay)\s*|[(,]\s*)$")


def _date_range(m: re.Match[str]) -> str:
    if not m.group("m1") and not (m.group("tu") or m.group("n1")):
        return m.group(0)  # "3 - 5/7" without a cue could be anything: leave it to the number rules
    if not (_valid_date(m.group("d1"), m.group("m1") or "1") and _valid_date(m.group("d2"), m.group("m2"))):
        return m.group(0)
    n1 = m.group("n1") or "ngày "
    first = _date(m.group("d1"), m.group("m1"), m.group("y1"), n1)
    second = _date(m.group("d2"), m.group("m2"), m.group("y2"), m.group("n2") or "ngày ")
    return f"{_keep(m.group('tu'))}{first} đến {second}"


def _full_date(m: re.Match[str]) -> str:
    if not _valid_date(m.group("d"), m.group("m")):
        return m.group(0)
    return _date(m.group("d"), m.group("m"), m.group("y"), m.group("ngay") or "ngày ")


def _month_year(m: re.Match[str]) -> str:
    if not 1 <= int(m.group("m")) <= 12:
        return m.group(0)
    thang = m.group("thang") or "tháng "
    return f"{thang}{read_month(int(m.group('m')))} năm {read_int(int(m.group('y')))}"


def _partial_date(m: re.Match[str]) -> str:
    d, mo = m.group("d"), m.group("m")
    if not _valid_date(d, mo):
        return m.group(0)
    cue = m.group("ngay") or _DATE_CUE.search(m.string, max(0, m.start() - 12), m.start())
    # a comma or bracket before is only a weak cue: ", 3/4 diện tích" counts, ", 3/4 bà con" is a date
    weak = cue is not None and not m.group("ngay") and cue.group(0).strip()[:1] in ",("
    if not ((cue and not weak) or d.startswith("0") or mo.startswith("0")) and (
        (not cue and _RATIO_CUE.search(m.string, max(0, m.start() - 14), m.start()))
        or _COUNTED_AFTER.match(m.string, m.end())
    ):
        return m.group(0)  # "đạt 5/7 chỉ tiêu", "1/2 số hộ": a ratio, "năm trên bảy"
    return _date(d, mo, None, m.group("ngay") or "ngày ")


_WEEKDAY_RANGE_RE = re.compile(
    r"(?<!\w)(?:(?P<w1>[Tt]hứ)\s*|T)(?P<a>[2-7])" + _DASH + r"(?:(?:[Tt]hứ\s*|T)(?P<b>[2-7])|(?P<cn>CN|[Cc]hủ nhật))(?!\w)"
)


def _weekday_range(m: re.Match[str]) -> str:
    """"T2-T6", "Thứ 2 - Thứ 6", "T2 - CN" -> "thứ hai đến thứ sáu", "... đến chủ nhật"."""
    first = f"{m.group('w1') or 'thứ'} {read_ordinal(int(m.group('a')))}"
    last = f"thứ {read_ordinal(int(m.group('b')))}" if m.group("b") else "chủ nhật"
    return f"{first} đến {last}"


# --- times ---------------------------------------------------------------------------------------------------

def _time_pattern(i: str) -> str:
    return rf"(?<![\d:/.,])(?P<h{i}>\d{{1,2}})(?:[hg](?P<m{i}>\d{{2}})?|:(?P<c{i}>\d{{2}}))(?![\w:])"


_TIME_RANGE_RE = re.compile(_time_pattern("1") + _DASH + _time_pattern("2"))
_TIME_RE = re.compile(_time_pattern(""))


def _read_time(m: re.Match[str], i: str) -> str | None:
    h = int(m.group(f"h{i}"))
    minutes = m.group(f"m{i}") or m.group(f"c{i}")
    mi = int(minutes) if minutes else 0
    if h > 24 or mi > 59:
        return None
    return f"{read_int(h)} giờ" + (f" {read_int(mi)} phút" if mi else "")


def _time_range(m: re.Match[str]) -> str:
    a, b = _read_time(m, "1"), _read_time(m, "2")
    return f"{a} đến {b}" if a and b else m.group(0)


def _time(m: re.Match[str]) -> str:
    return _read_time(m, "") or m.group(0)


# --- quantities ----------------------------------------------------------------------------------------------

_MONEY_RE = re.compile(rf"(?<![\d])(?P<n>{_NUM})\s*(?:đồng|đ|VNĐ|VND|vnđ)(?![\w])")
_PER_WORDS = r"người|tháng|năm|ngày|hộ|lượt|giờ|tuần|khẩu|hồ sơ|suất|lần|con|buổi"
_PER_RE = re.compile(rf"/(?=(?:{_PER_WORDS})(?!\w))")


_CURRENCY = ("đồng", "đ", "VNĐ", "VND", "vnđ")


def _quantity_res(d: Dictionary) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    unit = rf"(?P<u>%|(?:{d.units_re})(?![\w²³]))"
    money_or_unit = rf"(?P<u>%|(?:{d.units_re}|{'|'.join(_CURRENCY)})(?![\w²³]))"
    return (
        re.compile(rf"(?<![\d])(?P<a>{_NUM}){_DASH}(?P<b>{_NUM})\s*{money_or_unit}"),
        re.compile(rf"(?<![\d])(?P<a>{_NUM})\s*{unit}"),
        # a price or rate per unit: "15.000 đ/kg" -> "... đồng một ki lô gam"
        re.compile(rf"(?<=\w)\s*/\s*(?P<u>{d.units_re})(?![\w²³])"),
    )


_QUANTITY_CACHE: dict[int, tuple[Dictionary, tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]]] = {}


def _unit_word(u: str, d: Dictionary) -> str:
    if u == "%":
        return "phần trăm"
    return "đồng" if u in _CURRENCY else d.units[u]


# --- context words -------------------------------------------------------------------------------------------

_MONTH_RE = re.compile(r"(?P<w>(?i:tháng))\s+0?(?P<n>\d{1,2})(?!\d|[/,.]\d)")
_ORDINAL_RE = re.compile(r"(?P<w>(?i:thứ))\s+(?P<n>\d{1,2})(?!\d|[/,.]\d)")
_ROMAN_WORDS = (
    r"khóa|chương|quý|phần|mục|đại hội|kỳ họp|kỳ|thế kỷ|tập|hội nghị|lần|giai đoạn|điều|khoản|bài|tiết|hạng|đợt|"
    r"vòng|bậc|khu vực|cấp độ|thứ"
)
_CONTEXT_NUMBER_RE = re.compile(
    rf"(?P<w>\b(?i:{_ROMAN_WORDS}))\s+(?P<n>[IVXLC]+|\d{{1,3}})(?![\w]|[.,]\d)(?:/(?P<y>{_YEAR})(?![\d])|(?!/\d))"
)
_ROMAN_HEADING_RE = re.compile(r"^(?P<sp>[ \t]*)(?P<n>[IVXLC]+)(?P<p>[.)])(?=\s)", re.MULTILINE)


def _context_number(m: re.Match[str]) -> str:
    raw = m.group("n")
    if raw in ("L", "C"):
        return m.group(0)  # "mục C", "phần L": a letter label, not fifty or a hundred
    value = int(raw) if raw.isdigit() else roman_to_int(raw)
    if value is None:
        return m.group(0)
    reader = read_ordinal if m.group("w").lower() == "thứ" else read_int  # "lần thứ XXV", "thứ IV" -> "thứ tư"
    out = f"{m.group('w')} {reader(value)}"
    if m.group("y"):
        out += f" năm {read_int(int(m.group('y')))}"
    return out


def _roman_heading(m: re.Match[str]) -> str:
    value = roman_to_int(m.group("n"))
    return f"{m.group('sp')}{read_int(value)}{m.group('p')}" if value else m.group(0)


# --- what is left --------------------------------------------------------------------------------------------

_RATIO_RE = re.compile(r"(?<![\d/])(\d+)/(\d+)(?![\d/])")
_PORTION_AFTER = re.compile(r"\s*(?:số|diện tích|tổng|dân số|thời gian|kinh phí|khối lượng)(?!\w)")


def _ratio(m: re.Match[str]) -> str:
    """A portion of a whole is a fraction, "1/2 số hộ" -> "một phần hai"; a count out of a total is a ratio,
    "5/7 chỉ tiêu" -> "năm trên bảy"."""
    num, den = m.group(1), m.group(2)
    if _PORTION_AFTER.match(m.string, m.end()) and 0 < int(num) < int(den) <= 10:
        return f"{read_int(int(num))} phần {'tư' if int(den) == 4 else read_int(int(den))}"
    return f"{read_numeral(num)} trên {read_numeral(den)}"

_RANGE_RE = re.compile(rf"(?<![\d])(?P<a>{_NUM}){_DASH}(?P<b>{_NUM})(?![\d])")
_LETTER_DIGIT_RE = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_POINT_DECIMAL_RE = re.compile(r"(?<![\d.,])(\d{1,3})\.(\d{1,2})(?=\s*(?:triệu|tỷ|nghìn|ngàn|%|ha|km|kg|tấn|m2|m²)(?!\w))")
_SECTION_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d]|\.\d)")


def apply(text: str, d: Dictionary) -> str:
    """Run every numeric rule over `text`; afterwards no digit is left."""
    cached = _QUANTITY_CACHE.get(id(d))
    if cached is None or cached[0] is not d:
        cached = (d, _quantity_res(d))
        if len(_QUANTITY_CACHE) > 32:  # dictionaries come and go as station files are edited
            _QUANTITY_CACHE.clear()
        _QUANTITY_CACHE[id(d)] = cached
    qrange_re, quantity_re, per_unit_re = cached[1]

    steps: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (_DATE_RANGE_RE, _date_range),
        (_DATE_RE, _full_date),
        (_MONTH_YEAR_RE, _month_year),
        (_PARTIAL_DATE_RE, _partial_date),
        (_POINT_DECIMAL_RE, lambda m: f"{m.group(1)},{m.group(2)}"),  # "2.5 triệu" typed the English way
        (_WEEKDAY_RANGE_RE, _weekday_range),
        (_TIME_RANGE_RE, _time_range),
        (_TIME_RE, _time),
        (qrange_re, lambda m: f"{read_number(m.group('a'))} đến {read_number(m.group('b'))} "
                              f"{_unit_word(m.group('u'), d)}"),
        (_MONEY_RE, lambda m: f"{read_number(m.group('n'))} đồng"),
        (quantity_re, lambda m: f"{read_number(m.group('a'))} {_unit_word(m.group('u'), d)}"),
        (_MONTH_RE, lambda m: f"{m.group('w')} {read_month(int(m.group('n')))}"),
        (_ORDINAL_RE, lambda m: f"{m.group('w')} {read_ordinal(int(m.group('n')))}"),
        (_CONTEXT_NUMBER_RE, _context_number),
        (_ROMAN_HEADING_RE, _roman_heading),
        (_RATIO_RE, _ratio),
        (_RANGE_RE, lambda m: f"{read_number(m.group('a'))} đến {read_number(m.group('b'))}"),
        (_SECTION_RE, lambda m: f"{read_int(int(m.group(1)))} chấm {read_int(int(m.group(2)))}"),
    ]
    for pattern, repl in steps:
        text = pattern.sub(repl, text)
    text = _PER_RE.sub(" một ", text)
    text = per_unit_re.sub(lambda m: f" một {_unit_word(m.group('u'), d)}", text)
    text = _LETTER_DIGIT_RE.sub(" ", text)
    return _NUM_RE.sub(lambda m: read_number(m.group(0)), text)
