"""Rows for what did not air: a session missed or failed as a whole, bulletins left out of a session."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from broadcaster.models import Airing, AiringStatus, Priority, Programme

if TYPE_CHECKING:
    pass

from broadcaster.playout._common import ItemInfo, LogWriter

__all__ = ["record_not_aired", "record_relay_not_aired", "record_skipped", "session_outcome"]

RELAY_TOPIC = "tiep-am"  # the topic of a relay's log rows (reports group by topic)


def record_relay_not_aired(programme: Programme, *, log: LogWriter, status: AiringStatus, reason: str,
                           session_key: str | None = None, output_kind: str = "") -> list[Airing]:
    """The row of a session's relay that will not air (the session missed or failed, the amplifier off, a stop
    before its start); empty when the session has no relay."""
    if programme.relay is None:
        return []
    airing = Airing(
        session_key=session_key or programme.key, output_id=programme.output_id, output_kind=output_kind,
        zones=tuple(sorted(programme.relay_zones)), bulletin_id=None, title=f"Tiếp âm: {programme.relay.name}",
        topic=RELAY_TOPIC, priority=Priority.NORMAL, scheduled_at=programme.start, status=status,
        content_hash=programme.relay.url, planned_seconds=programme.relay.seconds, reason=reason,
    )
    return [dataclasses.replace(airing, id=log.record(airing))]


def record_not_aired(
    programme: Programme, *, log: LogWriter, status: AiringStatus, reason: str, session_key: str | None = None,
    info: Mapping[str, ItemInfo] | None = None, bulletins: Mapping[str, Any] | None = None,
    offsets: Mapping[str, float] | None = None,
) -> list[Airing]:
    """Log every item of a session that will not air (`missed` beyond the grace time, `failed` when it could
    not be built), so reports count it. `bulletins` (by id) gives the topic when `info` has none.

    `scheduled_at` is the time the item was planned for: the session's start plus the item's offset in the built
    programme (`offsets`, by bulletin id); for a session never built, the session's start itself — never an
    estimate of a time the item could not have had."""
    info = info or {}
    bulletins = bulletins or {}
    offsets = offsets or {}
    rows = record_relay_not_aired(programme, log=log, status=status, reason=reason, session_key=session_key)
    for item in programme.items:
        meta = info.get(item.bulletin_id) or ItemInfo(topic=getattr(bulletins.get(item.bulletin_id), "topic", ""))
        airing = Airing(
            session_key=session_key or programme.key,
            output_id=programme.output_id,
            zones=tuple(sorted(item.zones)),
            bulletin_id=item.bulletin_id,
            title=item.title,
            topic=meta.topic,
            priority=item.priority,
            scheduled_at=programme.start + timedelta(seconds=offsets.get(item.bulletin_id, 0.0)),
            status=status,
            content_hash=item.content_hash,
            planned_seconds=item.duration,
            reason=reason,
            engine=meta.engine,
            voice=meta.voice,
            audio_hash=meta.audio_hash,
            approved_by=item.approved_by,
            approval_hash=item.approval_hash,
        )
        rows.append(dataclasses.replace(airing, id=log.record(airing)))
    return rows


def record_skipped(
    programme: Programme, bulletins: Mapping[str, Any], *, log: LogWriter, session_key: str | None = None,
) -> list[Airing]:
    """Log the bulletins planned for this session but left out (did not fit, longer than the session, no audio),
    each with its reason, so the officer and the district see them in the log and not only in the plan."""
    rows: list[Airing] = []
    for skip in programme.skipped:
        bulletin = bulletins.get(skip.bulletin_id)
        airing = Airing(
            session_key=session_key or programme.key,
            output_id=programme.output_id,
            zones=tuple(sorted(skip.zones)),
            bulletin_id=skip.bulletin_id,
            title=getattr(bulletin, "title", skip.bulletin_id),
            topic=getattr(bulletin, "topic", ""),
            priority=getattr(bulletin, "priority", Priority.NORMAL),
            scheduled_at=programme.start,
            status=AiringStatus.SKIPPED,
            reason=skip.reason,
        )
        rows.append(dataclasses.replace(airing, id=log.record(airing)))
    return rows


def session_outcome(rows: Sequence[Airing]) -> tuple[str, int, int]:
    """("completed" | "incomplete", bulletins heard in full, bulletins in the session) for a session's rows. A
    bulletin cut by an emergency and then replayed in full counts as heard: its interrupted row stays in the log
    as what happened, and the replay is its own completed row."""
    bulletins = {r.bulletin_id or r.title for r in rows}  # a relay and its notice count by title
    heard = {r.bulletin_id or r.title for r in rows if r.status is AiringStatus.COMPLETED}
    return ("completed" if rows and heard == bulletins else "incomplete"), len(heard), len(bulletins)
