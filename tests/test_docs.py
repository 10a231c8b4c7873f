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


def _cli_arguments() -> list[tuple[str, str]]:
    """(command, option or positional metavar) for every argument the CLI parser accepts."""
    import argparse

    from broadcaster.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    out = []
    for name, parser in sub.choices.items():
        out.append((name, ""))
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for label in action.option_strings or [action.metavar or action.dest]:
                out.append((name, label))
    return out


CLI_DOC = DOC.parent / "cli.md"


@pytest.mark.parametrize(("command", "argument"), _cli_arguments(), ids=lambda v: v or "command")
def test_every_cli_command_and_option_is_documented(command: str, argument: str) -> None:
    sections = re.split(r"^## ", CLI_DOC.read_text(encoding="utf-8"), flags=re.M)
    section = next((s for s in sections if s.startswith(f"`broadcaster {command}`")), None)
    assert section is not None, f"`broadcaster {command}` has no section in docs/cli.md"
    if argument:
        assert re.search(rf"`[^`]*(?<![\w-]){re.escape(argument)}(?![\w-])[^`]*`", section), (
            f"`broadcaster {command} {argument}` is not documented in docs/cli.md")
