"""Air one built programme (or one emergency, or the microphone live) through an output and a zone switch, logging every item.

Item by item: the programme WAV is cut at the manifest offsets into one WAV per item (`audio.slicing`); each
item starts at programme start + its manifest offset, so the silence between items is waited rather than played
and a player's start-up time (tens of ms for aplay) never accumulates over a programme. Per-item play calls give
exact relay timing and per-item log rows (measured figures in docs/runner.md).
A relay (tiếp âm) airs live before the items (`_relay`, decoded by `_stream`), watched by `_monitor`.
Side effects go through the `Output`, `ZoneSwitch` and `AirLog` interfaces; time through a `Clock`.
"""

from broadcaster.playout._common import (
    REASON_EMERGENCY,
    REASON_LIVE,
    REASON_SHUTDOWN,
    REASON_SKIPPED_AFTER_LIVE,
    ItemInfo,
    LogWriter,
    relays_for,
)
from broadcaster.playout._monitor import CLIPPING, DEAD_AIR, Monitor, Warn, level_db
from broadcaster.playout._relay import RELAY_LOST, RELAY_TOPIC
from broadcaster.playout._stream import StreamReader, decoder_args
from broadcaster.playout._emergency import EmergencyAudio, air_emergency, emergency_zones
from broadcaster.playout._live import ENDED_BY, LiveAudio, LiveResult, air_live, live_zones
from broadcaster.playout._records import record_not_aired, record_skipped, session_outcome
from broadcaster.playout._session import Preemption, air_programme

__all__ = [
    "ENDED_BY",
    "CLIPPING",
    "DEAD_AIR",
    "RELAY_LOST",
    "RELAY_TOPIC",
    "Monitor",
    "StreamReader",
    "Warn",
    "decoder_args",
    "level_db",
    "REASON_EMERGENCY",
    "REASON_LIVE",
    "REASON_SHUTDOWN",
    "REASON_SKIPPED_AFTER_LIVE",
    "EmergencyAudio",
    "ItemInfo",
    "LiveAudio",
    "LiveResult",
    "LogWriter",
    "Preemption",
    "air_emergency",
    "air_live",
    "air_programme",
    "emergency_zones",
    "live_zones",
    "record_not_aired",
    "record_skipped",
    "relays_for",
    "session_outcome",
]
