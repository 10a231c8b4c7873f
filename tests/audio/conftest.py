"""Audio test fixtures: a station rooted in the test's directory and an independent loudness meter. The test clips
themselves (speech-like noise bursts, tones) come from tests/factories.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadcaster.models import Station
from tests import factories as make

__all__ = ["ebur128"]


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return make.station(tmp_path / "schedules")


def ebur128(path: Path) -> tuple[float, float]:
    """Independent meter: ffmpeg's ebur128 filter (peak=true). Returns (integrated LUFS, true peak dBTP)."""
    import re
    import subprocess

    from broadcaster.ffmpeg import ffmpeg_exe

    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))
