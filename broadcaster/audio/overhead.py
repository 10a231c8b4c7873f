"""The fixed parts of a session measured from the audio the builder really uses, so that `plan` and `build`
count the same seconds against a session's maximum length.

Fixed parts: opening jingle, spoken station ident, pause + chime + pause before each item, a pause, closing
speech, closing jingle (layout in docs/audio.md). Jingles and the chime are the station's own files or generated
ones; the ident and closing speech depend on the day and session, so they are measured per day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from broadcaster.audio.clips import prepare_clip
from broadcaster.audio.jingles import Sounds, station_sounds
from broadcaster.audio.programme import closing_text, ident_text, overhead
from broadcaster.models import Programme, Station
from broadcaster.speech.render import cached_text_render, render_text

__all__ = ["measured_overhead"]


def measured_overhead(
    station: Station,
    day: date,
    slot_ids: Sequence[str],
    sounds: Sounds | None = None,
    *,
    render: bool = True,
    estimate: tuple[float, float],
) -> tuple[dict[str, float], bool]:
    """The fixed parts' seconds for `day`'s sessions `slot_ids` (the longest ident and closing among them), with
    the field names of the planner's `Overhead` (`Overhead(**figures)`; audio does not import the planner).

    With `render=False` no speech engine is called: an ident or closing not yet in the render cache counts
    with `estimate` (ident, closing seconds), and the second value is False.
    """
    sounds = sounds or station_sounds(station)
    measured = True
    ident_s = closing_s = 0.0
    for slot_id in slot_ids:
        start = datetime.combine(day, station.slot(slot_id).start, tzinfo=ZoneInfo(station.timezone))
        probe = Programme(day, slot_id, "", start=start, max_seconds=0)
        spoken = []
        for text, guess in ((ident_text(station, probe), estimate[0]), (closing_text(station, probe), estimate[1])):
            made = render_text(station, text) if render else cached_text_render(station, text)
            if made is None:
                measured = False
                spoken.append(guess)
            else:
                spoken.append(prepare_clip(station, made.path).duration)
        ident_s, closing_s = max(ident_s, spoken[0]), max(closing_s, spoken[1])
    return overhead(station, sounds, ident_s, closing_s), measured
