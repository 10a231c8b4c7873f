"""Preparing sessions for air: render what is missing, plan, build through the one build path, and cut into
items ("render-ahead"), so that at air time there is only playing left to do.

Imports the audio stack: import this module only where audio is built. The always-on station runs these in a
short-lived child (`_sessions.prepare_in_child`); `air` without a running station calls them directly.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.archive import ARCHIVE_PENDING, SESSION_MP3, encode_for_archive, manual_build_dir
from broadcaster.audio.jingles import station_sounds
from broadcaster.audio.slicing import slice_programme
from broadcaster.build import measured_overhead, plan_loaded
from broadcaster.build.programmes import build_programme_audio
from broadcaster.config import resolve_slot
from broadcaster.errors import BroadcasterError
from broadcaster.models import Programme
from broadcaster.playout import ItemInfo
from broadcaster.speech.render import render_bulletins
from broadcaster.station._sessions import Session, StationFiles, session_dir

__all__ = ["build_session", "plan_sessions", "prepare_ahead", "prepare_manual", "prepare_with_sounds"]

log = logging.getLogger(__name__)

ARCHIVE_LEAD_SECONDS = 120.0  # a session starting sooner is encoded for the archive after it aired, not before
REASON_FALLBACK = "giọng chính chưa đọc được bản tin này (lần tạo trước không dùng được giọng chính)"


def plan_sessions(files: StationFiles, history: Sequence[Any], start: date, end: date, *,
                  measured: bool = False) -> list[Programme]:
    """The programmes from `start` to `end` (inclusive), planned exactly as `broadcaster plan` shows them
    (rendered durations, content hashes, the log's history). `history` is unused: the plan service reads it.

    `measured`: fit sessions with the fixed parts measured from real audio (jingles, spoken ident and closing,
    rendered if needed), as `broadcaster build` does; used where the audio is built (it loads the audio stack).
    Without it (the station process's look-back) the planner's estimate is used, which only decides which
    sessions exist."""
    del history  # the plan service reads the log itself (read-only), like `broadcaster plan`
    overhead = None
    if measured:
        try:
            overhead = measured_overhead(files.station, start, render=True)[0]
        except BroadcasterError as exc:
            log.warning("chưa đo được nhạc hiệu và lời giới thiệu (%s): lập lịch theo ước tính", exc)
    return list(plan_loaded(files.station, files.bulletins, start, end, overhead=overhead).result.programmes)


def _keep_for_archive(programme: Programme, wav: Path) -> None:
    """The programme as the archive's MP3 (moved into the archive once it has aired), then its WAV deleted: the
    segments cut from it are what airs, so no audio is kept twice."""
    try:
        encode_for_archive(wav, wav.parent / SESSION_MP3)
    except (BroadcasterError, OSError) as exc:
        log.error("buổi %s: không tạo được bản lưu trữ MP3 (buổi vẫn phát): %s", programme.key, exc)
    wav.unlink(missing_ok=True)


def build_session(files: StationFiles, programme: Programme, *, previous: Session | None = None,
                  fallback_reasons: Mapping[str, str] | None = None, out_dir: Path | None = None,
                  archive_now: bool = True) -> Session:
    """Build a programme's audio through the one build path (cached speech only: the station never waits on an
    engine at air time) and cut it into items; a session built before from the same audio is reused. Failure
    becomes `Session.error` (Vietnamese), never an exception. `out_dir`: default the session's own directory.
    `archive_now`: encode the archive's MP3 now and delete the programme WAV; False ("phát ngay", or a session
    about to start: it airs sooner): the WAV stays and is encoded once it has aired (`archive.archive_session`)."""
    station = files.station
    if not programme.items:  # a relay on its own: nothing to build, the stream is decoded at air time
        return Session(programme)
    out_dir = out_dir or session_dir(station, programme)
    reusable = previous is not None and not previous.error and all(s.wav.exists() for s in previous.segments)
    result = build_programme_audio(station, programme, files.by_id, out_dir, render_missing=False, mp3=False,
                                   previous_signature=previous.signature if reusable and previous else None)
    if result.reused and previous is not None:  # same audio: still in the same voices, with today's reasons
        return dataclasses.replace(previous, fallback={bid: (fallback_reasons or {}).get(bid, why)
                                                       for bid, why in previous.fallback.items()})
    if result.built is None and result.programme.relay is not None and not result.programme.items:
        return Session(result.programme)  # the bulletins could not be built; the relay still airs
    if result.built is None:
        log.error("buổi %s: không dựng được âm thanh: %s", programme.key, result.problem)
        return Session(result.programme, error=result.problem)
    try:
        segments = tuple(slice_programme(result.built, result.programme))
    except BroadcasterError as exc:
        log.error("buổi %s: không cắt được âm thanh: %s", programme.key, exc)
        return Session(result.programme, error=str(exc))
    if archive_now:
        _keep_for_archive(programme, Path(result.built.wav))
    else:  # encoded once it has aired; an archive copy of an earlier build of this session is not this one
        (out_dir / SESSION_MP3).unlink(missing_ok=True)
        (out_dir / ARCHIVE_PENDING).touch()
    hashes = {i.bulletin_id: i.audio_hash for i in result.built.items if i.bulletin_id}
    info = {
        bid: ItemInfo(topic=files.by_id[bid].topic, engine=r.engine, voice=r.voice,
                      audio_hash=hashes.get(bid) or result.clips[bid].sha256)
        for bid, r in result.renders.items()
    }
    reasons = fallback_reasons or {}
    fallback = {bid: reasons.get(bid, REASON_FALLBACK) for bid, r in result.renders.items() if r.fallback}
    return Session(result.programme, result.built, segments, info, signature=result.signature, fallback=fallback)


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
    reasons: dict[str, str] = {}
    if render:
        approved = [b for b in files.bulletins if b.approved]
        if approved:
            summary = render_bulletins(station, approved, on_render=on_render)
            reasons = {r.bulletin_id: r.reason for r in summary.results if r.status == "fallback" and r.reason}
    horizon = now + timedelta(hours=hours)
    earliest = now - timedelta(minutes=station.playout.grace_minutes)
    programmes = plan_sessions(files, history, now.date(), horizon.date(), measured=True)
    previous = previous or {}
    sessions: list[Session] = []
    for programme in programmes:
        if earliest <= programme.start <= horizon:
            soon = (programme.start - now).total_seconds() < ARCHIVE_LEAD_SECONDS
            sessions.append(build_session(files, programme, previous=previous.get(programme.key),
                                          fallback_reasons=reasons, archive_now=not soon))
    return sessions


def prepare_manual(files: StationFiles, slot_id: str, day: date) -> list[Session]:
    """The session `slot_id` of `day`, one per output, rendered, planned and built for airing now ("phát ngay":
    `broadcaster air`, or the running station taking its request). Empty when that session has nothing to air.
    Sessions come back without `built` (see `prepare_with_sounds`)."""
    station = files.station
    slot_id = resolve_slot(station, slot_id).id
    approved = [b for b in files.bulletins if b.approved]
    if approved:
        render_bulletins(station, approved)
    planned = [p for p in plan_sessions(files, [], day, day, measured=True) if p.slot_id == slot_id]
    return [dataclasses.replace(build_session(files, p, out_dir=manual_build_dir(station, p), archive_now=False),
                                built=None) for p in planned]


def prepare_with_sounds(
    files: StationFiles, now: datetime, previous: Mapping[str, Session] | None = None
) -> tuple[list[Session], Path | None]:
    """`prepare_ahead` plus the attention tone's path, in one call a child process can run (render-ahead)."""
    # Without `built` (audio.programme's type): unpickling it would load the audio stack into the station.
    sessions = [dataclasses.replace(s, built=None) for s in prepare_ahead(files, [], now, previous=previous)]
    try:
        attention: Path | None = Path(station_sounds(files.station).attention.path)
    except BroadcasterError as exc:
        log.error("không có tiếng báo hiệu tin khẩn cấp: %s", exc)
        attention = None
    return sessions, attention
