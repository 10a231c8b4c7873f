"""Value types for the station and bulletin schema: each parses one YAML node or explains, in Vietnamese, why not.

The schema tables in `_schema.py` are built from these; the same tables drive parsing, the "did you mean"
check for unknown keys and the documentation test. Parsing collects every problem in a `Context`.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

from broadcaster.config._yaml import YNode
from broadcaster.errors import Problem

__all__ = [
    "REQUIRED",
    "Band",
    "Bool",
    "Choice",
    "Context",
    "FieldType",
    "Float",
    "Identifier",
    "Int",
    "Invalid",
    "ListOf",
    "Notice",
    "Str",
    "Text",
    "MAX_YEAR",
    "MIN_YEAR",
    "check_identifier",
    "check_year",
    "scalar_text",
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


# control characters a quoted value can still carry ("\x07", "\0"): invisible, and no engine can read them
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
MIN_YEAR, MAX_YEAR = 2000, 2099  # dates a station plans with; anything else is a typing mistake


def scalar_text(node: YNode, what: str) -> str:
    if node.kind != "scalar":
        raise Invalid(f"phải là {what}, không phải {'danh sách' if node.kind == 'seq' else 'nhóm mục'}")
    bad = _CONTROL.search(node.raw)
    if bad:
        raise Invalid(f"có ký tự điều khiển không nhìn thấy (mã U+{ord(bad.group()):04X}): xoá nó và gõ lại giá trị")
    return node.raw.strip()


def check_year(day: date, raw: str = "") -> date:
    """A date a station can plan with (MIN_YEAR..MAX_YEAR); else Invalid: '9999-12-31' is a typing mistake."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        shown = raw or day.isoformat()
        raise Invalid(f"'{shown}': năm {day.year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}: kiểm tra lại năm")
    return day


@dataclass(frozen=True)
class Str(FieldType):
    doc_type = "text"
    max_chars: int = 500

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        text = scalar_text(node, "một dòng chữ")
        if not text:
            raise Invalid("không được để trống")
        if len(text) > self.max_chars:
            raise Invalid(f"dài {len(text)} ký tự, tối đa {self.max_chars}: viết ngắn lại")
        return unicodedata.normalize("NFC", text)


_NUMBER = re.compile(r"[+-]?(?:\d{1,12}(?:[.,]\d{0,12})?|[.,]\d{1,12})")


def _short(raw: str, limit: int = 40) -> str:
    """A value quoted in a message, cut: a pasted paragraph must not fill the screen."""
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def _thousands(number: int) -> str:
    """20000 -> '20.000', the Vietnamese way."""
    return f"{number:,}".replace(",", ".")


@dataclass(frozen=True)
class Text(FieldType):
    """A bulletin's text: read aloud, so bounded in length."""

    doc_type = "multi-line text"
    max_chars: int = 20000

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        text = unicodedata.normalize("NFC", scalar_text(node, "đoạn văn bản"))
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
        raw = scalar_text(node, "một số nguyên")
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise Invalid(f"'{_short(raw)}' không phải số nguyên (ví dụ: 30)")
        digits = raw.lstrip("+-").lstrip("0")
        if len(digits) > 15:  # never int() a 4,300-digit number (Python refuses it), nor compare one
            limit = f"tối đa là {self.max}" if self.max is not None else "viết một số ngắn hơn"
            size = "nhỏ" if raw.startswith("-") else "lớn"
            raise Invalid(f"'{_short(raw)}' quá {size} ({len(digits)} chữ số): {limit}")
        value = int(raw)
        if self.min is not None and value < self.min:
            raise Invalid(f"{value} quá nhỏ: tối thiểu là {self.min}")
        if self.max is not None and value > self.max:
            raise Invalid(f"{value} quá lớn: tối đa là {self.max}")
        return value


@dataclass(frozen=True)
class Float(FieldType):
    """A decimal number ('1.5' or '1,5'), always within [min, max]: no nan, inf or exponent."""

    doc_type = "number"
    min: float | None = None
    max: float | None = None

    def parse(self, node: YNode, path: str, ctx: Context) -> float:
        raw = scalar_text(node, "một số")
        # digits only: float() would take 'nan', 'inf', '1e999' and '1_0', and nan slips past every min/max
        if not _NUMBER.fullmatch(raw):
            raise Invalid(f"'{_short(raw)}' không phải số (ví dụ: 1.5)")
        value = float(raw.replace(",", "."))
        if not math.isfinite(value):
            raise Invalid(f"'{_short(raw)}' không phải số hữu hạn")
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
        raw = fold(scalar_text(node, "có hoặc không"))
        if raw in ("co", "true", "yes", "1"):
            return True
        if raw in ("khong", "false", "no", "0"):
            return False
        raise Invalid(f"'{node.raw}' phải là true (có) hoặc false (không)")


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
        raw = scalar_text(node, "một lựa chọn")
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
        return check_identifier(scalar_text(node, "một mã"))


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
