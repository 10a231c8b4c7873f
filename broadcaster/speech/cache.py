"""Content-addressed render cache: sha256(engine, voice, normalized text, engine settings) -> WAV + metadata.

Layout: `<station.cache_dir>/speech/<key[:2]>/<key>.wav` and `<key>.json` (engine, voice, text, created,
duration, bytes). Both files are written to a temporary name, flushed to disk and renamed into place; the JSON
is written last and names the WAV's size, so a power cut never leaves an entry that looks valid but is not.

The JSON's modification time is the entry's last use: `get` refreshes it (at most once a day), and `prune`
deletes entries unused for `UNUSED_DAYS` (the dated station ident and closing are new texts every day, so an
unpruned cache grows by megabytes a day). Every bulletin a coming session airs is looked up by the station's
render-ahead at least daily, so nothing scheduled is ever that old; a pruned text is simply rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from broadcaster.wav import wav_duration

__all__ = ["RenderCache", "CacheEntry", "CachePruned", "UNUSED_DAYS", "cache_key", "wav_duration"]

UNUSED_DAYS = 60  # an entry nobody looked up for this long is deleted by prune()
_DAY = 86400.0


def cache_key(engine: str, voice: str, text: str, settings_key: str) -> str:
    """The cache key: any change of engine, voice, speakable text or engine settings gives a new one."""
    payload = json.dumps([engine, voice, text, settings_key], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    key: str
    wav: Path
    meta: dict[str, Any]

    @property
    def duration(self) -> float:
        return float(self.meta.get("duration", 0.0))


@dataclass(frozen=True)
class CachePruned:
    entries: int  # complete entries deleted (WAV and metadata)
    files: int  # orphan WAVs and stale temporary files deleted
    freed_bytes: int


def _mark_used(meta_path: Path) -> None:
    """Refresh the entry's last use (its metadata's mtime), at most once a day: a hit costs no write."""
    with contextlib.suppress(OSError):  # a read-only cache still serves; it is only never pruned
        if meta_path.stat().st_mtime < time.time() - _DAY:
            os.utime(meta_path)


# Two threads rendering the same text must not interleave WAV and metadata of different takes (eSpeak's takes
# differ by a few samples): puts of one key are serialized, striped over a few locks.
_PUT_LOCKS = [threading.Lock() for _ in range(32)]


def _fsync_replace(tmp: Path, final: Path) -> None:
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)


class RenderCache:
    """The speech cache of one station (`station.cache_dir / "speech"`)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def get(self, key: str) -> CacheEntry | None:
        """The entry for `key` if complete (metadata present, WAV of the recorded size), else None."""
        wav, meta_path = self.paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or wav.stat().st_size != meta.get("bytes"):
                return None
        except (OSError, ValueError):
            return None
        _mark_used(meta_path)
        return CacheEntry(key, wav, meta)

    def prune(self, unused_days: float = UNUSED_DAYS) -> CachePruned:
        """Delete entries not looked up for `unused_days`, WAVs left without metadata as long, and temporary
        files over a day old (a crash mid-render). The metadata goes first, so a cut mid-way leaves no entry
        that looks valid. Never raises for one file."""
        now = time.time()
        cutoff = now - unused_days * _DAY
        entries = files = freed = 0
        for path in sorted(self.root.glob("??/*")):
            try:
                st = path.stat()
                if path.suffix == ".json" and st.st_mtime < cutoff:
                    wav = path.with_suffix(".wav")
                    size = wav.stat().st_size if wav.exists() else 0
                    path.unlink()  # the metadata first: a cut here leaves an orphan WAV, never a valid-looking entry
                    with contextlib.suppress(FileNotFoundError):
                        wav.unlink()
                    entries, freed = entries + 1, freed + st.st_size + size
                elif (path.name.endswith(".tmp") and st.st_mtime < now - _DAY) or (
                        path.suffix == ".wav" and st.st_mtime < cutoff and not path.with_suffix(".json").exists()):
                    path.unlink()
                    files, freed = files + 1, freed + st.st_size
            except OSError:
                continue  # gone meanwhile (e.g. a WAV deleted with its metadata), or not ours to delete
        return CachePruned(entries, files, freed)

    def temp_wav(self, key: str) -> Path:
        """A fresh temporary path beside the final WAV, for an engine to write into."""
        wav, _ = self.paths(key)
        wav.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{key[:12]}-", suffix=".wav.tmp", dir=wav.parent)
        os.close(fd)
        return Path(name)

    def put(self, key: str, tmp_wav: Path, meta: dict[str, Any]) -> CacheEntry:
        """Move a finished temporary WAV into place and write its metadata last, both atomically."""
        wav, meta_path = self.paths(key)
        try:
            duration = wav_duration(tmp_wav)
            full = {
                **meta,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "duration": round(duration, 4),
                "bytes": tmp_wav.stat().st_size,
            }
            with _PUT_LOCKS[int(key[:2], 16) % len(_PUT_LOCKS)]:
                _fsync_replace(tmp_wav, wav)
                fd, name = tempfile.mkstemp(prefix=f".{key[:12]}-", suffix=".json.tmp", dir=wav.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(full, f, ensure_ascii=False, indent=1)
                _fsync_replace(Path(name), meta_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp_wav.unlink()
        return CacheEntry(key, wav, full)

    def discard(self, tmp_wav: Path) -> None:
        """Remove a temporary WAV left by a failed synthesis."""
        with contextlib.suppress(FileNotFoundError):
            tmp_wav.unlink()
