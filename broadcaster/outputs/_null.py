"""The `null` output: a silent sound card. Discards the audio but takes its real duration, so playout, the log
and emergency pre-emption behave exactly as on air (use it for timing tests and stations without speakers)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

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
