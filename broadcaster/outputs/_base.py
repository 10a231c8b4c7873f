"""What every output shares: the result type, the protocol, and WAV reading with the stdlib `wave` module."""

from __future__ import annotations

import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "WAV_ERRORS",
    "BaseOutput",
    "Output",
    "PlayResult",
    "WavInfo",
    "read_wav",
    "unreadable",
    "wav_info",
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


@dataclass(frozen=True)
class WavInfo:
    frames: int
    rate: int
    channels: int
    sample_width: int  # bytes per sample

    @property
    def duration(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


WAV_ERRORS = (OSError, EOFError, wave.Error)  # what reading a missing, truncated or non-PCM file raises


def wav_info(path: Path) -> WavInfo:
    """Header of a PCM WAV file; raises OSError / wave.Error / EOFError when it is not one."""
    with wave.open(str(path), "rb") as w:
        return WavInfo(w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth())


def read_wav(path: Path) -> tuple[np.ndarray, WavInfo]:
    """All frames as an (n, channels) array: int16 for 16-bit files, int32 for 24/32-bit, uint8 -> int16."""
    with wave.open(str(path), "rb") as w:
        info = WavInfo(w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth())
        raw = w.readframes(info.frames)
    if info.sample_width == 2:
        data = np.frombuffer(raw, dtype="<i2")
    elif info.sample_width == 4:
        data = np.frombuffer(raw, dtype="<i4")
    elif info.sample_width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        data = (
            (b[:, 0].astype(np.int32) << 8)
            | (b[:, 1].astype(np.int32) << 16)
            | (b[:, 2].astype(np.int32) << 24)
        )
    elif info.sample_width == 1:
        data = ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    else:
        raise wave.Error(f"unsupported sample width {info.sample_width}")
    frames = len(data) // info.channels
    return data[: frames * info.channels].reshape(frames, info.channels), info


def unreadable(wav: Path, exc: BaseException) -> str:
    """The log's reason for a file that is missing or not a PCM WAV."""
    if isinstance(exc, FileNotFoundError):
        return f"không tìm thấy tệp âm thanh {wav}"
    return f"không đọc được tệp âm thanh {wav} (cần tệp WAV PCM): {exc}"


class BaseOutput:
    """The part of `play` every output shares: nothing airs when `stop` is already set, and an unreadable file
    is a failed result, not an exception. Subclasses implement `_play`."""

    name: str

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
