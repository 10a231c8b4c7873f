"""Village zone relays and the amplifier behind one interface: `none`, `command` (on/off programs) and `serial`
(USB relay boards). `create_zone_switch(cfg, zones)` builds one from an output's `ZoneSwitchConfig`.

Callers: `amplifier(True)`, wait `warmup_seconds`, `select(relays)` per item (wait `settle_seconds`), then
`all_off()` after the last item; `close()` at shutdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from broadcaster.errors import ZoneSwitchError
from broadcaster.models import Zone, ZoneSwitchConfig
from broadcaster.zones._base import AMPLIFIER, BaseSwitch, ZoneSwitch
from broadcaster.zones._command import CommandSwitch
from broadcaster.zones._none import NoSwitch
from broadcaster.zones._serial import SerialSwitch, encode, parse_bytes

__all__ = [
    "AMPLIFIER",
    "SWITCHES",
    "CommandSwitch",
    "NoSwitch",
    "SerialSwitch",
    "ZoneSwitch",
    "ZoneSwitchError",
    "create_zone_switch",
    "encode",
    "parse_bytes",
]

SWITCHES: dict[str, Callable[[ZoneSwitchConfig, Mapping[int, str]], BaseSwitch]] = {
    "none": NoSwitch,
    "command": CommandSwitch,
    "serial": SerialSwitch,
}


def create_zone_switch(cfg: ZoneSwitchConfig, zones: Iterable[Zone] = ()) -> ZoneSwitch:
    """The switch `cfg.kind` names. `zones`: the zones this output feeds, so `all_off` knows every relay and
    command templates get each relay's {zone} id."""
    try:
        factory = SWITCHES[cfg.kind]
    except KeyError:
        raise ZoneSwitchError(
            f"zone_switch: loại '{cfg.kind}' không có; chọn một trong: {', '.join(SWITCHES)}"
        ) from None
    return factory(cfg, {z.relay: z.id for z in zones if z.relay is not None})
