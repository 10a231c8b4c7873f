"""Recordings the officer uploads or records in the browser: checked by decoding them, stored under a name the
server chooses (`<station>/recordings/<bulletin>-<hash>.<ext>`), so no uploaded name ever reaches the disk."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from broadcaster.errors import AudioError, InputError
from broadcaster.ffmpeg import audio_duration, check_decodes, run_ffmpeg
from broadcaster.models import Station

__all__ = ["ALLOWED_SUFFIXES", "MAX_UPLOAD_BYTES", "RECORDINGS_DIR", "StoredAudio", "Upload", "store_upload"]

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # about 25 minutes of MP3 at 128 kbit/s: longer belongs in several bulletins
ALLOWED_SUFFIXES = (".mp3", ".wav", ".m4a", ".ogg", ".oga", ".opus", ".webm")  # webm/ogg: browser recordings
RECORDINGS_DIR = "recordings"


@dataclass(frozen=True)
class Upload:
    filename: str  # as the browser sent it: only its suffix is used
    data: bytes


@dataclass(frozen=True)
class StoredAudio:
    relative: str  # relative to the station folder, as the bulletin's `audio:` key holds it
    path: Path
    duration: float  # seconds, from the file's header (what the planner reads)


def store_upload(station: Station, bulletin_id: str, upload: Upload) -> StoredAudio:
    """Check an uploaded recording (suffix, size, decodes completely, not silent-short) and store it."""
    suffix = Path(upload.filename.replace("\\", "/")).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise InputError("chỉ nhận tệp ghi âm MP3, WAV, M4A, OGG hoặc bản ghi từ trình duyệt")
    if len(upload.data) > MAX_UPLOAD_BYTES:
        raise InputError(f"tệp ghi âm quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB): chia thành nhiều bản tin")
    if not upload.data:
        raise InputError("tệp ghi âm trống")
    folder = station.root / RECORDINGS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(upload.data)
        try:
            check_decodes(Path(tmp))  # decoded completely to nowhere: constant memory in the desk's process
        except AudioError:
            raise InputError("tệp tải lên không phải âm thanh đọc được (hỏng hoặc sai định dạng)") from None
        try:
            duration = audio_duration(Path(tmp))
        except AudioError:
            # a browser recording is streamed as WebM with no length in its header, and the planner reads the
            # length from the header: the same sound is repacked (not re-encoded) into Ogg, which carries it
            old, tmp, suffix = tmp, str(Path(tmp).with_name(Path(tmp).stem + "-repacked.ogg")), ".ogg"
            try:
                _repack(Path(old), Path(tmp))
                duration = audio_duration(Path(tmp))
            except AudioError:
                raise InputError("không đọc được độ dài của tệp ghi âm: lưu lại bản ghi dạng MP3 hoặc WAV") from None
            finally:
                os.unlink(old)
        if duration < 0.5:
            raise InputError("tệp ghi âm quá ngắn (dưới nửa giây)")
        limit = station.audio.max_bulletin_minutes
        if duration > limit * 60:
            raise InputError(f"tệp ghi âm dài {duration / 60:.0f} phút, quá giới hạn {limit:g} phút của đài "
                             "(audio.max_bulletin_minutes): chia thành nhiều bản tin")
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()[:12]
        final = folder / f"{bulletin_id}-{digest}{suffix}"
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return StoredAudio(f"{RECORDINGS_DIR}/{final.name}", final, duration)


def _repack(source: Path, target: Path) -> None:
    """WebM -> Ogg without re-encoding (Opus or Vorbis as recorded); anything else is encoded to Opus."""
    try:
        run_ffmpeg(["-y", "-i", str(source), "-vn", "-c:a", "copy", str(target)], what=source.name)
    except AudioError:
        run_ffmpeg(["-y", "-i", str(source), "-vn", "-c:a", "libopus", "-b:a", "48k", str(target)], what=source.name)
