"""Planner building blocks: overhead, duration estimates, eligibility, rotation state and Vietnamese reasons.

Everything here is pure (no clock reads, no I/O); `broadcaster.plan` puts it together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from broadcaster.models import Airing, AiringStatus, Bulletin, Priority

__all__ = [
    "Overhead",
    "estimate_seconds",
    "RotationState",
    "is_planned_kind",
    "occurrence_of",
    "priority_key",
    "rotation_key",
]



@dataclass(frozen=True)
class Overhead:
    """Seconds of the fixed parts of a programme, counted against the session's maximum length.

    Layout (as the audio builder assembles it): opening jingle, ident speech, pause + chime + pause before each
    item, a pause, closing speech, closing jingle. Every change of village zones falls in a pause, where the
    relays switch and the player restarts unheard.
    """

    opening: float = 6.0  # opening jingle
    ident: float = 8.0  # "Đây là Đài truyền thanh xã …, chương trình phát thanh buổi sáng …"
    chime: float = 1.5
    closing: float = 10.0  # closing speech
    pause: float = 1.0
    closing_jingle: float = 6.0

    @property
    def between(self) -> float:
        """Seconds before each item: pause, chime, pause."""
        return 2 * self.pause + self.chime

    def total(self, n_items: int) -> float:
        """Overhead of a programme with `n_items` items (0 for an empty programme, which never airs)."""
        if n_items <= 0:
            return 0.0
        fixed = self.opening + self.ident + self.pause + self.closing + self.closing_jingle
        return fixed + n_items * self.between


# Speech rate used for estimates: gTTS reads Vietnamese at ~3.5-4 syllables a second, the offline voice (eSpeak
# NG at 130 wpm with a word gap, every syllable fully stressed: docs/speech.md) at ~3.2; the figure keeps
# estimates conservative (a session planned on estimates should not overrun once rendered).
SYLLABLES_PER_SECOND = 3.0
_SENTENCE_PAUSE = 0.5  # ". ! ? ; :" and line breaks
_CLAUSE_PAUSE = 0.25  # ","
_DIGIT_RUN = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]+")


def _token_syllables(token: str) -> float:
    """Syllables a TTS voice speaks for one whitespace token, erring long."""
    syllables = 0.0
    for run in _DIGIT_RUN.findall(token):
        # "2024" -> "hai nghìn không trăm hai mươi tư" (7): about two syllables a digit, at least two.
        syllables += max(2, 2 * len(run))
    for word in _LETTERS.findall(token):
        if len(word) >= 2 and word.isupper():
            syllables += len(word)  # abbreviation spelled or expanded: "UBND" -> "ủy ban nhân dân"
        else:
            syllables += 1
    if "/" in token or "-" in token.strip("-"):
        syllables += 1  # "09/KH-UBND" -> "số chín trên …", "2024-2025" -> "đến"
    if "%" in token:
        syllables += 2  # "phần trăm"
    return syllables


def estimate_seconds(text: str) -> float:
    """Conservative speaking time of Vietnamese text for bulletins without rendered audio.

    Vietnamese is monosyllabic: syllables are about whitespace tokens; digits and abbreviations expand.
    """
    tokens = text.split()
    if not tokens:
        return 0.0
    syllables = sum(_token_syllables(t) for t in tokens)
    pauses = _SENTENCE_PAUSE * (len(re.findall(r"[.!?;:]+(?:\s|$)", text)) + text.count("\n\n"))
    pauses += _CLAUSE_PAUSE * text.count(",")
    seconds = 1.0 + syllables / SYLLABLES_PER_SECOND + pauses
    return math.ceil(seconds * 10) / 10


def priority_key(b: Bulletin) -> tuple[object, ...]:
    """Priority bulletins: the officer's order first, then approval time, then id."""
    return (
        b.order is None,
        b.order if b.order is not None else 0,
        b.approved_at is None,
        b.approved_at.timestamp() if b.approved_at is not None else 0.0,
        b.id,
    )


@dataclass
class RotationState:
    """What has aired (history before the plan's start) and what the plan has put on air so far."""

    # bulletin id -> (POSIX time of the session, position in it) of its last airing
    last_aired: dict[str, tuple[float, float]] = field(default_factory=dict)
    occurrences: dict[str, int] = field(default_factory=dict)  # bulletin id -> session occurrences aired
    day: date | None = None
    day_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # bulletin -> zone -> airings today

    @classmethod
    def from_history(cls, history: Iterable[Airing], start: date, tz: tzinfo) -> RotationState:
        """Digest completed airings scheduled before `start`.

        Airings on or after `start` are ignored: the plan re-plans those sessions itself, so counting them would
        count them twice. An occurrence is one session (day/slot) or one emergency, whatever the number of zone
        rows or outputs it has in the log.
        """
        state = cls()
        seen: dict[str, set[str]] = {}
        for a in history:
            if a.bulletin_id is None or a.status is not AiringStatus.COMPLETED:
                continue
            when = _aware(a.scheduled_at, tz)
            if when.astimezone(tz).date() >= start:
                continue
            # within a session, items that started later aired more recently
            within = (_aware(a.started_at, tz) - when).total_seconds() if a.started_at is not None else 0.0
            mark = (when.timestamp(), within)
            if mark > state.last_aired.get(a.bulletin_id, _NEVER):
                state.last_aired[a.bulletin_id] = mark
            seen.setdefault(a.bulletin_id, set()).add(occurrence_of(a.session_key))
        state.occurrences = {b: len(keys) for b, keys in seen.items()}
        return state

    def new_day(self, day: date) -> None:
        if day != self.day:
            self.day = day
            self.day_counts = {}

    def record(self, bulletin_id: str, zones: Iterable[str], when: datetime, position: int) -> None:
        """One session occurrence aired this bulletin to these zones (all outputs together), as item `position`.

        The position matters: items of one session must not tie, or rotation would favour low ids.
        """
        counts = self.day_counts.setdefault(bulletin_id, {})
        for z in zones:
            counts[z] = counts.get(z, 0) + 1
        self.last_aired[bulletin_id] = (when.timestamp(), float(position))
        self.occurrences[bulletin_id] = self.occurrences.get(bulletin_id, 0) + 1

    def zones_due(self, b: Bulletin, zones: Sequence[str]) -> Sequence[str]:
        """Of `zones`, those where the bulletin may still air today under its repeat rule."""
        if b.repeat.every_session:
            return zones
        counts = self.day_counts.get(b.id)
        if not counts:
            return zones if b.repeat.per_day > 0 else ()
        limit = b.repeat.per_day
        return [z for z in zones if counts.get(z, 0) < limit]


def occurrence_of(session_key: str) -> str:
    """`2026-03-02/sang/main` -> `2026-03-02/sang`: outputs airing the same session are one occurrence."""
    parts = session_key.split("/")
    if len(parts) == 3 and parts[0][:1].isdigit():
        return "/".join(parts[:2])
    return session_key


_NEVER = (-math.inf, 0.0)


def _aware(dt: datetime, tz: tzinfo) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)


def rotation_key(b: Bulletin, state: RotationState) -> tuple[object, ...]:
    """Normal bulletins: least recently aired first (never aired first of all), then approval time, then id."""
    last = state.last_aired.get(b.id)
    return (
        last is not None,
        last if last is not None else _NEVER,
        b.approved_at is None,
        b.approved_at.timestamp() if b.approved_at is not None else 0.0,
        b.id,
    )


def is_planned_kind(b: Bulletin) -> bool:
    return b.approved and b.priority is not Priority.EMERGENCY



