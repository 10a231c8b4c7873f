"""Archiving what aired and cleaning what was built to air it.

A session's build directory (`<state_dir>/programmes/<day>/<slot>-<output>/`) holds its segments (what playout
plays), `manifest.json` and `archive.mp3`, encoded when the session was built (the programme WAV itself is deleted
right after it is cut, so no audio is kept twice; a "phát ngay" build, or one for a session about to start, keeps it
beside `archive.pending` and is encoded after it aired, so it airs a few seconds sooner). Once the session has aired, `archive_session` moves the MP3 into
`<state_dir>/archive/<day>/`, links each aired row to its stretch, and deletes the build directory. "Phát ngay"
builds go to `programmes/manual/` so they never touch a scheduled session's files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Collection, Iterable
from pathlib import Path

from broadcaster.airlog import AirLog, AudioLink
from broadcaster.audio.export import encode_mp3
from broadcaster.models import Airing, AiringStatus, Programme, Station

__all__ = ["ARCHIVE_BITRATE", "ARCHIVE_DIR", "ARCHIVE_PENDING", "SESSION_MP3", "archive_emergency", "archive_session",
           "encode_for_archive", "manual_build_dir", "sweep_builds"]

log = logging.getLogger(__name__)

ARCHIVE_DIR = "archive"
ARCHIVE_BITRATE = "48k"  # mono speech for listening back: ~0.36 MB a minute (90 days of 18 min a day: ~0.6 GB)
SESSION_MP3 = "archive.mp3"  # a session's archive copy, next to its segments until it airs
ARCHIVE_PENDING = "archive.pending"  # beside a programme WAV kept to be encoded once it has aired
PROGRAMMES_DIR = "programmes"
MANUAL_DIR = "manual"
_AIRED = frozenset({AiringStatus.COMPLETED, AiringStatus.INTERRUPTED})
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def encode_for_archive(wav: Path, target: Path) -> None:
    """The archive's MP3 of a WAV (atomic)."""
    encode_mp3(wav, target, bitrate=ARCHIVE_BITRATE)


def archive_root(station: Station) -> Path:
    return Path(station.state_dir) / ARCHIVE_DIR


def manual_build_dir(station: Station, programme: Programme) -> Path:
    """A fresh build directory for a "phát ngay" of `programme` (deleted once it has aired)."""
    name = f"{programme.day.isoformat()}_{programme.slot_id}_{programme.output_id}_{uuid.uuid4().hex[:8]}"
    return Path(station.state_dir) / PROGRAMMES_DIR / MANUAL_DIR / name


def _aired(rows: Iterable[Airing]) -> list[Airing]:
    """Rows whose audio reached the output (in full or in part): the ones worth listening back to. A row a crash
    cut short has no played time: it is linked to its whole item (`_link`)."""
    return [r for r in rows if r.id is not None and r.id > 0 and r.status in _AIRED and r.started_at is not None]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(build_dir: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        data = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("programme"), str) else None


def _link(station: Station, db: AirLog, rows: list[Airing], target: Path, offsets: dict[str, float]) -> int:
    rel = target.relative_to(station.state_dir).as_posix()
    sha = _sha256(target)
    links = [AudioLink(r.id or 0, rel, offsets.get(r.bulletin_id or "", 0.0),
                       r.played_seconds or r.planned_seconds, sha)
             for r in rows if r.bulletin_id is None or r.bulletin_id in offsets]
    db.link_audio(links)
    return len(links)


def archive_session(station: Station, key: str, build_dir: Path) -> int:
    """After session `key` aired (or was cut short by a crash): its MP3 into the archive, each aired row linked to
    its stretch, the build directory deleted. Returns how many rows were linked. Safe to repeat (a failure to
    link leaves the build directory for the next sweep). Raises LogError when the log cannot be written."""
    manifest = _manifest(build_dir) or {}
    offsets = {str(i["bulletin_id"]): float(i["offset"]) for i in manifest.get("items", ())
               if isinstance(i, dict) and i.get("kind") == "bulletin" and i.get("bulletin_id")}
    mp3 = build_dir / SESSION_MP3
    linked = 0
    with AirLog(station.database, tz=station.timezone) as db:
        rows = _aired(db.query(session=key))
        if rows:
            day, _, rest = key.partition("/")
            name = _UNSAFE.sub("-", rest.replace("/", "-"))
            target = archive_root(station) / _UNSAFE.sub("-", day) / f"{name}.mp3"
            # a build made to air at once is encoded after it aired; a build from before the archive existed is not
            pending = (build_dir / ARCHIVE_PENDING).exists()
            programme_wav = next(iter(sorted(build_dir.glob("*.wav"))), None) if pending else None
            if not mp3.exists() and not target.exists() and programme_wav is not None:
                encode_for_archive(programme_wav, mp3)  # a "phát ngay" build: encoded after it aired, not before
            if mp3.exists() and not target.exists():  # archived before: that file is what aired, keep it
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(mp3, target)
            if target.exists():
                linked = _link(station, db, rows, target, offsets)
            else:
                log.error("buổi %s: không còn tệp âm thanh để lưu trữ (%s)", key, mp3)
    shutil.rmtree(build_dir, ignore_errors=True)
    return linked


def archive_emergency(station: Station, emergency_id: str, message: Path, output_id: str) -> int:
    """After an emergency aired on `output_id`: its message as MP3 (once per emergency, shared by every output),
    each aired repeat linked to it. Returns how many rows were linked."""
    with AirLog(station.database, tz=station.timezone) as db:
        rows = _aired(db.query(session=f"emergency/{emergency_id}/{output_id}"))
        if not rows:
            return 0
        day = rows[0].scheduled_at.date().isoformat()
        target = archive_root(station) / day / f"emergency-{_UNSAFE.sub('-', emergency_id)}.mp3"
        if not target.exists():
            encode_for_archive(message, target)
        return _link(station, db, rows, target, {})


def sweep_builds(station: Station, *, keep: Collection[str], startup: bool) -> int:
    """Delete build directories nobody will air from: sessions aired (archived first), dropped from the plan or
    past. `keep`: the keys of sessions still to air. At start-up (nothing airs yet) every build goes: aired or cut
    short by a crash ones archived first, the rest rebuilt by the render-ahead. Returns how many went."""
    root = Path(station.state_dir) / PROGRAMMES_DIR
    if not root.is_dir():
        return 0
    removed = 0
    with AirLog(station.database, tz=station.timezone) as db:
        for day_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            if day_dir.name == MANUAL_DIR:  # "phát ngay" builds: their job archives them; a crash leaves them
                if startup:
                    shutil.rmtree(day_dir, ignore_errors=True)
                continue
            for build in sorted(p for p in day_dir.iterdir() if p.is_dir()):
                key = (_manifest(build) or {}).get("programme")
                status = db.session_status(key) if key else None
                if status is None and key in keep and not startup:
                    continue  # still to air
                if status == "claimed" and not startup:
                    continue  # on air right now
                if status is not None:
                    archive_session(station, key, build)
                shutil.rmtree(build, ignore_errors=True)
                removed += 1
            if not any(day_dir.iterdir()):
                day_dir.rmdir()
    return removed
