"""A relay (tiếp âm) on air: the stream from its scheduled start to its end, levelled, watched, logged.

The stream is opened before the session's warm-up (`open_relay`), so decoded audio waits when the start comes.
It airs through `Output.play_stream` until the relay's end on the station clock. A drop shorter than
`relay.max_gap_seconds` is silence on air while ffmpeg reconnects (counted, logged); a longer one (or no stream
at the start) ends the relay: the fallback notice airs, then the session's next items. Each log row carries the
seconds really relayed. An emergency interrupts the relay, airs, and the relay goes on while its time lasts.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from broadcaster.clock import Clock
from broadcaster.errors import AudioError
from broadcaster.ffmpeg import decode_to_wav
from broadcaster.models import Airing, AiringStatus, Priority, Programme, Station
from broadcaster.outputs import Output
from broadcaster.playout._common import (
    REASON_EMERGENCY,
    REASON_SHUTDOWN,
    LogWriter,
    play,
    relays_for,
    switch_safely,
)
from broadcaster.playout._monitor import Monitor, Warn
from broadcaster.playout._records import RELAY_TOPIC
from broadcaster.playout._stream import BLOCK_SECONDS, StreamReader
from broadcaster.streams import Relay
from broadcaster.wav import write_wav
from broadcaster.words import fmt_spoken_duration, fmt_time
from broadcaster.zones import ZoneSwitch

__all__ = ["RELAY_LOST", "RELAY_TOPIC", "RelayContext", "air_relay", "open_relay"]

log = logging.getLogger("broadcaster.playout")

RELAY_LOST = "relay_lost"  # the warning kind when a relay is given up
START_BUFFER_SECONDS = 0.5  # decoded audio kept at the start: on time, close to live, no underrun
WAIT_SECONDS = 0.2  # no block for this long: 100 ms of silence goes out (the output must not run dry)
DROP_SECONDS = 1.0  # a shorter wait for data is jitter, not a drop worth logging
CONNECT_SECONDS = 4.0  # added to max_gap_seconds for the first audio (connect + the leveller's look-ahead)


def open_relay(programme: Programme, station: Station) -> StreamReader | None:
    """Start decoding the programme's relay stream now (before the warm-up), or None when it has none."""
    if programme.relay is None:
        return None
    audio = station.audio
    return StreamReader(programme.relay.url, rate=audio.sample_rate, loudness=audio.loudness_lufs,
                        true_peak=audio.true_peak_db).start()


@dataclass
class RelayContext:
    """What airing a relay needs from the session around it."""

    station: Station
    output: Output
    switch: ZoneSwitch
    log: LogWriter
    clock: Clock
    stop: threading.Event
    session_key: str
    output_id: str
    emergency_check: Any = None  # playout's Preemption
    warn: Warn | None = None


@dataclass
class _Piece:
    """One continuous stretch of the relay on air (a new one after an emergency)."""

    relay: Relay
    reader: StreamReader
    end: datetime
    ctx: RelayContext
    monitor: Monitor
    began: float = field(default_factory=time.monotonic)
    relayed: float = 0.0  # seconds of stream audio aired
    drops: list[float] = field(default_factory=list)  # seconds of each drop that was ridden out
    lost: str = ""  # why the relay was given up ("" while it airs)
    _drop_since: float | None = None

    def blocks(self) -> Any:
        rate = self.reader.rate
        silence = np.zeros((int(rate * BLOCK_SECONDS), 1), dtype=np.int16)
        while not self.ctx.stop.is_set() and self.ctx.clock.now() < self.end:
            block = self.reader.get(WAIT_SECONDS)
            now = time.monotonic()
            if block is None:
                since = max(self.reader.last_data or self.began, self.began)
                if self._drop_since is None:
                    self._drop_since = since
                never = self.reader.last_data is None and now - (self.reader.opened_at or now) < (
                    self.relay.max_gap_seconds + CONNECT_SECONDS)  # the first connection gets longer
                if now - since > self.relay.max_gap_seconds and not never:
                    self.lost = self._lost_reason(now - since)
                    return
                block = silence
            else:
                if self._drop_since is not None and now - self._drop_since >= DROP_SECONDS:
                    self.drops.append(now - self._drop_since)
                self._drop_since = None
                self.relayed += len(block) / rate
            self.monitor.feed(block)
            yield block

    def _lost_reason(self, gap: float) -> str:
        said = f" ({self.reader.last_error})" if self.reader.last_error else ""
        if self.relayed <= 0:
            return f"không nhận được tín hiệu tiếp âm sau {gap:.0f} giây{said}"
        at = fmt_time(self.ctx.clock.now())
        return f"mất tín hiệu tiếp âm quá {self.relay.max_gap_seconds:g} giây lúc {at}{said}"


def air_relay(relay: Relay, zones: frozenset[str], reader: StreamReader, start: datetime,
              ctx: RelayContext) -> list[Airing]:
    """Air the relay from `start` (now) to `start + relay.seconds`; the log rows it wrote. Returns early when the
    stream is lost (after the fallback notice) or the station stops (`ctx.stop` set without an emergency)."""
    with tempfile.TemporaryDirectory(prefix="broadcaster-relay-") as tmp:
        notice = Path(tmp) / "thong-bao.wav"
        try:  # ready before it is needed: the notice follows a lost stream without a decoding pause
            _notice(relay, ctx.station, notice)
            problem = ""
        except AudioError as exc:
            problem = f"không phát được thông báo thay thế: {exc}"
        return _air(relay, zones, reader, start, ctx, notice if not problem else problem)


