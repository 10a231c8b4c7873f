"""The `serial` zone switch: USB relay boards driven by byte commands over a serial port (pyserial).

On/off commands are hex byte templates from the station config, e.g. LCUS-type boards:
`A0 {relay} 01 {checksum}` (on) and `A0 {relay} 00 {checksum}` (off). {relay} is the channel as one byte;
{checksum} is the low byte of the sum of the bytes before it. The port opens on first use and is reopened after
an error (a USB board unplugged and plugged back works again without a restart).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from broadcaster.errors import ZoneSwitchError
from broadcaster.models import ZoneSwitchConfig
from broadcaster.zones._base import BaseSwitch

__all__ = ["SerialSwitch", "encode", "parse_bytes"]

GAP = 0.01  # seconds between two commands: cheap boards drop a command that follows too closely
_HEX = re.compile(r"^(0x)?([0-9a-fA-F]{2})+$")

Token = int | str  # a byte value, or "relay" / "checksum"


def parse_bytes(template: str, key: str) -> list[Token]:
    """'A0 {relay} 01 {checksum}' -> [0xA0, 'relay', 0x01, 'checksum']; ZoneSwitchError names the key."""
    tokens: list[Token] = []
    for word in template.split():
        if word in ("{relay}", "{checksum}"):
            tokens.append(word[1:-1])
        elif _HEX.match(word):
            digits = word[2:] if word.lower().startswith("0x") else word
            tokens.extend(bytes.fromhex(digits))
        else:
            raise ZoneSwitchError(
                f"{key}: '{word}' trong '{template}' không phải byte hex (ví dụ A0, 0x01) hay {{relay}}/{{checksum}}"
            )
    if not tokens:
        raise ZoneSwitchError(f"{key}: chuỗi byte đang để trống (ví dụ: A0 {{relay}} 01 {{checksum}})")
    return tokens


def encode(tokens: list[Token], relay: int) -> bytes:
    """The bytes for one relay."""
    out = bytearray()
    for token in tokens:
        if token == "relay":
            out.append(relay)
        elif token == "checksum":
            out.append(sum(out) & 0xFF)
        else:
            out.append(int(token))
    return bytes(out)


class SerialSwitch(BaseSwitch):
    """Writes one byte command per relay change to the board's serial port."""

    def __init__(self, cfg: ZoneSwitchConfig, relays: Mapping[int, str] | Iterable[int] = ()):
        super().__init__(cfg, relays)
        if not cfg.port:
            raise ZoneSwitchError(
                "bộ chuyển vùng loại 'serial' cần port trong station.yaml (ví dụ: port: /dev/ttyUSB0)"
            )
        self.port = cfg.port
        self.baud = cfg.baud
        self.templates = {
            True: parse_bytes(cfg.on_bytes, "on_bytes"),
            False: parse_bytes(cfg.off_bytes, "off_bytes"),
        }
        self._serial: Any = None
        self._last_write = 0.0

    def check(self) -> None:
        """The port opens."""
        with self._lock:
            self._open()

    def _open(self) -> Any:
        if self._serial is not None:
            return self._serial
        import serial  # pyserial

        try:
            self._serial = serial.Serial(self.port, self.baud, timeout=1, write_timeout=2)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ZoneSwitchError(
                f"không mở được cổng {self.port} của bảng rơ-le ({exc}). Kiểm tra bảng rơ-le đã cắm USB và "
                f"port trong station.yaml đúng; các cổng đang có: {', '.join(_ports()) or 'không có'}"
            ) from exc
        return self._serial

    def _switch(self, relay: int, on: bool, zone: str) -> None:
        data = encode(self.templates[on], relay)
        wait = self._last_write + GAP - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        for attempt in (1, 2):
            port = self._open()
            try:
                port.write(data)
                port.flush()
                break
            except Exception as exc:
                self.close()
                if attempt == 2:
                    raise ZoneSwitchError(
                        f"không {'bật' if on else 'tắt'} được rơ-le {relay} ({zone}) qua cổng {self.port}: {exc}"
                    ) from exc
        self._last_write = time.monotonic()

    def close(self) -> None:
        """Close the port (reopened on next use)."""
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except Exception:  # noqa: BLE001, S110 - closing a dead port must not hide the original error
                pass


def _ports() -> list[str]:
    from serial.tools import list_ports

    return [p.device for p in list_ports.comports()]
