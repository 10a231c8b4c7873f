"""The numeric rules after the abbreviations, in the order an announcer resolves them: signs, fractions, dates,
times and durations, quantities with units, numbers after nouns, then ratios, ranges, section numbers and
every number left (digit by digit when it is too long to be a quantity).

Each rule is a precompiled regex and a small callback; `apply` runs them in order, so a later rule never sees
digits an earlier one already turned into words. Money is read earlier (`_money`), before the abbreviations.
"""

from __future__ import annotations

import re

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._dates import replace_dates, replace_times
from broadcaster.speech._numbers import read_fraction, read_int, read_numeral
from broadcaster.speech._ordinals import replace_ordinals
from broadcaster.speech._patterns import DASH, NUM, read_number
from broadcaster.speech._quantities import replace_fractions, replace_rates, replace_signs, replace_units

__all__ = ["apply"]

_DIGIT_RE = re.compile(r"\d")
_NUM_RE = re.compile(rf"(?<![\d])(?:{NUM})(?![\d])")
_RATIO_RE = re.compile(r"(?<![\d/])(\d+)/(\d+)(?![\d/])")
_PORTION_AFTER = re.compile(r"\s*(?:số|diện tích|tổng|dân số|thời gian|kinh phí|khối lượng)(?!\w)")
_RANGE_RE = re.compile(rf"(?<![\d])(?P<a>(?:âm )?(?:{NUM})){DASH}(?P<b>(?:âm )?(?:{NUM}))(?![\d])")
_LETTER_DIGIT_RE = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_SCALE_RE = re.compile(r"(?<![\d:])(\d{1,3}):(\d+)(?![\d:])")  # "tỷ lệ 1:500": times are read already
_SECTION_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d]|\.\d)")


def _ratio(m: re.Match[str], c: Ctx) -> str:
    """A portion of a whole is a fraction, "1/2 số hộ" -> "một phần hai"; a count out of a total is a ratio,
    "5/7 chỉ tiêu" -> "năm trên bảy"."""
    num, den = m.group(1), m.group(2)
    if _PORTION_AFTER.match(m.string, m.end()) and 0 < int(num) < int(den) <= 10:
        return read_fraction(int(num), int(den), c.r)
    return f"{read_numeral(num, c.r)} trên {read_numeral(den, c.r)}"


def apply(text: str, c: Ctx) -> str:
    """Run every numeric rule over `text`; afterwards no digit is left."""
    digits = _DIGIT_RE.search(text) is not None
    if digits:
        text = replace_signs(text, c)
        text = replace_fractions(text, c)
        text = replace_dates(text, c)
        text = replace_times(text, c)
        text = replace_units(text, c)
    text = replace_rates(text, c)
    text = replace_ordinals(text, c, digits)
    if not digits:
        return text
    if "/" in text:
        text = sub(c, "ratio", _RATIO_RE, _ratio, text)
    text = sub(c, "range", _RANGE_RE, lambda m, c: f"{read_number(m.group('a'), c.r)} đến "
                                                   f"{read_number(m.group('b'), c.r)}", text)
    if ":" in text:
        text = sub(c, "ratio", _SCALE_RE, lambda m, c: f"{read_numeral(m.group(1), c.r)} trên "
                                                       f"{read_numeral(m.group(2), c.r)}", text)
    text = sub(c, "section number", _SECTION_RE,
               lambda m, c: f"{read_int(int(m.group(1)), c.r)} chấm {read_int(int(m.group(2)), c.r)}", text)
    text = _LETTER_DIGIT_RE.sub(" ", text)
    return sub(c, "number", _NUM_RE, lambda m, c: read_number(m.group(0), c.r), text)
