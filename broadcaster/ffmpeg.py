"""The one place that finds and runs ffmpeg (from the imageio-ffmpeg wheel: no system ffmpeg needed).

Lowest layer: speech and audio both use it. pydub is pointed at the same binary; since the wheel ships no
ffprobe, callers pass `format=` *and* `codec=` to `AudioSegment.from_file` so pydub never probes.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from broadcaster.errors import AudioError

__all__ = ["ffmpeg_exe", "run_ffmpeg", "decode_pcm", "configure_pydub"]


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary: $BROADCASTER_FFMPEG, else the imageio-ffmpeg wheel's, else the system's."""
    env = os.environ.get("BROADCASTER_FFMPEG")
    if env:
        return env
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # noqa: BLE001 - the wheel's binary missing or broken: try the system's
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise AudioError("không tìm thấy ffmpeg: chạy lại scripts/setup để cài gói imageio-ffmpeg")


def run_ffmpeg(args: list[str], *, input_bytes: bytes | None = None, what: str = "") -> bytes:
    """Run ffmpeg quietly; return stdout. Raise AudioError with ffmpeg's last words on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    try:
        proc = subprocess.run(cmd, input=input_bytes, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"không chạy được ffmpeg: {exc}") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        label = f"{what}: " if what else ""
        raise AudioError(f"{label}ffmpeg báo lỗi: {' / '.join(tail) or proc.returncode}")
    return proc.stdout


def decode_pcm(source: str | Path | bytes, sample_rate: int = 44100, channels: int = 1) -> np.ndarray:
    """Decode any audio file (or bytes) to float32 samples in [-1, 1], shape (n,) or (n, channels).

    A missing, empty or corrupt file raises AudioError naming the file.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"{path}: không có tệp âm thanh này")
        args = ["-i", str(path)]
        data = None
        label = str(path)
    else:
        args = ["-i", "pipe:0"]
        data = source
        label = "âm thanh"
    raw = run_ffmpeg(
        [*args, "-vn", "-f", "f32le", "-acodec", "pcm_f32le", "-ac", str(channels), "-ar", str(sample_rate),
         "pipe:1"],
        input_bytes=data,
        what=label,
    )
    samples = np.frombuffer(raw, dtype="<f4")
    if samples.size == 0:
        raise AudioError(f"{label}: tệp âm thanh rỗng hoặc hỏng (không giải mã được mẫu nào)")
    return samples.reshape(-1, channels) if channels > 1 else samples


def configure_pydub() -> None:
    """Point pydub at our ffmpeg (pydub otherwise looks for `ffmpeg`/`ffprobe` on PATH and warns)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Couldn't find ffmpeg": we set it just below
        warnings.simplefilter("ignore", DeprecationWarning)  # pydub imports audioop (removed in Python 3.13)
        from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()
    AudioSegment.ffmpeg = ffmpeg_exe()
