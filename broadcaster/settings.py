"""Station settings sections that `models.Station` holds, kept here so `models` stays within its size: live
announcements and the audio archive. `models` re-exports them; import them from there."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ArchiveSettings", "LiveSettings"]


@dataclass(frozen=True)
class LiveSettings:
    """Live announcements from the microphone at the station PC (thông báo trực tiếp, `broadcaster live`)."""

    device: str | None = None  # PortAudio input device (name substring or number); None = the default input
    output_device: str | None = None  # where the microphone plays when the output is not `sounddevice`
    max_minutes: float = 15.0  # a live announcement ends by itself after this long
    silence_stop_seconds: float = 60.0  # ... or after this long without speech; 0 = never
    silence_level_db: float = -45.0  # peak level (dBFS) below which the microphone counts as silent
    chime: str | None = None  # attention chime before the microphone opens; None = the station's chime; "off"

    @property
    def no_chime(self) -> bool:
        return (self.chime or "").strip().casefold() in ("off", "tắt", "không", "none")


@dataclass(frozen=True)
class ArchiveSettings:
    """The audio archive of what aired (docs/archive.md): kept `retention_days`, within `max_mb` of disk."""

    retention_days: int = 90
    max_mb: float = 1000.0  # warned about at 80 %; beyond it the oldest archived days are pruned
