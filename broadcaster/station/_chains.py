"""One amplifier chain at air time: an output and its zone switch, one sound at a time, and emergency
pre-emption. Used by the runner (scheduled sessions) and by the `air`/`emergency` commands (direct airing).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from broadcaster.airlog import AirLog
from broadcaster.archive import archive_emergency
from broadcaster.clock import Clock
from broadcaster.errors import BroadcasterError
from broadcaster.models import Airing, OutputConfig, Station
from broadcaster.outputs import CommandOutput, FileOutput, NullOutput, Output, aired_directory, create_output
from broadcaster.playout import REASON_EMERGENCY, REASON_LIVE, EmergencyAudio, air_emergency, air_programme
from broadcaster.station._sessions import Session
from broadcaster.zones import ZoneSwitch, create_zone_switch

__all__ = ["Channel", "open_channels", "describe_output", "parse_output_spec", "apply_output_override"]

log = logging.getLogger(__name__)


class _Tracked:
    """The channel's log writer as playout sees it: every row written goes to the log, and the item that starts or
    ends is told to the status board (what airs now, for the desk's live page)."""

    def __init__(self, log: AirLog, board: Any, output_id: str):
        self._log, self._board, self._output_id = log, board, output_id

    def start_item(self, airing: Airing) -> int:
        row_id = self._log.start_item(airing)
        self._board.item_started(self._output_id, airing, row_id)
        return row_id

    def finish_item(self, row_id: int, status: Any, ended_at: datetime, played_seconds: float,
                    reason: str = "") -> None:
        self._log.finish_item(row_id, status, ended_at, played_seconds, reason)
        self._board.item_finished(self._output_id, row_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


class Channel:
    """An output chain: `lock` is held while anything airs; `stop` stops the playing item (emergency or
    shutdown); queued emergencies air in the session that holds the lock (pre-emption) or on their own."""

    def __init__(self, station: Station, cfg: OutputConfig, output: Output, switch: ZoneSwitch, log: AirLog, clock: Clock,
                 shutdown: threading.Event):
        self.station = station
        self.cfg = cfg
        self.output = output
        self.switch = switch
        self.log = log
        self.clock = clock
        self.shutdown = shutdown
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self._queue: deque[Any] = deque()  # EmergencyAudio, or a live announcement (`air(channel, in_session)`)
        self._mutex = threading.Lock()
        self._in_session = False
        self._emergency_on_air = False  # a second emergency waits for the one on air, never cuts it
        self.board: Any = None  # the station's StatusBoard (set by the runner): what airs now, warnings
        self.warn: Callable[[str, str], None] | None = None  # the monitor's findings (the runner's ChainWatch)

    def _writer(self) -> Any:
        return self.log if self.board is None else _Tracked(self.log, self.board, self.cfg.id)

    def _on_air(self, *, kind: str, key: str, title: str, items: list[str], zones: Any,
                start: datetime | None) -> None:
        if self.board is not None:
            self.board.session_started(self.cfg.id, kind=kind, key=key, title=title, items=items, zones=zones,
                                       start=start)

    def _off_air(self) -> None:
        if self.board is not None:
            self.board.session_finished(self.cfg.id)

    @property
    def paced(self) -> bool:
        """False for the file output (dry run): it writes each item at once, so pauses are not waited out."""
        return not isinstance(self.output, FileOutput)

    @property
    def warmup_seconds(self) -> float:
        return float(getattr(self.switch, "warmup_seconds", self.cfg.zone_switch.warmup_seconds) or 0.0)

    # Preemption protocol (called by playout from the session thread, with `lock` held)
    def pending(self) -> bool:
        with self._mutex:
            return bool(self._queue)

    def air_pending(self) -> bool:
        return self._drain(in_session=self._in_session)

    def _drain(self, *, in_session: bool) -> bool:
        aired = False
        while not self.shutdown.is_set():
            with self._mutex:
                if not self._queue:
                    self._emergency_on_air = False
                    break
                em = self._queue.popleft()
                self.stop.clear()
                self._emergency_on_air = isinstance(em, EmergencyAudio)
            if isinstance(em, EmergencyAudio):
                self._on_air(kind="emergency", key=f"emergency/{em.id}/{self.cfg.id}", title=em.title,
                             items=[], zones=sorted(em.zones) or [z.id for z in self.station.zones],
                             start=em.requested_at)
            else:
                self._on_air(kind="live", key=f"live/{em.id}/{self.cfg.id}",
                             title=f"Thông báo trực tiếp — {em.who}", items=[],
                             zones=sorted(em.zones) or [z.id for z in self.station.zones], start=None)
            try:
                if isinstance(em, EmergencyAudio):
                    air_emergency(em, station=self.station, output=self.output, output_id=self.cfg.id,
                                  switch=self.switch, log=self._writer(), clock=self.clock, stop=self.stop,
                                  in_session=in_session)
                else:
                    em.air(self, in_session=in_session)
            finally:
                self._off_air()
                with self._mutex:
                    self._emergency_on_air = False
            threading.Thread(target=self._archive, args=[em], name=f"archive-{self.cfg.id}", daemon=True).start()
            aired = True
        if not self.shutdown.is_set():
            self.stop.clear()
        return aired

    def _archive(self, em: EmergencyAudio) -> None:
        """An aired emergency into the archive (in its own thread: the interrupted programme resumes at once)."""
        replay = getattr(self.log, "replay", None)
        if replay is not None:
            replay()  # rows the journal holds go into SQLite first
        try:
            archive_emergency(self.station, em.id, em.message, self.cfg.id)
        except Exception as exc:  # noqa: BLE001 - a thread of its own: keeping the audio must never stop airing
            log.error("tin khẩn cấp %s: chưa lưu được âm thanh vào kho lưu trữ: %s", em.id, exc)

    def offer(self, em: EmergencyAudio) -> None:
        """Queue an emergency and interrupt whatever plays — except another emergency: that one is heard to the
        end, and this one airs right after it (emergencies are never lost, never cut by each other). Airs at once
        when nothing holds the output."""
        with self._mutex:
            self._queue.append(em)
            if not self._emergency_on_air:
                self.stop.set()
        threading.Thread(target=self.try_drain, name=f"emergency-{self.cfg.id}", daemon=True).start()

    def offer_live(self, live: Any) -> bool:
        """Queue a live announcement (`live.air(channel, in_session=)`) and interrupt a session (never an
        emergency: False, nothing queued, while one is on air or waiting)."""
        with self._mutex:
            if self._emergency_on_air or any(isinstance(q, EmergencyAudio) for q in self._queue):
                return False
            self._queue.append(live)
            self.stop.set()
        threading.Thread(target=self.try_drain, name=f"live-{self.cfg.id}", daemon=True).start()
        return True

    def emergency_busy(self) -> bool:
        """An emergency is on air or waiting on this output."""
        with self._mutex:
            return self._emergency_on_air or any(isinstance(q, EmergencyAudio) for q in self._queue)

    def preempt_reason(self) -> str:
        """Why a session item was cut: by what waits first in the queue."""
        with self._mutex:
            head = self._queue[0] if self._queue else None
        return REASON_EMERGENCY if head is None or isinstance(head, EmergencyAudio) else REASON_LIVE

    def try_drain(self) -> None:
        """Air queued emergencies if the output is free (a session holding it airs them itself)."""
        if self.pending() and self.lock.acquire(blocking=False):
            try:
                self._drain(in_session=False)
            finally:
                self.lock.release()

    def air_session(self, session: Session, *, session_key: str | None = None, start_at: datetime | None = None
                    ) -> list[Airing]:
        """Air a built session (caller holds `lock`): pre-emptable by `offer`, stoppable by shutdown."""
        with self.lock:
            if not self.shutdown.is_set():
                self.stop.clear()
            self._in_session = True
            p = session.programme
            self._on_air(kind="manual" if session_key else "session", key=session_key or session.key,
                         title=next((s.name for s in self.station.slots if s.id == p.slot_id), p.slot_id),
                         items=[i.bulletin_id for i in p.items], zones=sorted({z for i in p.items for z in i.zones}),
                         start=start_at or p.start)
            try:
                return air_programme(
                    session.built, session.programme, station=self.station, output=self.output, switch=self.switch,
                    log=self._writer(), clock=self.clock, stop=self.stop, emergency_check=self,
                    session_key=session_key, info=session.info, segments=session.segments, start_at=start_at,
                    paced=self.paced, warn=self.warn,
                )
            finally:
                self._in_session = False
                self._off_air()

    def safe_off(self, when: str) -> None:
        """Amplifier and every relay of this output off, whatever the state they were left in (a crash, kill -9,
        a power cut mid-session): at start-up, after a failed airing, at exit. Never raises."""
        failed = ""
        for action in (lambda: self.switch.amplifier(False), self.switch.all_off):
            try:
                action()
            except BroadcasterError as exc:
                log.error("bộ chuyển vùng loa (%s): %s", when, exc)
                failed = str(exc)
        if self.board is not None:  # a relay board that does not answer is for the officer to see
            code = f"relay-board:{self.cfg.id}"
            if failed:
                self.board.warn(code, f"Bộ chuyển vùng loa của đầu ra {self.cfg.id} không trả lời ({when}): {failed}",
                                severity="error")
            else:
                self.board.clear(code)

    def close(self, timeout: float = 15.0) -> None:
        """Wait for the airing item to wind down (rows finished), then relays and amplifier off, port closed."""
        got = self.lock.acquire(timeout=timeout)
        try:
            self.safe_off("khi dừng đài")
            try:
                self.switch.close()
            except BroadcasterError as exc:
                log.error("bộ chuyển vùng loa khi dừng đài: %s", exc)
        finally:
            if got:
                self.lock.release()


def open_channels(station: Station, log: AirLog, clock: Clock, shutdown: threading.Event) -> dict[str, Channel]:
    """One channel per configured output: its output (auto falls back to files) and its zone switch."""
    channels: dict[str, Channel] = {}
    for cfg in station.outputs:
        output = create_output(cfg, station)
        switch = create_zone_switch(cfg.zone_switch, [z for z in station.zones if z.output == cfg.id])
        channels[cfg.id] = Channel(station, cfg, output, switch, log, clock, shutdown)
    return channels


def describe_output(cfg: OutputConfig, output: Output, station: Station) -> str:
    """Where the audio goes, in the officer's words."""
    if isinstance(output, FileOutput):
        note = " (không tìm thấy card âm thanh)" if cfg.kind == "auto" else ""
        return f"ghi ra tệp trong thư mục {aired_directory(cfg, station)}{note} — không phát ra loa"
    if isinstance(output, NullOutput):
        return "không phát ra đâu cả (đầu ra null, để chạy thử)"
    if isinstance(output, CommandOutput):
        return f"lệnh phát `{cfg.command or 'mặc định'}`"
    return f"card âm thanh {cfg.device or 'mặc định'}"


def parse_output_spec(spec: str) -> tuple[str, str | None]:
    """`file:/tmp/aired` -> ("file", "/tmp/aired"); `null` -> ("null", None)."""
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    valid = ("auto", "sounddevice", "command", "file", "null")
    if kind not in valid:
        raise BroadcasterError(f"--output {spec!r}: kiểu đầu ra không hợp lệ; dùng một trong: {', '.join(valid)}")
    return kind, (arg or None)


def apply_output_override(station: Station, spec: str | None) -> Station:
    """The station with every output replaced by `--output KIND[:ARG]` (zone switches kept)."""
    if not spec:
        return station
    kind, arg = parse_output_spec(spec)
    outputs = []
    for cfg in station.outputs:
        changes: dict[str, Any] = {"kind": kind}
        if kind == "file" and arg:
            changes["directory"] = arg
        elif kind == "command" and arg:
            changes["command"] = arg
        elif kind == "sounddevice" and arg:
            changes["device"] = arg
        outputs.append(dataclasses.replace(cfg, **changes))
    return dataclasses.replace(station, outputs=tuple(outputs))
