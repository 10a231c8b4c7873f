"""Money: currency symbols and codes before or after the amount, English-style amounts after a foreign symbol,
ranges of money, and the informal amounts of market notices.

`1.234.567₫` -> "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy đồng"; `$2.50` -> "hai phẩy năm
mươi đô la"; `50.000đ-100.000đ` -> "năm mươi nghìn đồng đến một trăm nghìn đồng"; `giá 1tr2` -> "giá một triệu
hai trăm nghìn đồng"; `50k` -> "năm mươi nghìn". Runs before the abbreviations, so "USD 10" is still a code.
"""

from __future__ import annotations

import re

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._numbers import read_decimal, read_int, read_numeral
from broadcaster.speech._patterns import DASH, NUM, read_number

__all__ = ["replace_money"]

CURRENCIES = {
    "đồng": "đồng", "đ": "đồng", "₫": "đồng", "VNĐ": "đồng", "VND": "đồng", "vnđ": "đồng", "vnd": "đồng",
    "$": "đô la", "US$": "đô la Mỹ", "USD": "đô la Mỹ", "usd": "đô la Mỹ",
    "€": "ơ rô", "EUR": "ơ rô", "euro": "ơ rô", "£": "bảng Anh", "GBP": "bảng Anh",
    "¥": "yên", "JPY": "yên Nhật", "CNY": "nhân dân tệ", "NDT": "nhân dân tệ", "₩": "won", "KRW": "won",
}
_PREFIXES = ("US$", "$", "USD", "€", "EUR", "£", "GBP", "¥", "JPY", "CNY", "₩", "₫")
_SUFFIX_ALT = "|".join(re.escape(k) for k in sorted(CURRENCIES, key=len, reverse=True))
_PREFIX_ALT = "|".join(re.escape(k) for k in _PREFIXES)
_SCALE = r"(?:\s*(?P<{}>nghìn|ngàn|triệu|tỷ|tỉ))"
# after a foreign symbol amounts are often written the English way: $1,000.50, $2.50
_EN_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{1,2}(?![\d.])"
_AMOUNT = rf"(?:{_EN_NUM}|{NUM})"

_POINT_DECIMAL_RE = re.compile(
    r"(?<![\d.,])(\d{1,3})\.(\d{1,2})(?=\s*(?:triệu|tỷ|tỉ|nghìn|ngàn|%|ha|km|kg|tấn|m2|USD|đô)(?!\w))"
)
_PREFIX_RE = re.compile(rf"(?<![\w$€£¥₫₩])(?P<cur>{_PREFIX_ALT})\s?(?P<n>{_AMOUNT}){_SCALE.format('s')}?(?![\d\w])")
_SUFFIX_RE = re.compile(rf"(?<![\d.,])(?P<n>{NUM}){_SCALE.format('s')}?\s*(?P<cur>{_SUFFIX_ALT})(?![\w$€£¥₫])")
_ONE = rf"(?:(?:{_PREFIX_ALT})\s?{_AMOUNT}|(?:{NUM})(?:\s*(?:nghìn|ngàn|triệu|tỷ|tỉ))?(?:\s*(?:{_SUFFIX_ALT}))?)"
_RANGE_RE = re.compile(rf"(?<![\d.,\w])(?P<a>{_ONE}){DASH}(?P<b>{_ONE})(?![\w$€£¥₫])")
_HAS_CURRENCY = re.compile(rf"(?:{_SUFFIX_ALT})(?![\w])|[$€£¥₫₩]|USD|EUR|GBP|JPY|CNY")

