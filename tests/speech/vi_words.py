"""Spoken Vietnamese numbers and dates read back to values: the inverse of the normalizer, written independently
of it (no code shared) so a property test can check that what is said is what was written.

`parse_number("âm một nghìn không trăm linh năm phẩy hai mươi lăm")` -> Decimal("-1005.25").
Accepts both regional readings (nghìn/ngàn, linh/lẻ) and the colloquial forms mốt, tư, lăm.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

__all__ = ["parse_int", "parse_number", "parse_date"]

_DIGIT = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6,
          "bảy": 7, "tám": 8, "chín": 9}
_SCALES = {"nghìn": 1000, "ngàn": 1000, "triệu": 1_000_000}


def _below_thousand(words: list[str]) -> int:
    """"chín trăm linh năm" -> 905; "hai mươi tư" -> 24; "mười lăm" -> 15."""
    value, i = 0, 0
    if len(words) >= 2 and words[1] == "trăm":
        value, i = _DIGIT[words[0]] * 100, 2
    rest = words[i:]
    if not rest:
        return value
    if rest[0] in ("linh", "lẻ"):
        assert len(rest) == 2, words
        return value + _DIGIT[rest[1]]
    if rest[0] == "mười":
        return value + 10 + (_DIGIT[rest[1]] if len(rest) > 1 else 0)
    if len(rest) >= 2 and rest[1] == "mươi":
        return value + _DIGIT[rest[0]] * 10 + (_DIGIT[rest[2]] if len(rest) > 2 else 0)
    assert len(rest) == 1, words
    return value + _DIGIT[rest[0]]


def _below_billion(words: list[str]) -> int:
    total, group = 0, []
    for w in words:
        if w in _SCALES:
            total += _below_thousand(group or ["một"]) * _SCALES[w]
            group = []
        else:
            group.append(w)
    return total + (_below_thousand(group) if group else 0)


def parse_int(text: str) -> int:
    """A spoken integer: "hai tỷ không trăm linh một triệu" -> 2_001_000_000; "âm ba" -> -3."""
    words = text.split()
    if words and words[0] == "âm":
        return -parse_int(" ".join(words[1:]))
    if "tỷ" in words:
        i = len(words) - 1 - words[::-1].index("tỷ")
        return parse_int(" ".join(words[:i])) * 1_000_000_000 + (_below_billion(words[i + 1 :]) if words[i + 1 :] else 0)
    return _below_billion(words)


def parse_number(text: str) -> Decimal:
    """A spoken number with an optional decimal part after "phẩy" (digit by digit when it starts with không)."""
    negative = text.startswith("âm ")
    body = text[3:] if negative else text
    whole, _, frac = body.partition(" phẩy ")
    value = Decimal(parse_int(whole))
    if frac:
        words = frac.split()
        if words[0] == "không":
            digits = "".join(str(_DIGIT[w]) for w in words)
        else:
            digits = str(parse_int(frac))
        value += Decimal(f"0.{digits}")
    return -value if negative else value


_DATE_RE = re.compile(r"ngày (?P<d>.+?) tháng (?P<m>.+?) năm (?P<y>.+)")


def parse_date(text: str) -> date:
    """"ngày hai mươi tư tháng một năm hai nghìn không trăm hai mươi tư" -> date(2024, 1, 24)."""
    m = _DATE_RE.fullmatch(text)
    assert m, text
    return date(parse_int(m.group("y")), parse_int(m.group("m")), parse_int(m.group("d")))
