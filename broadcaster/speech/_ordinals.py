"""Numbers read by the word before them: months, ordinals after "thứ", Roman or Arabic numerals after a noun
that takes a number (thế kỷ XX, phụ lục IV, đoạn II, năm MCMXCIX), Roman headings at the start of a line and
list numerals ("(ii)", "iii)"). A lone capital after a name stays a letter: "Nguyễn Văn A", "loại A".
"""

from __future__ import annotations

import re

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._numbers import read_int, read_month, read_ordinal, roman_to_int
from broadcaster.speech._patterns import YEAR

__all__ = ["replace_ordinals"]

_MONTH_RE = re.compile(r"(?P<w>(?i:tháng))\s+0?(?P<n>\d{1,2})(?!\d|[/,.]\d)")
_ORDINAL_RE = re.compile(r"(?P<w>(?i:thứ))\s+(?P<n>\d{1,2})(?!\d|[/,.]\d)")
_NOUNS = (
    r"khóa|chương|quý|phần|mục|tiểu mục|đại hội|kỳ họp|kỳ|thế kỷ|thế kỉ|tập|quyển|hội nghị|lần|giai đoạn|điều|"
    r"khoản|bài|tiết|hạng|đợt|vòng|bậc|khu vực|cấp độ|cấp|phụ lục|đoạn|năm|lớp|loại|vùng|quân khu|phiên|kỳ thi|"
    r"nhiệm kỳ|hiệp|báo động|thứ"
)
_CONTEXT_NUMBER_RE = re.compile(
    rf"(?P<w>\b(?i:{_NOUNS}))\s+(?P<n>[IVXLCDM]+|\d{{1,3}})(?![\w]|[.,]\d|\s*[-–]\s*\d)(?:/(?P<y>{YEAR})(?![\d])|(?!/\d))"
)
_ROMAN_HEADING_RE = re.compile(r"^(?P<sp>[ \t]*)(?P<n>[IVXLC]+)(?P<p>[.)])(?=\s)(?!\s*[A-ZĐ]\.)", re.MULTILINE)
# a level after a number: "RON 95-III" (Euro 3) -> "chín mươi lăm, ba"
_LEVEL_RE = re.compile(r"(?<=\d)-(?P<n>[IVX]{1,4})(?!\w)")
# list numerals: "(ii)", "(IV)" anywhere; "iii)", "iv." at the start of a line
_LIST_RE = re.compile(r"\((?P<n>[ivx]{1,5}|[IVX]{2,5}|I)\)|^(?P<sp>[ \t]*)(?P<m>[ivx]{1,5})[.)](?=\s)", re.MULTILINE)


def _context_number(m: re.Match[str], c: Ctx) -> str:
    raw = m.group("n")
    if raw in ("L", "C", "D", "M"):
        return m.group(0)  # "mục C", "loại D": a letter label, not fifty or a thousand
    value = int(raw) if raw.isdigit() else roman_to_int(raw)
    if value is None:
        return m.group(0)
    word = m.group("w").lower()
    if word == "năm" and raw.isdigit():
        return m.group(0)  # "năm 2024" is a year, read by the number rules
    reader = read_ordinal if word == "thứ" else read_int  # "lần thứ XXV", "thứ IV" -> "thứ tư"
    out = f"{m.group('w')} {reader(value, c.r)}"
    if m.group("y"):
        out += f" năm {read_int(int(m.group('y')), c.r)}"
    return out


def _roman_heading(m: re.Match[str], c: Ctx) -> str:
    value = roman_to_int(m.group("n"))
    return f"{m.group('sp')}{read_int(value, c.r)}{m.group('p')}" if value else m.group(0)


def _list_numeral(m: re.Match[str], c: Ctx) -> str:
    value = roman_to_int(m.group("n") or m.group("m"))
    if value is None:
        return m.group(0)
    if m.group("n"):
        return f"({read_int(value, c.r)})"
    return f"{m.group('sp')}{read_int(value, c.r)}."


def replace_ordinals(text: str, c: Ctx, digits: bool) -> str:
    """Months, ordinals, numbers after nouns, Roman headings and list numerals (`digits`: the text has any)."""
    if digits:
        text = sub(c, "month", _MONTH_RE, lambda m, c: f"{m.group('w')} {read_month(int(m.group('n')), c.r)}", text)
        text = sub(c, "ordinal", _ORDINAL_RE,
                   lambda m, c: f"{m.group('w')} {read_ordinal(int(m.group('n')), c.r)}", text)
    if digits and "-" in text:
        text = sub(c, "Roman level", _LEVEL_RE, lambda m, c: f", {read_int(roman_to_int(m.group('n')) or 0, c.r)}"
                   if roman_to_int(m.group("n")) else m.group(0), text)
    text = sub(c, "number after a noun", _CONTEXT_NUMBER_RE, _context_number, text)
    text = sub(c, "Roman heading", _ROMAN_HEADING_RE, _roman_heading, text)
    if "(" in text or ")" in text or "." in text:
        text = sub(c, "list numeral", _LIST_RE, _list_numeral, text)
    return text
