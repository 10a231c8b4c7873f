"""One built programme on air: relays per item, a log row before each first sample, pre-emption by emergencies."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from broadcaster.audio.slicing import Segment, slice_programme
from broadcaster.clock import Clock
from broadcaster.models import Airing, AiringStatus, Priority, Programme, Station
from broadcaster.outputs import Output
from broadcaster.zones import ZoneSwitch

if TYPE_CHECKING:
    from broadcaster.audio.programme import BuiltProgramme

from broadcaster.playout._monitor import Monitor, Warn, watching
from broadcaster.playout._records import record_relay_not_aired
from broadcaster.playout._relay import RelayContext, air_relay, open_relay
from broadcaster.playout._common import (
    REASON_EMERGENCY,
    REASON_LIVE,
    REASON_SHUTDOWN,
    REASON_SKIPPED_AFTER_EMERGENCY,
    REASON_SKIPPED_AFTER_LIVE,
    ItemInfo,
    LogWriter,
    play,
    relays_for,
    switch_safely,
    wait,
    wait_until,
)

__all__ = ["Preemption", "air_programme"]


class Preemption(Protocol):
    """How a running programme hands the output to an emergency (implemented by the runner)."""

    def pending(self) -> bool:
        """True when an emergency waits to air."""
        ...

    def air_pending(self) -> bool:
        """Air the waiting emergencies now, on this output; clear the item stop; True if any aired."""
        ...

    # Optional: `preempt_reason() -> str`, the interrupted row's reason (an emergency's by default; the runner
    # says when a live announcement cut in).


def air_programme(
    built: BuiltProgramme | None,
    programme: Programme,
    *,
    station: Station,
    output: Output,
    switch: ZoneSwitch,
    log: LogWriter,
    clock: Clock,
    stop: threading.Event,
    emergency_check: Preemption | None = None,
    session_key: str | None = None,
    info: Mapping[str, ItemInfo] | None = None,
    segments: Sequence[Segment] | None = None,
    start_at: datetime | None = None,
    paced: bool = True,
    warn: Warn | None = None,
) -> list[Airing]:
    """Air one session: amplifier on, warm-up, wait for the start, each item with its zones and a log row
    written before its first sample and completed after its last; relays and amplifier off at the end, always.

    `stop` set without a pending emergency ends the session (shutdown): the playing item is `interrupted` and
    the ones not reached are `missed`. An emergency interrupts the item, airs, then the programme resumes from
    that item or skips the rest (`station.playout.after_emergency`). `paced=False` (an output that writes
    files instead of playing) goes from item to item without waiting out the pauses. A relay (`programme.relay`)
    airs first, from the start, live (`_relay`); the items follow when it ends. `warn(kind, message)` gets what
    the monitor finds (dead air, clipping, a lost relay).
    """
    # long: the session's state machine (warm-up, relays, log row, play, pre-emption, resume) reads top to bottom
    # in one place; its steps' order is what the as-played log and the relays depend on
    key = session_key or programme.key
    segs = list(segments) if segments is not None else slice_programme(built, programme)
    info = info or {}
    priorities = {i.bulletin_id: i.priority for i in programme.items}
    approvals = {i.bulletin_id: (i.approved_by, i.approval_hash) for i in programme.items}
    results: list[Airing] = []
    output_id = programme.output_id
    settle = float(getattr(switch, "settle_seconds", 0.0) or 0.0)

    def row_for(seg: Segment) -> Airing:
        meta = info.get(seg.bulletin_id or "", ItemInfo())
        return Airing(
            session_key=key,
            output_id=output_id,
            output_kind=getattr(output, "kind", ""),
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
            approved_by=approvals.get(seg.bulletin_id or "", ("", ""))[0],
            approval_hash=approvals.get(seg.bulletin_id or "", ("", ""))[1],
        )

    def close_rest(start: int, status: AiringStatus, reason: str) -> None:
        for seg in segs[start:]:
            if seg.bulletin_id:
                airing = dataclasses.replace(row_for(seg), status=status, started_at=None, reason=reason)
                results.append(dataclasses.replace(airing, id=log.record(airing)))

    reader = open_relay(programme, station)  # decoding from before the warm-up: the relay starts on time
    monitor = Monitor(station.monitor, what=f"phát buổi {key}", warn=warn,
                      audit=lambda kind, details: log.audit(kind, "system", details))
    amp_error = switch_safely(lambda: switch.amplifier(True), "bật ampli")
    try:
        if not amp_error:
            wait(clock, float(getattr(switch, "warmup_seconds", 0.0) or 0.0), stop)
        relays: frozenset[int] | None = None
        first_zones = programme.relay_zones if reader is not None else segs[0].zones if segs else None
        if first_zones is not None and not amp_error:  # first zones on and settled before the start: on time
            relays = relays_for(station, first_zones)
            first = relays
            amp_error = switch_safely(lambda: switch.select(first), f"bật rơ-le {sorted(first)}")
            wait(clock, settle, stop)
        base = start_at or programme.start
        wait_until(clock, base, stop)
        if reader is not None and programme.relay is not None:
            if emergency_check is not None and emergency_check.pending():  # came during the warm-up
                emergency_check.air_pending()
                back = relays_for(station, programme.relay_zones)
                switch_safely(lambda: switch.select(back), f"bật rơ-le {sorted(back)}")
                wait_until(clock, base, stop)
            if stop.is_set() or amp_error:  # the station stopped before the start, or the amplifier failed
                results += record_relay_not_aired(
                    programme, log=log, session_key=key, output_kind=getattr(output, "kind", ""),
                    status=AiringStatus.FAILED if amp_error else AiringStatus.MISSED,
                    reason=amp_error or REASON_SHUTDOWN)
            else:
                ctx = RelayContext(station, output, switch, log, clock, stop, key, output_id, emergency_check, warn)
                results += air_relay(programme.relay, programme.relay_zones, reader, base, ctx)
                base = start_at = clock.now()  # the items follow the relay (sooner when it was lost)
                relays = relays_for(station, programme.relay_zones)
            reader.close()
        i = 0
        while i < len(segs):
            if emergency_check is not None and emergency_check.pending():
                emergency_check.air_pending()
                relays = None  # the emergency switched its own zones
                wait_until(clock, start_at or programme.start, stop)  # aired during warm-up: keep the start time
            if stop.is_set():
                close_rest(i, AiringStatus.MISSED, REASON_SHUTDOWN)
                break
            seg = segs[i]
            error = amp_error
            wanted = relays_for(station, seg.zones)
            if wanted != relays:
                error = error or switch_safely(lambda: switch.select(wanted), f"bật rơ-le {sorted(wanted)}")
                relays = wanted
                wait(clock, settle, stop)
            if paced:  # re-sync on the programme clock: player start-ups never add up
                wait_until(clock, base + timedelta(seconds=seg.offset), stop)
            airing = row_for(seg) if seg.bulletin_id else None
            if airing is not None and error:
                airing = dataclasses.replace(airing, status=AiringStatus.FAILED, started_at=None, reason=error)
                results.append(dataclasses.replace(airing, id=log.record(airing)))
                i += 1
                continue
            row_id = log.start_item(airing) if airing is not None else None
            with watching(monitor if paced else None, seg.wav):
                ok, played, play_error = play(output, seg.wav, stop, seg.title, seg.zones)
            preempted = not ok and stop.is_set() and emergency_check is not None and emergency_check.pending()
            if ok:
                status, reason = AiringStatus.COMPLETED, ""
            elif stop.is_set():
                cut_by = getattr(emergency_check, "preempt_reason", lambda: REASON_EMERGENCY)
                status, reason = AiringStatus.INTERRUPTED, cut_by() if preempted else REASON_SHUTDOWN
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
                    close_rest(i + 1, AiringStatus.SKIPPED, REASON_SKIPPED_AFTER_LIVE if reason == REASON_LIVE
                               else REASON_SKIPPED_AFTER_EMERGENCY)
                    break
                continue  # resume: the interrupted item airs again from its start
            i += 1
    finally:
        if reader is not None:
            reader.close()
        switch_safely(switch.all_off, "tắt mọi rơ-le")
        switch_safely(lambda: switch.amplifier(False), "tắt ampli")
    return results
