"""Live announcements by hand (thông báo trực tiếp, `broadcaster live` and the desk's "Nói trực tiếp"): the microphone.

The running station owns the sound card and the relays, so the command hands it a request through the control
channel and follows what the station writes back until the announcement ends; Ctrl+C sends the stop. With no
station running, the command runs the same live chain itself (like `air`): it is the officer at the station PC
speaking, and a stopped station must not keep the commune from being told something now.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadcaster import station as _station
from broadcaster.airlog import open_station_log
from broadcaster.clock import SystemClock
from broadcaster.config import load_station, resolve_zone
from broadcaster.errors import BroadcasterError
from broadcaster.models import Station
from broadcaster.station import apply_output_override, describe_output, open_channels
from broadcaster.words import fmt_spoken_duration

__all__ = ["HANDOVER_SECONDS", "LiveNow", "go_live", "live_now", "request_live", "stop_live", "summary"]

HANDOVER_SECONDS = 2.0  # how long the command waits for a running station to take the request
LATE_HANDOVER_SECONDS = 28.0  # then, a busy station: wait this much longer rather than air over it
POLL_SECONDS = 0.1
STOP_GRACE_SECONDS = 30.0  # after the length limit, how long the command still waits for the station's word
STOP_WAIT_SECONDS = 10.0  # `--stop` waits this long to say the microphone closed (the recording is finished)


@contextmanager
def _on_interrupt(action: Callable[[], None]) -> Iterator[None]:
    """Ctrl+C / SIGTERM while live: the speaker's stop (the announcement ends `completed`), not a crash."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, lambda *_: action()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def go_live(station_dir: str | Path, *, zones: tuple[str, ...] = (), device: str | None = None,
            max_minutes: float | None = None, output_override: str | None = None,
            notify: Callable[[str], None] = lambda _: None, who: str | None = None) -> dict[str, Any]:
    """Open the microphone for `zones` (villages by id or name; all by default) until stopped, the maximum
    length or a stretch of silence. Returns what the station wrote back (`state` "done", `status`, `ended_by`,
    `seconds`, `recording`, …; docs/runner.md)."""
    station = apply_output_override(load_station(station_dir), output_override)
    zone_ids = tuple(dict.fromkeys(resolve_zone(station, z).id for z in zones))
    clock = SystemClock(station.timezone)
    _station.new_live_request(station, now=clock.now(), zones=zone_ids, max_minutes=max_minutes)  # errors first
    chime = _station.live_chime(station)
    request = _station.new_live_request(station, now=clock.now(), zones=zone_ids, device=device,
                                        max_minutes=max_minutes, chime=chime, who=who)
    pid = _station.running_station_pid(station) if output_override is None else None
    if pid is not None:
        _station.submit(station, request)
        try:
            _hand_over(station, request, pid, notify)
        except KeyboardInterrupt:  # Ctrl+C before the station took it: nobody must find the microphone open later
            if not _station.withdraw(station, request):
                _station.submit(station, _station.live_stop_request(request.who, clock.now(), target=request.id))
            raise
        notify(f"Đã chuyển yêu cầu nói trực tiếp tới đài đang chạy (tiến trình {pid}). Nhấn Ctrl+C để dừng.")
        return _follow(station, request, clock, notify)
    notify("Đài không chạy: lệnh này tự bật loa và mở micrô (đến khi xong). Nhấn Ctrl+C để dừng.")
    return _air_here(station, request, clock, notify)


def _hand_over(station: Station, request: Any, pid: int, notify: Callable[[str], None]) -> None:
    """Wait for the running station to take the request; raise (withdrawn) when it does not answer."""
    if not _station.wait_taken(station, request, HANDOVER_SECONDS):
        # Unlike an emergency, a live announcement can wait a little, and must not open the sound card and
        # the relay board the running station holds: it is never aired here while a station answers.
        notify(f"Đài đang bận, chờ đài nhận lệnh (tối đa {LATE_HANDOVER_SECONDS:g} giây)…")
        if not _station.wait_taken(station, request, LATE_HANDOVER_SECONDS) and _station.withdraw(station, request):
            raise BroadcasterError(
                f"đài đang chạy (tiến trình {pid}) không nhận lệnh nói trực tiếp trong "
                f"{HANDOVER_SECONDS + LATE_HANDOVER_SECONDS:g} giây; lệnh này không tự mở micrô để khỏi tranh "
                "card âm thanh và rơ-le với đài. Xem đài có đang chạy bình thường không (broadcaster status) "
                "rồi thử lại.")


def _follow(station: Station, request: Any, clock: SystemClock, notify: Callable[[str], None]) -> dict[str, Any]:
    """Follow the station's state file until the announcement is over; Ctrl+C sends the stop once."""
    interrupted = threading.Event()
    sent = False
    said = ""
    limit = (request.max_seconds or station.live.max_minutes * 60) + STOP_GRACE_SECONDS + 60
    deadline = time.monotonic() + limit
    with _on_interrupt(interrupted.set):
        while time.monotonic() < deadline:
            state = _station.read_live_state(station, request.id) or {"state": "waiting"}
            if state["state"] == "done":
                return state
            if state["state"] != said:
                said = state["state"]
                if said == "on_air":
                    notify("ĐANG PHÁT TRỰC TIẾP — mời nói vào micrô. Nhấn Ctrl+C để dừng.")
            if interrupted.is_set() and not sent:
                sent = True
                _station.submit(station, _station.live_stop_request(request.who, clock.now(), target=request.id))
                notify("Đang dừng thông báo trực tiếp…")
            if _station.running_station_pid(station) is None:
                raise BroadcasterError("đài đã dừng trong khi đang nói trực tiếp: xem nhật ký (broadcaster log)")
            time.sleep(POLL_SECONDS)
    raise BroadcasterError("đài không báo lại kết quả thông báo trực tiếp: xem nhật ký (broadcaster log)")


