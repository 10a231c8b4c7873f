"""The `file` output (dry run, chạy thử): writes what would air into a directory instead of playing it.

Each play copies the WAV to `<directory>/<time>_<label>_<zone+zone>.wav` with a `.json` sidecar (label, zones,
source, duration, sha256) and returns at once: a dry run shows a whole session in seconds. Because nothing takes
real time, a `stop` only matters when it is already set before the item starts (then nothing is written).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.errors import OutputError
from broadcaster.outputs._base import BaseOutput, PlayResult
from broadcaster.wav import WavInfo

__all__ = ["FileOutput", "slug"]


def slug(text: str) -> str:
    """ASCII file-name part: 'Buổi sáng / Thôn Đông' -> 'buoi-sang-thon-dong'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


class FileOutput(BaseOutput):
    """Writes each played WAV (and a JSON sidecar) into `directory`, named by time, label and zones."""

    stream_chunk_seconds = 600.0  # a relayed stream is written as one file per 10 minutes

    kind = "file"  # written into each airing's log row (file, null: test airings)

    def __init__(
        self,
        directory: Path,
        *,
        tz: str = DEFAULT_TIMEZONE,
        name: str = "file",
        now: Callable[[], datetime] | None = None,
    ):
        self.name = name
        self.directory = Path(directory)
        self._tz = ZoneInfo(tz)
        self._now = now or (lambda: datetime.now(self._tz))

    def check(self) -> None:
        """The directory must be creatable and writable."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / ".ghi-thu"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise OutputError(
                f"không ghi được vào thư mục {self.directory} (đầu ra 'file'): {exc.strerror or exc}. "
                "Hãy chọn thư mục khác trong station.yaml (outputs: directory) hoặc cấp quyền ghi."
            ) from exc

    def target(self, label: str, zones: frozenset[str], at: datetime) -> Path:
        """A fresh path for one airing: 2026-11-28T06-30-00_sang_thon-dong+thon-tay.wav (-2, -3 on clashes)."""
        parts = [at.strftime("%Y-%m-%dT%H-%M-%S")]
        if slug(label):
            parts.append(slug(label))
        if zones:
            parts.append("+".join(sorted(slug(z) for z in zones)))
        stem = "_".join(parts)
        path = self.directory / f"{stem}.wav"
        n = 2
        while path.exists():
            path = self.directory / f"{stem}-{n}.wav"
            n += 1
        return path

    def _play(
        self, wav: Path, info: WavInfo, *, stop: threading.Event, label: str, zones: frozenset[str]
    ) -> PlayResult:
        at = self._now()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.target(label, zones, at)
            shutil.copyfile(wav, path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            sidecar = {
                "output": self.name,
                "label": label,
                "zones": sorted(zones),
                "aired_at": at.isoformat(),
                "duration": round(info.duration, 3),
                "source": str(wav),
                "sha256": digest,
            }
            path.with_suffix(".json").write_text(
                json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            return PlayResult(False, 0.0, f"không ghi được tệp vào {self.directory}: {exc.strerror or exc}")
        return PlayResult(True, info.duration)
