"""YAML reading that remembers where every key and value came from, so errors can say `file:line`, and that
holds against hostile input: every file the station reads (station.yaml, bulletins, pronunciations.yaml) goes
through `read_yaml_file` / `read_yaml`.

Limits (each violation is a problem with its line, never an exception, a hang or gigabytes of memory):
- file size (`MAX_FILE_BYTES`), only regular files (a FIFO or a device is refused without blocking on it);
- control characters (invisible bytes pasted from Word/Excel) anywhere in the text;
- nesting depth (`MAX_DEPTH`), counted through aliases, so the composer never recurses deeply;
- aliases: how many (`MAX_ALIASES`) and how much they expand to (`MAX_EXPANDED_NODES`, `MAX_EXPANDED_CHARS`),
  measured on the event stream before anything is built, so an alias bomb costs microseconds; an alias to its
  own anchor (a cycle) is refused.

PyYAML's `compose` gives nodes with marks; we turn them into a small tree of `YNode`s. Scalars keep both the
value PyYAML would construct and the raw text, because YAML 1.1 reads `06:30` as the number 390 and `no` as
False: fields such as times read the raw text instead.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_EXPANDED_CHARS",
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "YNode",
    "YamlProblem",
    "read_bytes_bounded",
    "read_yaml",
    "read_yaml_file",
]

MAX_FILE_BYTES = 1_000_000  # a bulletin or station file this large is a mistake (a pasted document)
MAX_DEPTH = 24  # the schema nests 4 levels deep (outputs.main.zone_switch.kind); 24 leaves room for lists
MAX_ALIASES = 200  # anchors are handy for a repeated list of villages; hundreds of aliases are not
MAX_EXPANDED_NODES = 20_000  # nodes once aliases are expanded: a bulletin has ~40, the built-in dictionary ~800
MAX_EXPANDED_CHARS = 4_000_000  # characters of scalars once every alias is expanded

# Loaders in C when libyaml is there (ten times faster on a big file); the event pass below bounds them.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML refuses these characters in a file (tab, newline and carriage return are fine); NEL, LS and PS it takes
# as line breaks that no editor shows, so every line number after them would be wrong: refused too
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


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
        return self.kind == "scalar" and self.value is None and not self.quoted


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading (not validating) a file: bad bytes, bad syntax, limits, duplicate keys."""

    line: int | None
    key: str
    message: str


