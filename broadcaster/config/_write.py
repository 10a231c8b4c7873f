"""Writing bulletin files the way a careful person would: round-trip and atomic.

The file stays the source of truth and hand edits keep working: only the keys that change are touched
(ruamel.yaml round-trip keeps comments, key order and the hand's spelling of untouched values), the new text is
written to a temporary file in the same folder, flushed to disk and renamed over the old one, so a power cut
leaves either the old file or the new one. A save names the version it was made from (`file_sha`); when the
file changed on disk since, the save is refused with `FileChanged` and nothing is written.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from broadcaster.errors import BroadcasterError

__all__ = ["FileChanged", "KEY_ORDER", "file_sha", "write_bulletin"]

# Order of keys in a new file (and where a new key goes in an existing one): what the officer reads first.
KEY_ORDER = (
    "title", "topic", "priority", "order", "valid_from", "valid_until", "zones", "repeat", "status",
    "approved_by", "approved_at", "approved_hash", "approved_account", "audio", "text",
)


class FileChanged(BroadcasterError):
    """The file changed on disk since the version a save was made from; `current` is what is there now."""

    def __init__(self, path: Path, current: str):
        super().__init__(f"tệp {path.name} đã bị thay đổi sau khi mở để sửa: không lưu đè")
        self.path = path
        self.current = current


def file_sha(path: Path) -> str:
    """sha256 of the file's bytes ('' when there is no file): the version a form was opened on."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 4096  # never fold a long title or line of text
    y.indent(mapping=2, sequence=4, offset=2)
    y.preserve_quotes = True
    return y


def _node(value: Any) -> Any:
    """Python value -> what ruamel writes as the officer would: blocks for texts, flow lists, plain dates."""
    if isinstance(value, str) and "\n" in value.strip():
        return LiteralScalarString(value.strip("\n") + "\n")
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(_node(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _node(v)
        return out
    return value


def _apply(doc: CommentedMap, changes: Mapping[str, Any]) -> None:
    """Set or remove keys (None removes); a nested mapping value updates that section key by key."""
    for key, value in changes.items():
        if value is None:
            if key in doc:
                del doc[key]
            continue
        if isinstance(value, Mapping) and isinstance(doc.get(key), CommentedMap):
            _apply(doc[key], value)
            if not doc[key]:
                del doc[key]
            continue
        if isinstance(value, Mapping) and not value:
            continue
        if key in doc:
            doc[key] = _node(value)
            continue
        rank = KEY_ORDER.index(key) if key in KEY_ORDER else len(KEY_ORDER)
        position = len(doc)
        for i, existing in enumerate(doc):
            if existing in KEY_ORDER and KEY_ORDER.index(existing) > rank:
                position = i
                break
        doc.insert(position, key, _node(value))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # the rename itself survives a power cut once the folder is synced
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def write_bulletin(path: Path, changes: Mapping[str, Any], *, expected_sha: str | None = None) -> str:
    """Apply `changes` (key -> value, None removes the key) to the bulletin file at `path`, creating it when
    `expected_sha` is '' (refused if it exists). `expected_sha` (from `file_sha`) guards against overwriting a
    change made on disk since the form was opened. Returns the new file's sha."""
    path = Path(path)
    try:
        before = path.read_bytes()
    except FileNotFoundError:
        before = None
    if expected_sha is not None:
        current = hashlib.sha256(before).hexdigest() if before is not None else ""
        if current != expected_sha:
            raise FileChanged(path, before.decode("utf-8", "replace") if before is not None else "")
    y = _yaml()
    if before is None or not before.strip():
        doc = CommentedMap()
    else:
        try:
            doc = y.load(before.decode("utf-8"))
        except (YAMLError, UnicodeDecodeError) as exc:
            raise BroadcasterError(f"tệp {path.name} không đọc được ({exc}): sửa tay trước rồi lưu lại") from exc
        if not isinstance(doc, CommentedMap):
            raise BroadcasterError(f"tệp {path.name} không phải các dòng 'tên: giá trị': sửa tay trước")
    _apply(doc, changes)
    out = io.StringIO()
    y.dump(doc, out)
    data = out.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, data)
    return hashlib.sha256(data).hexdigest()
