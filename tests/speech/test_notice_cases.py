"""The second announcer table: text from real notice kinds (weather and floods, prices and markets, health,
legal citations, measures) read the way a northern announcer would (cases in notice_cases.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from broadcaster.speech.normalize import normalize, unspeakable

HERE = Path(__file__).parent
_DATA = yaml.safe_load((HERE / "notice_cases.yaml").read_text(encoding="utf-8"))
CASES = [(group, written, spoken) for group, cases in _DATA.items() for written, spoken in cases]


def test_table_is_large_and_covers_every_kind() -> None:
    assert len(CASES) >= 300
    assert all(len(cases) >= 50 for cases in _DATA.values())


@pytest.mark.parametrize(("group", "written", "spoken"), CASES, ids=[f"{g}:{w[:40]}" for g, w, _ in CASES])
def test_announcer_reading_of_notices(group: str, written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("group", "written", "spoken"), CASES, ids=[f"{g}:{w[:40]}" for g, w, _ in CASES])
def test_expected_notice_readings_are_speakable(group: str, written: str, spoken: str) -> None:
    assert unspeakable(spoken) == []
