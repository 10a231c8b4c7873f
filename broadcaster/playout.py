"""Air one built programme (or one emergency) through an output and a zone switch, logging every item.

Item by item: the programme WAV is cut at the manifest offsets into one WAV per item (`audio.slicing`); each
item starts at programme start + its manifest offset, so the silence between items is waited rather than played
and a player's start-up time (tens of ms for aplay) never accumulates over a programme. Per-item play calls give
exact relay timing and per-item log rows (measured figures in docs/runner.md).
Side effects go through the `Output`, `ZoneSwitch` and `AirLog` interfaces; time through a `Clock`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from broadcaster.audio.slicing import Segment, slice_programme
from broadcaster.errors import BroadcasterError
from broadcaster.models import Airing, AiringStatus, Priority, Programme, Station

__all__ = [
    "ItemInfo",
    "EmergencyAudio",
    "air_programme",
    "air_emergency",
    "record_not_aired",
    "record_skipped",
    "relays_for",
    "emergency_zones",
    "REASON_EMERGENCY",
    "REASON_SHUTDOWN",
    "Preemption",
]

log = logging.getLogger(__name__)

REASON_EMERGENCY = "bị tin khẩn cấp cắt ngang"
REASON_SHUTDOWN = "đài dừng giữa buổi phát (tắt máy hoặc mất điện)"
REASON_SKIPPED_AFTER_EMERGENCY = "bỏ phần còn lại sau tin khẩn cấp (cấu hình playout.after_emergency: skip)"


class _Log(Protocol):
    def start_item(self, airing: Airing) -> int: ...
    def finish_item(
        self, row_id: int, status: AiringStatus, ended_at: datetime, played_seconds: float, reason: str = ""
    ) -> None: ...
    def record(self, airing: Airing) -> int: ...
    def audit(self, event: str, who: str, details: dict) -> None: ...


@dataclass(frozen=True)
class ItemInfo:
    """What the log row of a bulletin needs beyond the programme: topic, how it was spoken, the audio's hash."""

    topic: str = ""
    engine: str = ""
    voice: str = ""
    audio_hash: str = ""


@dataclass(frozen=True)
class EmergencyAudio:
    """An emergency ready to air: the message clip, the attention tone, where and how many times."""

    id: str
    message: Path
    message_seconds: float
    attention: Path | None
    zones: frozenset[str]  # zone ids; empty = every zone
    repeat: int
    title: str
    requested_at: datetime
    who: str
    engine: str = ""
    voice: str = ""
    audio_hash: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def emergency_zones(emergency: EmergencyAudio, station: Station, output_id: str) -> frozenset[str] | None:
    """The zones an emergency reaches through output `output_id`, or None when it does not concern that output.

    Each output has its own amplifier chain and relay board: an emergency for a village of another output must
    neither interrupt this output's session nor close this board's relays (relay numbers repeat across boards).
    An output with no zones of its own (its loudspeakers always on) takes emergencies for every zone.
    """
    own = frozenset(z.id for z in station.zones if z.output == output_id)
    if not emergency.zones:
        return own
    here = emergency.zones & own
    return here or None


def relays_for(station: Station, zones: frozenset[str] | Sequence[str]) -> frozenset[int]:
    """The relay channels to close for these zones (zones without a relay are always on)."""
    out: set[int] = set()
    for zone_id in zones:
        try:
            relay = station.zone(zone_id).relay
        except KeyError:
            continue
        if relay is not None:
            out.add(relay)
    return frozenset(out)


def _wait_until(clock: Any, when: datetime, stop: threading.Event) -> None:
    """Sleep until `when` on the station clock (in short steps, so a stop request is honoured)."""
    while not stop.is_set():
        left = (when - clock.now()).total_seconds()
        if left <= 0:
            return
        clock.sleep(min(left, 0.5))


def _switch(action: Callable[[], None], what: str) -> str:
    """Run one zone-switch action; return the error text instead of raising (the programme still plays)."""
    try:
        action()
    except BroadcasterError as exc:
        log.error("bộ chuyển vùng loa (%s): %s", what, exc)
        return str(exc)
    return ""


def _play(output: Any, wav: Path, stop: threading.Event, label: str, zones: frozenset[str]) -> tuple[bool, float, str]:
    """Play one WAV; an exception from the output becomes an error text (the row is then `failed`)."""
    try:
        res = output.play(wav, stop=stop, label=label, zones=zones)
    except BroadcasterError as exc:
        return False, 0.0, str(exc) or exc.__class__.__name__
    except Exception as exc:  # noqa: BLE001 - any output crash must end as a `failed` row, never kill the station
        log.exception("output crashed")
        return False, 0.0, f"lỗi đầu ra âm thanh: {exc}"
    return bool(res.completed), float(res.played_seconds), str(getattr(res, "error", "") or "")


class Preemption(Protocol):
    """How a running programme hands the output to an emergency (implemented by the runner)."""

    def pending(self) -> bool:
        """True when an emergency waits to air."""
        ...

    def air_pending(self) -> bool:
        """Air the waiting emergencies now, on this output; clear the item stop; True if any aired."""
        ...


