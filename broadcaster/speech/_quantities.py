"""Signs, fractions and quantities with units.

`-5°C` -> "âm năm độ xê"; `500MG` -> "năm trăm mi li gam"; `50m/s` -> "năm mươi mét trên giây"; `1/2kg` -> "một
phần hai ki lô gam"; `23 1/5` -> "hai mươi ba và một phần năm"; `25°C-30°C` and `10%-20%` -> "... đến ...".
Unit spellings come from the dictionary's `units` section; a spelling of two letters or more matches in any
case (`KG`, `Kg`, `kg`), a one-letter one only as written (`m`, `g`, `V`; `G` in `4G` is no gram).
"""

from __future__ import annotations

import re

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._dictionary import Dictionary
from broadcaster.speech._money import CURRENCIES
from broadcaster.speech._numbers import read_fraction, read_int
from broadcaster.speech._patterns import DASH, SNUM, read_number

__all__ = ["replace_signs", "replace_fractions", "replace_units", "replace_rates", "unit_word"]

# a minus sign before a number, not after another number ("10 -15 ngày" is a range)
_MINUS_RE = re.compile(r"(?:(?<=[\s(\[:;,=])|^)-(?=\d)", re.MULTILINE)
_DIMENSION_RE = re.compile(r"(?<=\d)\s*[xX]\s*(?=\d)")
_HEIGHT_RE = re.compile(r"(?<![\d,.])(?P<m>\d)m(?P<cm>\d{1,2})(?![\w])")  # "1m65": một mét sáu mươi lăm


def _minus(m: re.Match[str], c: Ctx) -> str:
    before = m.string[max(0, m.start() - 6) : m.start()].rstrip()
    if before[-1:].isdigit() or before.endswith("%"):
        return m.group(0)
    return "âm "


def replace_signs(text: str, c: Ctx) -> str:
    """A minus sign before a number is "âm"; "3x4" is "ba nhân bốn"; a height "1m65" is "một mét sáu mươi lăm"."""
    if "-" in text:
        text = sub(c, "negative number", _MINUS_RE, _minus, text)
    if "m" in text:
        text = sub(c, "quantity", _HEIGHT_RE, lambda m, c: f"{read_int(int(m.group('m')), c.r)} mét "
                                                          f"{read_int(int(m.group('cm')), c.r)}", text)
    if "x" in text or "X" in text:
        text = sub(c, "multiplication", _DIMENSION_RE, lambda m, c: " nhân ", text)
    return text


_UNIT_CACHE: dict[int, tuple[Dictionary, dict[str, re.Pattern[str]], dict[str, str]]] = {}
_COUNTERS = r"viên|gói|thìa|cốc|chén|bát|liều|ống|quả|cân|lạng|bơ"


def _unit_patterns(d: Dictionary) -> tuple[dict[str, re.Pattern[str]], dict[str, str]]:
    cached = _UNIT_CACHE.get(id(d))
    if cached is not None and cached[0] is d:
        return cached[1], cached[2]
    keys = sorted(d.units, key=len, reverse=True)
    multi = "|".join(re.escape(k) for k in keys if len(k) > 1) or "(?!)"
    single = "|".join(re.escape(k) for k in keys if len(k) == 1) or "(?!)"
    unit = rf"(?:%|‰|(?i:{multi})|{single})(?![\w²³°])"
    folded = {k.lower(): v for k, v in d.units.items() if len(k) > 1}
    # the last word of what a rate is counted in: "đồng/chục", "ki lô gam/ngày", "phần trăm/năm" -> "... một ..."
    last = {v.split()[-1] for v in list(d.units.values()) + list(CURRENCIES.values())} | {"trăm", "nghìn", "triệu"}
    last_alt = "|".join(re.escape(w) for w in sorted(last, key=len, reverse=True))
    patterns = {
        "per_word": re.compile(rf"(?<!\w)(?P<w>{last_alt})\s*/\s*(?=[^\W\d_])"),
        "over": re.compile(rf"(?<=[\d\s])(?P<u>{unit})\s*/\s*(?=\d)"),
        "range": re.compile(rf"(?<![\d,.])(?P<a>{SNUM})\s*(?P<u1>{unit})?{DASH}(?P<b>{SNUM})\s*(?P<u>{unit})"),
        "one": re.compile(rf"(?<![\d,.])(?P<a>{SNUM})\s*(?P<u>{unit})"),
        "per": re.compile(rf"(?<=\w)\s*/\s*(?P<u>{unit})"),
        "fraction": re.compile(
            rf"(?<![\d/.,])(?:(?P<w>\d{{1,3}})\s+)?(?P<n>\d{{1,4}})/(?P<dn>\d{{1,4}})\s*(?P<u>{unit}|(?:{_COUNTERS})(?!\w))"
        ),
    }
    if len(_UNIT_CACHE) > 32:  # dictionaries come and go as station files are edited
        _UNIT_CACHE.clear()
    _UNIT_CACHE[id(d)] = (d, patterns, folded)
    return patterns, folded


