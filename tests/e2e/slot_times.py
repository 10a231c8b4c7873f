"""Run the broadcaster CLI with some sessions moved to times of day given to the second.

End-to-end tests and `scripts/bench_playout` need sessions seconds apart, which station.yaml (whole minutes, no
overlapping sessions) cannot say. Only the station's `load` is wrapped, in this process alone; everything
else is the real command in a real process. Production code has no hook for it.

    python tests/e2e/slot_times.py s1=13:05:10,s2=13:05:40 run --station DIR [...]
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import broadcaster.station
from broadcaster.station import _sessions as _station


def parse(spec: str) -> dict[str, time]:
    """'s1=13:05:10,s2=13:05:40' -> {'s1': time(13, 5, 10), 's2': time(13, 5, 40)}"""
    starts: dict[str, time] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        slot_id, _, value = part.partition("=")
        starts[slot_id.strip()] = time.fromisoformat(value.strip())
    return starts


@contextmanager
def moved_slots(starts: Mapping[str, time]) -> Iterator[None]:
    """While inside: every `_station.load` gives the named slots these start times (the runner's reloads too)."""
    original = _station.load

    def load(station_dir: str | Path) -> _station.StationFiles:
        files = original(station_dir)
        slots = tuple(dataclasses.replace(s, start=starts.get(s.id, s.start)) for s in files.station.slots)
        return dataclasses.replace(files, station=dataclasses.replace(files.station, slots=slots))

    # the runner calls `_sessions.load`, the services `broadcaster.station.load`: the same function, two names
    _station.load = broadcaster.station.load = load  # type: ignore[assignment]
    try:
        yield
    finally:
        _station.load = broadcaster.station.load = original  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    from broadcaster.cli import main as cli_main

    spec, *rest = argv
    with moved_slots(parse(spec)):
        return cli_main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
