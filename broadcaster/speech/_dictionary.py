"""The pronunciation dictionary: built-in data file plus the station's own `pronunciations.yaml` on top.

Both files have the same sections (see docs/normalization.md). Reading never raises on bad input:
`read_dictionary_file` returns the entries it could use and a `Problem` per bad entry (file:line: key: message in
Vietnamese), so `check` can list every problem at once and `load_dictionary` can refuse a broken station file.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from broadcaster.config import YNode, display_path, read_station_yaml
from broadcaster.errors import Problem
from broadcaster.speech._numbers import DIGITS

__all__ = ["ContextRule", "Dictionary", "SECTIONS", "read_dictionary_file", "merge"]

# Plain sections: key -> how it is read. `abbreviations` match exactly (case-sensitive, "TT" is not "tt");
# `words` match in any case ("facebook", "Facebook"); the others are used by specific rules.
PLAIN_SECTIONS = ("abbreviations", "words", "doc_types", "issuers", "units", "url_words", "letters")
SECTIONS = PLAIN_SECTIONS + ("context",)
_RULE_KEYS = ("before", "after", "read")


@dataclass(frozen=True)
class ContextRule:
    """Read an abbreviation as `read` when the text before it matches `before` and the text after matches
    `after` (either may be absent). Rules are tried in order; the first that matches wins."""

    read: str
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None

    def matches(self, before: str, after: str) -> bool:
        return (self.before is None or self.before.search(before) is not None) and (
            self.after is None or self.after.match(after) is not None
        )


def _frozen(d: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True, eq=False)
class Dictionary:
    """Everything the normalizer looks up. Build with `load_dictionary()`; compiled patterns are cached."""

    abbreviations: Mapping[str, str] = field(default_factory=_frozen)
    words: Mapping[str, str] = field(default_factory=_frozen)  # keys lower-case
    doc_types: Mapping[str, str] = field(default_factory=_frozen)
    issuers: Mapping[str, str] = field(default_factory=_frozen)
    units: Mapping[str, str] = field(default_factory=_frozen)
    url_words: Mapping[str, str] = field(default_factory=_frozen)  # keys lower-case
    letters: Mapping[str, str] = field(default_factory=_frozen)  # keys lower-case
    context: Mapping[str, tuple[ContextRule, ...]] = field(default_factory=lambda: MappingProxyType({}))
    sources: tuple[str, ...] = ()
    number_reading: str = "nghìn linh"  # the station's regional number words (speech.number_reading)

    @cached_property
    def abbreviation_re(self) -> re.Pattern[str] | None:
        """Every abbreviation (and context-ruled one), longest first, as whole tokens."""
        keys = set(self.abbreviations) | set(self.context)
        return _token_alternation(keys, re.UNICODE)

    @cached_property
    def words_re(self) -> re.Pattern[str] | None:
        return _token_alternation(set(self.words), re.IGNORECASE)

    @cached_property
    def units_re(self) -> str:
        """Alternation of unit spellings (for use right after a number), longest first."""
        return "|".join(re.escape(k) for k in sorted(self.units, key=len, reverse=True)) or "(?!)"

    def spell(self, token: str) -> str:
        """Letter by letter with Vietnamese letter names: "ICT" -> "i xê tê"."""
        out = []
        for ch in token:
            if ch in "0123456789":
                out.append(DIGITS[int(ch)])
            elif ch.isalpha():
                out.append(self.letters.get(ch.lower(), ch.lower()))
        return " ".join(out)


def _token_alternation(keys: set[str], flags: int) -> re.Pattern[str] | None:
    if not keys:
        return None
    alt = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w&/])(?:{alt})(?![\w&])", flags)


def merge(base: Dictionary, top: Dictionary) -> Dictionary:
    """`top`'s entries override `base`'s; a context rule list for an abbreviation replaces the base list."""

    def m(a: Mapping[str, object], b: Mapping[str, object]) -> MappingProxyType:  # type: ignore[type-arg]
        return MappingProxyType({**a, **b})

    return Dictionary(
        **{name: m(getattr(base, name), getattr(top, name)) for name in PLAIN_SECTIONS},
        context=m(base.context, top.context),
        sources=base.sources + top.sources,
    )


# --- reading a file -----------------------------------------------------------------------------------------
# Through the station's one YAML loader (`config.read_station_yaml`): the same limits (size, nesting, aliases,
# control characters) and the same file:line problems as station.yaml and the bulletins.

_DIGIT = re.compile(r"\d")
# what a reading may contain besides letters, their accents and spaces: pauses and the apostrophe/hyphen of
# loanwords
_PUNCTUATION = set(".,;:!?'’-")


def _symbol(text: str) -> str:
    """The first character of a reading an engine cannot say as a word ('%', '/', '¼', an emoji); '' if none."""
    for c in text:
        if not (c.isalpha() or c.isspace() or c in _PUNCTUATION or unicodedata.category(c).startswith("M")):
            return c
    return ""


def read_dictionary_file(path: Path, station_root: Path | None = None) -> tuple[Dictionary, list[Problem]]:
    """Parse one pronunciations file; bad entries are skipped and reported, good ones kept. `station_root`: a
    symlink leaving that directory is refused (the station's own file)."""
    name = display_path(path)
    root, problems = read_station_yaml(path, name, station_root, empty_ok=True)
    if root is None:
        return Dictionary(sources=(name,)), problems
    if root.kind != "map":
        problems.append(Problem(name, root.line, "", "tệp phải gồm các mục như 'abbreviations:', 'words:' "
                                                     "(xem ví dụ trong tệp mẫu)"))
        return Dictionary(sources=(name,)), problems
    sections: dict[str, object] = {}
    for section, node in root.value.items():
        line = root.key_lines.get(section, node.line)
        if section not in SECTIONS:
            hint = difflib.get_close_matches(section, SECTIONS, n=1)
            tip = f" — có phải ý bạn là '{hint[0]}'?" if hint else f" (các mục hợp lệ: {', '.join(SECTIONS)})"
            problems.append(Problem(name, line, section, f"mục không có trong từ điển phát âm{tip}"))
            continue
        if node.is_null:
            continue
        if section == "context":
            sections[section] = MappingProxyType(_read_context(name, node, problems))
        else:
            entries = _read_plain(name, section, node, problems)
            if section in ("words", "url_words", "letters"):
                entries = {k.lower(): v for k, v in entries.items()}
            sections[section] = MappingProxyType(entries)
    return Dictionary(**sections, sources=(name,)), problems  # type: ignore[arg-type]


def _reading(name: str, key: str, node: YNode, problems: list[Problem]) -> str | None:
    """A reading must be non-empty text without digits (a digit would reach the speech engine)."""
    if node.kind != "scalar":
        problems.append(Problem(name, node.line, key, "cách đọc phải là một dòng chữ, ví dụ: ủy ban nhân dân"))
        return None
    text = node.raw.strip()
    if not text or node.is_null:
        problems.append(Problem(name, node.line, key, "cách đọc đang để trống: viết cách đọc sau dấu hai chấm"))
        return None
    if _DIGIT.search(text):
        problems.append(Problem(name, node.line, key, f"cách đọc '{text}' có chữ số: hãy viết số bằng chữ "
                                                      "(ví dụ 'mười hai' thay cho '12')"))
        return None
    symbol = _symbol(text)
    if symbol:
        problems.append(Problem(name, node.line, key, f"cách đọc '{text}' có ký hiệu '{symbol}' mà máy "
                                                      "đọc không đọc được: viết bằng chữ (ví dụ 'phần trăm' thay "
                                                      "cho '%')"))
        return None
    return text


def _read_plain(name: str, section: str, node: YNode, problems: list[Problem]) -> dict[str, str]:
    if node.kind != "map":
        problems.append(Problem(name, node.line, section, "phải là danh sách dạng 'VIẾT TẮT: cách đọc', "
                                                          "mỗi mục một dòng"))
        return {}
    out: dict[str, str] = {}
    for key, vnode in node.value.items():
        full = f"{section}.{key}"
        if not key:
            problems.append(Problem(name, vnode.line, section, "có mục không có tên (để trống trước dấu hai chấm)"))
            continue
        reading = _reading(name, full, vnode, problems)
        if reading is not None:
            out[key] = reading
    return out


def _read_context(name: str, node: YNode, problems: list[Problem]) -> dict[str, tuple[ContextRule, ...]]:
    if node.kind != "map":
        problems.append(Problem(name, node.line, "context", "phải là danh sách theo từ viết tắt, mỗi từ có các "
                                                            "quy tắc 'before'/'after'/'read'"))
        return {}
    out: dict[str, tuple[ContextRule, ...]] = {}
    for abbr, rules_node in node.value.items():
        path = f"context.{abbr}"
        if rules_node.kind != "seq":
            problems.append(Problem(name, rules_node.line, path, "phải là danh sách quy tắc, mỗi quy tắc bắt đầu "
                                                                 "bằng dấu gạch ngang '- '"))
            continue
        rules = []
        for i, rnode in enumerate(rules_node.value):
            rule = _read_rule(name, f"{path}[{i + 1}]", rnode, problems)
            if rule is not None:
                rules.append(rule)
        out[abbr] = tuple(rules)
    return out


def _read_rule(name: str, path: str, node: YNode, problems: list[Problem]) -> ContextRule | None:
    if node.kind != "map":
        problems.append(Problem(name, node.line, path, "mỗi quy tắc phải có 'read' và 'before' hoặc 'after'"))
        return None
    ok = True
    for key in node.value:
        if key not in _RULE_KEYS:
            problems.append(Problem(name, node.key_lines.get(key, node.line), f"{path}.{key}",
                                    f"không dùng được trong quy tắc (chỉ có: {', '.join(_RULE_KEYS)})"))
            ok = False
    if "read" not in node.value:
        problems.append(Problem(name, node.line, path, "thiếu 'read': cách đọc khi quy tắc khớp"))
        return None
    read = _reading(name, f"{path}.read", node.value["read"], problems)
    patterns: dict[str, re.Pattern[str] | None] = {"before": None, "after": None}
    for key in ("before", "after"):
        pnode = node.value.get(key)
        if pnode is None:
            continue
        why = _risky_pattern(str(pnode.raw))
        try:
            patterns[key] = re.compile(str(pnode.raw))
        except re.error as exc:
            why = f"mẫu so khớp không hợp lệ ({exc})"
        if why:
            problems.append(Problem(name, pnode.line, f"{path}.{key}", why))
            ok = False
    if read is None or not ok:
        return None
    return ContextRule(read=read, before=patterns["before"], after=patterns["after"])


_MAX_PATTERN = 200
# a repeated group that itself repeats, "(a+)+" or "(\\w*)*": matching can take exponential time on one line
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]")


def _risky_pattern(pattern: str) -> str:
    """Why a context pattern could hang the normalizer (empty when it is fine): too long, or nested repeats."""
    if len(pattern) > _MAX_PATTERN:
        return f"mẫu so khớp dài {len(pattern)} ký tự, tối đa {_MAX_PATTERN}: viết ngắn lại"
    if _NESTED_QUANTIFIER.search(pattern):
        return ("mẫu so khớp có nhóm lặp lồng trong nhóm lặp (như '(a+)+'), có thể làm máy đọc treo: bỏ dấu lặp "
                "bên ngoài")
    return ""
