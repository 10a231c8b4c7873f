"""Docs drift fails the tests: every key of the station and bulletin schema is documented in
docs/configuration.md, with its Vietnamese term, and the documented examples still load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from broadcaster.config._schema import BULLETIN_FIELDS, STATION_FIELDS, walk
from broadcaster.config._sections import Field
from broadcaster.config._values import Str

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
KEYS = [(f"station:{path}", path, f) for path, f in walk(STATION_FIELDS)] + [
    (f"bulletin:{path}", path, f) for path, f in walk(BULLETIN_FIELDS)
]


def documented_rows() -> dict[str, str]:
    """Reference table rows by `file:key` (file = station | bulletin, from the `### ...` heading above)."""
    rows: dict[str, str] = {}
    table = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            table = line[4:].strip()
        match = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if match and table:
            rows[f"{table}:{match.group(1)}"] = line
    return rows


@pytest.mark.parametrize(("name", "path", "field"), KEYS, ids=[k[0] for k in KEYS])
def test_every_key_is_documented(name: str, path: str, field: Field) -> None:
    row = documented_rows().get(name)
    assert row is not None, f"`{path}` is missing from docs/configuration.md's reference tables"
    assert field.vi and field.vi in row, f"`{path}`: the officer's Vietnamese term is not in its row"
    assert field.doc.split("`")[0].strip()[:20] in row.replace("/", "|"), f"`{path}`: meaning differs"


def test_walk_reaches_nested_keys() -> None:
    """The test above is only as good as the walk: nested sections and id maps are included."""
    paths = {k[1] for k in KEYS}
    assert {
        "outputs.<id>.zone_switch.port",
        "zones.<id>.relay",
        "slots.<id>.start",
        "window.end",
        "repeat.max_total",
        "caps.max_sessions_per_day",
    } <= paths


def test_an_undocumented_key_would_be_caught() -> None:
    rows = documented_rows()
    ghost = {f"station:{p}" for p, _f in walk((Field("ghost_key", Str(), "Not documented anywhere."),))}
    assert ghost and not ghost & set(rows)


def test_documented_keys_all_exist() -> None:
    """No stale rows: every key in the reference tables is in the schema."""
    assert set(documented_rows()) <= {k[0] for k in KEYS}
