"""The `sounddevice` output: plays through PortAudio (the sound card, or PulseAudio/ALSA's default device).

The WAV is read with the stdlib `wave` module and written to a blocking `OutputStream` in small blocks (~23 ms),
checking `stop` between blocks, so an emergency pre-empts within a block (the stream is aborted, not drained).
Latency "high": through PulseAudio it starts sooner and steadier than "low" (docs/playout-hardware.md).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from broadcaster.errors import OutputError
from broadcaster.outputs._base import BaseOutput, PlayResult, unreadable
from broadcaster.wav import WAV_ERRORS, WavInfo, read_pcm

__all__ = ["SoundDeviceOutput", "load_portaudio", "output_devices"]

BLOCK = 1024  # frames per write: 23 ms at 44.1 kHz, the pre-emption granularity


def load_portaudio() -> ModuleType:
    """The `sounddevice` module; OutputError (how to install PortAudio) when the library is missing."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise OutputError(
            "không tìm thấy thư viện PortAudio để phát ra card âm thanh. "
            "Cài đặt: sudo apt-get install libportaudio2 (hoặc dùng đầu ra 'command' với aplay)."
        ) from exc
    return sounddevice


def output_devices(sd: ModuleType) -> list[str]:
    """Names of the devices PortAudio can play to ("0: pulse", ...)."""
    return [f"{d['index']}: {d['name']}" for d in sd.query_devices() if d["max_output_channels"] > 0]


class SoundDeviceOutput(BaseOutput):
    """PortAudio playback to a named device (substring of its name, or its index); None = the default device."""

    kind = "sounddevice"  # written into each airing's log row (file, null: test airings)

    def __init__(
        self, device: str | None = None, *, name: str = "sounddevice", latency: str | float = "high"
    ):
        self.name = name
        self.device: str | int | None = int(device) if device and device.isdigit() else device
        self.latency = latency

    def check(self) -> None:
        """PortAudio loads and the device exists and accepts 16-bit audio."""
        sd = load_portaudio()
        try:
            sd.query_devices(self.device, kind="output")
            sd.check_output_settings(device=self.device, channels=1, dtype="int16", samplerate=44100)
        except (ValueError, sd.PortAudioError) as exc:
            found = ", ".join(output_devices(sd)) or "không có thiết bị nào"
            which = f"'{self.device}'" if self.device is not None else "mặc định"
            raise OutputError(
                f"không dùng được thiết bị âm thanh {which} ({exc}). Thiết bị phát hiện có: {found}. "
                "Kiểm tra card âm thanh đã cắm, hoặc sửa outputs.device trong station.yaml."
            ) from exc

    def _open(self, sd: ModuleType, rate: int, channels: int, dtype: str) -> Any:
        stream = sd.OutputStream(
            samplerate=rate, channels=channels, dtype=dtype, device=self.device, latency=self.latency
        )
        stream.start()
        return stream

    def _play(
        self, wav: Path, info: WavInfo, *, stop: threading.Event, label: str, zones: frozenset[str]
    ) -> PlayResult:
        try:
            data, info = read_pcm(wav)
        except WAV_ERRORS as exc:
            return PlayResult(False, 0.0, unreadable(wav, exc))
        try:
            sd = load_portaudio()
        except OutputError as exc:
            return PlayResult(False, 0.0, str(exc))
        dtype = "int16" if data.dtype == np.int16 else "int32"
        written = 0
        latency = 0.0
        try:
            try:
                stream = self._open(sd, info.rate, info.channels, dtype)
            except sd.PortAudioError:
                if info.channels != 1:
                    raise
                data = np.repeat(data, 2, axis=1)  # some cards only take stereo
                stream = self._open(sd, info.rate, 2, dtype)
            latency = float(stream.latency)
            try:
                for at in range(0, len(data), BLOCK):
                    if stop.is_set():
                        stream.abort()
                        return PlayResult(False, _played(written, latency, info.rate, info.duration))
                    block = np.ascontiguousarray(data[at : at + BLOCK])
                    stream.write(block)
                    written += len(block)
                # A buffer of silence behind the last sample: through ALSA's pulse plugin, stop() can drop the
                # tail of what is still buffered (measured: up to the stream latency).
                tail = int(latency * info.rate) + BLOCK
                stream.write(np.zeros((tail, data.shape[1]), dtype=data.dtype))
                stream.stop()
            finally:
                stream.close()
        except (sd.PortAudioError, ValueError) as exc:
            return PlayResult(
                False,
                _played(written, latency, info.rate, info.duration),
                f"lỗi phát ra thiết bị âm thanh '{self.device if self.device is not None else 'mặc định'}': {exc}",
            )
        return PlayResult(True, info.duration)

    def play_stream(
        self, blocks: Iterable[Any], *, rate: int, stop: threading.Event, label: str = "",
        zones: frozenset[str] = frozenset(),
    ) -> PlayResult:
        """A live source (a relayed stream) through one PortAudio stream: no gap between blocks."""
        return _stream(self, blocks, rate, stop)


def _stream(self: SoundDeviceOutput, blocks: Iterable[Any], rate: int, stop: threading.Event) -> PlayResult:
    """SoundDeviceOutput.play_stream: one PortAudio stream for the whole live source, written block by block."""
    try:
        sd = load_portaudio()
    except OutputError as exc:
        return PlayResult(False, 0.0, str(exc))
    written, latency = 0, 0.0
    try:
        stream = self._open(sd, rate, 1, "int16")
        latency = float(stream.latency)
        try:
            for block in blocks:
                if stop.is_set():
                    stream.abort()
                    return PlayResult(False, max(written / rate - latency, 0.0))
                stream.write(np.ascontiguousarray(block, dtype=np.int16).reshape(-1, 1))
                written += len(block)
            stream.write(np.zeros((int(latency * rate) + BLOCK, 1), dtype=np.int16))  # see _play: the tail
            stream.stop()
        finally:
            stream.close()
    except (sd.PortAudioError, ValueError) as exc:
        device = self.device if self.device is not None else "mặc định"
        return PlayResult(False, max(written / rate - latency, 0.0), f"lỗi phát ra thiết bị âm thanh '{device}': {exc}")
    return PlayResult(not stop.is_set(), written / rate)


def _played(written: int, latency: float, rate: int, duration: float) -> float:
    """Seconds that reached the speakers: frames handed over minus what was still buffered."""
    return min(max(written / rate - latency, 0.0), duration)
