"""An emergency on air: its zones on, the attention tone, the message `repeat` times; each airing logged."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadcaster.clock import Clock
from broadcaster.models import Airing, AiringStatus, Priority, Station
from broadcaster.outputs import Output
from broadcaster.zones import ZoneSwitch

if TYPE_CHECKING:
    pass

from broadcaster.playout._common import REASON_SHUTDOWN, LogWriter, play, switch_on, switch_safely, wait

__all__ = ["EmergencyAudio", "air_emergency", "emergency_zones"]


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


def air_emergency(
    emergency: EmergencyAudio,
    *,
    station: Station,
    output: Output,
    output_id: str,
    switch: ZoneSwitch,
    log: LogWriter,
    clock: Clock,
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
        error = switch_on(switch, station, frozenset(zones), clock=clock, stop=stop, in_session=in_session,
                          what="bật các thôn nhận tin khẩn cấp")
        if emergency.attention is not None and not error and not stop.is_set():
            play(output, emergency.attention, stop, "attention", frozenset(zones))
        for n in range(emergency.repeat):
            airing = Airing(
                session_key=key,
                output_id=output_id,
                output_kind=getattr(output, "kind", ""),
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
            ok, played, play_error = play(output, emergency.message, stop, airing.title, frozenset(zones))
            status = (AiringStatus.COMPLETED if ok else
                      AiringStatus.INTERRUPTED if stop.is_set() else AiringStatus.FAILED)
            reason = "" if ok else REASON_SHUTDOWN if stop.is_set() else play_error
            ended = clock.now()
            log.finish_item(row_id, status, ended, played, reason)
            results.append(dataclasses.replace(airing, id=row_id, status=status, ended_at=ended,
                                               played_seconds=played, reason=reason))
            if n + 1 < emergency.repeat:
                wait(clock, station.audio.pause_seconds, stop)
    finally:
        if not in_session:
            switch_safely(switch.all_off, "tắt mọi rơ-le")
            switch_safely(lambda: switch.amplifier(False), "tắt ampli")
    return results
