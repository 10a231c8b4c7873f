"""The audio archive: what aired, kept as MP3 for listening, within a retention period and a disk budget, and the
build intermediates cleaned once a session has aired (docs/archive.md).

One MP3 per aired session (`<state_dir>/archive/<day>/<slot>-<output>.mp3`, encoded at 48 kbit/s mono when the
session is built) and one per emergency; each aired log row is linked to its stretch of that file in the log's
`archive` table (outside the hash chain). Private modules: `_store` (archiving a session or an emergency, cleaning
build directories), `_prune` (retention, disk budget, the archive's status file), `_audio` (finding and cutting
an airing's stretch, playing it on a local device).
"""

from broadcaster.archive._audio import ArchivedAudio, LocalPlaybackRefused, find_audio, missing_reason, play_locally
from broadcaster.archive._prune import (
    MB,
    STATUS_FILE,
    WARN_FRACTION,
    ArchiveUsage,
    prune,
    read_archive_status,
)
from broadcaster.archive._store import (
    ARCHIVE_BITRATE,
    ARCHIVE_DIR,
    ARCHIVE_PENDING,
    SESSION_MP3,
    archive_emergency,
    archive_session,
    encode_for_archive,
    manual_build_dir,
    sweep_builds,
)

__all__ = [
    "ARCHIVE_BITRATE",
    "ARCHIVE_DIR",
    "ARCHIVE_PENDING",
    "MB",
    "SESSION_MP3",
    "STATUS_FILE",
    "WARN_FRACTION",
    "ArchiveUsage",
    "ArchivedAudio",
    "LocalPlaybackRefused",
    "archive_emergency",
    "archive_session",
    "encode_for_archive",
    "find_audio",
    "manual_build_dir",
    "missing_reason",
    "play_locally",
    "prune",
    "read_archive_status",
    "sweep_builds",
]
