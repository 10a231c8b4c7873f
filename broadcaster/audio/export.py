"""Writing audio's companions to disk, atomically: MP3 (ffmpeg), M3U8 and JSON (WAV: `broadcaster.wav`).

Every writer goes to a temporary file in the target directory and `os.replace`s it into place, so a crash or a
full disk never leaves a half-written programme where playout would pick it up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from broadcaster.ffmpeg import run_ffmpeg
from broadcaster.wav import atomic_path

__all__ = ["MP3_BITRATE", "encode_mp3", "write_json", "write_text"]

MP3_BITRATE = "96k"  # mono speech archive/preview: transparent enough, ~0.7 MB a minute

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
