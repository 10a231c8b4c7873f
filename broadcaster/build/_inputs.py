"""Plan a station from its files: load config, rendered durations and the airing history, then call `plan`.

This is the I/O side of planning (the planner itself stays pure). Used by the plan view, `build`, the station.
Missing optional parts never stop a plan: no rendered audio -> estimates; no airing log -> empty history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from broadcaster.airlog import AirLog, rotation_history
from broadcaster.errors import AudioError
from broadcaster.ffmpeg import audio_duration
from broadcaster.models import Airing, Bulletin, Station
from broadcaster.plan import Overhead, PlanResult, make_plan
from broadcaster.speech.normalize import load_dictionary
from broadcaster.speech.render import cached_render, content_hash

__all__ = ["StationPlan", "measured_overhead", "plan_loaded"]


@dataclass(frozen=True)
class StationPlan:
    """A plan with what it was made from, ready to show as a table or JSON."""

    station: Station
    bulletins: tuple[Bulletin, ...]
    start: date
    end: date
    result: PlanResult
    overhead: Overhead
    warnings: tuple[str, ...] = ()  # Vietnamese: bad bulletin files, history or audio unavailable


def _durations(station: Station, bulletins: Sequence[Bulletin]) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Rendered durations and content hashes, where renders exist; the rest is estimated by the planner."""
    durations: dict[str, float] = {}
    hashes: dict[str, str] = {}
    warnings: list[str] = []
    try:
        dictionary = load_dictionary(station)
    except Exception as exc:  # noqa: BLE001 - a broken dictionary must not stop a plan; estimates remain
        return {}, {}, [f"không đọc được từ điển phát âm ({exc}): thời lượng là ước tính"]
    for b in bulletins:
        if not b.approved:
            continue
        try:
            rendered = cached_render(station, b, dictionary)
            hashes[b.id] = content_hash(b, dictionary)
        except Exception as exc:  # noqa: BLE001 - one bad bulletin or engine must not stop the plan
            warnings.append(f"{b.id}: chưa lấy được thời lượng giọng đọc ({exc}); dùng ước tính")
            continue
        if rendered is not None:
            durations[b.id] = rendered.duration
        elif b.audio is not None:  # a recording not decoded yet: its length from the header, nothing decoded
            try:
                durations[b.id] = audio_duration(b.audio)
            except AudioError as exc:
                warnings.append(f"{b.id}: {exc}")
    return durations, hashes, warnings


def _history(station: Station, start: date, bulletins: Sequence[Bulletin]) -> tuple[list[Airing], list[str]]:
    """The history the planner digests (completed airings before `start`, one row per bulletin and session) from
    the log; none when there is no log yet (never creates one just to plan)."""
    if not Path(station.database).exists():
        return [], []
    try:
        with AirLog(station.database, tz=station.timezone) as log:
            return rotation_history(log, start, [b.id for b in bulletins]), []
    except Exception as exc:  # noqa: BLE001 - an unreadable log still allows a plan, with a warning
        return [], [f"không đọc được nhật ký phát ({exc}): kế hoạch không tính lịch sử phát"]


def plan_loaded(
    station: Station,
    bulletins: Sequence[Bulletin],
    start: date,
    end: date,
    *,
    overhead: Overhead | None = None,
    warnings: Sequence[str] = (),
) -> StationPlan:
    """Plan already-loaded bulletins with rendered durations and the log's history (web UI, tests).

    Default overhead: the planner's defaults with the station's own pause between items (audio.pause_seconds).
    """
    if overhead is None:
        overhead = Overhead(pause=station.audio.pause_seconds)
    durations, hashes, w_audio = _durations(station, bulletins)
    history, w_log = _history(station, start, bulletins)
    result = make_plan(
        station, bulletins, history, start, end, durations=durations, overhead=overhead, content_hashes=hashes
    )
    all_warnings = (*warnings, *w_audio, *w_log)
    return StationPlan(station, tuple(bulletins), start, end, result, overhead, tuple(all_warnings))


def measured_overhead(station: Station, day: date, slot_ids: Sequence[str] | None = None, *, render: bool,
                      sounds: Any = None) -> tuple[Overhead, bool]:
    """The planner's `Overhead` from the audio `build` and the station really use (jingles, chime, the day's
    spoken ident and closing): the one bridge from `audio.overhead` figures to the planner. `render=False` calls
    no speech engine (unrendered parts count with the planner's estimate; the second value is then False).
    Imports the audio stack."""
    # lazy: the audio stack (numpy/scipy DSP); the always-on station plans its look-back without it
    from broadcaster.audio.overhead import measured_overhead as audio_figures

    default = Overhead()
    slots = [s.id for s in station.slots] if slot_ids is None else list(slot_ids)
    figures, measured = audio_figures(station, day, slots, sounds, render=render,
                                      estimate=(default.ident, default.closing))
    return Overhead(**figures), measured
