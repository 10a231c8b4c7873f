"""A relayed stream decoded live by the bundled ffmpeg into int16 blocks, levelled on the fly, reconnecting.

ffmpeg reads the stream (HTTP/Icecast MP3 or AAC, HLS), levels it with `loudnorm` to the station's loudness
and true peak (single pass: a dynamic gain, ~3 s look-ahead, covered by the burst Icecast sends on connect and
by opening the stream before the session's start), and writes raw mono PCM to a pipe that a reader thread cuts
into 100 ms blocks. ffmpeg's own HTTP reconnect rides out short network errors; when ffmpeg exits anyway (server
gone, mount gone, read timeout) the thread starts it again after a short pause, until `close()`.
Background ffmpeg: `-nostdin` and stdin from /dev/null (it would otherwise wait on the terminal), stderr into a
temporary file (a pipe nobody drains fills and hangs it), stdout closed before `wait()`.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from broadcaster.ffmpeg import ffmpeg_exe
from broadcaster.processes import end_group

__all__ = ["BLOCK_SECONDS", "StreamReader", "decoder_args"]

log = logging.getLogger("broadcaster.playout")

BLOCK_SECONDS = 0.1
RESTART_PAUSE = 0.5  # seconds between ffmpeg runs after it exited (server down: one attempt per pause)
READ_TIMEOUT_US = 5_000_000  # ffmpeg's rw_timeout: a connection that stops sending ends within 5 s
BUFFER_SECONDS = 8.0  # decoded audio kept before playing starts (older blocks are dropped: stay near live)


def decoder_args(url: str, *, rate: int, loudness: float, true_peak: float) -> list[str]:
    """The ffmpeg command line for one connection to `url`."""
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-reconnect", "1", "-reconnect_streamed", "1", "-reconnect_on_network_error", "1",
        "-reconnect_delay_max", "2", "-rw_timeout", str(READ_TIMEOUT_US),
        "-i", url, "-vn",
        "-af", f"loudnorm=I={loudness:g}:TP={true_peak:g}:LRA=11",
        "-ac", "1", "-ar", str(rate), "-f", "s16le", "pipe:1",
    ]


class StreamReader:
    """Decodes `url` in the background from `start()` to `close()`; `get()` hands out blocks in order."""

    def __init__(self, url: str, *, rate: int, loudness: float, true_peak: float,
                 monotonic: Callable[[], float] = time.monotonic):
        self.url = url
        self.rate = rate
        self.args = decoder_args(url, rate=rate, loudness=loudness, true_peak=true_peak)
        self.block_frames = int(rate * BLOCK_SECONDS)
        self._monotonic = monotonic
        self._blocks: deque[np.ndarray] = deque(maxlen=int(BUFFER_SECONDS / BLOCK_SECONDS))
        self._ready = threading.Condition()
        self._closed = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.last_data: float | None = None  # monotonic time of the last block decoded
        self.opened_at: float | None = None  # monotonic time `start()` was called
        self.connections = 0  # ffmpeg runs started
        self.last_error = ""  # what the last ffmpeg run said on exit (Vietnamese prefix + ffmpeg's words)

    def start(self) -> StreamReader:
        self.opened_at = self._monotonic()
        self._thread = threading.Thread(target=self._run, name="relay-decoder", daemon=True)
        self._thread.start()
        return self

    def get(self, timeout: float) -> np.ndarray | None:
        """The next decoded block, or None when none came within `timeout` seconds."""
        with self._ready:
            if not self._blocks:
                self._ready.wait(timeout)
            return self._blocks.popleft() if self._blocks else None

    def keep_last(self, seconds: float) -> None:
        """Drop buffered audio older than `seconds` (at the relay's start: air close to live)."""
        with self._ready:
            while len(self._blocks) * BLOCK_SECONDS > seconds:
                self._blocks.popleft()

    def close(self) -> None:
        """Stop decoding: ffmpeg ended (its whole process group), the thread joined."""
        self._closed.set()
        if self._proc is not None:
            end_group(self._proc, grace=1.0)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._closed.is_set():
            self._once()
            self._closed.wait(RESTART_PAUSE)

    def _once(self) -> None:
        with tempfile.TemporaryFile() as errors:
            try:
                proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                                        start_new_session=True)
            except OSError as exc:
                self.last_error = f"không chạy được ffmpeg: {exc.strerror or exc}"
                return
            self._proc = proc
            self.connections += 1
            size = self.block_frames * 2
            assert proc.stdout is not None
            try:
                while not self._closed.is_set():
                    data = proc.stdout.read(size)
                    if len(data) < 2:
                        break
                    block = np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16).reshape(-1, 1)
                    with self._ready:
                        self._blocks.append(block)
                        self.last_data = self._monotonic()
                        self._ready.notify_all()
            finally:
                proc.stdout.close()  # before wait(): ffmpeg blocked on a full pipe would never exit
                end_group(proc, grace=1.0)
            errors.seek(0)
            tail = errors.read()[-300:].decode("utf-8", "replace").strip().splitlines()
            self.last_error = tail[-1] if tail else f"luồng kết thúc (mã {proc.returncode})"
            if not self._closed.is_set():
                log.warning("tiếp âm %s: mất kết nối (%s); kết nối lại", self.url, self.last_error)

