"""The microphone on air: PortAudio input straight to the output device, in small blocks (256 frames, ~6 ms at
44.1 kHz) so the villages hear the speaker with little delay, plus a tap that feeds the recording and the level
meter (silence detection).

The callbacks only copy: each block goes to a short queue the output plays from, its bytes to a queue the
recorder drains, its peak to a counter. Everything slow (ffmpeg's MP3 encoder, the silence and length decisions) happens in other threads.
With `play=False` (a dry-run output: file, null) only the input is opened: the announcement is recorded and
logged as a test airing, nothing plays.
"""

from __future__ import annotations

import collections
import queue
import subprocess
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from broadcaster.errors import OutputError
from broadcaster.ffmpeg import ffmpeg_exe
from broadcaster.outputs._sounddevice import load_portaudio

__all__ = ["BLOCK_FRAMES", "LiveRecorder", "MicrophoneLink", "input_devices"]

BLOCK_FRAMES = 256  # frames per callback: ~6 ms at 44.1 kHz; PortAudio adds its own "low" latency on top
MP3_BITRATE = "64k"  # speech, mono: small files for the archive, plainly intelligible


def input_devices(sd: ModuleType) -> list[str]:
    """Names of the devices PortAudio can record from ("0: pulse", ...)."""
    return [f"{d['index']}: {d['name']}" for d in sd.query_devices() if d["max_input_channels"] > 0]


def _device(value: str | None) -> str | int | None:
    return int(value) if value and value.isdigit() else (value or None)


