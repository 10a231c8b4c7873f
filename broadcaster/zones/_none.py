"""The `none` zone switch: no relays, amplifier always on; every zone hears every item."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from broadcaster.models import ZoneSwitchConfig
from broadcaster.zones._base import BaseSwitch

__all__ = ["NoSwitch"]


class NoSwitch(BaseSwitch):
    """Switches nothing (bookkeeping only) and never needs a warm-up wait."""

    def __init__(self, cfg: ZoneSwitchConfig, relays: Mapping[int, str] | Iterable[int] = ()):
        super().__init__(cfg, relays)
        self.amplifier_relay = None
        self.warmup_seconds = 0.0

    def _switch(self, relay: int, on: bool, zone: str) -> None:
        """Nothing to switch."""
