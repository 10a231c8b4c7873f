"""Value types for the station and bulletin schema: each parses one YAML node or explains, in Vietnamese, why not.

The schema tables in `_schema.py` are built from these; the same tables drive parsing, the "did you mean"
check for unknown keys and the documentation test. Parsing collects every problem in a `Context`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

from broadcaster.config._yaml import YNode
from broadcaster.errors import Problem

__all__ = [
    "REQUIRED",
    "Band",
    "Bool",
    "Choice",
    "Context",
    "DateList",
    "DateTimeValue",
    "DateValue",
    "FieldType",
    "Float",
    "Identifier",
    "Int",
    "Invalid",
    "ListOf",
    "Notice",
    "Str",
    "Text",
    "TimeOfDay",
    "Weekdays",
    "check_identifier",
    "fold",
    "suggest",
]

REQUIRED: Any = object()  # Field.default for keys the officer must write


class Invalid(Exception):
    """A value cannot be used; the message (Vietnamese) says what to write instead."""


@dataclass
class Context:
    """Collects problems for one file; `tz` localizes naive date-times."""

    file: str
    tz: tzinfo | None = None
    problems: list[Problem] = field(default_factory=list)
    declared: dict[str, set[str]] = field(default_factory=dict)  # ids seen per map key, even if invalid
    notices: list[Problem] = field(default_factory=list)

    def add(self, line: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, key, message))

    def note(self, line: int | None, key: str, message: str) -> None:
        self.notices.append(Notice(self.file, line, key, message))


@dataclass(frozen=True)
class Notice(Problem):
    """Worth telling the officer, but not an error: a draft, an expired bulletin. `check` still exits 0."""


def fold(text: str) -> str:
    """Lower-case without Vietnamese diacritics: lets 'Khẩn cấp', 'khan cap' and 'KHẨN CẤP' match."""
    text = unicodedata.normalize("NFD", text.strip().lower()).replace("đ", "d")
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").split())


def suggest(word: str, choices: list[str]) -> str:
    """' có phải ý bạn là 'x'?' when a close choice exists, else the list of valid choices."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"có phải ý bạn là '{close[0]}'?"
    return "các giá trị hợp lệ: " + ", ".join(choices) if choices else ""


class FieldType:
    """Parses a YAML node into a Python value. `doc_type` / `vi_type` describe it in the docs."""

    doc_type = "value"

    def parse(self, node: YNode, path: str, ctx: Context) -> Any:
        raise NotImplementedError


def _scalar_text(node: YNode, what: str) -> str:
    if node.kind != "scalar":
        raise Invalid(f"phải là {what}, không phải {'danh sách' if node.kind == 'seq' else 'nhóm mục'}")
    return node.raw.strip()


@dataclass(frozen=True)
class Str(FieldType):
    doc_type = "text"
    max_chars: int = 500

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        text = _scalar_text(node, "một dòng chữ")
        if not text:
            raise Invalid("không được để trống")
        if len(text) > self.max_chars:
            raise Invalid(f"dài {len(text)} ký tự, tối đa {self.max_chars}: viết ngắn lại")
        return unicodedata.normalize("NFC", text)


def _thousands(number: int) -> str:
    """20000 -> '20.000', the Vietnamese way."""
    return f"{number:,}".replace(",", ".")


@dataclass(frozen=True)
class Text(FieldType):
    """A bulletin's text: read aloud, so bounded in length."""

    doc_type = "multi-line text"
    max_chars: int = 20000

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        text = unicodedata.normalize("NFC", _scalar_text(node, "đoạn văn bản"))
        if not text:
            raise Invalid("nội dung bản tin trống: viết nội dung cần đọc, hoặc dùng 'audio' cho bản ghi sẵn")
        if len(text) > self.max_chars:
            minutes = len(text) // 900
            raise Invalid(
                f"nội dung dài {_thousands(len(text))} ký tự (khoảng {minutes} phút đọc), tối đa "
                f"{_thousands(self.max_chars)} ký tự: bản tin được đọc trên loa, hãy tách thành nhiều "
                "bản tin ngắn"
            )
        return text


@dataclass(frozen=True)
class Int(FieldType):
    doc_type = "integer"
    min: int | None = None
    max: int | None = None

    def parse(self, node: YNode, path: str, ctx: Context) -> int:
        raw = _scalar_text(node, "một số nguyên")
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise Invalid(f"'{raw}' không phải số nguyên (ví dụ: 30)")
        value = int(raw)
        if self.min is not None and value < self.min:
            raise Invalid(f"{value} quá nhỏ: tối thiểu là {self.min}")
        if self.max is not None and value > self.max:
            raise Invalid(f"{value} quá lớn: tối đa là {self.max}")
        return value


