"""Structure of the schema: `Field` (one key), `Section` (a nested mapping), `MapOf` (id -> settings), and
`parse_fields`, which checks a mapping against its fields (unknown keys, missing values, types) in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from broadcaster.config._values import REQUIRED, Context, FieldType, Invalid, check_identifier, suggest
from broadcaster.config._yaml import YNode

__all__ = ["Field", "MapOf", "Section", "parse_fields"]


@dataclass(frozen=True)
class Field:
    """One key of a YAML mapping: its type, default, meaning (English) and the officer's Vietnamese term."""

    key: str
    type: FieldType
    doc: str
    default: Any = REQUIRED
    vi: str = ""
    example: str = ""
    nullable: bool = False  # an empty value (`key:` or `null`) means None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def parse_fields(
    fields: tuple[Field, ...], node: YNode, path: str, ctx: Context
) -> tuple[dict[str, Any], bool]:
    """Parse a mapping against its fields. Returns (values, ok); ok is False when a required value is missing."""
    values: dict[str, Any] = {}
    ok = True
    by_key = {f.key: f for f in fields}
    for key, child in node.value.items():
        if key not in by_key:
            full = f"{path}.{key}" if path else key
            ctx.add(node.key_lines[key], full, f"không có mục '{key}' ở đây; {suggest(key, list(by_key))}")
    for f in fields:
        full = f"{path}.{f.key}" if path else f.key
        child = node.value.get(f.key)
        if child is None or (child.is_null and not isinstance(f.type, Section)):
            if child is not None and f.nullable:
                values[f.key] = None
            elif f.required:
                line = node.key_lines.get(f.key, node.line)
                ctx.add(
                    line,
                    full,
                    f"thiếu giá trị: cần ghi {f.key}" + (f" (ví dụ: {f.example})" if f.example else ""),
                )
                ok = False
            elif isinstance(f.type, Section):
                values[f.key] = f.type.parse(YNode("map", node.line, {}), full, ctx)
            else:
                if child is not None and f.default not in ("", ()):
                    # `kind: null` or `kind:` left empty: silently using the default (file output instead of the
                    # sound card) would surprise the officer; an empty text or list means what it says
                    ctx.add(child.line, full, _empty_message(f))
                values[f.key] = f.default
            continue
        try:
            values[f.key] = f.type.parse(child, full, ctx)
        except Invalid as exc:
            ctx.add(child.line, full, str(exc))
            if f.required:
                ok = False
            elif isinstance(f.type, Section):  # keep checking the rest with the section's defaults
                values[f.key] = f.type.parse(YNode("map", child.line, {}), full, ctx)
            else:
                values[f.key] = f.default
    return values, ok


def _empty_message(f: Field) -> str:
    choices = getattr(f.type, "values", None)
    example = f" (chọn một trong: {', '.join(choices)})" if choices else (f" (ví dụ: {f.example})" if f.example else "")
    return (f"đang để trống (hoặc null): ghi một giá trị{example}, hoặc xoá hẳn dòng này để dùng mặc định "
            f"{_shown(f.default)}")


def _shown(value: Any) -> str:
    value = getattr(value, "value", value)  # an enum
    if isinstance(value, frozenset) and value == frozenset(range(7)):
        return "(mọi ngày)"
    return f"({value})" if not isinstance(value, (tuple, frozenset)) else ""


@dataclass(frozen=True)
class Section(FieldType):
    """A nested mapping with its own fields, built into a model by `build(values)`."""

    fields: tuple[Field, ...]
    build: Callable[..., Any] = dict
    doc_type = "mapping"

    def parse(self, node: YNode, path: str, ctx: Context) -> Any:
        if node.is_null:
            node = YNode("map", node.line, {})
        if node.kind != "map":
            raise Invalid("phải là một nhóm mục (mỗi dòng 'tên: giá trị', thụt lề vào trong)")
        values, ok = parse_fields(self.fields, node, path, ctx)
        if not ok:
            raise _Skip()
        return self.build(**values)


class _Skip(Invalid):
    """A section could not be built; its problems are already recorded."""


@dataclass(frozen=True)
class MapOf(FieldType):
    """A mapping id -> section (zones, slots, outputs); `build(id, line, values)` makes each model.

    `shorthand` names the field a plain scalar value fills (`thon-dong: Thôn Đông` sets the name)."""

    fields: tuple[Field, ...]
    build: Callable[..., Any]
    shorthand: str | None = None
    doc_type = "mapping id -> settings"

    def parse(self, node: YNode, path: str, ctx: Context) -> tuple[Any, ...]:
        if node.kind != "map":
            raise Invalid("phải là một nhóm mục theo mã (ví dụ 'thon-dong:' rồi các mục thụt lề bên dưới)")
        out = []
        for key, child in node.value.items():
            full = f"{path}.{key}"
            ctx.declared.setdefault(path, set()).add(key)
            try:
                check_identifier(key)
                if child.kind == "scalar" and not child.is_null and self.shorthand:
                    child = YNode(
                        "map", child.line, {self.shorthand: child}, key_lines={self.shorthand: child.line}
                    )
                elif child.is_null:
                    child = YNode("map", child.line, {})
                if child.kind != "map":
                    raise Invalid("phải là một nhóm mục (các dòng 'tên: giá trị' thụt lề bên dưới)")
                values, ok = parse_fields(self.fields, child, full, ctx)
                if ok:
                    out.append(self.build(key, node.key_lines[key], values))
            except _Skip:
                pass
            except Invalid as exc:
                ctx.add(node.key_lines[key], full, str(exc))
        return tuple(out)
