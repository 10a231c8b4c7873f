"""The one place that finds and runs ffmpeg (from the imageio-ffmpeg wheel: no system ffmpeg needed).

Lowest layer: speech and audio both use it. pydub is pointed at the same binary; since the wheel ships no
ffprobe, callers pass `format=` *and* `codec=` to `AudioSegment.from_file` so pydub never probes.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from broadcaster.errors import AudioError
from broadcaster.wav import WAV_ERRORS, wav_info

__all__ = ["audio_duration", "check_decodes", "configure_pydub", "decode_pcm", "decode_to_wav", "ffmpeg_exe", "run_ffmpeg"]


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


_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


def audio_duration(path: str | Path) -> float:
    """Seconds of audio in a file, from its header (WAV) or ffmpeg's reading of the container: nothing is
    decoded, so a 2-hour recording costs neither memory nor time. AudioError when it cannot be told."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: không có tệp âm thanh này")
    try:
        return wav_info(path).duration
    except WAV_ERRORS:
        pass  # not a PCM WAV: ask ffmpeg (it reads the header, and for MP3 estimates from the bitrate)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AudioError(f"{path}: không đọc được độ dài âm thanh ({exc})") from exc
    match = _DURATION.search(proc.stderr.decode("utf-8", "replace"))
    if not match:
        raise AudioError(f"{path}: không đọc được độ dài âm thanh (tệp hỏng hoặc không phải âm thanh)")
    h, m, s = match.groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def decode_to_wav(source: str | Path, target: Path, sample_rate: int) -> None:
    """Decode any audio file to a mono 16-bit WAV at `target`, streamed by ffmpeg (memory stays flat however
    long the recording). AudioError naming the file when it is missing, empty or corrupt."""
    path = Path(source)
    if not path.is_file():
        raise AudioError(f"{path}: không có tệp âm thanh này")
    run_ffmpeg(["-y", "-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate), "-acodec", "pcm_s16le",
                "-f", "wav", str(target)], what=str(path))
    try:
        frames = wav_info(target).frames
    except WAV_ERRORS as exc:
        raise AudioError(f"{path}: giải mã hỏng ({exc})") from exc
    if frames == 0:
        raise AudioError(f"{path}: tệp âm thanh rỗng hoặc hỏng (không giải mã được mẫu nào)")


def check_decodes(source: str | Path) -> None:
    """Decode a file completely to nowhere (`-f null`): a corrupt file is found before air time, in constant
    memory. AudioError naming the file otherwise."""
    path = Path(source)
    if not path.is_file():
        raise AudioError(f"{path}: không có tệp âm thanh này")
    run_ffmpeg(["-xerror", "-i", str(path), "-vn", "-ac", "1", "-ar", "8000", "-f", "null", "-"], what=str(path))


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
