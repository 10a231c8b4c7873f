"""scripts/install-service: the systemd unit that brings the station back at boot and after a crash."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-service"


def _unit(*args: str) -> str:
    proc = subprocess.run([str(SCRIPT), "--print", *args], capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_unit_restarts_the_station_and_stops_it_cleanly() -> None:
    unit = _unit()
    lines = set(unit.splitlines())
    station = ROOT / "schedules"
    assert f'ExecStart="{ROOT}/.venv/bin/broadcaster" run --station "{station}"' in lines
    assert "Restart=always" in lines  # a crash or kill: back in 5 s, the log says what was interrupted
    assert "KillSignal=SIGTERM" in lines  # the runner stops the item, logs it, switches relays off
    timeout = next(int(line.split("=")[1]) for line in lines if line.startswith("TimeoutStopSec="))
    assert timeout > 15  # the runner waits up to 15 s for the playing item to wind down
    assert any(line.startswith("WantedBy=") for line in lines)  # starts at boot once enabled
    assert "\n\n\n" not in unit


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    path = tmp_path / "broadcaster.service"
    path.write_text(_unit(), encoding="utf-8")
    proc = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, check=False)
    complaints = [line for line in (proc.stdout + proc.stderr).splitlines() if str(path) in line]
    assert complaints == []


def test_a_wrong_station_folder_is_refused_in_vietnamese(tmp_path: Path) -> None:
    proc = subprocess.run([str(SCRIPT), "--print", "--station", str(tmp_path / "khong-co")],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 1
    assert "không thấy" in proc.stderr and "station.yaml" in proc.stderr
