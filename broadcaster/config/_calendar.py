"""Calendar value types for the schema: times of day, dates, dates with times, weekdays, lists of dates.

Vietnamese documents write days first (01/03/2024); times as 06:30, 6h30 or 17h; weekdays as T2..CN, "thứ Hai",
or English names. Unquoted YAML times are read from the raw text (YAML 1.1 turns 06:30 into 390).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from broadcaster.config._values import Context, FieldType, Invalid, check_year, fold, scalar_text, suggest
from broadcaster.config._yaml import YNode

__all__ = ["DateList", "DateTimeValue", "DateValue", "TimeOfDay", "Weekdays", "parse_date", "parse_time"]


_TIME = re.compile(r"(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?\s*(?:p|phút)?", re.IGNORECASE)


def parse_time(raw: str) -> time:
    """'06:30', '6:30', '6h30', '17h' -> time; anything else (incl. '25:00') raises Invalid."""
    match = _TIME.fullmatch(raw.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise Invalid(f"'{raw}' không phải giờ hợp lệ (dạng HH:MM, ví dụ 06:30)")


@dataclass(frozen=True)
class TimeOfDay(FieldType):
    doc_type = "time HH:MM"

    def parse(self, node: YNode, path: str, ctx: Context) -> time:
        # The raw text, not the value: YAML 1.1 turns an unquoted 06:30 into the number 390.
        return parse_time(scalar_text(node, "giờ dạng HH:MM"))


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(raw: str) -> date:
    """'2024-03-01' or '01/03/2024' (day first, as Vietnamese documents write it)."""
    text = raw.strip()
    for pattern, order in ((_YMD, (0, 1, 2)), (_DMY, (2, 1, 0))):
        match = pattern.fullmatch(text)
        if match:
            parts = [int(g) for g in match.groups()]
            try:
                day = date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                raise Invalid(f"'{raw}' không phải ngày có thật trên lịch") from None
            return check_year(day, raw)
    shown = raw if len(raw) <= 40 else raw[:39] + "…"
    raise Invalid(f"'{shown}' không phải ngày hợp lệ (dạng 2024-03-01 hoặc 01/03/2024)")


@dataclass(frozen=True)
class DateValue(FieldType):
    doc_type = "date"

    def parse(self, node: YNode, path: str, ctx: Context) -> date:
        if isinstance(node.value, datetime):
            return check_year(node.value.date(), node.raw)
        if isinstance(node.value, date):
            return check_year(node.value, node.raw)
        return parse_date(scalar_text(node, "một ngày"))


@dataclass(frozen=True)
class DateTimeValue(FieldType):
    """A date with an optional time, in the station's timezone: '2026-11-20 08:00', '20/11/2026 08:00'."""

    doc_type = "date and time"

    def parse(self, node: YNode, path: str, ctx: Context) -> datetime:
        value = node.value
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, date):
            result = datetime.combine(value, time(0, 0))
        else:
            raw = scalar_text(node, "ngày giờ")
            parts = raw.replace("T", " ").split()
            try:
                if len(parts) == 1:
                    result = datetime.combine(parse_date(parts[0]), time(0, 0))
                elif len(parts) == 2:
                    first_is_time = ":" in parts[0] or "h" in parts[0].lower()
                    day_text, time_text = (parts[1], parts[0]) if first_is_time else (parts[0], parts[1])
                    result = datetime.combine(parse_date(day_text), parse_time(time_text[:5]))
                else:
                    raise Invalid("")
            except Invalid:
                raise Invalid(
                    f"'{raw}' không phải ngày giờ hợp lệ (ví dụ: 2026-11-20 08:00 hoặc 20/11/2026 08:00)"
                ) from None
        check_year(result.date(), node.raw.strip())
        if result.tzinfo is None and ctx.tz is not None:
            result = result.replace(tzinfo=ctx.tz)
        return result


_WEEKDAYS: dict[str, int] = {}
for _i, (_t, _vi, _en) in enumerate(
    zip(
        ["t2", "t3", "t4", "t5", "t6", "t7", "cn"],
        ["thu hai", "thu ba", "thu tu", "thu nam", "thu sau", "thu bay", "chu nhat"],
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    )
):
    _WEEKDAYS.update({_t: _i, _vi: _i, _en: _i, _en[:3]: _i})
    if _i < 6:
        _WEEKDAYS[f"thu {_i + 2}"] = _i
_ALL_DAYS = {"hang ngay", "moi ngay", "tat ca", "daily", "all", "every day"}


def _weekday(word: str) -> int:
    key = fold(word)
    if key in _WEEKDAYS:
        return _WEEKDAYS[key]
    hint = suggest(key, sorted(_WEEKDAYS))
    raise Invalid(f"'{word}' không phải thứ trong tuần (T2, T3, ..., T7, CN hoặc mon..sun); {hint}")


@dataclass(frozen=True)
class Weekdays(FieldType):
    """Days of the week: a list [T2, T4, T6], a range 'T2-T6', or 'hằng ngày'."""

    doc_type = "weekdays"

    def parse(self, node: YNode, path: str, ctx: Context) -> frozenset[int]:
        if node.kind == "seq":
            words = [scalar_text(n, "một thứ trong tuần") for n in node.value]
        else:
            text = scalar_text(node, "danh sách thứ")
            if fold(text) in _ALL_DAYS:
                return frozenset(range(7))
            words = [w for w in re.split(r"[,;]", text) if w.strip()]
        days: set[int] = set()
        for word in words:
            if re.fullmatch(r"\s*\S+\s*-\s*\S+\s*", word) and not fold(word).startswith("thu "):
                first, last = (_weekday(w) for w in word.split("-"))
                if last < first:
                    raise Invalid(f"'{word}': thứ cuối đứng trước thứ đầu (viết T2-T6)")
                days.update(range(first, last + 1))
            else:
                days.add(_weekday(word))
        if not days:
            raise Invalid("cần ít nhất một thứ trong tuần")
        return frozenset(days)


@dataclass(frozen=True)
class DateList(FieldType):
    """Dates and date ranges ('2026-02-14..2026-02-20' or '14/02/2026 - 20/02/2026'), flattened."""

    doc_type = "list of dates or date ranges"

    def parse(self, node: YNode, path: str, ctx: Context) -> tuple[date, ...]:
        if node.kind != "seq":
            raise Invalid("phải là danh sách ngày (mỗi dòng bắt đầu bằng '- ')")
        days: list[date] = []
        for item in node.value:
            try:
                text = item.raw.strip() if item.kind == "scalar" else ""
                match = re.fullmatch(r"(\S+)\s*(?:\.\.|\s-\s|đến)\s*(\S+)", text)
                if match:
                    first, last = parse_date(match.group(1)), parse_date(match.group(2))
                    if last < first:
                        raise Invalid(f"'{text}': ngày cuối đứng trước ngày đầu")
                    days.extend(date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1))
                else:
                    days.append(DateValue().parse(item, path, ctx))
            except Invalid as exc:
                ctx.add(item.line, path, str(exc))
        return tuple(sorted(set(days)))
