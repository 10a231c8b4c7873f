"""Writing audio and its companions to disk, atomically: 16-bit WAV, MP3 (ffmpeg), M3U8 and JSON.

Every writer goes to a temporary file in the target directory and `os.replace`s it into place, so a crash or a
full disk never leaves a half-written programme where playout would pick it up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from broadcaster._ffmpeg import run_ffmpeg
from broadcaster.errors import AudioError

__all__ = [
    "MP3_BITRATE",
    "atomic_path",
    "encode_mp3",
    "read_wav",
    "stream_wav",
    "to_int16",
    "write_json",
    "write_text",
    "write_wav",
]

MP3_BITRATE = "96k"  # mono speech archive/preview: transparent enough, ~0.7 MB a minute

# mkstemp creates files readable by their owner only; ours must be readable like any file we create
# (the web UI or playout may run as another user). Read the umask once, at import.
_UMASK = os.umask(0)
os.umask(_UMASK)


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


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] to little-endian 16-bit PCM, rounded and clipped."""
    return np.clip(np.rint(samples * 32767.0), -32768, 32767).astype("<i2")


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Read a mono 16-bit WAV that we wrote (cached clips): int16 samples and sample rate, no ffmpeg needed."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise AudioError(f"{path}: không phải WAV đơn kênh 16-bit")
            rate = w.getframerate()
            data = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioError(f"{path}: không đọc được tệp WAV ({exc})") from exc
    return np.frombuffer(data, dtype="<i2"), rate


def _wav_header(n_samples: int, sample_rate: int) -> bytes:
    data_bytes = n_samples * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16,
        b"data", data_bytes,
    )


def stream_wav(target: Path, parts: Iterable[np.ndarray], n_samples: int, sample_rate: int) -> str:
    """Write mono int16 `parts` (totalling `n_samples`) as one WAV, atomically; return the file's sha256.

    The header is written first with the known length, then each part straight to disk: memory stays at one
    part, never the whole programme, and no part is copied more than once.
    """
    digest = hashlib.sha256()
    written = 0
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as f:
            header = _wav_header(n_samples, sample_rate)
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


def encode_mp3(wav: Path, target: Path, *, bitrate: str = MP3_BITRATE) -> None:
    """Encode a WAV to MP3 (LAME through ffmpeg), atomically."""
    with atomic_path(target) as tmp:
        run_ffmpeg(
            ["-y", "-i", str(wav), "-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3", str(tmp)],
            what=str(target),
        )


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(target: Path, data: Any) -> None:
    """Write JSON (UTF-8, Vietnamese kept readable) atomically."""
    write_text(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
