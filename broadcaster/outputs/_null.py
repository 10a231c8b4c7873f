"""The `null` output: a silent sound card. Discards the audio but takes its real duration, so playout, the log
and emergency pre-emption behave exactly as on air (use it for timing tests and stations without speakers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from broadcaster.outputs._base import BaseOutput, PlayResult
from broadcaster.wav import WavInfo

__all__ = ["NullOutput"]


class NullOutput(BaseOutput):
    """Plays nothing, in real time; stops within milliseconds of `stop` being set."""

    kind = "null"  # written into each airing's log row (file, null: test airings)

    def __init__(self, name: str = "null"):
        self.name = name

    def _play(
        self, wav: Path, info: WavInfo, *, stop: threading.Event, label: str, zones: frozenset[str]
    ) -> PlayResult:
        began = time.monotonic()
        if stop.wait(info.duration):
            return PlayResult(False, min(time.monotonic() - began, info.duration))
        return PlayResult(True, info.duration)

    def play_stream(
        self, blocks: Iterable[Any], *, rate: int, stop: threading.Event, label: str = "",
        zones: frozenset[str] = frozenset(),
    ) -> PlayResult:
        """Discard a live source's blocks as they come (they arrive in real time)."""
        frames = 0
        for block in blocks:
            if stop.is_set():
                return PlayResult(False, frames / rate)
            frames += len(block)
        return PlayResult(not stop.is_set(), frames / rate)
