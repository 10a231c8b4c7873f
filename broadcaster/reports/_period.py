"""The period a report covers, as the officer names it: a month, a quarter, or two dates; and the period before it
(for the comparison)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from broadcaster.config import parse_day
from broadcaster.errors import InputError
from broadcaster.words import fmt_date

__all__ = ["Period", "parse_period"]

_ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # month | quarter | range

    @property
    def label(self) -> str:
        """'tháng 11 năm 2026', 'quý IV năm 2026', 'từ ngày 01/11/2026 đến ngày 15/11/2026'."""
        if self.kind == "month":
            return f"tháng {self.start.month} năm {self.start.year}"
        if self.kind == "quarter":
            return f"quý {_ROMAN[(self.start.month - 1) // 3]} năm {self.start.year}"
        return f"từ ngày {fmt_date(self.start)} đến ngày {fmt_date(self.end)}"

    @property
    def slug(self) -> str:
        """For file names: 2026-11, 2026-Q4, 2026-11-01_2026-11-15."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def previous(self) -> Period:
        """The month or quarter before, or the same number of days just before a range."""
        if self.kind == "range":
            days = (self.end - self.start).days + 1
            return Period(self.start - timedelta(days=days), self.start - timedelta(days=1), "range")
        months = 1 if self.kind == "month" else 3
        year, month = divmod(self.start.year * 12 + self.start.month - 1 - months, 12)
        return _months(date(year, month + 1, 1), months, self.kind)


def _months(first: date, months: int, kind: str) -> Period:
    year, month = divmod(first.year * 12 + first.month - 1 + months, 12)
    return Period(first, date(year, month + 1, 1) - timedelta(days=1), kind)


def parse_period(*, month: str | None = None, quarter: str | None = None, start: str | None = None,
                 end: str | None = None) -> Period:
    """`month` '2026-11' or '11/2026'; `quarter` '2026-Q4' or 'Q4/2026'; or `start`/`end` dates (both)."""
    given = [x for x in (month, quarter, start or end) if x]
    if len(given) != 1:
        raise InputError("chọn một kỳ báo cáo: --month 2026-11, --quarter 2026-Q4, hoặc --from NGÀY --to NGÀY")
    if month:
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*|\s*(\d{1,2})/(\d{4})\s*", month)
        numbers = (int(m[1] or m[4]), int(m[2] or m[3])) if m else (0, 0)
        if not m or not 2000 <= numbers[0] <= 2099 or not 1 <= numbers[1] <= 12:
            raise InputError(f"--month {month!r}: không phải tháng (viết 2026-11 hoặc 11/2026)")
        return _months(date(numbers[0], numbers[1], 1), 1, "month")
    if quarter:
        m = re.fullmatch(r"\s*(\d{4})-[QqIi]?([1-4])\s*|\s*[Qq]([1-4])/(\d{4})\s*", quarter)
        if not m or not 2000 <= int(m[1] or m[4]) <= 2099:
            raise InputError(f"--quarter {quarter!r}: không phải quý (viết 2026-Q4 hoặc Q4/2026)")
        q = int(m[2] or m[3])
        return _months(date(int(m[1] or m[4]), 3 * q - 2, 1), 3, "quarter")
    if not (start and end):
        raise InputError("báo cáo theo khoảng ngày cần cả --from và --to")
    first, last = parse_day(start, "từ ngày (--from)"), parse_day(end, "đến ngày (--to)")
    if last < first:
        raise InputError(f"--to {end} trước --from {start}")
    return Period(first, last, "range")
