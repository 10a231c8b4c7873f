"""Plan a station from its files: load config, rendered durations and the airing history, then call `plan`.

This is the I/O side of planning (the planner itself stays pure). Used by `broadcaster plan` and the web UI.
Missing optional parts never stop a plan: no rendered audio -> estimates; no airing log -> empty history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from broadcaster._plan_rules import Overhead
from broadcaster.models import Airing, Bulletin, Station
from broadcaster.plan import PlanError, PlanResult, make_plan

__all__ = ["StationPlan", "plan_station", "plan_loaded", "parse_day", "default_range", "measured_overhead"]


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


_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_VN = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_day(text: str, what: str = "ngày") -> date:
    """'2026-03-02' or '02/03/2026' -> date; anything else is an error the officer can fix."""
    s = text.strip()
    try:
        if _ISO.match(s):
            y, m, d = (int(x) for x in s.split("-"))
            return date(y, m, d)
        if _VN.match(s):
            d, m, y = (int(x) for x in s.split("/"))
            return date(y, m, d)
    except ValueError:
        raise PlanError(f"{what} '{text}' không có thật trên lịch") from None
    raise PlanError(f"{what} '{text}' không đúng dạng: viết NNNN-TT-NN (2026-03-02) hoặc NN/TT/NNNN (02/03/2026)")


def default_range(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """From today (or the given start) to six days later (a week), unless the end is given."""
    first = start or today
    return first, end or first + timedelta(days=6)


def _durations(station: Station, bulletins: Sequence[Bulletin]) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Rendered durations and content hashes, where renders exist; the rest is estimated by the planner."""
    try:
        from broadcaster.speech.normalize import load_dictionary
        from broadcaster.speech.render import cached_render, content_hash
    except Exception as exc:  # noqa: BLE001 - missing or broken speech modules leave estimates, never a crash
        return {}, {}, [f"chưa dùng được mô-đun giọng đọc ({exc}): thời lượng là ước tính"]
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
    return durations, hashes, warnings


def _history(station: Station) -> tuple[list[Airing], list[str]]:
    """Airing history from the log; none when there is no log yet (never creates one just to plan)."""
    if not Path(station.database).exists():
        return [], []
    try:
        from broadcaster.airlog import AirLog
    except Exception:  # noqa: BLE001 - missing or broken log module: plan without history, with a warning
        return [], ["chưa có mô-đun nhật ký phát: kế hoạch không tính lịch sử phát"]
    try:
        log = AirLog(station.database, tz=station.timezone)
        try:
            return list(log.history()), []
        finally:
            close = getattr(log, "close", None)
            if callable(close):
                close()
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
    history, w_log = _history(station)
    result = make_plan(
        station, bulletins, history, start, end, durations=durations, overhead=overhead, content_hashes=hashes
    )
    all_warnings = (*warnings, *w_audio, *w_log)
    return StationPlan(station, tuple(bulletins), start, end, result, overhead, tuple(all_warnings))


def plan_station(
    station_dir: str | Path,
    start: date | None,
    end: date | None,
    *,
    today: Callable[[Station], date] | None = None,
) -> StationPlan:
    """Load the station and its bulletins and plan [start, end] (default: a week from `today(station)`).

    `today` is called only when `start` is None (the command reads the clock in the station's timezone).
    Bad bulletin files become warnings and the good bulletins are still planned.
    """
    from broadcaster.config import is_error, load_bulletins, load_station

    station = load_station(station_dir)
    if start is None:
        if today is None:
            raise PlanError("cần ngày bắt đầu của kế hoạch")
        start = today(station)
    first, last = default_range(start, start, end)
    bulletins, problems = load_bulletins(station)
    warnings = [f"{p} (bản tin này không được lập lịch)" for p in problems if is_error(p)]
    overhead, note = _fixed_parts(station, first)
    if note:
        warnings.append(note)
    return plan_loaded(station, bulletins, first, last, overhead=overhead, warnings=warnings)


def measured_overhead(station: Station, day: date, slot_ids: Sequence[str] | None = None, *, render: bool,
                      sounds: Any = None) -> tuple[Overhead, bool]:
    """The planner's `Overhead` from the audio `build` and the station really use (jingles, chime, the day's
    spoken ident and closing): the one bridge from `audio.overhead` figures to the planner. `render=False` calls
    no speech engine (unrendered parts count with the planner's estimate; the second value is then False).
    Imports the audio stack."""
    from broadcaster.audio.overhead import measured_overhead as audio_figures

    default = Overhead()
    slots = [s.id for s in station.slots] if slot_ids is None else list(slot_ids)
    figures, measured = audio_figures(station, day, slots, sounds, render=render,
                                      estimate=(default.ident, default.closing))
    return Overhead(**figures), measured


def _fixed_parts(station: Station, day: date) -> tuple[Overhead, str]:
    """The jingles, chime and spoken ident/closing as `build` will measure them (no speech engine call).

    An ident or closing not rendered yet counts with the planner's estimate, and the plan says so.
    """
    try:
        overhead, measured = measured_overhead(station, day, render=False)
    except Exception as exc:  # noqa: BLE001 - a broken jingle file must not stop the plan: estimate instead
        return (Overhead(pause=station.audio.pause_seconds),
                f"chưa đo được nhạc hiệu/chuông của đài ({exc}); thời lượng phần mở đầu và kết thúc là ước tính")
    if measured:
        return overhead, ""
    return overhead, ("thời lượng lời giới thiệu và lời kết buổi phát là ước tính (chưa đọc thành tiếng; "
                      "'broadcaster build' hoặc đài đang chạy sẽ đọc và đo)")
