"""The `archive:` section of station.yaml: defaults, values as written, and mistakes named by line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadcaster.config import load_station
from broadcaster.errors import ConfigError
from tests import factories as make
from tests.config.test_config import MINIMAL_STATION


def test_defaults_keep_90_days_within_1000_mb(tmp_path: Path) -> None:
    station = load_station(make.station_dir(tmp_path, MINIMAL_STATION))
    assert (station.archive.retention_days, station.archive.max_mb) == (90, 1000.0)


def test_values_as_the_officer_writes_them(tmp_path: Path) -> None:
    text = MINIMAL_STATION + "archive:\n  retention_days: 30\n  max_mb: 2,5\n"
    station = load_station(make.station_dir(tmp_path, text))
    assert (station.archive.retention_days, station.archive.max_mb) == (30, 2.5)


@pytest.mark.parametrize(("text", "message"), [
    ("archive:\n  retention_days: 0\n", "archive.retention_days: 0 quá nhỏ"),
    ("archive:\n  max_mb: nhiều\n", "archive.max_mb: 'nhiều' không phải số"),
    ("archive:\n  retention: 30\n", "có phải ý bạn là 'retention_days'?"),
])
def test_mistakes_are_named_by_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_station(make.station_dir(tmp_path, MINIMAL_STATION + text))
    assert any(message in str(p) for p in info.value.problems), info.value.problems
