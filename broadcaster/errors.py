"""Errors an officer can act on.

Domain code raises these with a Vietnamese message; only `cli.main` (and the web UI) turn them into output.
Lower layers never print and never exit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BroadcasterError",
    "Problem",
    "ConfigError",
    "SpeechError",
    "EngineUnavailable",
    "AudioError",
    "OutputError",
    "ZoneSwitchError",
    "LogError",
]


class BroadcasterError(Exception):
    """Base of every error that carries a message for the commune officer (in Vietnamese)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a station or bulletin file: where it is, which key, and what to do."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(BroadcasterError):
    """The station's files have problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SpeechError(BroadcasterError):
    """Text could not be turned into speech."""


class EngineUnavailable(SpeechError):
    """A speech engine cannot work right now (no network, missing library); the message says how to fix it."""


class AudioError(BroadcasterError):
    """An audio file could not be read, measured or written."""


class OutputError(BroadcasterError):
    """The sound output could not play."""


class ZoneSwitchError(BroadcasterError):
    """The village zone relays or the amplifier could not be switched."""


class LogError(BroadcasterError):
    """The airing log could not be read or written."""


class InputError(BroadcasterError):
    """What the officer typed (a date, a village, a session) is not something the station knows."""
