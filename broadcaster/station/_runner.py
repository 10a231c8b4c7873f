"""The station process: one APScheduler BlockingScheduler per station, in the station's timezone.

Jobs: one DateTrigger job per session occurrence (fired a little before the start so the amplifier warms up and
the first sample airs on the second), a render-ahead job (every hour, and at once when a station or bulletin
file changes). Misfires are ours to decide, never APScheduler's: jobs run however late (misfire_grace_time=None)
and the session job itself airs (late by less than `playout.grace_minutes`) or logs `missed`. A session airs at
most once, also across restarts: `AirLog.claim_session` before airing. This is the only module importing
APScheduler. See docs/runner.md.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import logging
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from broadcaster.airlog import AirLog
from broadcaster.clock import Clock, SystemClock
from broadcaster.models import AiringStatus, Station
from broadcaster.playout import (
    EmergencyAudio,
    emergency_zones,
    record_not_aired,
    record_skipped,
)
from broadcaster.station import _control, _sessions
from broadcaster.station._chains import (
    Channel,
    apply_output_override,
    describe_output,
    open_channels,
    parse_output_spec,
)
from broadcaster.station._lookback import log_missed_sessions, reason_missed
from broadcaster.words import fmt_date, fmt_when

__all__ = ["Runner", "run_station", "apply_output_override", "parse_output_spec", "reason_missed", "reason_busy"]

log = logging.getLogger(__name__)

CONTROL_POLL_SECONDS = 0.2
WATCH_SECONDS = 5.0
PREPARE_LEAD_SECONDS = 1.0  # fire this long before warm-up + start: time to cut audio and open the output
TICK_SECONDS = 1.0  # the scheduler's main thread wakes at least this often (signals, stop)


def reason_busy(station: Station) -> str:
    return (f"loa đang phát nội dung khác (phát ngay hoặc tin khẩn cấp) đến quá {station.playout.grace_minutes:g} "
            "phút sau giờ phát")


def _trim_memory() -> None:
    """Hand freed heap back to the OS after building audio (numpy/scipy buffers): an idle station stays small."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


