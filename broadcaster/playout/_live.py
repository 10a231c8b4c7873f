"""A live announcement on air (thông báo trực tiếp): its villages' relays on (after the amplifier's warm-up), the
attention chime, then the microphone straight to the output until the speaker stops it, the maximum length, a
stretch of silence, an emergency or the station's stop. What was said is recorded (MP3) and logged as one
airing row, written before the microphone opens and completed when it closes."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from broadcaster.clock import Clock
from broadcaster.errors import OutputError
from broadcaster.models import Airing, AiringStatus, Priority, Station
from broadcaster.outputs import LiveRecorder, MicrophoneLink, Output
from broadcaster.playout._common import (
    REASON_EMERGENCY,
    REASON_SHUTDOWN,
    LogWriter,
    play,
    switch_on,
    switch_safely,
)
from broadcaster.zones import ZoneSwitch

__all__ = ["ENDED_BY", "LiveAudio", "LiveResult", "air_live", "live_zones"]

POLL_SECONDS = 0.05  # how often the length, the silence and the stop requests are looked at
# How a live announcement ended, in the officer's words (the CLI and the desk print these).
ENDED_BY = {
    "stop": "người nói bấm dừng",
    "max": "hết thời lượng tối đa",
    "silence": "micrô im lặng quá lâu",
    "emergency": "tin khẩn cấp cắt ngang",
    "shutdown": "đài dừng",
    "error": "lỗi",
}


@dataclass(frozen=True)
class LiveAudio:
    """A live announcement as asked for: who speaks, to which villages, the limits, the chime, the recording."""

    id: str
    who: str
    zones: frozenset[str]  # zone ids; empty = every zone of the output
    requested_at: datetime
    max_seconds: float
    silence_seconds: float  # 0 = never stop on silence
    silence_db: float
    device: str | None  # microphone (PortAudio input)
    output_device: str | None  # PortAudio output when the station's output is not `sounddevice`
    chime: Path | None
    recording: Path  # the MP3 written while it airs


@dataclass(frozen=True)
class LiveResult:
    status: AiringStatus
    ended_by: str  # a key of ENDED_BY
    seconds: float
    reason: str = ""
    row: Airing | None = None
    recording: Path | None = None


def live_zones(live: LiveAudio, station: Station, output_id: str) -> frozenset[str] | None:
    """The villages a live announcement reaches through this output, or None when it does not concern it."""
    own = frozenset(z.id for z in station.zones if z.output == output_id)
    if not live.zones:
        return own
    return (live.zones & own) or None


def _speaker(output: Output, live: LiveAudio) -> tuple[bool, str | None]:
    """Whether the microphone plays anywhere (dry-run outputs only record), and to which PortAudio device."""
    kind = getattr(output, "kind", "")
    if kind in ("file", "null"):
        return False, None
    if kind == "sounddevice":
        device = getattr(output, "device", None)
        return True, None if device is None else str(device)
    return True, live.output_device


def air_live(
    live: LiveAudio, *, station: Station, output: Output, output_id: str, switch: ZoneSwitch, log: LogWriter,
    clock: Clock, stop: threading.Event, halt: threading.Event, in_session: bool = False,
    preempted: Callable[[], bool] = lambda: False, on_air: Callable[[], None] = lambda: None,
    make_link: Callable[..., Any] = MicrophoneLink,
) -> LiveResult:
    """Air the microphone until `halt` (the speaker's stop), the length or silence limit, or `stop` (an
    emergency when `preempted()`, else the station stopping). `in_session`: a programme holds the amplifier on
    and re-selects its own relays afterwards. `on_air()` is called once the microphone is open."""
    zones = live_zones(live, station, output_id) or frozenset()
    key = f"live/{live.id}/{output_id}"
    try:
        error = switch_on(switch, station, zones, clock=clock, stop=stop, in_session=in_session,
                          what="bật các thôn nghe trực tiếp")
        if live.chime is not None and not error and not stop.is_set() and not halt.is_set():
            play(output, live.chime, stop, "chime", zones)
        row = Airing(
            session_key=key, output_id=output_id, output_kind=getattr(output, "kind", ""),
            zones=tuple(sorted(zones)), bulletin_id=None, title=f"Thông báo trực tiếp — {live.who}",
            topic="truc-tiep", priority=Priority.PRIORITY, scheduled_at=live.requested_at,
            status=AiringStatus.STARTED, started_at=clock.now(), engine="microphone", voice=live.who,
        )
        if error or stop.is_set() or halt.is_set():
            ended_by = "error" if error else "stop" if halt.is_set() else "emergency" if preempted() else "shutdown"
            reason = error or {"stop": "người nói dừng trước khi micrô mở", "emergency": REASON_EMERGENCY,
                               "shutdown": REASON_SHUTDOWN}[ended_by]
            row = dataclasses.replace(row, status=AiringStatus.FAILED if error else AiringStatus.MISSED,
                                      started_at=None, reason=reason)
            row = dataclasses.replace(row, id=log.record(row))
            result = LiveResult(row.status, ended_by, 0.0, reason, row)
        else:
            result = _on_air(live, row, station=station, output=output, log=log, clock=clock, stop=stop,
                             halt=halt, preempted=preempted, on_air=on_air, make_link=make_link)
        log.audit("live", live.who, {"id": live.id, "zones": sorted(zones), "output": output_id,
                                     "status": result.status.value, "ended_by": result.ended_by,
                                     "seconds": round(result.seconds, 2), "reason": result.reason,
                                     "recording": str(result.recording or "")})
        return result
    finally:
        if not in_session:
            switch_safely(switch.all_off, "tắt mọi rơ-le")
            switch_safely(lambda: switch.amplifier(False), "tắt ampli")


def _on_air(live: LiveAudio, row: Airing, *, station: Station, output: Output, log: LogWriter, clock: Clock,
            stop: threading.Event, halt: threading.Event, preempted: Callable[[], bool],
            on_air: Callable[[], None], make_link: Callable[..., Any]) -> LiveResult:
    """The microphone open: the row written first, then the recorder and the link; the limits watched."""
    row_id = log.start_item(row)
    plays, device = _speaker(output, live)
    rate = station.audio.sample_rate
    recorder: LiveRecorder | None = None
    link = None
    ended_by, error = "error", ""
    try:
        recorder = LiveRecorder(live.recording, rate)
        link = make_link(input_device=live.device, output_device=device, play=plays, rate=rate,
                         silence_db=live.silence_db, tap=recorder.write)
        link.open()
        on_air()
        while True:
            if halt.is_set():
                ended_by = "stop"
            elif stop.is_set():
                ended_by = "emergency" if preempted() else "shutdown"
            elif link.elapsed >= live.max_seconds:
                ended_by = "max"
            elif live.silence_seconds and link.silent_seconds >= live.silence_seconds:
                ended_by = "silence"
            else:
                halt.wait(POLL_SECONDS)  # real time: the microphone's frames are real, whatever the clock
                continue
            break
    except (OutputError, OSError) as exc:
        error = str(exc)
    finally:
        seconds = link.seconds if link is not None else 0.0
        if link is not None:
            link.close()
        if recorder is not None:
            error = recorder.close() if not error else error
    status = (AiringStatus.FAILED if ended_by == "error" and not seconds else
              AiringStatus.INTERRUPTED if ended_by in ("emergency", "shutdown", "error") else AiringStatus.COMPLETED)
    reason = {"emergency": REASON_EMERGENCY, "shutdown": REASON_SHUTDOWN, "error": error}.get(ended_by, "")
    ended = clock.now()
    log.finish_item(row_id, status, ended, seconds, reason)
    recording = live.recording if recorder is not None and live.recording.exists() and seconds else None
    if recording is None and recorder is not None:
        live.recording.unlink(missing_ok=True)  # nothing was said: no empty file in the archive
    done = dataclasses.replace(row, id=row_id, status=status, ended_at=ended, played_seconds=seconds, reason=reason)
    return LiveResult(status, ended_by, seconds, reason or error, done, recording)
