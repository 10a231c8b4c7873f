"""Watching what goes out while airing: dead air (silence longer than `monitor.dead_air_seconds` while something
should play) and clipping. Fed block by block with exactly what is handed to the output; each finding is logged
(the airing log's audit trail) and raised through `warn(kind, message)` (the station's warnings and alert hook).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from broadcaster.streams import MonitorSettings

__all__ = ["DEAD_AIR", "CLIPPING", "Monitor", "Warn", "level_db", "watching"]

log = logging.getLogger("broadcaster.playout")

Warn = Callable[[str, str], None]  # (kind, Vietnamese message)
DEAD_AIR = "dead_air"
CLIPPING = "clipping"
CLIP_RUN = 3  # consecutive samples at the ceiling: a clipped peak, not a loud one
CLIP_REPEAT_SECONDS = 30.0  # at most one clipping warning this often


def level_db(block: np.ndarray) -> float:
    """RMS level of int16 samples, dBFS (-inf for digital silence)."""
    if not len(block):
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(block.astype(np.float64) / 32768.0))))
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def _clipped(block: np.ndarray, ceiling: int) -> bool:
    hot = np.abs(block.astype(np.int32).reshape(-1)) >= ceiling
    if hot.sum() < CLIP_RUN:
        return False
    run = np.convolve(hot.astype(np.int8), np.ones(CLIP_RUN, dtype=np.int8), mode="valid")
    return bool((run >= CLIP_RUN).any())


class Monitor:
    """One airing's watch: `feed(block)` for every block sent to the output, in real time."""

    def __init__(self, settings: MonitorSettings, *, what: str, warn: Warn | None = None,
                 audit: Callable[[str, dict[str, Any]], None] | None = None,
                 now: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.what = what  # "tiếp âm Thời sự VOV1", for the message
        self._warn = warn
        self._audit = audit
        self._now = now
        self._ceiling = int(32767 * 10 ** (settings.clip_db / 20))
        self.silent_since: float | None = None
        self.dead_air: list[float] = []  # seconds from the first silent block to each warning
        self.clips = 0
        self._last_clip_warning = -math.inf

    def feed(self, block: np.ndarray) -> None:
        now = self._now()
        if level_db(block) < self.settings.silence_db:
            if self.silent_since is None:
                self.silent_since = now
            elif now - self.silent_since >= self.settings.dead_air_seconds and (
                    not self.dead_air or self.dead_air[-1] < 0):
                self.dead_air.append(now - self.silent_since)
                self._raise(DEAD_AIR, f"im lặng trên sóng {now - self.silent_since:.0f} giây trong khi đang "
                            f"{self.what} (ngưỡng {self.settings.dead_air_seconds:g} giây): kiểm tra nguồn phát")
        else:
            if self.silent_since is not None and self.dead_air and self.dead_air[-1] >= 0:
                log.info("hết im lặng trên sóng sau %.0f giây (%s)", now - self.silent_since, self.what)
                self.dead_air.append(-1.0)  # marks the end of that episode: the next one warns again
            self.silent_since = None
        if _clipped(block, self._ceiling):
            self.clips += 1
            if now - self._last_clip_warning >= CLIP_REPEAT_SECONDS:
                self._last_clip_warning = now
                self._raise(CLIPPING, f"âm thanh bị méo (chạm ngưỡng {self.settings.clip_db:g} dBFS) trong khi "
                            f"đang {self.what}: giảm mức tín hiệu vào")

    def _raise(self, kind: str, message: str) -> None:
        log.warning("%s", message)
        if self._audit is not None:
            try:
                self._audit(kind, {"message": message, "what": self.what})
            except Exception:  # noqa: BLE001 - a log failure must not stop the sound
                log.exception("không ghi được cảnh báo vào nhật ký")
        if self._warn is not None:
            try:
                self._warn(kind, message)
            except Exception:  # noqa: BLE001 - a broken warning path must not stop the sound
                log.exception("cảnh báo lỗi")


@contextmanager
def watching(monitor: Monitor | None, wav: Path) -> Iterator[None]:
    """While the body plays `wav`, feed `monitor` its 100 ms blocks at the pace they air (a thread reading the
    same file from the start of the body to its end): a built item's silence or clipping is found as it goes out."""
    if monitor is None:
        yield
        return
    done = threading.Event()
    thread = threading.Thread(target=_tap, args=(monitor, wav, done), name="monitor", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=2)


def _tap(monitor: Monitor, wav: Path, done: threading.Event) -> None:
    try:
        with wave.open(str(wav), "rb") as w:
            if w.getsampwidth() != 2:
                return
            channels, step = w.getnchannels(), max(1, w.getframerate() // 10)
            began, n = time.monotonic(), 0
            while not done.is_set():
                data = w.readframes(step)
                if not data:
                    return
                monitor.feed(np.frombuffer(data, dtype="<i2").reshape(-1, channels)[:, :1])
                n += 1
                done.wait(max(0.0, began + n * 0.1 - time.monotonic()))
    except (OSError, EOFError, wave.Error):  # the output reports an unreadable file itself
        return