class Runner:
    """A running station: scheduler, channels (one per output), control channel, render-ahead."""

    def __init__(self, station_dir: str | Path, *, output_override: str | None = None,
                 notify: Callable[[str], None] | None = None, files: _sessions.StationFiles | None = None,
                 clock: Clock | None = None, make_channels: Callable[..., dict[str, Channel]] | None = None,
                 isolate_builds: bool = False):
        """`files`, `clock`, `make_channels(station, log, clock, shutdown)`: injected parts (tests, benchmarks);
        by default everything comes from the station directory. `isolate_builds`: build audio in a child
        process (the station process stays small; `run_station` sets it)."""
        self.isolate_builds = isolate_builds
        self.station_dir = Path(station_dir)
        self.output_override = output_override
        self.notify = notify or (lambda line: log.info("%s", line))
        self.shutdown = threading.Event()
        self._started_at: datetime | None = None
        self._stop_lock = threading.Lock()
        self._stopping = False
        self.sessions: dict[str, _sessions.Session] = {}
        self._mtimes: dict[str, int] = {}
        self._render_lock = threading.Lock()
        self._attention: Path | None = None
        self.files = files if files is not None else self._load()
        self.station = self.files.station
        if files is not None:
            self._mtimes = _sessions.watched_mtimes(self.station)
        self.clock = clock or SystemClock(self.station.timezone)
        self.log = AirLog(self.station.database, tz=self.station.timezone)
        self.channels: dict[str, Channel] = (make_channels or open_channels)(
            self.station, self.log, self.clock, self.shutdown)
        self.scheduler = BlockingScheduler(
            timezone=self.clock.tz,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            executors={"default": {"type": "threadpool", "max_workers": 4 + len(self.channels)}},
        )

    # -- loading and render-ahead ---------------------------------------------------------------------------
    def _load(self) -> _sessions.StationFiles:
        files = _sessions.load(self.station_dir)
        station = apply_output_override(files.station, self.output_override)
        self._mtimes = _sessions.watched_mtimes(station)
        for problem in files.problems:
            self.notify(f"cảnh báo: {problem}")
        return dataclasses.replace(files, station=station)

    def render_ahead(self, *, reload: bool = False) -> list[_sessions.Session]:
        """Plan and build the next hours; (re)schedule one job per session. Safe to call from any thread."""
        with self._render_lock:
            if reload:
                try:
                    files = self._load()
                except Exception as exc:  # noqa: BLE001 - a broken edit must not stop the station: keep the old plan
                    self._mtimes = _sessions.watched_mtimes(self.station)  # retry at the next edit, not every 5 s
                    self.notify(f"lỗi khi đọc lại lịch, giữ lịch cũ: {exc}")
                    return list(self.sessions.values())
                self.files = dataclasses.replace(files, station=dataclasses.replace(
                    files.station, outputs=self.station.outputs))
                self.station = self.files.station
                for channel in self.channels.values():
                    channel.station = self.station
                self.log.audit("reload", _control.current_user(), {"station": str(self.station_dir)})
            now = self.clock.now()
            if self.isolate_builds:
                sessions, self._attention = self._prepare_in_child(now)
            else:
                sessions = _sessions.call_prepare("prepare_ahead", self.files, [], now, previous=self.sessions)
            fresh = {s.key: s for s in sessions}
            for key in set(self.sessions) - set(fresh):
                job = self.scheduler.get_job(f"session:{key}")
                if job is not None:
                    job.remove()
            self.sessions = {**self.sessions, **fresh}
            for key in set(self.sessions) - set(fresh):
                del self.sessions[key]
            for session in sessions:
                self._schedule(session)
        _trim_memory()
        return sessions

    def _build(self, name: str, *args: Any) -> Any:
        """`station.prepare.<name>(*args)` in a child process when builds are isolated; in this process if no
        child could run it."""
        if not self.isolate_builds:
            return _sessions.call_prepare(name, *args)
        try:
            return _sessions.prepare_in_child(name, *args)
        except (BrokenProcessPool, OSError) as exc:  # child killed, or no process could start
            log.warning("tiến trình dựng âm thanh lỗi (%s): dựng ngay trong tiến trình của đài", exc)
            return _sessions.call_prepare(name, *args)

    def _prepare_in_child(self, now: datetime) -> tuple[list[_sessions.Session], Path | None]:
        try:
            return _sessions.prepare_in_child("prepare_with_sounds", self.files, now, self.sessions)
        except (BrokenProcessPool, OSError, KeyboardInterrupt) as exc:  # child killed, or no process could start
            if self.shutdown.is_set():
                return list(self.sessions.values()), self._attention
            log.warning("tiến trình dựng âm thanh lỗi (%s): dựng ngay trong tiến trình của đài", exc)
            return _sessions.call_prepare("prepare_with_sounds", self.files, now, self.sessions)

    def _schedule(self, session: _sessions.Session) -> None:
        if self.log.session_aired(session.key):
            return
        channel = self.channels.get(session.programme.output_id)
        lead = PREPARE_LEAD_SECONDS + (channel.warmup_seconds if channel else 0.0)
        self.scheduler.add_job(
            self.session_job, DateTrigger(run_date=session.programme.start - timedelta(seconds=lead)),
            args=[session.key], id=f"session:{session.key}", name=session.key, replace_existing=True,
        )

    # -- jobs -------------------------------------------------------------------------------------------------
    def session_job(self, key: str) -> None:
        """Air one session occurrence, or log why it does not air (late beyond grace, could not be built)."""
        session = self.sessions.get(key)
        if session is None or self.shutdown.is_set():
            return
        programme = session.programme
        channel = self.channels.get(programme.output_id)
        if channel is None:
            return
        try:
            self._air_or_log(session, channel)
        finally:
            channel.try_drain()  # an emergency that arrived while this job held the output
            _trim_memory()

    def _air_or_log(self, session: _sessions.Session, channel: Channel) -> None:
        key, programme = session.key, session.programme
        grace = self.station.playout.grace_minutes * 60
        fired_late = (self.clock.now() - programme.start).total_seconds()
        with channel.lock:  # held by whatever airs on this output now (a "phát ngay", an emergency)
            late = (self.clock.now() - programme.start).total_seconds()
            if not self.log.claim_session(key):
                return  # already aired (or being aired): never twice
            record_skipped(programme, self.files.by_id, log=self.log)
            if late > grace:
                reason = reason_missed(self.station) if fired_late > grace else reason_busy(self.station)
                record_not_aired(programme, log=self.log, status=AiringStatus.MISSED, reason=reason,
                                 info=session.info, bulletins=self.files.by_id)
                self.log.mark_session(key, AiringStatus.MISSED.value)
                self.notify(f"bỏ lỡ buổi phát {key}: {reason}")
                return
            if session.error:
                record_not_aired(programme, log=self.log, status=AiringStatus.FAILED, reason=session.error,
                                 info=session.info, bulletins=self.files.by_id)
                self.log.mark_session(key, AiringStatus.FAILED.value)
                self.notify(f"không phát được buổi {key}: {session.error}")
                return
            self.notify(f"bắt đầu buổi phát {key} lúc {fmt_when(programme.start)}")
            rows = channel.air_session(session)
            done = sum(r.status is AiringStatus.COMPLETED for r in rows)
            self.log.mark_session(key, "completed" if rows and done == len(rows) else "incomplete")
            self.notify(f"xong buổi phát {key}: {done}/{len(rows)} bản tin phát trọn vẹn")

    def air_request_job(self, req: _control.AirRequest) -> None:
        """"Phát ngay" handed over by `broadcaster air`: build the session as `air` would and air it as soon as
        its output is free (after the item or session on air; an emergency still pre-empts it). Never dies."""
        self.log.audit("air", req.who, {"slot": req.slot, "day": req.day.isoformat(), "request": req.id},
                       at=self.clock.now())
        try:
            sessions = self._build("prepare_manual", self.files, req.slot, req.day)
        except Exception as exc:  # noqa: BLE001 - a bad request or build must not stop the station
            self.notify(f"không phát ngay được buổi '{req.slot}' ngày {fmt_date(req.day)}: {exc}")
            return
        finally:
            _trim_memory()
        if not sessions:
            self.notify(f"buổi '{req.slot}' ngày {fmt_date(req.day)} không có bản tin nào để phát ngay "
                        f"(xem `broadcaster plan --from {req.day} --to {req.day}`)")
            return
        for session in sessions:
            channel = self.channels.get(session.programme.output_id)
            if channel is None or self.shutdown.is_set():
                continue
            if session.error:
                self.notify(f"không phát ngay được buổi {session.key}: {session.error}")
                continue
            try:
                with channel.lock:
                    started = self.clock.now()
                    key = f"{session.key}/manual-{started:%H%M%S}"
                    if not self.log.claim_session(key, at=started):
                        continue
                    record_skipped(session.programme, self.files.by_id, log=self.log, session_key=key)
                    self.notify(f"phát ngay buổi {session.key} theo yêu cầu của {req.who}")
                    rows = channel.air_session(session, session_key=key, start_at=started)
                    done = sum(r.status is AiringStatus.COMPLETED for r in rows)
                    self.log.mark_session(key, "completed" if rows and done == len(rows) else "incomplete")
                    self.notify(f"xong phát ngay {key}: {done}/{len(rows)} bản tin phát trọn vẹn")
            finally:
                channel.try_drain()

    def look_back(self) -> int:
        """At start-up: log the sessions the station missed while it was off (see `_lookback`)."""
        return log_missed_sessions(self.files, self.log, self.clock.now(), self._started_at, self.notify)

    # -- control channel ----------------------------------------------------------------------------------------
    def _emergency_audio(self, req: _control.EmergencyRequest) -> EmergencyAudio:
        if self._attention is None:
            self._attention = _control.attention_tone(self.station)
        return _control.to_air(req, self.station, self._attention)

    def control_loop(self) -> None:
        """Poll for emergencies every 200 ms, beat the heartbeat, notice edited files."""
        beat = watch = 0.0
        clock = 0.0
        while not self.shutdown.wait(CONTROL_POLL_SECONDS):
            clock += CONTROL_POLL_SECONDS
            try:
                for req in _control.take_requests(self.station):
                    self.notify(f"TIN KHẨN CẤP từ {req.who}: {req.title}")
                    audio = self._emergency_audio(req)
                    for output_id, channel in self.channels.items():
                        if emergency_zones(audio, self.station, output_id) is not None:
                            channel.offer(audio)  # interrupts only the outputs that feed its villages
                for air in _control.take_air_requests(self.station):
                    self.notify(f"yêu cầu phát ngay buổi '{air.slot}' từ {air.who}: đang chuẩn bị âm thanh")
                    self.scheduler.add_job(self.air_request_job, args=[air], id=f"air:{air.id}")
                if clock - beat >= _control.HEARTBEAT_SECONDS:
                    beat = clock
                    _control.write_heartbeat(self.station, {"station": str(self.station_dir)})
                if clock - watch >= WATCH_SECONDS:
                    watch = clock
                    if _sessions.watched_mtimes(self.station) != self._mtimes:
                        self.notify("lịch hoặc bản tin đã thay đổi: lập lại chương trình")
                        self.scheduler.add_job(self.render_ahead, kwargs={"reload": True}, id="reload",
                                               replace_existing=True)
            except Exception:  # noqa: BLE001 - the control loop must outlive any one bad request
                log.exception("control loop")

    # -- life cycle ---------------------------------------------------------------------------------------------
    def stop(self, *_: Any) -> None:
        """Stop the station: the playing item stops (its row becomes `interrupted`), then the scheduler."""
        self._on_signal()
        self._finish_stop()

    def _on_signal(self, *_: Any) -> None:
        """SIGTERM/SIGINT handler: only flags (no printing, no scheduler locks: the interrupted main thread may
        hold them). The tick job or the caller of `stop` finishes within a second."""
        self.shutdown.set()
        for channel in self.channels.values():
            channel.stop.set()

    def _finish_stop(self) -> None:
        with self._stop_lock:
            if self._stopping:
                return
            self._stopping = True
        self.notify("đang dừng đài…")
        try:
            self.scheduler.shutdown(wait=False)
        except Exception:  # noqa: BLE001 - not started yet
            pass

    def _tick(self) -> None:
        """Every second: wakes the scheduler's main thread, so a signal the kernel delivered to another thread is
        handled at once (a sleeping main thread would only see it at its next job, up to an hour later), and
        finishes a stop asked for by a signal."""
        if self.shutdown.is_set():
            self._finish_stop()

    def banner(self) -> None:
        st = self.station
        self.notify(f"{st.name} — đài bắt đầu chạy (giờ {st.timezone}: {fmt_when(self.clock.now())})")
        for cfg in st.outputs:
            ch = self.channels.get(cfg.id)
            if ch is not None:
                self.notify(f"Âm thanh phát ra: {describe_output(cfg, ch.output, st)}")
        upcoming = sorted(self.sessions.values(), key=lambda s: s.programme.start)
        if not upcoming:
            self.notify("Không có buổi phát nào trong 24 giờ tới (xem `broadcaster plan`).")
        else:
            self.notify("Các buổi phát sắp tới:")
            for s in upcoming[:6]:
                p = s.programme
                slot = next((x.name for x in st.slots if x.id == p.slot_id), p.slot_id)
                extra = f" — LỖI: {s.error}" if s.error else ""
                self.notify(f"  {fmt_when(p.start)}  {slot}: {len(p.items)} bản tin, "
                            f"{p.total_seconds / 60:.1f} phút{extra}")
        self.notify("Phát ngay một buổi: `broadcaster air BUỔI`; tin khẩn cấp: `broadcaster emergency --text ...`")
        self.notify("Nhấn Ctrl+C để dừng đài.")

    def run(self) -> int:
        """Blocking: recover, look back, render ahead, schedule, serve until a signal. Returns the exit code."""
        now = self._started_at = self.clock.now()
        recovered = self.log.recover_interrupted(now)
        if recovered:
            self.notify(f"{recovered} bản tin đang phát dở khi đài tắt đột ngột: đã ghi là bị gián đoạn")
        self.log.audit("run", _control.current_user(), {"station": str(self.station_dir), "pid": os.getpid(),
                                                         "outputs": [c.kind for c in self.station.outputs]},
                       at=now)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        _control.write_heartbeat(self.station, {"station": str(self.station_dir)})
        self.look_back()
        self.notify("Đang chuẩn bị âm thanh cho 24 giờ tới…")
        self.render_ahead()
        self.scheduler.add_job(self.render_ahead, IntervalTrigger(hours=1), id="render-ahead",
                               replace_existing=True)
        self.scheduler.add_job(self._tick, IntervalTrigger(seconds=TICK_SECONDS), id="tick", replace_existing=True)
        control = threading.Thread(target=self.control_loop, name="control", daemon=True)
        control.start()
        self.banner()
        try:
            if not self.shutdown.is_set():
                self.scheduler.start()
        finally:
            self.shutdown.set()
            self._finish_stop()  # says "đang dừng đài…" once, also when a signal came before the scheduler ran
            for channel in self.channels.values():
                channel.close(timeout=15.0)
            control.join(timeout=2.0)
            _control.clear_heartbeat(self.station)
            self.log.audit("stop", _control.current_user(), {"station": str(self.station_dir)},
                           at=self.clock.now())
            self.notify("đài đã dừng.")
        return 0


def run_station(station_dir: str | Path, *, output_override: str | None = None,
                notify: Callable[[str], None] | None = None) -> int:
    """Run the station until SIGTERM/SIGINT (blocking)."""
    return Runner(station_dir, output_override=output_override, notify=notify, isolate_builds=True).run()
