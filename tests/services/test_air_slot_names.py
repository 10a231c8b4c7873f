"""`broadcaster air sáng` and `broadcaster air "Buổi sáng"`: the session as the officer names it, with or without
diacritics, is the session `sang` (handed to a running station here, so nothing is built or played)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from broadcaster import cli
from broadcaster.config import load_station, resolve_slot
from broadcaster.errors import InputError
from broadcaster.station import _control


@pytest.mark.parametrize("name", ["sang", "sáng", "Sáng", "SÁNG", "Buổi sáng", "buoi sang", "  Buổi  Sáng "])
def test_slot_names_match_with_and_without_diacritics(name: str) -> None:
    station = load_station(Path(__file__).resolve().parents[2] / "schedules")
    assert resolve_slot(station, name).id == "sang"


def test_an_unknown_slot_lists_the_sessions() -> None:
    station = load_station(Path(__file__).resolve().parents[2] / "schedules")
    with pytest.raises(InputError, match=r"các buổi: sang \(Buổi sáng\), chieu \(Buổi chiều\)"):
        resolve_slot(station, "trưa")


@pytest.mark.parametrize("name", ["sáng", "Buổi sáng"])
def test_air_accepts_the_officers_name_for_a_session(name: str, sample_station_dir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    station = load_station(sample_station_dir)
    _control.write_heartbeat(station, {"station": str(sample_station_dir)})  # "the station is running": us
    taken: list[_control.AirRequest] = []
    stop = threading.Event()

    def running_station() -> None:
        while not stop.wait(0.02) and not taken:
            taken.extend(_control.take_air_requests(station))

    thread = threading.Thread(target=running_station, daemon=True)
    thread.start()
    try:
        code = cli.main(["air", name, "--date", "2026-12-01", "--station", str(sample_station_dir)])
    finally:
        stop.set()
        thread.join(2)
        _control.clear_heartbeat(station)
    assert code == 0, capsys.readouterr()
    assert [r.slot for r in taken] == ["sang"]
    assert "đã nhận lệnh phát ngay buổi 'sang'" in capsys.readouterr().out
