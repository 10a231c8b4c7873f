"""The runner's view of a station: load its files, plan the coming sessions and build their audio ahead of air time
("render-ahead"), so that at air time there is only playing left to do.

Used by `runner` (scheduled sessions), `commands/air` (phát ngay) and the end-to-end tests. No APScheduler here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.errors import BroadcasterError, Problem
from broadcaster.models import Bulletin, Programme, Skip, Station
from broadcaster.playout import ItemInfo, Segment, slice_programme

__all__ = [
    "Session", "StationFiles", "load", "watched_mtimes", "plan_sessions", "build_session", "prepare_ahead",
    "prepare_with_sounds", "prepare_manual",
    "child_init",
]

log = logging.getLogger(__name__)

REASON_NO_AUDIO = "chưa có âm thanh (đọc thành tiếng không được; xem `broadcaster render`), các bản tin khác vẫn phát"


@dataclass(frozen=True)
class StationFiles:
    """A loaded station: its settings, its bulletins, and the problems found in bulletin files."""

    station: Station
    bulletins: tuple[Bulletin, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def by_id(self) -> dict[str, Bulletin]:
        return {b.id: b for b in self.bulletins}


@dataclass(frozen=True)
class Session:
    """One session occurrence ready to air: its programme, built audio cut into items, and log details.
    `error` says why it could not be built (then it is logged `failed` at its time)."""

    programme: Programme
    built: Any = None  # audio.programme.BuiltProgramme
    segments: tuple[Segment, ...] = ()
    info: Mapping[str, ItemInfo] = field(default_factory=dict)
    error: str = ""
    signature: str = ""

    @property
    def key(self) -> str:
        return self.programme.key


def load(station_dir: str | Path) -> StationFiles:
    """Load station.yaml and every bulletin (a bad bulletin file is reported, the others still load)."""
    from broadcaster.config import load_bulletins, load_station

    station = load_station(station_dir)
    bulletins, problems = load_bulletins(station)
    return StationFiles(station, tuple(bulletins), tuple(problems))


def watched_mtimes(station: Station) -> dict[str, int]:
    """Modification times of the files that change what airs; a difference means: plan and build again."""
    root = Path(station.root)
    paths: list[Path] = [root / "station.yaml"]
    if station.speech.pronunciations:
        paths.append(root / station.speech.pronunciations)
    bulletins_dir = root / "bulletins"
    if bulletins_dir.is_dir():
        paths.extend(sorted(bulletins_dir.glob("*.y*ml")))
    out: dict[str, int] = {}
    for p in paths:
        try:
            out[str(p)] = p.stat().st_mtime_ns
        except OSError:
            out[str(p)] = -1
    return out


def _renders(station: Station, bulletins: Iterable[Bulletin]) -> dict[str, Any]:
    """Cached renders by bulletin id (no engine call)."""
    from broadcaster.speech.render import cached_render

    out: dict[str, Any] = {}
    for b in bulletins:
        try:
            r = cached_render(station, b)
        except BroadcasterError as exc:
            log.warning("bản tin %s: chưa có âm thanh: %s", b.id, exc)
            continue
        if r is not None:
            out[b.id] = r
    return out


def plan_sessions(files: StationFiles, history: Sequence[Any], start: date, end: date, *,
                  measured: bool = False) -> list[Programme]:
    """The programmes from `start` to `end` (inclusive), planned exactly as `broadcaster plan` shows them
    (rendered durations, content hashes, the log's history). `history` is unused: the plan service reads it.

    `measured`: fit sessions with the fixed parts measured from real audio (jingles, spoken ident and closing,
    rendered if needed), as `broadcaster build` does; used where the audio is built (it loads the audio stack).
    Without it (the station process's look-back) the planner's estimate is used, which only decides which
    sessions exist."""
    from broadcaster._plan_service import measured_overhead, plan_loaded

    del history  # the plan service reads the log itself (read-only), like `broadcaster plan`
    overhead = None
    if measured:
        try:
            overhead = measured_overhead(files.station, start, render=True)[0]
        except BroadcasterError as exc:
            log.warning("chưa đo được nhạc hiệu và lời giới thiệu (%s): lập lịch theo ước tính", exc)
    return list(plan_loaded(files.station, files.bulletins, start, end, overhead=overhead).result.programmes)


def _signature(programme: Programme, clips: Mapping[str, Any]) -> str:
    h = hashlib.sha256()
    h.update(f"{programme.key}|{programme.start.isoformat()}".encode())
    for item in programme.items:
        clip = clips.get(item.bulletin_id)
        h.update(f"|{item.bulletin_id}:{sorted(item.zones)}:{getattr(clip, 'sha256', '')}".encode())
    return h.hexdigest()[:16]


def build_session(files: StationFiles, programme: Programme, *, previous: Session | None = None) -> Session:
    """Build a programme's audio (clips, ident speech, assembly) and cut it into items; a session built before
    from the same audio is reused. Failure becomes `Session.error` (Vietnamese), never an exception."""
    from broadcaster.audio.clips import prepare_clip, prepare_clips
    from broadcaster.audio.programme import build_programme, closing_text, ident_text
    from broadcaster.speech.render import render_text

    station = files.station
    by_id = files.by_id
    try:
        renders = _renders(station, (by_id[i.bulletin_id] for i in programme.items if i.bulletin_id in by_id))
        missing = [i for i in programme.items if i.bulletin_id not in renders]
        if missing and len(missing) == len(programme.items):  # nothing to air: every item is logged `failed`
            return Session(programme, error=f"chưa có âm thanh cho bản tin: "
                                            f"{', '.join(i.bulletin_id for i in missing)} (chạy `broadcaster render`)")
        if missing:  # a bulletin without audio is left out with its reason; the others still air
            programme = dataclasses.replace(
                programme,
                items=tuple(i for i in programme.items if i.bulletin_id in renders),
                skipped=(*programme.skipped, *(Skip(i.bulletin_id, REASON_NO_AUDIO, i.zones) for i in missing)),
            )
        clips = prepare_clips(station, {bid: Path(r.path) for bid, r in renders.items()})
        signature = _signature(programme, clips)
        if previous is not None and previous.signature == signature and not previous.error:
            if all(s.wav.exists() for s in previous.segments):
                return previous
        ident = prepare_clip(station, Path(render_text(station, ident_text(station, programme)).path))
        closing = prepare_clip(station, Path(render_text(station, closing_text(station, programme)).path))
        out_dir = Path(station.state_dir) / "programmes" / programme.day.isoformat() / (
            f"{programme.slot_id}-{programme.output_id}")
        built = build_programme(station, programme, clips, out_dir, ident=ident, closing_speech=closing, mp3=False)
        segments = tuple(slice_programme(built, programme))
    except BroadcasterError as exc:
        log.error("buổi %s: không dựng được âm thanh: %s", programme.key, exc)
        return Session(programme, error=str(exc))
    hashes = {i.bulletin_id: i.audio_hash for i in built.items if i.bulletin_id}
    info = {
        bid: ItemInfo(
            topic=by_id[bid].topic,
            engine=str(getattr(r, "engine", "")),
            voice=str(getattr(r, "voice", "")),
            audio_hash=hashes.get(bid) or str(getattr(clips[bid], "sha256", "")),
        )
        for bid, r in renders.items()
    }
    return Session(programme, built, segments, info, signature=signature)


def prepare_ahead(
    files: StationFiles,
    history: Sequence[Any],
    now: datetime,
    *,
    hours: float | None = None,
    previous: Mapping[str, Session] | None = None,
    render: bool = True,
    on_render: Callable[..., None] | None = None,
) -> list[Session]:
    """Render what is missing, plan from today to `now + hours`, and build every session that still can air
    (start later than `now - grace`). Sessions already built from the same audio are reused."""
    station = files.station
    hours = station.playout.render_ahead_hours if hours is None else hours
    if render:
        from broadcaster.speech.render import render_bulletins

        approved = [b for b in files.bulletins if b.approved]
        if approved:
            render_bulletins(station, approved, on_render=on_render)
    horizon = now + timedelta(hours=hours)
    earliest = now - timedelta(minutes=station.playout.grace_minutes)
    programmes = plan_sessions(files, history, now.date(), horizon.date(), measured=True)
    previous = previous or {}
    sessions: list[Session] = []
    for programme in programmes:
        if earliest <= programme.start <= horizon:
            sessions.append(build_session(files, programme, previous=previous.get(programme.key)))
    return sessions


def prepare_manual(files: StationFiles, slot_id: str, day: date) -> list[Session]:
    """The session `slot_id` of `day`, one per output, rendered, planned and built for airing now ("phát ngay":
    `broadcaster air`, or the running station taking its request). Empty when that session has nothing to air.
    Sessions come back without `built` (see `prepare_with_sounds`)."""
    from broadcaster.speech.render import render_bulletins

    station = files.station
    if slot_id not in {s.id for s in station.slots}:
        raise BroadcasterError(f"không có buổi phát '{slot_id}'; các buổi: {', '.join(s.id for s in station.slots)}")
    approved = [b for b in files.bulletins if b.approved]
    if approved:
        render_bulletins(station, approved)
    planned = [p for p in plan_sessions(files, [], day, day, measured=True) if p.slot_id == slot_id]
    return [dataclasses.replace(build_session(files, p), built=None) for p in planned]


def prepare_with_sounds(
    files: StationFiles, now: datetime, previous: Mapping[str, Session] | None = None
) -> tuple[list[Session], Path | None]:
    """`prepare_ahead` plus the attention tone's path, in one call a child process can run (render-ahead)."""
    # Without `built` (audio.programme's type): unpickling it would load the audio stack into the station.
    sessions = [dataclasses.replace(s, built=None) for s in prepare_ahead(files, [], now, previous=previous)]
    try:
        from broadcaster.audio.jingles import station_sounds

        attention: Path | None = Path(station_sounds(files.station).attention.path)
    except BroadcasterError as exc:
        log.error("không có tiếng báo hiệu tin khẩn cấp: %s", exc)
        attention = None
    return sessions, attention


def child_init() -> None:
    """In the render-ahead child: Ctrl+C is the station's to handle (it stops cleanly), not the builder's."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
