"""The running station writes its log's signed checkpoint after each session when the last one is a day old."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

from broadcaster.airlog import PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, latest_checkpoint
from tests.station.test_runner import DAY, Rig


def test_the_station_signs_its_log_after_a_session_once_a_day(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DAY.replace(hour=6, minute=29))
    rig.runner.render_ahead()
    assert latest_checkpoint(rig.runner.log) is None
    rig.runner.session_job("2026-11-28/sang/main")
    first = latest_checkpoint(rig.runner.log)
    assert first is not None and first.rows >= 1 and first.station == "Đài thử"
    assert stat.S_IMODE((tmp_path / "var" / PRIVATE_KEY_FILE).stat().st_mode) == 0o600
    assert (tmp_path / "var" / PUBLIC_KEY_FILE).exists()
    rig.clock.advance(2.5 * 3600)
    rig.runner.session_job("2026-11-28/trua/main")  # the same day: no new checkpoint
    assert latest_checkpoint(rig.runner.log) == first
    rig.clock.advance(timedelta(days=1).total_seconds())
    rig.runner.render_ahead()
    rig.runner.session_job("2026-11-29/trua/main")
    second = latest_checkpoint(rig.runner.log)
    assert second is not None and second.n == 2 and second.rows > first.rows
    result = rig.runner.log.verify()
    assert result.ok and result.checkpoints == 2, result.message