def _wait(clock: Any, seconds: float, stop: threading.Event) -> None:
    if seconds > 0:
        _wait_until(clock, clock.now() + timedelta(seconds=seconds), stop)


def air_programme(
    built: Any,
    programme: Programme,
    *,
    station: Station,
    output: Any,
    switch: Any,
    log: _Log,
    clock: Any,
    stop: threading.Event,
    emergency_check: Preemption | None = None,
    session_key: str | None = None,
    info: Mapping[str, ItemInfo] | None = None,
    segments: Sequence[Segment] | None = None,
    start_at: datetime | None = None,
    paced: bool = True,
) -> list[Airing]:
    """Air one session: amplifier on, warm-up, wait for the start, each item with its zones and a log row
    written before its first sample and completed after its last; relays and amplifier off at the end, always.

    `stop` set without a pending emergency ends the session (shutdown): the playing item is `interrupted` and
    the ones not reached are `missed`. An emergency interrupts the item, airs, then the programme resumes from
    that item or skips the rest (`station.playout.after_emergency`). `paced=False` (an output that writes
    files instead of playing) goes from item to item without waiting out the pauses.
    """
    key = session_key or programme.key
    segs = list(segments) if segments is not None else slice_programme(built, programme)
    info = info or {}
    priorities = {i.bulletin_id: i.priority for i in programme.items}
    results: list[Airing] = []
    output_id = programme.output_id
    settle = float(getattr(switch, "settle_seconds", 0.0) or 0.0)

    def row_for(seg: Segment) -> Airing:
        meta = info.get(seg.bulletin_id or "", ItemInfo())
        return Airing(
            session_key=key,
            output_id=output_id,
            zones=tuple(sorted(seg.zones)),
            bulletin_id=seg.bulletin_id,
            title=seg.title,
            topic=meta.topic,
            priority=priorities.get(seg.bulletin_id or "", Priority.NORMAL),
            scheduled_at=(start_at or programme.start) + timedelta(seconds=seg.offset),
            status=AiringStatus.STARTED,
            content_hash=seg.content_hash,
            started_at=clock.now(),
            planned_seconds=seg.duration,
            engine=meta.engine,
            voice=meta.voice,
            audio_hash=meta.audio_hash,
        )

    def close_rest(start: int, status: AiringStatus, reason: str) -> None:
        for seg in segs[start:]:
            if seg.bulletin_id:
                airing = dataclasses.replace(row_for(seg), status=status, started_at=None, reason=reason)
                results.append(dataclasses.replace(airing, id=log.record(airing)))

    amp_error = _switch(lambda: switch.amplifier(True), "bật ampli")
    try:
        if not amp_error:
            _wait(clock, float(getattr(switch, "warmup_seconds", 0.0) or 0.0), stop)
        relays: frozenset[int] | None = None
        if segs and not amp_error:  # first zones on and settled before the start: the first sample airs on time
            relays = relays_for(station, segs[0].zones)
            first = relays
            amp_error = _switch(lambda: switch.select(first), f"bật rơ-le {sorted(first)}")
            _wait(clock, settle, stop)
        base = start_at or programme.start
        _wait_until(clock, base, stop)
        i = 0
        while i < len(segs):
            if emergency_check is not None and emergency_check.pending():
                emergency_check.air_pending()
                relays = None  # the emergency switched its own zones
                _wait_until(clock, start_at or programme.start, stop)  # aired during warm-up: keep the start time
            if stop.is_set():
                close_rest(i, AiringStatus.MISSED, REASON_SHUTDOWN)
                break
            seg = segs[i]
            error = amp_error
            wanted = relays_for(station, seg.zones)
            if wanted != relays:
                error = error or _switch(lambda: switch.select(wanted), f"bật rơ-le {sorted(wanted)}")
                relays = wanted
                _wait(clock, settle, stop)
            if paced:  # re-sync on the programme clock: player start-ups never add up
                _wait_until(clock, base + timedelta(seconds=seg.offset), stop)
            airing = row_for(seg) if seg.bulletin_id else None
            if airing is not None and error:
                airing = dataclasses.replace(airing, status=AiringStatus.FAILED, started_at=None, reason=error)
                results.append(dataclasses.replace(airing, id=log.record(airing)))
                i += 1
                continue
            row_id = log.start_item(airing) if airing is not None else None
            ok, played, play_error = _play(output, seg.wav, stop, seg.title, seg.zones)
            preempted = not ok and stop.is_set() and emergency_check is not None and emergency_check.pending()
            if ok:
                status, reason = AiringStatus.COMPLETED, ""
            elif stop.is_set():
                status, reason = AiringStatus.INTERRUPTED, REASON_EMERGENCY if preempted else REASON_SHUTDOWN
            else:
                status, reason = AiringStatus.FAILED, play_error or "đầu ra âm thanh không phát được"
            if airing is not None and row_id is not None:
                ended = clock.now()
                log.finish_item(row_id, status, ended, played, reason)
                results.append(dataclasses.replace(
                    airing, id=row_id, status=status, ended_at=ended, played_seconds=played, reason=reason))
            if status is AiringStatus.INTERRUPTED:
                if not preempted:
                    close_rest(i + 1, AiringStatus.MISSED, REASON_SHUTDOWN)
                    break
                emergency_check.air_pending()  # type: ignore[union-attr]
                relays = None
                if station.playout.after_emergency == "skip":
                    close_rest(i + 1, AiringStatus.SKIPPED, REASON_SKIPPED_AFTER_EMERGENCY)
                    break
                continue  # resume: the interrupted item airs again from its start
            i += 1
    finally:
        _switch(switch.all_off, "tắt mọi rơ-le")
        _switch(lambda: switch.amplifier(False), "tắt ampli")
    return results