def _air(relay: Relay, zones: frozenset[str], reader: StreamReader, start: datetime, ctx: RelayContext,
         notice: Path | str) -> list[Airing]:
    end = start + timedelta(seconds=relay.seconds)
    rows: list[Airing] = []
    reader.keep_last(START_BUFFER_SECONDS)
    what = f"tiếp âm {relay.name}"
    while True:
        monitor = Monitor(ctx.station.monitor, what=what, warn=ctx.warn,
                          audit=lambda kind, details: ctx.log.audit(kind, "system", details))
        piece = _Piece(relay, reader, end, ctx, monitor)
        row = _row(relay, zones, ctx, scheduled=start, planned=(end - ctx.clock.now()).total_seconds())
        row_id = ctx.log.start_item(row)
        res = ctx.output.play_stream(piece.blocks(), rate=reader.rate, stop=ctx.stop, label=what, zones=zones)
        preempted = ctx.stop.is_set() and ctx.emergency_check is not None and ctx.emergency_check.pending()
        status, reason = _outcome(piece, res.error, preempted, ctx.stop.is_set())
        ended = ctx.clock.now()
        ctx.log.finish_item(row_id, status, ended, round(piece.relayed, 3), reason)
        rows.append(dataclasses.replace(row, id=row_id, status=status, ended_at=ended,
                                        played_seconds=round(piece.relayed, 3), reason=reason))
        log.info("%s: %s, đã tiếp âm %s%s", what, status.value, fmt_spoken_duration(piece.relayed),
                 f" — {reason}" if reason else "")
        if preempted:
            ctx.emergency_check.air_pending()
            wanted = relays_for(ctx.station, zones)
            switch_safely(lambda: ctx.switch.select(wanted), f"bật rơ-le {sorted(wanted)}")
            if ctx.clock.now() < end - timedelta(seconds=1):
                continue
            return rows
        if piece.lost or (res.error and not ctx.stop.is_set()):
            if ctx.warn is not None:
                ctx.warn("relay_lost", f"{what}: {reason}")
            rows.append(_fallback(relay, zones, ctx, notice))
        return rows


def _outcome(piece: _Piece, error: str, preempted: bool, stopped: bool) -> tuple[AiringStatus, str]:
    aired = f"đã tiếp âm {fmt_spoken_duration(piece.relayed)}"
    drops = (f"; tín hiệu ngắt {len(piece.drops)} lần (tổng {sum(piece.drops):.0f} giây), đã tự kết nối lại"
             if piece.drops else "")
    if preempted:
        return AiringStatus.INTERRUPTED, f"{REASON_EMERGENCY}; {aired}{drops}"
    if stopped:
        return AiringStatus.INTERRUPTED, f"{REASON_SHUTDOWN}; {aired}{drops}"
    if piece.lost or error:
        why = piece.lost or error
        then = "phát thông báo thay thế rồi chuyển sang tin tiếp theo"
        status = AiringStatus.FAILED if piece.relayed <= 0 else AiringStatus.INTERRUPTED
        return status, f"{why}: {then}; {aired}{drops}"
    return AiringStatus.COMPLETED, f"{aired}{drops}"


def _row(relay: Relay, zones: frozenset[str], ctx: RelayContext, *, scheduled: datetime, planned: float
         ) -> Airing:
    return Airing(
        session_key=ctx.session_key, output_id=ctx.output_id, output_kind=getattr(ctx.output, "kind", ""),
        zones=tuple(sorted(zones)), bulletin_id=None, title=f"Tiếp âm: {relay.name}", topic=RELAY_TOPIC,
        priority=Priority.NORMAL, scheduled_at=scheduled, status=AiringStatus.STARTED, started_at=ctx.clock.now(),
        planned_seconds=round(max(planned, 0.0), 3), content_hash=relay.url,
    )


def _fallback(relay: Relay, zones: frozenset[str], ctx: RelayContext, notice: Path | str) -> Airing:
    """The notice aired in place of a lost relay (the station's recording, or a short chime), logged; `notice`
    is its WAV, or why it could not be prepared."""
    now = ctx.clock.now()
    row = dataclasses.replace(_row(relay, zones, ctx, scheduled=now, planned=0.0),
                              title=f"Thông báo mất tín hiệu tiếp âm: {relay.name}")
    if isinstance(notice, str):
        failed = dataclasses.replace(row, status=AiringStatus.FAILED, started_at=None, reason=notice)
        return dataclasses.replace(failed, id=ctx.log.record(failed))
    row_id = ctx.log.start_item(row)
    ok, played, error = play(ctx.output, notice, ctx.stop, row.title, zones)
    status = AiringStatus.COMPLETED if ok else AiringStatus.INTERRUPTED if ctx.stop.is_set() else AiringStatus.FAILED
    ended = ctx.clock.now()
    ctx.log.finish_item(row_id, status, ended, played, error)
    return dataclasses.replace(row, id=row_id, status=status, ended_at=ended, played_seconds=played, reason=error)


def _notice(relay: Relay, station: Station, target: Path) -> None:
    rate = station.audio.sample_rate
    if relay.fallback:
        decode_to_wav(station.root / relay.fallback, target, rate)
        return
    t = np.arange(int(rate * 0.35)) / rate
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
    beep = [0.4 * np.sin(2 * np.pi * f * t) * fade for f in (880.0, 660.0)]
    gap = np.zeros(int(rate * 0.15))
    write_wav(target, np.concatenate([beep[0], gap, beep[1], gap, beep[0], gap, beep[1]]), rate)
