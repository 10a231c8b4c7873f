"""What airing a session and airing an emergency share: the log interface, relays for zones, switching and
playing that report failures instead of raising, waits that honour a stop request."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from broadcaster.clock import Clock
from broadcaster.errors import BroadcasterError
from broadcaster.models import Airing, AiringStatus, Station
from broadcaster.outputs import Output
from broadcaster.zones import ZoneSwitch

if TYPE_CHECKING:
    pass

__all__ = [
    "REASON_EMERGENCY",
    "REASON_LIVE",
    "REASON_SKIPPED_AFTER_LIVE",
    "REASON_SHUTDOWN",
    "REASON_SKIPPED_AFTER_EMERGENCY",
    "ItemInfo",
    "LogWriter",
    "play",
    "relays_for",
    "switch_on",
    "switch_safely",
    "wait",
    "wait_until",
]

log = logging.getLogger("broadcaster.playout")

REASON_EMERGENCY = "bị tin khẩn cấp cắt ngang"
REASON_LIVE = "bị thông báo trực tiếp cắt ngang"
REASON_SHUTDOWN = "đài dừng giữa buổi phát (tắt máy hoặc mất điện)"
REASON_SKIPPED_AFTER_EMERGENCY = "bỏ phần còn lại sau tin khẩn cấp (cấu hình playout.after_emergency: skip)"
REASON_SKIPPED_AFTER_LIVE = "bỏ phần còn lại sau thông báo trực tiếp (cấu hình playout.after_emergency: skip)"


class LogWriter(Protocol):
    """What playout writes to: `airlog.AirLog` (tests may pass a fake)."""

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


def wait_until(clock: Clock, when: datetime, stop: threading.Event) -> None:
    """Sleep until `when` on the station clock (in short steps, so a stop request is honoured)."""
    while not stop.is_set():
        left = (when - clock.now()).total_seconds()
        if left <= 0:
            return
        clock.sleep(min(left, 0.5))


def switch_safely(action: Callable[[], None], what: str) -> str:
    """Run one zone-switch action; return the error text instead of raising (the programme still plays)."""
    try:
        action()
    except BroadcasterError as exc:
        log.error("bộ chuyển vùng loa (%s): %s", what, exc)
        return str(exc)
    return ""


def play(output: Output, wav: Path, stop: threading.Event, label: str, zones: frozenset[str]) -> tuple[bool, float, str]:
    """Play one WAV; an exception from the output becomes an error text (the row is then `failed`)."""
    try:
        res = output.play(wav, stop=stop, label=label, zones=zones)
    except BroadcasterError as exc:
        return False, 0.0, str(exc) or exc.__class__.__name__
    except Exception as exc:  # noqa: BLE001 - any output crash must end as a `failed` row, never kill the station
        log.exception("output crashed")
        return False, 0.0, f"lỗi đầu ra âm thanh: {exc}"
    return bool(res.completed), float(res.played_seconds), str(getattr(res, "error", "") or "")


def wait(clock: Clock, seconds: float, stop: threading.Event) -> None:
    if seconds > 0:
        wait_until(clock, clock.now() + timedelta(seconds=seconds), stop)


def switch_on(switch: ZoneSwitch, station: Station, zones: frozenset[str], *, clock: Clock, stop: threading.Event,
              in_session: bool, what: str) -> str:
    """Before an emergency or a live announcement: amplifier on and warmed up (unless a session already holds it
    on), the zones' relays on and settled. Returns the first error ("" when all went well)."""
    error = ""
    if not in_session:
        error = switch_safely(lambda: switch.amplifier(True), "bật ampli")
        if not error:
            wait(clock, float(getattr(switch, "warmup_seconds", 0.0) or 0.0), stop)
    error = error or switch_safely(lambda: switch.select(relays_for(station, zones)), what)
    wait(clock, float(getattr(switch, "settle_seconds", 0.0) or 0.0), stop)
    return error