def record_not_aired(
    programme: Programme, *, log: _Log, status: AiringStatus, reason: str, session_key: str | None = None,
    info: Mapping[str, ItemInfo] | None = None, bulletins: Mapping[str, Any] | None = None,
) -> list[Airing]:
    """Log every item of a session that will not air (`missed` beyond the grace time, `failed` when it could
    not be built), so reports count it. `bulletins` (by id) gives the topic when `info` has none."""
    info = info or {}
    bulletins = bulletins or {}
    rows: list[Airing] = []
    offset = programme.overhead_seconds / 2  # rough: items start after the opening and ident
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
            scheduled_at=programme.start + timedelta(seconds=offset),
            status=status,
            content_hash=item.content_hash,
            planned_seconds=item.duration,
            reason=reason,
            engine=meta.engine,
            voice=meta.voice,
            audio_hash=meta.audio_hash,
        )
        offset += item.duration
        rows.append(dataclasses.replace(airing, id=log.record(airing)))
    return rows


def record_skipped(
    programme: Programme, bulletins: Mapping[str, Any], *, log: _Log, session_key: str | None = None,
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


def air_emergency(
    emergency: EmergencyAudio,
    *,
    station: Station,
    output: Any,
    output_id: str,
    switch: Any,
    log: Any,
    clock: Any,
    stop: threading.Event,
    in_session: bool = False,
) -> list[Airing]:
    """Air an emergency: its zones on (every zone by default), attention tone, the message `repeat` times.

    Ignores the broadcast window and caps. `in_session`: a programme holds the amplifier on and will re-select
    its own relays afterwards. Aired at most once per output (the log's claim), and audited.
    """
    zones = emergency_zones(emergency, station, output_id)
    if zones is None:
        return []  # none of its villages is on this output
    key = f"emergency/{emergency.id}/{output_id}"
    if not log.claim_session(key):
        return []
    log.audit("emergency", emergency.who, {"id": emergency.id, "title": emergency.title, "zones": sorted(zones),
                                            "repeat": emergency.repeat, "output": output_id, **emergency.details})
    results: list[Airing] = []
    error = ""
    try:
        if not in_session:
            error = _switch(lambda: switch.amplifier(True), "bật ampli")
            if not error:
                _wait(clock, float(getattr(switch, "warmup_seconds", 0.0) or 0.0), stop)
        error = error or _switch(lambda: switch.select(relays_for(station, zones)), "bật các thôn nhận tin khẩn cấp")
        _wait(clock, float(getattr(switch, "settle_seconds", 0.0) or 0.0), stop)
        if emergency.attention is not None and not error and not stop.is_set():
            _play(output, emergency.attention, stop, "attention", frozenset(zones))
        for n in range(emergency.repeat):
            airing = Airing(
                session_key=key,
                output_id=output_id,
                zones=tuple(sorted(zones)),
                bulletin_id=None,
                title=f"{emergency.title} (lần {n + 1}/{emergency.repeat})",
                topic="khan-cap",
                priority=Priority.EMERGENCY,
                scheduled_at=emergency.requested_at,
                status=AiringStatus.STARTED,
                started_at=clock.now(),
                planned_seconds=emergency.message_seconds,
                engine=emergency.engine,
                voice=emergency.voice,
                audio_hash=emergency.audio_hash,
            )
            if error or stop.is_set():
                status = AiringStatus.FAILED if error else AiringStatus.MISSED
                airing = dataclasses.replace(airing, status=status, started_at=None, reason=error or REASON_SHUTDOWN)
                results.append(dataclasses.replace(airing, id=log.record(airing)))
                continue
            row_id = log.start_item(airing)
            ok, played, play_error = _play(output, emergency.message, stop, airing.title, frozenset(zones))
            status = (AiringStatus.COMPLETED if ok else
                      AiringStatus.INTERRUPTED if stop.is_set() else AiringStatus.FAILED)
            reason = "" if ok else REASON_SHUTDOWN if stop.is_set() else play_error
            ended = clock.now()
            log.finish_item(row_id, status, ended, played, reason)
            results.append(dataclasses.replace(airing, id=row_id, status=status, ended_at=ended,
                                               played_seconds=played, reason=reason))
            if n + 1 < emergency.repeat:
                _wait(clock, station.audio.pause_seconds, stop)
    finally:
        if not in_session:
            _switch(switch.all_off, "tắt mọi rơ-le")
            _switch(lambda: switch.amplifier(False), "tắt ampli")
    return results