class MicrophoneLink:
    """Microphone -> output device, low latency; `seconds` captured so far, `silent_seconds` since the last block
    above the silence level, `tap(bytes)` called with every captured block (mono s16le).

    Two streams, not one duplex stream: a duplex stream reads the microphone only as fast as the output drains,
    so audio the capture side queued while the machine was busy (PulseAudio keeps it) stays queued for good and
    the delay only grows (measured under load: 90 ms to 660 ms within 5 s). Here the input callback takes
    whatever arrives at once into a short queue the output callback plays from: it starts (and restarts after
    running dry) only once `prefill_blocks` (~23 ms) wait, which absorbs a busy machine's scheduling jitter, and
    when more than `max_queue_blocks` (~70 ms) pile up the oldest are dropped back to the prefill: a tiny skip
    instead of a lasting echo-like delay.

    Silence and the running length are also counted on the monotonic clock: a microphone that stops delivering
    (unplugged) is silence, and never keeps the villages' relays on past the maximum length."""

    def __init__(self, *, input_device: str | None, output_device: str | None, play: bool, rate: int,
                 silence_db: float, tap: Any = None, block: int = BLOCK_FRAMES, prefill_blocks: int = 4,
                 max_queue_blocks: int = 12):
        self.input_device = _device(input_device)
        self.output_device = _device(output_device)
        self.play = play
        self.rate = rate
        self.block = block
        self.tap = tap
        self.threshold = int(32767 * 10 ** (silence_db / 20))
        self.frames = 0
        self.opened_at = self.last_loud_at = time.monotonic()
        self.dropped = 0  # blocks dropped to keep the delay short
        self.starved = 0  # output blocks with nothing to play yet
        self.latency: tuple[float, float] = (0.0, 0.0)
        self.prefill_blocks = prefill_blocks
        self.max_queue_blocks = max_queue_blocks
        self._priming = True  # the output waits for `prefill_blocks` before it plays
        self._queue: collections.deque[np.ndarray] = collections.deque()
        self._streams: list[Any] = []

    def _captured(self, indata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        block = indata[:, 0].copy()
        if self.play:
            self._queue.append(block)
            if len(self._queue) > self.max_queue_blocks:
                while len(self._queue) > self.prefill_blocks:
                    self._queue.popleft()
                    self.dropped += 1
        if self.tap is not None:
            self.tap(block.tobytes())
        if int(np.abs(block.astype(np.int32)).max(initial=0)) > self.threshold:
            self.last_loud_at = time.monotonic()
        self.frames += frames

    def _play(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        if self._priming and len(self._queue) < self.prefill_blocks:
            outdata.fill(0)
            return
        self._priming = False
        try:
            block = self._queue.popleft()
        except IndexError:
            outdata.fill(0)
            self.starved += 1
            self._priming = True  # ran dry: wait for a little margin again rather than stutter block by block
            return
        n = min(len(block), frames)
        outdata[:n] = block[:n, None]  # mono microphone to every output channel
        outdata[n:] = 0

    def _open_output(self, sd: ModuleType) -> Any:
        error: Exception | None = None
        for channels in (1, 2):  # some cards only take stereo
            try:
                stream = sd.OutputStream(samplerate=self.rate, blocksize=self.block, dtype="int16", latency="low",
                                         channels=channels, device=self.output_device, callback=self._play)
                return stream
            except (sd.PortAudioError, ValueError) as exc:
                error = exc
        raise OutputError(f"không mở được thiết bị phát '{self.output_device or 'mặc định'}' cho lời nói trực "
                          f"tiếp ({error}). Sửa outputs.device hoặc live.output_device trong station.yaml.")

    def open(self) -> None:
        """Open and start the streams; OutputError (Vietnamese, with the devices found) when they cannot."""
        sd = load_portaudio()
        try:
            capture = sd.InputStream(samplerate=self.rate, blocksize=self.block, dtype="int16", latency="low",
                                     channels=1, device=self.input_device, callback=self._captured)
        except (sd.PortAudioError, ValueError) as exc:
            which = f"'{self.input_device}'" if self.input_device is not None else "mặc định"
            found = ", ".join(input_devices(sd)) or "không có thiết bị thu âm nào"
            raise OutputError(f"không mở được micrô {which} ({exc}). Thiết bị thu âm phát hiện có: {found}. Kiểm "
                              "tra micrô đã cắm, hoặc sửa live.device trong station.yaml (hoặc --device).") from exc
        self._streams = [capture]
        try:
            if self.play:
                self._streams.append(self._open_output(sd))
            for stream in reversed(self._streams):  # the output first: the first block has somewhere to go
                stream.start()
        except (sd.PortAudioError, OutputError):
            self.close()
            raise
        self.opened_at = self.last_loud_at = time.monotonic()
        self.latency = (float(capture.latency), float(self._streams[-1].latency) if self.play else 0.0)

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    @property
    def elapsed(self) -> float:
        """Seconds since the microphone opened (monotonic)."""
        return time.monotonic() - self.opened_at

    @property
    def silent_seconds(self) -> float:
        return time.monotonic() - self.last_loud_at

    def close(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            try:
                stream.abort()  # drop what is buffered: a stop is a stop
            except Exception:  # noqa: BLE001 - a stream that failed to start still has to be closed
                pass
            stream.close()


class LiveRecorder:
    """What was said, as MP3, written while it is said: raw PCM piped into the bundled ffmpeg (so a crash
    mid-announcement still leaves a playable file). `write` never blocks the audio callback."""

    def __init__(self, path: Path, rate: int):
        self.path = path
        self.rate = rate
        self.bytes = 0
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar", str(rate),
             "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", MP3_BITRATE, str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._stderr = b""
        self._drainer = threading.Thread(target=self._drain_stderr, name="live-recorder-log", daemon=True)
        self._drainer.start()
        self._writer = threading.Thread(target=self._write_loop, name="live-recorder", daemon=True)
        self._writer.start()

    def write(self, data: bytes) -> None:
        self._queue.put(data)

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        self._stderr = self._process.stderr.read()[-2000:]

    def _write_loop(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        while True:
            data = self._queue.get()
            if data is None:
                break
            try:
                stdin.write(data)
                self.bytes += len(data)
            except (BrokenPipeError, OSError):
                break  # ffmpeg died: its error is reported by close()
        try:
            stdin.close()
        except OSError:
            pass

    def close(self, timeout: float = 30.0) -> str:
        """Finish the file; returns "" or why it could not be written (Vietnamese)."""
        self._queue.put(None)
        self._writer.join(timeout)
        try:
            code = self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        self._drainer.join(timeout=5)
        if code != 0:
            return f"không ghi được bản ghi âm {self.path}: {self._stderr.decode('utf-8', 'replace').strip()}"
        return ""

    @property
    def seconds(self) -> float:
        return self.bytes / 2 / self.rate

