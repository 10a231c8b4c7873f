"""What every zone switch shares: relay bookkeeping (send only changes), amplifier handling, validation."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from broadcaster.errors import ZoneSwitchError
from broadcaster.models import ZoneSwitchConfig

__all__ = ["AMPLIFIER", "BaseSwitch", "ZoneSwitch"]

AMPLIFIER = "amplifier"  # the {zone} value when the amplifier relay is switched


@runtime_checkable
class ZoneSwitch(Protocol):
    """Village zone relays and the amplifier's power relay of one output."""

    warmup_seconds: float  # wait after amplifier(True) before the first sample (the caller waits)
    settle_seconds: float  # wait after select() before playing the next item

    def check(self) -> None: ...

    def amplifier(self, on: bool) -> None: ...

    def select(self, relays: frozenset[int]) -> None: ...

    def all_off(self) -> None: ...

    def close(self) -> None: ...


class BaseSwitch:
    """Tracks each relay's last known state so only changes are sent; an unknown state (start-up, after an
    error) is always sent. Subclasses implement `_switch(relay, on, zone)`."""

    def __init__(self, cfg: ZoneSwitchConfig, relays: Mapping[int, str] | Iterable[int] = ()):
        self.cfg = cfg
        names = relays if isinstance(relays, Mapping) else {r: str(r) for r in relays}
        self.zone_names: dict[int, str] = dict(names)
        self.amplifier_relay = cfg.amplifier_relay
        self.warmup_seconds = cfg.warmup_seconds if cfg.amplifier_relay is not None else 0.0
        self.settle_seconds = cfg.settle_seconds
        self.state: dict[int, bool] = {}  # relay -> last state sent successfully
        self._lock = threading.RLock()
        for relay in [*self.zone_names, *([cfg.amplifier_relay] if cfg.amplifier_relay is not None else [])]:
            _valid_relay(relay)
        if cfg.amplifier_relay is not None and cfg.amplifier_relay in self.zone_names:
            raise ZoneSwitchError(
                f"rơ-le {cfg.amplifier_relay} vừa dùng cho bộ khuếch đại (amplifier_relay) vừa dùng cho vùng "
                f"'{self.zone_names[cfg.amplifier_relay]}'; sửa station.yaml để mỗi rơ-le chỉ có một việc"
            )

    def check(self) -> None:
        """Raise ZoneSwitchError (how to fix, in Vietnamese) when the relays cannot be reached."""

    def amplifier(self, on: bool) -> None:
        """Power the amplifier on or off (no-op without an amplifier relay). Warm-up is the caller's wait."""
        if self.amplifier_relay is not None:
            with self._lock:
                self._set(self.amplifier_relay, on, AMPLIFIER)

    def select(self, relays: frozenset[int]) -> None:
        """Exactly these zone relays on, every other zone relay off; offs are sent before ons."""
        for relay in relays:
            _valid_relay(relay)
            if relay == self.amplifier_relay:
                raise ZoneSwitchError(f"rơ-le {relay} là rơ-le bộ khuếch đại, không phải rơ-le vùng")
        with self._lock:
            known = set(self.zone_names) | set(self.state)
            known.discard(self.amplifier_relay)  # type: ignore[arg-type]
            for relay in sorted(known - relays):
                self._set(relay, False, self.zone_names.get(relay, str(relay)))
            for relay in sorted(relays):
                self._set(relay, True, self.zone_names.get(relay, str(relay)))

    def all_off(self) -> None:
        """Amplifier off first (no pop in the horns), then every known zone relay off, sent even if believed off."""
        with self._lock:
            if self.amplifier_relay is not None:
                self.state.pop(self.amplifier_relay, None)
                self._set(self.amplifier_relay, False, AMPLIFIER)
            for relay in sorted(set(self.zone_names) | set(self.state)):
                if relay != self.amplifier_relay:
                    self.state.pop(relay, None)
                    self._set(relay, False, self.zone_names.get(relay, str(relay)))

    def close(self) -> None:
        """Release the device. Does not switch anything: call all_off() first when that is wanted."""

    def _set(self, relay: int, on: bool, zone: str) -> None:
        if self.state.get(relay) is on:
            return
        self.state.pop(relay, None)  # unknown until the switch succeeds
        self._switch(relay, on, zone)
        self.state[relay] = on

    def _switch(self, relay: int, on: bool, zone: str) -> None:
        raise NotImplementedError


def _valid_relay(relay: int) -> None:
    if not isinstance(relay, int) or isinstance(relay, bool) or not 0 <= relay <= 255:
        raise ZoneSwitchError(f"số rơ-le {relay!r} không hợp lệ: phải là số nguyên từ 0 đến 255")
