"""One suite over every ZoneSwitch (none, command, serial), observing the relay changes the hardware would see.

The serial driver talks to a pseudo-terminal pair acting as an LCUS-type relay board: the test reads the exact
bytes from the master side. The command driver runs real shell commands that append to a file.
"""

from __future__ import annotations

import os
import select
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from broadcaster.errors import ZoneSwitchError
from broadcaster.models import Zone, ZoneSwitchConfig
from broadcaster.zones import (
    CommandSwitch,
    NoSwitch,
    SerialSwitch,
    ZoneSwitch,
    create_zone_switch,
    encode,
    parse_bytes,
)

ZONES = (
    Zone("thon-dong", "Thôn Đông", relay=1),
    Zone("thon-tay", "Thôn Tây", relay=2),
    Zone("thon-bac", "Thôn Bắc", relay=3),
    Zone("uy-ban", "Trụ sở UBND", relay=None),  # always on
)
AMP = 8
Event = tuple[int, bool]  # (relay, on)


class Board:
    """The relay board end of a pty pair: the switch opens `port`; the test reads what arrived."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.slave_name = os.ttyname(self._slave)  # pyserial opens it by name; ours stays open so reads wait

    def read(self, timeout: float = 0.3) -> bytes:
        out = b""
        while select.select([self.master], [], [], timeout)[0]:
            out += os.read(self.master, 1024)
            timeout = 0.05  # gather the rest of a burst
        return out

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)


def lcus_events(data: bytes) -> list[Event]:
    """Decode LCUS frames (A0 relay state checksum), checking each checksum."""
    assert len(data) % 4 == 0, data.hex(" ")
    events = []
    for i in range(0, len(data), 4):
        head, relay, state, checksum = data[i : i + 4]
        assert head == 0xA0 and checksum == (head + relay + state) & 0xFF, data.hex(" ")
        events.append((relay, bool(state)))
    return events


@dataclass
class Case:
    switch: ZoneSwitch
    events: Callable[[], list[Event] | None]  # changes seen since the last call; None: nothing observable


@pytest.fixture
def board() -> Iterator[Board]:
    b = Board()
    yield b
    b.close()


@pytest.fixture(params=["none", "command", "serial"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Case]:
    kind = request.param
    if kind == "none":
        switch: ZoneSwitch = create_zone_switch(ZoneSwitchConfig(kind="none", amplifier_relay=AMP), ZONES)
        yield Case(switch, lambda: None)
        return
    if kind == "command":
        log = tmp_path / "relays.log"
        cfg = ZoneSwitchConfig(
            kind="command",
            on_command=f"sh -c 'echo {{relay}} 1 {{zone}} >> {log}'",
            off_command=f"sh -c 'echo {{relay}} 0 {{zone}} >> {log}'",
            amplifier_relay=AMP,
        )
        seen = [0]

        def command_events() -> list[Event]:
            lines = log.read_text().splitlines() if log.exists() else []
            new, seen[0] = lines[seen[0] :], len(lines)
            return [(int(line.split()[0]), line.split()[1] == "1") for line in new]

        switch = create_zone_switch(cfg, ZONES)
        yield Case(switch, command_events)
        return
    b = request.getfixturevalue("board")
    switch = create_zone_switch(
        ZoneSwitchConfig(kind="serial", port=b.slave_name, amplifier_relay=AMP), ZONES
    )
    yield Case(switch, lambda: lcus_events(b.read()))
    switch.close()


def test_check_passes(case: Case) -> None:
    case.switch.check()
    assert isinstance(case.switch, ZoneSwitch)


def test_select_switches_exactly_those_zones_and_only_changes(case: Case) -> None:
    case.switch.select(frozenset({1, 2}))
    first = case.events()
    case.switch.select(frozenset({2, 3}))
    second = case.events()
    case.switch.select(frozenset({2, 3}))
    third = case.events()
    case.switch.select(frozenset())
    last = case.events()
    if first is None:
        return
    assert first == [
        (3, False),
        (1, True),
        (2, True),
    ]  # state unknown at start: the unwanted relay is sent off
    assert second == [(1, False), (3, True)]  # offs before ons, nothing resent for relay 2
    assert third == []
    assert last == [(2, False), (3, False)]


def test_amplifier_relay_and_warmup(case: Case) -> None:
    case.switch.amplifier(True)
    case.switch.amplifier(True)
    on = case.events()
    case.switch.amplifier(False)
    off = case.events()
    if on is None:
        assert case.switch.warmup_seconds == 0.0  # amplifier always on: nothing to wait for
        return
    assert case.switch.warmup_seconds == 2.0 and case.switch.settle_seconds == 0.1
    assert on == [(AMP, True)]
    assert off == [(AMP, False)]


def test_all_off_cuts_the_amplifier_first_then_every_zone(case: Case) -> None:
    case.switch.amplifier(True)
    case.switch.select(frozenset({1}))
    case.events()
    case.switch.all_off()
    events = case.events()
    if events is None:
        return
    assert events == [(AMP, False), (1, False), (2, False), (3, False)]  # sent even where believed off
    case.switch.select(frozenset({1}))
    assert case.events() == [(1, True)]


@pytest.mark.parametrize("relays", [frozenset({AMP}), frozenset({300}), frozenset({-1})])
def test_select_refuses_bad_relays(case: Case, relays: frozenset[int]) -> None:
    if isinstance(case.switch, NoSwitch) and AMP in relays:
        pytest.skip("no amplifier relay without switching hardware")
    with pytest.raises(ZoneSwitchError, match="rơ-le"):
        case.switch.select(relays)
    assert case.events() in (None, [])


# --- serial: the exact bytes, missing port, reconnection ---------------------------------------------------


def test_serial_sends_the_exact_lcus_bytes(board: Board) -> None:
    switch = SerialSwitch(ZoneSwitchConfig(kind="serial", port=board.slave_name, amplifier_relay=4), {1: "a"})
    switch.amplifier(True)
    switch.select(frozenset({1}))
    assert board.read() == bytes.fromhex("A0 04 01 A5  A0 01 01 A2")
    switch.all_off()
    assert board.read() == bytes.fromhex("A0 04 00 A4  A0 01 00 A1")
    switch.close()


def test_serial_custom_byte_templates(board: Board) -> None:
    cfg = ZoneSwitchConfig(
        kind="serial", port=board.slave_name, on_bytes="FF {relay} 0x01", off_bytes="FEFF {relay}"
    )
    switch = SerialSwitch(cfg, {10: "a"})
    switch.select(frozenset({10}))  # 0x0A must arrive as is (raw tty, no newline translation)
    switch.select(frozenset())
    assert board.read() == bytes.fromhex("FF 0A 01 FE FF 0A")
    switch.close()


def test_serial_missing_port_says_how_to_fix(tmp_path: Path) -> None:
    port = str(tmp_path / "ttyUSB9")
    switch = create_zone_switch(ZoneSwitchConfig(kind="serial", port=port), ZONES)
    for action in (switch.check, lambda: switch.select(frozenset({1}))):
        with pytest.raises(ZoneSwitchError, match="không mở được cổng") as info:
            action()
        assert port in str(info.value) and "station.yaml" in str(info.value)


def test_serial_reopens_after_the_board_was_unplugged(tmp_path: Path) -> None:
    first, second = Board(), Board()
    port = tmp_path / "ttyRELAY"
    port.symlink_to(first.slave_name)
    switch = SerialSwitch(ZoneSwitchConfig(kind="serial", port=str(port)), {1: "a", 2: "b"})
    switch.select(frozenset({1}))
    assert lcus_events(first.read()) == [(2, False), (1, True)]
    first.close()  # unplugged: writes to the old port now fail
    port.unlink()
    port.symlink_to(second.slave_name)  # plugged back in
    switch.select(frozenset({2}))
    assert lcus_events(second.read()) == [(1, False), (2, True)]
    switch.close()
    second.close()


@pytest.mark.parametrize(
    ("template", "message"),
    [("A0 {relay} 0G", "on_bytes: '0G'"), ("A0 {kenh}", "on_bytes: '{kenh}'"), ("", "on_bytes: chuỗi byte")],
)
def test_serial_bad_byte_template_names_the_key(template: str, message: str) -> None:
    with pytest.raises(ZoneSwitchError, match=message):
        SerialSwitch(ZoneSwitchConfig(kind="serial", port="/dev/null", on_bytes=template))


def test_encode_checksum_is_the_low_byte_of_the_preceding_sum() -> None:
    assert encode(parse_bytes("A0 {relay} FF {checksum}", "on_bytes"), 0x80) == bytes(
        [0xA0, 0x80, 0xFF, 0x1F]
    )


def test_serial_without_port_is_a_config_error() -> None:
    with pytest.raises(ZoneSwitchError, match="cần port"):
        create_zone_switch(ZoneSwitchConfig(kind="serial"))


# --- command: failures, templates ---------------------------------------------------------------------------


def test_command_failure_is_an_error_and_is_retried(tmp_path: Path) -> None:
    flag = tmp_path / "hong"
    flag.write_text("")
    log = tmp_path / "log"
    cfg = ZoneSwitchConfig(
        kind="command",
        on_command=f"sh -c 'if [ -e {flag} ]; then echo rơ-le kẹt >&2; exit 4; fi; echo {{relay}} >> {log}'",
        off_command="true",
    )
    switch = CommandSwitch(cfg, {1: "thon-dong"})
    with pytest.raises(ZoneSwitchError, match=r"bật rơ-le 1 \(thon-dong\).*mã 4.*rơ-le kẹt"):
        switch.select(frozenset({1}))
    flag.unlink()
    switch.select(frozenset({1}))  # the failed change is not believed done: sent again
    assert log.read_text().split() == ["1"]


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (ZoneSwitchConfig(kind="command", on_command="relay {relay} on"), "cần off_command"),
        (ZoneSwitchConfig(kind="command", on_command="x {kenh}", off_command="x"), "không hợp lệ"),
        (ZoneSwitchConfig(kind="loa"), "chọn một trong: none, command, serial"),
        (ZoneSwitchConfig(kind="none", amplifier_relay=1), "vừa dùng cho bộ khuếch đại"),
    ],
)
def test_bad_config_says_what_to_fix(cfg: ZoneSwitchConfig, message: str) -> None:
    with pytest.raises(ZoneSwitchError, match=message):
        create_zone_switch(cfg, ZONES)


def test_command_check_finds_missing_programs() -> None:
    switch = CommandSwitch(
        ZoneSwitchConfig(kind="command", on_command="khong-co-lenh {relay}", off_command="true")
    )
    with pytest.raises(ZoneSwitchError, match="không tìm thấy chương trình bật/tắt rơ-le 'khong-co-lenh'"):
        switch.check()
    assert shutil.which("true")