def _air_here(station: Station, request: Any, clock: SystemClock, notify: Callable[[str], None]) -> dict[str, Any]:
    """No station running: this command airs the live chain itself (relays, chime, microphone, recording,
    log) and takes `broadcaster live --stop` from another terminal like the station would."""
    log = open_station_log(station, notify=notify)
    shutdown = threading.Event()
    channels = open_channels(station, log, clock, shutdown)
    on_air = _station.live_on_air(station, request, notify, aired_by="command")
    marker = _station.stop_marker(station, request.id)
    channel = channels[_station.live_output(station, request.zones)]
    notify(f"Âm thanh phát ra: {describe_output(channel.cfg, channel.output, station)}")

    def watch_stops() -> None:
        while not on_air.done.wait(0.1):
            if marker.exists():
                on_air.halt.set()

    watcher = threading.Thread(target=watch_stops, name="live-stops", daemon=True)
    try:
        with _on_interrupt(on_air.halt.set):
            watcher.start()
            with channel.lock:
                on_air.air(channel, in_session=False)
    finally:
        on_air.done.set()
        for ch in channels.values():
            ch.close(timeout=5.0)
        log.close()
        marker.unlink(missing_ok=True)
    return _station.read_live_state(station, request.id) or {"state": "done", "status": "failed"}


def stop_live(station_dir: str | Path, *, notify: Callable[[str], None] = lambda _: None) -> bool:
    """`broadcaster live --stop`: stop whichever live announcement airs, at the running station (a `LiveStop`
    request) or in a `broadcaster live` airing by itself (its stop file). Raises when none is on air."""
    station = load_station(station_dir)
    clock = SystemClock(station.timezone)
    on_air = _station.lives_on_air(station)
    if not on_air:
        raise BroadcasterError("không có thông báo trực tiếp nào đang phát")
    for live_id, state in on_air:
        if state.get("aired_by") == "command":
            _station.stop_marker(station, live_id).touch()
        else:
            stop = _station.live_stop_request(None, clock.now(), target=live_id)
            _station.submit(station, stop)
            if not _station.wait_taken(station, stop, HANDOVER_SECONDS) and _station.withdraw(station, stop):
                raise BroadcasterError("đài đang chạy không nhận lệnh dừng trong 2 giây: thử lại, hoặc dừng đài")
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while time.monotonic() < deadline:
        if all((_station.read_live_state(station, i) or {}).get("state") == "done" for i, _s in on_air):
            notify("Đã dừng thông báo trực tiếp.")
            return True
        time.sleep(POLL_SECONDS)
    notify("Đã gửi lệnh dừng thông báo trực tiếp; micrô chưa đóng sau "
           f"{STOP_WAIT_SECONDS:g} giây: xem nhật ký của đài.")
    return True


@dataclass(frozen=True)
class LiveNow:
    """A live announcement waiting or on air, as the desk shows it."""

    id: str
    state: str  # waiting | on_air
    started_at: str  # ISO, "" while waiting


def live_now(station: Station) -> list[LiveNow]:
    """The live announcements waiting or on air now (by the state files the station writes)."""
    return [LiveNow(i, str(s["state"]), str(s.get("started_at") or "")) for i, s in _station.lives_on_air(station)]


def request_live(station_dir: str | Path, *, zones: tuple[str, ...], who: str) -> str:
    """The desk's "Nói trực tiếp": ask the running station to open its microphone for `zones`; returns the
    request id. The microphone is at the station PC: with no station running there is nothing to ask (the
    officer at the PC runs `broadcaster live`). A refusal (an emergency on air, someone already speaking) is
    raised with the station's reason."""
    station = load_station(station_dir)
    if _station.running_station_pid(station) is None:
        raise BroadcasterError("Đài không chạy nên không mở được micrô ở máy đài. Chạy đài (scripts/station), "
                               "hoặc nói trực tiếp tại máy đài bằng lệnh broadcaster live.")
    clock = SystemClock(station.timezone)
    zone_ids = tuple(dict.fromkeys(resolve_zone(station, z).id for z in zones))
    _station.new_live_request(station, now=clock.now(), zones=zone_ids)  # villages checked before the chime
    request = _station.new_live_request(station, now=clock.now(), zones=zone_ids,
                                        chime=_station.live_chime(station), who=who)
    _station.submit(station, request)
    if not _station.wait_taken(station, request, HANDOVER_SECONDS) and _station.withdraw(station, request):
        raise BroadcasterError("Đài đang chạy không nhận lệnh trong 2 giây: thử lại sau ít giây.")
    deadline = time.monotonic() + HANDOVER_SECONDS
    while time.monotonic() < deadline:
        state = _station.read_live_state(station, request.id)
        if state is not None:
            if state.get("status") == "refused":
                raise BroadcasterError(str(state.get("reason") or "đài từ chối"))
            break
        time.sleep(POLL_SECONDS)
    return request.id


def summary(state: dict[str, Any], station_zones: str) -> str:
    """One line for the officer: how long, to whom, why it ended, where the recording is."""
    if state.get("status") == "refused":
        return f"Không phát trực tiếp: {state.get('reason', '')}"
    seconds = float(state.get("seconds") or 0)
    line = (f"Đã phát trực tiếp {fmt_spoken_duration(seconds)} tới {station_zones}; kết thúc vì: "
            f"{state.get('ended_by_text') or state.get('ended_by', '')}")
    if state.get("reason"):
        line += f" ({state['reason']})"
    if state.get("recording"):
        line += f". Bản ghi âm: {state['recording']}"
    return line