def read_bytes_bounded(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes | None, str]:
    """The bytes of a regular file of at most `max_bytes`, or (None, why not in Vietnamese).

    Opened without blocking and checked with fstat before any read, so a FIFO, a device or a symlink to one
    (`/dev/zero`) is refused at once; a file that grows while it is read is cut at `max_bytes + 1` and refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO with no writer, on some systems
            return None, "không phải tệp văn bản thường (là ống dẫn FIFO): xoá nó và tạo lại tệp .yaml"
        return None, f"không đọc được tệp: {exc.strerror or exc}"
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None, "là một thư mục, không phải tệp: đổi tên thư mục (bỏ đuôi .yaml)"
        if not stat.S_ISREG(st.st_mode):
            kind = "ống dẫn FIFO" if stat.S_ISFIFO(st.st_mode) else "thiết bị hoặc tệp đặc biệt"
            return None, f"không phải tệp văn bản thường (là {kind}): xoá nó và tạo lại tệp .yaml"
        if st.st_size > max_bytes:
            return None, _too_big(st.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            block = os.read(fd, min(1 << 16, max_bytes + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
        if total > max_bytes:
            return None, _too_big(total, max_bytes)
        return b"".join(chunks), ""
    except OSError as exc:
        return None, f"không đọc được tệp: {exc.strerror or exc}"
    finally:
        os.close(fd)


def _too_big(size: int, limit: int) -> str:
    return (
        f"tệp quá lớn (hơn {size // 1024:,} KB, tối đa {limit // 1024:,} KB): mỗi tệp chỉ chứa một bản tin "
        "hoặc một cấu hình ngắn — có thể đã dán nhầm cả một văn bản dài".replace(",", ".")
    )


_constructor = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.ScalarNode) -> Any:
    if len(node.value) > 64 and node.tag != "tag:yaml.org,2002:str":
        return node.value  # a 4,300-digit "integer" stays text: the field's type explains what is wrong
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return node.value  # e.g. an impossible date "2024-02-31": keep the text, validators explain


def _convert(node: yaml.Node, path: str, problems: list[YamlProblem]) -> YNode:
    """Nodes -> YNodes. Recursion is safe: `_check_events` has bounded depth and expansion first."""
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


@dataclass
class _Frame:
    anchor: str | None
    nodes: int = 1  # nodes in this collection, itself included, aliases expanded
    chars: int = 0
    height: int = 1  # levels this collection spans (through aliases)


_TOO_DEEP = (f"lồng nhau quá sâu (hơn {MAX_DEPTH} tầng): tệp cấu hình không cần nhiều ngoặc lồng nhau đến thế, "
             "kiểm tra lại dấu ngoặc [ ] và { }")
_TOO_BIG = "các bí danh (*tên) nhân bản nội dung quá lớn khi mở ra: viết trực tiếp giá trị thay cho bí danh"


def _check_events(text: str) -> YamlProblem | None:
    """One pass over the event stream (iterative, no tree built): nesting depth, alias count and the size every
    alias expands to. Syntax errors are left to `compose`, which reports them with their line."""
    sizes: dict[str, tuple[int, int, int]] = {}  # anchor -> (nodes, chars, height) of what it stands for
    stack: list[_Frame] = [_Frame(None, 0, 0, 0)]  # a pseudo-frame around the document
    total_nodes = total_chars = aliases = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            line = event.start_mark.line + 1 if event.start_mark else 1
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                stack.append(_Frame(event.anchor))
                total_nodes += 1
                if len(stack) - 1 > MAX_DEPTH:
                    return YamlProblem(line, "", _TOO_DEEP)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                if frame.anchor is not None:
                    sizes[frame.anchor] = (frame.nodes, frame.chars, frame.height)
                parent = stack[-1]
                parent.nodes += frame.nodes
                parent.chars += frame.chars
                parent.height = max(parent.height, frame.height + 1)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = (1, len(event.value), 0)
                stack[-1].nodes += 1
                stack[-1].chars += len(event.value)
                total_nodes += 1
                total_chars += len(event.value)
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    return YamlProblem(line, "", f"quá nhiều bí danh (*tên, hơn {MAX_ALIASES}): viết trực tiếp "
                                                 "giá trị thay cho bí danh")
                if any(f.anchor == event.anchor for f in stack):
                    return YamlProblem(line, "", f"bí danh *{event.anchor} trỏ vào chính mục chứa nó (vòng lặp "
                                                 "vô tận): viết trực tiếp giá trị")
                nodes, chars, height = sizes.get(str(event.anchor), (0, 0, 0))  # undefined: compose says so
                top = stack[-1]
                top.nodes += nodes
                top.chars += chars
                top.height = max(top.height, height + 1)
                total_nodes += nodes
                total_chars += chars
                if len(stack) - 1 + height > MAX_DEPTH:
                    return YamlProblem(line, "", _TOO_DEEP)
            if total_nodes > MAX_EXPANDED_NODES or total_chars > MAX_EXPANDED_CHARS:
                return YamlProblem(line, "", _TOO_BIG if aliases else _TOO_LARGE)
    except yaml.YAMLError:
        return None  # compose reports the syntax error with its line
    return None


_TOO_LARGE = "tệp có quá nhiều mục: mỗi tệp chỉ chứa một bản tin hoặc một cấu hình ngắn"


def _syntax_problem(text: str, exc: yaml.YAMLError) -> YamlProblem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        # at the end of the file the parser points one line past the last one: name the last line
        line = min(mark.line + 1, text.count("\n") + 1) if mark else 1
        what = exc.problem or str(exc)
        if "nesting depth" in what:  # libyaml's own limit, met while it reads ahead of our event pass
            return YamlProblem(line, "", _TOO_DEEP)
        return YamlProblem(
            line,
            "",
            f"lỗi cú pháp YAML ({what}): kiểm tra thụt lề, dấu hai chấm và dấu ngoặc kép ở dòng này hoặc dòng "
            "ngay trên",
        )
    return YamlProblem(1, "", f"lỗi cú pháp YAML: {exc}")


def _control_problem(text: str) -> YamlProblem | None:
    match = _CONTROL.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return YamlProblem(
        line,
        "",
        f"có ký tự điều khiển không nhìn thấy (mã U+{ord(match.group()):04X}) ở dòng này, thường do chép từ "
        "Word/Excel hoặc tin nhắn: xoá ký tự đó (gõ lại dòng này)",
    )


def read_yaml(data: bytes) -> tuple[YNode | None, list[YamlProblem]]:
    """Parse one YAML document from bytes, within the limits above. Never raises: problems carry the line."""
    if len(data) > MAX_FILE_BYTES:
        return None, [YamlProblem(1, "", _too_big(len(data), MAX_FILE_BYTES))]
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
    problem = _control_problem(text) or _check_events(text)
    if problem is not None:
        return None, [problem]
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(text, exc)]
    except RecursionError:  # not reachable within MAX_DEPTH; a last guard, the station must never crash
        return None, [YamlProblem(1, "", f"lồng nhau quá sâu (hơn {MAX_DEPTH} tầng)")]
    if node is None:
        return None, []
    problems: list[YamlProblem] = []
    return _convert(node, "", problems), problems


def read_yaml_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[YNode | None, list[YamlProblem]]:
    """`read_yaml` of a file, read with `read_bytes_bounded` (a problem without a line when it cannot be read)."""
    data, why = read_bytes_bounded(path, max_bytes)
    if data is None:
        return None, [YamlProblem(None, "", why)]
    return read_yaml(data)
