"""At start-up, the sessions the station missed while it was off are logged `missed` with the true reason, from
the station's last sign of life (at most LOOK_BACK_DAYS back); items a crash kept from airing in a session it cut
short are `missed` too (that session is not re-aired)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from broadcaster.airlog import AirLog
from broadcaster.build import plan_loaded
from broadcaster.models import AiringStatus, Station
from broadcaster.playout import REASON_SHUTDOWN, record_not_aired
from broadcaster.station._sessions import StationFiles, built_offsets
from broadcaster.words import fmt_when

__all__ = ["LOOK_BACK_DAYS", "log_missed_sessions", "reason_missed"]

LOOK_BACK_DAYS = 7  # at start-up, sessions missed while the station was off are logged this far back at most


def reason_missed(station: Station) -> str:
    return f"đài không chạy lúc đến giờ phát (trễ quá {station.playout.grace_minutes:g} phút cho phép)"


def _look_back_since(log: AirLog, now: datetime, started_at: datetime | None) -> datetime | None:
    """From when look-back logs unaired sessions as missed: the station's first sign of life in the log (a
    start, a stop or an airing before this start), at most LOOK_BACK_DAYS back; None for a station that
    never ran, so a new installation does not log the sessions before it existed. Every unlogged session
    after that instant was missed (sessions the station handled are claimed and never logged twice)."""
    started = started_at or now
    floor = datetime.combine(now.date() - timedelta(days=LOOK_BACK_DAYS), datetime.min.time(), now.tzinfo)
    seen = [e.at for e in log.audit_events() if e.event in ("run", "stop") and e.at < started]
    seen += [r.scheduled_at for r in log.history(since=floor.date()) if r.scheduled_at < started]
    if not seen:
        return None
    return max(min(seen), floor)


def log_missed_sessions(files: StationFiles, log: AirLog, now: datetime, started_at: datetime | None,
                        notify: Callable[[str], None]) -> int:
    """At start-up: sessions already past and not in the log are `missed` when late beyond the grace time
    (within it, render-ahead schedules them to air now), from the day the station last ran (a power cut
    overnight or over a weekend is in the log, up to LOOK_BACK_DAYS); the items a crash kept from airing in
    a session it cut short are `missed` too (that session is not re-aired). Returns how many sessions were
    logged missed."""
    grace = timedelta(minutes=files.station.playout.grace_minutes)
    history = log.history(since=now.date() - timedelta(days=31))
    count = 0
    since = _look_back_since(log, now, started_at)
    first_day = since.astimezone(now.tzinfo).date() if since is not None else now.date()
    for programme in plan_loaded(files.station, files.bulletins, first_day, now.date()).result.programmes:
        if log.session_status(programme.key) == "claimed":  # a crash cut this session short
            logged = {r.bulletin_id for r in history if r.session_key == programme.key}
            rest = tuple(i for i in programme.items if i.bulletin_id not in logged)
            record_not_aired(dataclasses.replace(programme, items=rest), log=log,
                             status=AiringStatus.MISSED, reason=REASON_SHUTDOWN, bulletins=files.by_id,
                             offsets=built_offsets(files.station, programme))
            log.mark_session(programme.key, "incomplete")
            continue
        if since is None or programme.start < since:
            continue  # before the station existed (or before the look-back window)
        if programme.start < now - grace and log.claim_session(programme.key):
            record_not_aired(programme, log=log, status=AiringStatus.MISSED,
                             reason=reason_missed(files.station), bulletins=files.by_id)
            log.mark_session(programme.key, AiringStatus.MISSED.value)
            notify(f"bỏ lỡ buổi phát {programme.key} ({fmt_when(programme.start)}): đài không chạy")
            count += 1
    return count
