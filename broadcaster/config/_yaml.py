"""YAML reading that remembers where every key and value came from, so errors can say `file:line`.

PyYAML's `compose` gives nodes with marks; we turn them into a small tree of `YNode`s. Scalars keep both the
value PyYAML would construct and the raw text, because YAML 1.1 reads `06:30` as the number 390 and `no` as
False: fields such as times read the raw text instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["YNode", "YamlProblem", "read_yaml"]


@dataclass
class YNode:
    """One YAML node: `kind` is "map", "seq" or "scalar"; `line` is 1-based."""

    kind: str
    line: int
    value: Any = None  # scalar: constructed Python value; seq: list[YNode]; map: dict[str, YNode]
    raw: str = ""  # scalar: the text as written
    quoted: bool = False  # scalar written in quotes (so "06:30" stayed a string)
    key_lines: dict[str, int] = field(default_factory=dict)  # map: line of each key

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.value is None


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading (not validating) a file: bad bytes, bad syntax, duplicate keys."""

    line: int | None
    key: str
    message: str


_constructor = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.ScalarNode) -> Any:
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return node.value  # e.g. an impossible date "2024-02-31": keep the text, validators explain


def _convert(node: yaml.Node, path: str, problems: list[YamlProblem]) -> YNode:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return YNode("scalar", line, _scalar(node), node.value, node.style in ("'", '"'))
    if isinstance(node, yaml.SequenceNode):
        return YNode("seq", line, [_convert(n, f"{path}[{i}]", problems) for i, n in enumerate(node.value)])
    assert isinstance(node, yaml.MappingNode)
    out = YNode("map", line, {})
    for knode, vnode in node.value:
        kline = knode.start_mark.line + 1
        if not isinstance(knode, yaml.ScalarNode):
            problems.append(YamlProblem(kline, path, "tên mục phải là chữ đơn giản, không phải danh sách"))
            continue
        key = str(knode.value).strip()
        full = f"{path}.{key}" if path else key
        if key in out.value:
            problems.append(
                YamlProblem(
                    kline,
                    full,
                    f"mục '{key}' bị khai báo hai lần (dòng "
                    f"{out.key_lines[key]} và dòng {kline}): xoá một dòng",
                )
            )
            continue
        out.key_lines[key] = kline
        out.value[key] = _convert(vnode, full, problems)
    return out


def read_yaml(data: bytes) -> tuple[YNode | None, list[YamlProblem]]:
    """Parse one YAML document from bytes. Never raises: problems carry the line to fix."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            YamlProblem(
                line,
                "",
                "tệp có ký tự không phải UTF-8 (có thể do lưu bằng bảng mã cũ như "
                "TCVN3/VNI): mở tệp và lưu lại với bảng mã UTF-8",
            )
        ]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        return None, [
            YamlProblem(
                line,
                "",
                f"lỗi cú pháp YAML ({what}): kiểm tra thụt lề, dấu hai chấm và "
                "dấu ngoặc kép ở dòng này hoặc dòng ngay trên",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(None, "", f"lỗi cú pháp YAML: {exc}")]
    if node is None:
        return None, []
    problems: list[YamlProblem] = []
    return _convert(node, "", problems), problems
