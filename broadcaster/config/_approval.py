"""Approval bound to content: the content key of a bulletin and what `check` says when it no longer matches.

The key is a sha256 over everything that decides what airs: the text (line endings and surrounding blank space
normalized) or the recording's bytes, the priority, the valid dates, the villages, and the repeat rule (which
includes the sessions). Title, topic, order and comments do not change it: they do not change what is heard,
where or when. An approval records the key it was given for; the planner and the station air a bulletin only
while its current key equals that one (docs/web.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from broadcaster.models import Bulletin

__all__ = ["KEY_PREFIX", "approval_key"]

KEY_PREFIX = "sha256:"
_CHUNK = 1 << 20


def _audio_digest(bulletin: Bulletin) -> str:
    if bulletin.audio is None:
        return ""
    digest = hashlib.sha256()
    try:
        with open(bulletin.audio, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return "missing:" + bulletin.audio.name  # a missing file never matches an approval of real bytes
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def approval_key(bulletin: Bulletin) -> str:
    """`sha256:<hex>` of what decides what airs (see the module docstring); reads the recording's bytes."""
    text = bulletin.text
    if text is not None:
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        text = text.strip()
    doc = {
        "text": text,
        "audio": _audio_digest(bulletin),
        "priority": bulletin.priority.value,
        "valid_from": _plain(bulletin.valid_from),
        "valid_until": _plain(bulletin.valid_until),
        "zones": sorted(bulletin.zones),
        "repeat": _plain(asdict(bulletin.repeat)),
    }
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return KEY_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
