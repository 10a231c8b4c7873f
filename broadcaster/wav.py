"""WAV files, read and written in one place: headers, PCM of any width, atomic 16-bit mono writes.

Every layer uses it (speech engines write their output, the cache reads durations, audio assembles programmes,
outputs play, playout slices), so it sits with the ground modules and imports none of the subsystems. One rounding
rule for float -> int16 (round to nearest, clipped), whoever writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcaster.errors import AudioError

__all__ = [
    "WAV_ERRORS",
    "WavInfo",
    "atomic_path",
    "copy_frames",
    "open_reader",
    "read_mono16",
    "read_pcm",
    "stream_wav",
    "to_int16",
    "wav_duration",
    "wav_info",
    "write_wav",
]

WAV_ERRORS = (OSError, EOFError, wave.Error)  # what reading a missing, truncated or non-PCM file raises

# mkstemp creates files readable by their owner only; ours must be readable like any file we create
# (the web UI or playout may run as another user). Read the umask once, at import.
_UMASK = os.umask(0)
os.umask(_UMASK)


@dataclass(frozen=True)
class WavInfo:
    frames: int
    rate: int
    channels: int
    sample_width: int  # bytes per sample

    @property
    def duration(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on error it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def wav_info(path: Path) -> WavInfo:
    """Header of a PCM WAV file; raises OSError / wave.Error / EOFError when it is not one."""
    with wave.open(str(path), "rb") as w:
        return WavInfo(w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth())


def wav_duration(path: Path) -> float:
    """Length of a PCM WAV file in seconds, from its header; `AudioError` when it is damaged."""
    try:
        return wav_info(path).duration
    except WAV_ERRORS as exc:
        raise AudioError(f"{path}: tệp WAV hỏng ({exc})") from exc


def read_pcm(path: Path) -> tuple[np.ndarray, WavInfo]:
    """All frames as an (n, channels) array: int16 for 8/16-bit files (8-bit scaled up), int32 for 24/32-bit.
    Raises OSError / wave.Error / EOFError when the file is not a PCM WAV."""
    with wave.open(str(path), "rb") as w:
        info = WavInfo(w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth())
        raw = w.readframes(info.frames)
    if info.sample_width == 2:
        data = np.frombuffer(raw, dtype="<i2")
    elif info.sample_width == 4:
        data = np.frombuffer(raw, dtype="<i4")
    elif info.sample_width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        data = (b[:, 0].astype(np.int32) << 8) | (b[:, 1].astype(np.int32) << 16) | (b[:, 2].astype(np.int32) << 24)
    elif info.sample_width == 1:
        data = ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    else:
        raise wave.Error(f"unsupported sample width {info.sample_width}")
    frames = len(data) // info.channels
    return data[: frames * info.channels].reshape(frames, info.channels), info


def read_mono16(path: Path) -> tuple[np.ndarray, int]:
    """A mono 16-bit WAV that we wrote (cached clips, engine output): int16 samples and the sample rate."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise AudioError(f"{path}: không phải WAV đơn kênh 16-bit")
            rate = w.getframerate()
            data = w.readframes(w.getnframes())
    except WAV_ERRORS as exc:
        raise AudioError(f"{path}: không đọc được tệp WAV ({exc})") from exc
    return np.frombuffer(data, dtype="<i2"), rate


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] to little-endian 16-bit PCM, rounded to nearest and clipped."""
    return np.clip(np.rint(samples * 32767.0), -32768, 32767).astype("<i2")


def _header(n_samples: int, sample_rate: int) -> bytes:
    data_bytes = n_samples * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16,
        b"data", data_bytes,
    )  # fmt: skip


def stream_wav(target: Path, parts: Iterable[np.ndarray], n_samples: int, sample_rate: int) -> str:
    """Write mono int16 `parts` (totalling `n_samples`) as one WAV, atomically; return the file's sha256.

    The header is written first with the known length, then each part straight to disk: memory stays at one
    part, never the whole programme, and no part is copied more than once.
    """
    digest = hashlib.sha256()
    written = 0
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as f:
            header = _header(n_samples, sample_rate)
            f.write(header)
            digest.update(header)
            for part in parts:
                buf = memoryview(np.ascontiguousarray(part, dtype="<i2")).cast("B")
                f.write(buf)
                digest.update(buf)
                written += part.size
        if written != n_samples:
            raise AudioError(f"{target}: lỗi nội bộ khi ghép âm thanh ({written} / {n_samples} mẫu)")
    return digest.hexdigest()


def write_wav(target: Path, samples: np.ndarray, sample_rate: int) -> str:
    """Write float or int16 mono samples as a 16-bit WAV, atomically; return the file's sha256."""
    pcm = samples if samples.dtype == np.dtype("<i2") else to_int16(samples)
    return stream_wav(target, [pcm], pcm.size, sample_rate)


def open_reader(path: Path) -> wave.Wave_read:
    """A WAV opened for reading in parts (slicing a programme without loading it whole)."""
    return wave.open(str(path), "rb")


def copy_frames(src: wave.Wave_read, target: Path, first: int, last: int) -> None:
    """Copy frames [first, last) of an open WAV into a new WAV of the same format, atomically."""
    src.setpos(first)
    frames = src.readframes(max(0, last - first))
    with atomic_path(target) as tmp:
        with wave.open(str(tmp), "wb") as dst:
            dst.setnchannels(src.getnchannels())
            dst.setsampwidth(src.getsampwidth())
            dst.setframerate(src.getframerate())
            dst.writeframes(frames)
