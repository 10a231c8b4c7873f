"""Listening back: an airing's stretch of the archive, as MP3 bytes, as a file, or played on a local device.

Never through the station's outputs or relays (that would air it to the villages): `play_locally` runs a player
of its own (`aplay`) on a device the station does not air through, and refuses the default sound card when the
station airs through it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from broadcaster.airlog import AirLog
from broadcaster.archive._store import ARCHIVE_BITRATE
from broadcaster.errors import BroadcasterError
from broadcaster.ffmpeg import run_ffmpeg
from broadcaster.models import TEST_OUTPUT_KINDS, Airing, AiringStatus, Station
from broadcaster.words import fmt_date, status_label

__all__ = ["ArchivedAudio", "LocalPlaybackRefused", "find_audio", "missing_reason", "play_locally"]

_FORMATS = {".mp3": ["-c:a", "libmp3lame", "-b:a", ARCHIVE_BITRATE, "-f", "mp3"],
            ".wav": ["-c:a", "pcm_s16le", "-f", "wav"]}


class LocalPlaybackRefused(BroadcasterError):
    """The device asked for is the one the station airs through."""


@dataclass(frozen=True)
class ArchivedAudio:
    """An airing's audio: the stretch `offset` .. `offset + duration` (seconds) of the archive file `path`."""

    airing: Airing
    path: Path
    offset: float
    duration: float

    @property
    def test(self) -> bool:
        """Aired into a file or nowhere (chạy thử): no villager heard it."""
        return self.airing.output_kind in TEST_OUTPUT_KINDS

    def _cut(self, fmt: str, target: str) -> bytes:
        return run_ffmpeg(["-y", "-ss", f"{self.offset:.3f}", "-t", f"{self.duration:.3f}", "-i", str(self.path),
                           "-vn", "-ac", "1", *_FORMATS[fmt], target], what=str(self.path))

    def mp3_bytes(self) -> bytes:
        """The airing's stretch as MP3 (what the desk's "Nghe" button serves)."""
        return self._cut(".mp3", "pipe:1")

    def extract(self, target: Path) -> Path:
        """Write the stretch to `target` (.mp3, or .wav); returns it. BroadcasterError for another suffix."""
        suffix = target.suffix.lower()
        if suffix not in _FORMATS:
            raise BroadcasterError(f"{target}: chỉ ghi được tệp .mp3 hoặc .wav")
        target.parent.mkdir(parents=True, exist_ok=True)
        self._cut(suffix, str(target))
        return target


def find_audio(station: Station, airing_id: int) -> ArchivedAudio | None:
    """The archived audio of log row `airing_id`; None when there is none (see `missing_reason`)."""
    if not station.database.exists():
        return None
    with AirLog(station.database, tz=station.timezone) as db:
        link = db.audio_link(airing_id)
        airing = db.airing(airing_id) if link is not None and link.pruned_at is None else None
    if link is None or airing is None:
        return None
    path = Path(station.state_dir) / link.path
    return ArchivedAudio(airing, path, link.offset_s, link.duration_s) if path.is_file() else None


def missing_reason(station: Station, airing_id: int) -> str:
    """Why log row `airing_id` has no audio to listen to, in the officer's words."""
    if not station.database.exists():
        return "chưa có nhật ký phát sóng (đài chưa phát lần nào)"
    with AirLog(station.database, tz=station.timezone) as db:
        link = db.audio_link(airing_id)
        row = db.airing(airing_id)
    if row is None:
        return f"không có lượt phát số {airing_id} trong nhật ký"
    if row.status not in (AiringStatus.COMPLETED, AiringStatus.INTERRUPTED):
        return f"lượt phát số {airing_id} không lên sóng ({status_label(row.status)}): không có âm thanh"
    if link is None:
        return (f"lượt phát số {airing_id} không được lưu âm thanh (phát trước khi có kho lưu trữ, hoặc đài dừng "
                "đột ngột)")
    if link.pruned_at is not None:
        return (f"âm thanh của lượt phát số {airing_id} đã bị xoá ngày {fmt_date(link.pruned_at.date())} "
                "(quá thời hạn lưu trữ hoặc vượt dung lượng: archive trong station.yaml)")
    return f"tệp lưu trữ {Path(station.state_dir) / link.path} không còn"


def _station_devices(station: Station) -> set[str | None]:
    """The sound devices the station airs through (None: the default one)."""
    return {o.device for o in station.outputs if o.kind in ("auto", "sounddevice", "command")}


def play_locally(audio: ArchivedAudio, station: Station, device: str | None = None) -> None:
    """Play the stretch on a local device with `aplay` (headphones, the office's speakers), never through the
    station's outputs or relays. Refused (`LocalPlaybackRefused`) on a device the station airs through,
    including the default one when an output uses it."""
    if device in _station_devices(station):
        which = f"thiết bị '{device}'" if device else "card âm thanh mặc định"
        raise LocalPlaybackRefused(
            f"{which} là đường ra loa của đài: nghe ở đó là phát ra loa các thôn. Chọn thiết bị khác bằng "
            "--device (ví dụ tai nghe: xem `aplay -L`), hoặc ghi ra tệp với -o TỆP.mp3")
    player = shutil.which("aplay")
    if player is None:
        raise BroadcasterError("không tìm thấy aplay (gói alsa-utils) để nghe: ghi ra tệp với -o TỆP.mp3")
    with tempfile.TemporaryDirectory() as tmp:
        wav = audio.extract(Path(tmp) / "nghe.wav")
        cmd = [player, "-q", *(["-D", device] if device else []), str(wav)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BroadcasterError(f"aplay không phát được: {done.stderr.strip() or done.returncode}")