_PER_CURRENCY_RE = re.compile(r"(?<=\w)\s*/\s*(?P<cur>USD|EUR|GBP|JPY|CNY|KRW)(?!\w)")
_MONEY_CUE = re.compile(
    r"(?i)\b(?:giá|phí|thu|nộp|hỗ trợ|mức|tiền|lương|bán|mua|trả|chi|thưởng|phạt|ủng hộ|đóng|tặng|vay|góp|"
    r"trợ cấp|quỹ|thu nhập|doanh thu|lãi)\b[^.;:\n]{0,24}$"
)
_MILLIONS_RE = re.compile(r"(?<![\w.,])(?P<a>\d{1,3})\s?tr(?P<b>\d{1,3})(?![\w])")
_TR_RE = re.compile(r"(?<![\w.,])(?P<a>\d{1,3}(?:,\d{1,2})?)(?P<sp>\s?)tr\.?(?![\w])(?P<d>\s*(?:đồng|đ)(?!\w))?")
_K_RE = re.compile(r"(?<![\w.,])(?P<a>\d{1,3}(?:,\d)?)[kK](?![\w])")


def _english(n: str) -> tuple[str, str]:
    whole, _, frac = n.replace(",", "").partition(".")
    return whole, frac


def _amount(n: str, english: bool, c: Ctx) -> str:
    if english and ("," in n and re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", n) or re.fullmatch(
            r"\d+\.\d{1,2}", n)):
        whole, frac = _english(n)
        return read_decimal(whole, frac, c.r) if frac else read_numeral(whole, c.r)
    return read_number(n, c.r)


def _money(m: re.Match[str], c: Ctx) -> str:
    english = m.group("cur") not in ("đ", "đồng", "₫", "VNĐ", "VND", "vnđ", "vnd")
    scale = f" {m.group('s').replace('tỉ', 'tỷ')}" if m.group("s") else ""
    return f"{_amount(m.group('n'), english, c)}{scale} {CURRENCIES[m.group('cur')]}"


def _one(text: str, c: Ctx) -> str:
    spoken = _PREFIX_RE.sub(lambda m: _money(m, c), text)
    spoken = _SUFFIX_RE.sub(lambda m: _money(m, c), spoken)
    return spoken


def _range(m: re.Match[str], c: Ctx) -> str:
    a, b = m.group("a"), m.group("b")
    if not (_HAS_CURRENCY.search(a) or _HAS_CURRENCY.search(b)):
        return m.group(0)  # "10-15 ngày": not money, left to the number rules
    return f"{_one(a, c)} đến {_one(b, c)}"


def _money_context(m: re.Match[str]) -> bool:
    after = m.string[m.end() : m.end() + 2].lstrip()
    return after.startswith("/") or _MONEY_CUE.search(m.string, max(0, m.start() - 40), m.start()) is not None


def _millions(m: re.Match[str], c: Ctx) -> str:
    value = int(m.group("a")) * 1_000_000 + int(m.group("b").ljust(3, "0")) * 1000
    return read_int(value, c.r) + (" đồng" if _money_context(m) else "")


def _tr(m: re.Match[str], c: Ctx) -> str:
    money = m.group("d") or _money_context(m)
    if m.group("sp") and not money:
        return m.group(0)  # "300 tr." may be pages: only a price context makes it "triệu"
    return f"{read_number(m.group('a'), c.r)} triệu" + (" đồng" if money else "")


def _thousands(m: re.Match[str], c: Ctx) -> str:
    return f"{read_number(m.group('a'), c.r)} nghìn" + (" đồng" if _money_context(m) else "")


def replace_money(text: str, c: Ctx) -> str:
    """Every amount of money in words, its currency after it; informal "50k", "1tr2", "3 tr"."""
    text = _POINT_DECIMAL_RE.sub(r"\1,\2", text)  # "2.5 triệu" typed the English way
    if "tr" in text:
        text = sub(c, "informal amount", _MILLIONS_RE, _millions, text)
        text = sub(c, "informal amount", _TR_RE, _tr, text)
    if "k" in text or "K" in text:
        text = sub(c, "informal amount", _K_RE, _thousands, text)
    text = sub(c, "money range", _RANGE_RE, _range, text)
    text = sub(c, "money", _PREFIX_RE, _money, text)
    text = sub(c, "money", _SUFFIX_RE, _money, text)
    if "/" in text:  # "24.250 VND/USD": đồng for one dollar
        text = sub(c, "rate per unit", _PER_CURRENCY_RE, lambda m, c: f" một {CURRENCIES[m.group('cur')]}", text)
    return text