def unit_word(u: str, c: Ctx) -> str:
    """How a unit spelling is read; `%` is "phần trăm"."""
    if u == "%":
        return "phần trăm"
    if u == "‰":
        return "phần nghìn"
    d = c.d
    if u in d.units:
        c.use("units", u)
        return d.units[u]
    _, folded = _unit_patterns(d)
    word = folded.get(u.lower())
    if word is None:  # a counter word after a fraction ("1/2 viên")
        return u
    c.use("units", next(k for k in d.units if k.lower() == u.lower()))
    return word


_MIXED_RE = re.compile(r"(?<![\d/.,])(?P<w>\d{1,3})\s+(?P<n>\d{1,2})/(?P<dn>\d{1,2})(?![\d/])")
_DATE_BEFORE = re.compile(r"(?i)\b(?:ngày|từ|đến|tới|hạn|trước|sau|hôm)\s*$")


def _fraction_text(m: re.Match[str], c: Ctx) -> str | None:
    n, dn = int(m.group("n")), int(m.group("dn"))
    if not 0 < n < dn or dn > 20:
        return None
    out = read_fraction(n, dn, c.r)
    if m.group("w"):
        if _DATE_BEFORE.search(m.string, max(0, m.start() - 8), m.start()):
            return None
        out = f"{read_int(int(m.group('w')), c.r)} và {out}"
    return out


def replace_fractions(text: str, c: Ctx) -> str:
    """Before the dates: "1/2kg", "3/4 kg", "1/2 viên" are fractions, "23 1/5" a mixed number."""
    if "/" not in text:
        return text
    patterns, _ = _unit_patterns(c.d)

    def with_unit(m: re.Match[str], c: Ctx) -> str:
        spoken = _fraction_text(m, c)
        if spoken is None and not m.group("w"):  # "140/90 mmHg": a pair of readings, "trên"
            spoken = f"{read_int(int(m.group('n')), c.r)} trên {read_int(int(m.group('dn')), c.r)}"
        return m.group(0) if spoken is None else f"{spoken} {unit_word(m.group('u'), c)}"

    text = sub(c, "fraction", patterns["fraction"], with_unit, text)
    return sub(c, "mixed number", _MIXED_RE, lambda m, c: _fraction_text(m, c) or m.group(0), text)


def replace_units(text: str, c: Ctx) -> str:
    """Quantities with units and their ranges; a rate per unit after a slash ("đồng/kg" -> "đồng một ki lô
    gam")."""
    patterns, _ = _unit_patterns(c.d)

    def range_(m: re.Match[str], c: Ctx) -> str:
        u1 = m.group("u1")
        first = read_number(m.group("a"), c.r) + (f" {unit_word(u1, c)}" if u1 else "")
        return f"{first} đến {read_number(m.group('b'), c.r)} {unit_word(m.group('u'), c)}"

    text = sub(c, "quantity range", patterns["range"], range_, text)
    if "/" in text:  # "1kg/10m2" -> "một ki lô gam trên mười mét vuông"
        text = sub(c, "quantity per quantity", patterns["over"], lambda m, c: f"{m.group('u')} trên ", text)
    return sub(c, "quantity", patterns["one"],
               lambda m, c: f"{read_number(m.group('a'), c.r)} {unit_word(m.group('u'), c)}", text)


_PER_WORDS = (r"người|tháng|năm|ngày|hộ|lượt|giờ|phút|giây|tuần|khẩu|hồ sơ|suất|lần|con|buổi|đêm|tiết|trẻ|cháu|"
              r"học sinh|xã|thôn|ca|cái|chiếc|bộ|bao|lít")
_PER_RE = re.compile(rf"(?<=\w)\s*/\s*(?=(?:{_PER_WORDS})(?!\w))")


def replace_rates(text: str, c: Ctx) -> str:
    """A rate per unit after a slash is "một": "15.000 đ/kg" -> "... đồng một ki lô gam", "đồng/người"."""
    if "/" not in text:
        return text
    patterns, _ = _unit_patterns(c.d)
    text = sub(c, "rate per unit", patterns["per"], lambda m, c: f" một {unit_word(m.group('u'), c)}", text)
    text = sub(c, "rate per unit", patterns["per_word"], lambda m, c: f"{m.group('w')} một ", text)
    return sub(c, "rate per unit", _PER_RE, lambda m, c: " một ", text)
