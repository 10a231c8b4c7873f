"""The audio archive's links (schema 4, table `archive`): which MP3 and which stretch of it holds what an airing
aired. Outside the hash chain: linking or pruning audio never rewrites a chained row. A mixin of `AirLog`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from broadcaster.airlog._schema import from_row, iso
from broadcaster.models import Airing

__all__ = ["ArchiveLinks", "AudioLink"]


@dataclass(frozen=True)
class AudioLink:
    """Where an airing's audio is kept: `path` (relative to the state directory), the stretch `offset_s` ..
    `offset_s + duration_s` of it; `pruned_at` set once the file was deleted."""

    airing_id: int
    path: str
    offset_s: float
    duration_s: float
    sha256: str = ""
    pruned_at: datetime | None = None


def _link(row: sqlite3.Row) -> AudioLink:
    pruned = row["pruned_at"]
    return AudioLink(row["airing_id"], row["path"], row["offset_s"], row["duration_s"], row["sha256"],
                     datetime.fromisoformat(pruned) if pruned else None)


class ArchiveLinks:
    """`AirLog`'s archive methods (it provides `_write`, `_read` and `tz`)."""

    tz: ZoneInfo

    def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...  # pragma: no cover - AirLog's
    def _read(self) -> AbstractContextManager[sqlite3.Connection]: ...  # pragma: no cover - AirLog's

    def link_audio(self, links: Iterable[AudioLink]) -> None:
        """Record (or replace) where each airing's audio is kept, in one transaction."""
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO archive (airing_id, path, offset_s, duration_s, sha256, pruned_at) "
                "VALUES (?, ?, ?, ?, ?, NULL)",
                [(k.airing_id, k.path, float(k.offset_s), float(k.duration_s), k.sha256) for k in links])

    def audio_link(self, airing_id: int) -> AudioLink | None:
        """The archive link of one airing (pruned or not); None when its audio was never archived."""
        with self._read() as db:
            row = db.execute("SELECT * FROM archive WHERE airing_id = ?", (airing_id,)).fetchone()
        return _link(row) if row else None

    def airing(self, airing_id: int) -> Airing | None:
        """One log row by id (the archive's reader, the desk's "Nghe"); None when there is no such row."""
        with self._read() as db:
            row = db.execute("SELECT * FROM airings WHERE id = ?", (airing_id,)).fetchone()
        return from_row(row) if row else None

    def audio_links(self) -> list[AudioLink]:
        """Every archive link, by airing id."""
        with self._read() as db:
            return [_link(r) for r in db.execute("SELECT * FROM archive ORDER BY airing_id")]

    def mark_pruned(self, paths: Iterable[str], at: datetime) -> int:
        """The files at `paths` were deleted: their links say so (the rows keep their history). Returns how many."""
        when = iso(at, self.tz)
        with self._write() as db:
            return sum(db.execute("UPDATE archive SET pruned_at = ? WHERE path = ? AND pruned_at IS NULL",
                                  (when, p)).rowcount for p in _unique(paths))


def _unique(paths: Iterable[str]) -> Iterator[str]:
    yield from dict.fromkeys(paths)
