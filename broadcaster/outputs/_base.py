"""What every output shares: the result type, the protocol, and WAV reading with the stdlib `wave` module."""

from __future__ import annotations

import tempfile
import threading
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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

    def play_stream(
        self, blocks: Iterable[Any], *, rate: int, stop: threading.Event, label: str = "",
        zones: frozenset[str] = frozenset(),
    ) -> PlayResult:
        """Play int16 blocks of a live source as they come, until they end or `stop` is set."""
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

    stream_chunk_seconds = 5.0  # play_stream's default: a live source played as WAV pieces this long

    def play_stream(
        self, blocks: Iterable[Any], *, rate: int, stop: threading.Event, label: str = "",
        zones: frozenset[str] = frozenset(),
    ) -> PlayResult:
        """Play a live source (a relayed stream): `blocks` are int16 arrays of shape (frames, 1) at `rate`,
        arriving in real time; returns when they end or `stop` is set. This default gathers them into WAV pieces
        of `stream_chunk_seconds` and plays each (a player command restarts between pieces); outputs that can
        take samples directly override it."""
        played = 0.0
        pending: list[bytes] = []
        frames = 0
        for block in blocks:
            if stop.is_set():
                return PlayResult(False, played)
            pending.append(block.tobytes())
            frames += len(block)
            if frames >= self.stream_chunk_seconds * rate:
                res = self._play_piece(pending, rate, stop, label, zones)
                played += res.played_seconds
                if not res.completed:
                    return PlayResult(False, played, res.error)
                pending, frames = [], 0
        if pending and not stop.is_set():
            res = self._play_piece(pending, rate, stop, label, zones)
            return PlayResult(res.completed, played + res.played_seconds, res.error)
        return PlayResult(not stop.is_set(), played)

    def _play_piece(self, data: list[bytes], rate: int, stop: threading.Event, label: str,
                    zones: frozenset[str]) -> PlayResult:
        with tempfile.TemporaryDirectory(prefix="broadcaster-stream-") as tmp:
            piece = Path(tmp) / "piece.wav"
            with wave.open(str(piece), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(b"".join(data))
            return self.play(piece, stop=stop, label=label, zones=zones)
