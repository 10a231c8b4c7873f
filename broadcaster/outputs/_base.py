"""What every output shares: the result type, the protocol, and WAV reading with the stdlib `wave` module."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from broadcaster.wav import WAV_ERRORS, WavInfo, wav_info

__all__ = [
    "BaseOutput",
    "Output",
    "PlayResult",
    "unreadable",
]


@dataclass(frozen=True)
class PlayResult:
    """How one `play` went: `played_seconds` is what really aired (truthful after a stop or a failure)."""

    completed: bool
    played_seconds: float
    error: str = ""  # Vietnamese, for the log's reason column; empty when completed or stopped on request


@runtime_checkable
class Output(Protocol):
    """One amplifier chain's sound output. `play` never raises for a playback failure: it returns the error."""

    name: str

    def check(self) -> None:
        """Raise `OutputError` (with how to fix it, in Vietnamese) when this output cannot play."""
        ...

    def play(
        self, wav: Path, *, stop: threading.Event, label: str = "", zones: frozenset[str] = frozenset()
    ) -> PlayResult:
        """Play `wav` to the end, or until `stop` is set (returns within ~100 ms)."""
        ...


def unreadable(wav: Path, exc: BaseException) -> str:
    """The log's reason for a file that is missing or not a PCM WAV."""
    if isinstance(exc, FileNotFoundError):
        return f"không tìm thấy tệp âm thanh {wav}"
    return f"không đọc được tệp âm thanh {wav} (cần tệp WAV PCM): {exc}"


class BaseOutput:
    """The part of `play` every output shares: nothing airs when `stop` is already set, and an unreadable file
    is a failed result, not an exception. Subclasses implement `_play`."""

    name: str
    kind = ""  # the registry name (sounddevice, command, file, null), logged with each airing

    def check(self) -> None:
        """Raise `OutputError` when this output cannot play; the base has nothing to check."""

    def play(
        self, wav: Path, *, stop: threading.Event, label: str = "", zones: frozenset[str] = frozenset()
    ) -> PlayResult:
        """Play `wav` to the end, or until `stop` is set (returns within ~100 ms)."""
        if stop.is_set():
            return PlayResult(False, 0.0)
        try:
            info = wav_info(wav)
        except WAV_ERRORS as exc:
            return PlayResult(False, 0.0, unreadable(wav, exc))
        return self._play(wav, info, stop=stop, label=label, zones=zones)

    def _play(
        self, wav: Path, info: WavInfo, *, stop: threading.Event, label: str, zones: frozenset[str]
    ) -> PlayResult:
        raise NotImplementedError