@dataclass(frozen=True)
class Float(FieldType):
    doc_type = "number"
    min: float | None = None
    max: float | None = None

    def parse(self, node: YNode, path: str, ctx: Context) -> float:
        raw = _scalar_text(node, "một số")
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            raise Invalid(f"'{raw}' không phải số (ví dụ: 1.5)") from None
        if self.min is not None and value < self.min:
            raise Invalid(f"{raw} quá nhỏ: tối thiểu là {self.min:g}")
        if self.max is not None and value > self.max:
            raise Invalid(f"{raw} quá lớn: tối đa là {self.max:g}")
        return value


@dataclass(frozen=True)
class Bool(FieldType):
    doc_type = "yes/no"

    def parse(self, node: YNode, path: str, ctx: Context) -> bool:
        if isinstance(node.value, bool):
            return node.value
        raw = fold(_scalar_text(node, "có hoặc không"))
        if raw in ("co", "true", "yes", "1"):
            return True
        if raw in ("khong", "false", "no", "0"):
            return False
        raise Invalid(f"'{node.raw}' phải là true (có) hoặc false (không)")


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
        return parse_time(_scalar_text(node, "giờ dạng HH:MM"))


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
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                raise Invalid(f"'{raw}' không phải ngày có thật trên lịch") from None
    raise Invalid(f"'{raw}' không phải ngày hợp lệ (dạng 2024-03-01 hoặc 01/03/2024)")


@dataclass(frozen=True)
class DateValue(FieldType):
    doc_type = "date"

    def parse(self, node: YNode, path: str, ctx: Context) -> date:
        if isinstance(node.value, datetime):
            return node.value.date()
        if isinstance(node.value, date):
            return node.value
        return parse_date(_scalar_text(node, "một ngày"))


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
            raw = _scalar_text(node, "ngày giờ")
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
            words = [_scalar_text(n, "một thứ trong tuần") for n in node.value]
        else:
            text = _scalar_text(node, "danh sách thứ")
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
class Choice(FieldType):
    """One of a few words; `aliases` maps other accepted spellings (folded) to the canonical one."""

    values: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    convert: Callable[[str], Any] = str

    @property
    def doc_type(self) -> str:  # type: ignore[override]
        return " | ".join(self.values)

    def parse(self, node: YNode, path: str, ctx: Context) -> Any:
        raw = _scalar_text(node, "một lựa chọn")
        key = fold(raw)
        for value in self.values:
            if key == fold(value):
                return self.convert(value)
        folded = {fold(alias): alias for alias in self.aliases}  # aliases are written with diacritics
        if key in folded:
            return self.convert(self.aliases[folded[key]])
        shown = [
            f"{v} ({a})" if (a := next((k for k, t in self.aliases.items() if t == v), None)) else v
            for v in self.values
        ]
        close = difflib.get_close_matches(key, [*(fold(v) for v in self.values), *folded], n=1, cutoff=0.6)
        hint = f"; có phải ý bạn là '{folded.get(close[0], close[0])}'?" if close else ""
        raise Invalid(f"'{raw}' không hợp lệ, chọn một trong: {', '.join(shown)}{hint}")


_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


def check_identifier(word: str) -> str:
    if not _ID.fullmatch(word):
        raise Invalid(f"mã '{word}' chỉ được gồm chữ thường không dấu, chữ số và dấu '-' (ví dụ: thon-dong)")
    return word


@dataclass(frozen=True)
class Identifier(FieldType):
    doc_type = "id"

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        return check_identifier(_scalar_text(node, "một mã"))


@dataclass(frozen=True)
class ListOf(FieldType):
    """A YAML list; a single value or a comma-separated line also works ('thon-dong, thon-tay')."""

    item: FieldType

    @property
    def doc_type(self) -> str:  # type: ignore[override]
        return f"list of {self.item.doc_type}"

    def parse(self, node: YNode, path: str, ctx: Context) -> tuple[Any, ...]:
        if node.kind == "map":
            raise Invalid("phải là danh sách (mỗi dòng bắt đầu bằng '- ')")
        if node.kind == "seq":
            items = node.value
        else:
            items = [
                YNode("scalar", node.line, w.strip(), w.strip()) for w in node.raw.split(",") if w.strip()
            ]
        out: list[Any] = []
        for i, item in enumerate(items):
            try:
                out.append(self.item.parse(item, f"{path}[{i}]", ctx))
            except Invalid as exc:
                ctx.add(item.line, path, str(exc))
        return tuple(out)


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


@dataclass(frozen=True)
class Band(FieldType):
    """[low, high] in Hz, or off."""

    doc_type = "[low Hz, high Hz] or off"

    def parse(self, node: YNode, path: str, ctx: Context) -> tuple[int, int] | None:
        if node.kind == "scalar" and (node.value is False or fold(node.raw) in ("off", "tat", "khong")):
            return None
        if node.kind != "seq" or len(node.value) != 2:
            raise Invalid("phải là hai tần số [thấp, cao] tính bằng Hz, ví dụ [200, 7000], hoặc off")
        low, high = (Int(min=20, max=20000).parse(n, path, ctx) for n in node.value)
        if low >= high:
            raise Invalid(f"tần số thấp {low} phải nhỏ hơn tần số cao {high}")
        return (low, high)
