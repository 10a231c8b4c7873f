"""The station process: one APScheduler BlockingScheduler per station, in the station's timezone.

Jobs: one DateTrigger job per session occurrence (fired a little before the start so the amplifier warms up and
the first sample airs on the second), a render-ahead job (every hour, and at once when a station or bulletin
file changes). Misfires are ours to decide, never APScheduler's: jobs run however late (misfire_grace_time=None)
and the session job itself airs (late by less than `playout.grace_minutes`) or logs `missed`. A session airs at
most once, also across restarts: `AirLog.claim_session` before airing. This is the only module importing
APScheduler. See docs/runner.md.
"""

from __future__ import annotations

import dataclasses
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

from broadcaster.airlog import open_station_log
from broadcaster.clock import Clock, SystemClock
from broadcaster.config import load_station
from broadcaster.playout import EmergencyAudio, emergency_zones
from broadcaster.station import _control, _live, _sessions, _status
from broadcaster.station._chains import Channel, apply_output_override, open_channels, parse_output_spec
from broadcaster.station._checks import RELAY_LEAD_SECONDS, ChainWatch
from broadcaster.station._clockwatch import ClockWatch
from broadcaster.station._jobs import SessionJobs, reason_busy, trim_memory
from broadcaster.station._lock import StationLock
from broadcaster.station._lookback import log_missed_sessions, reason_missed
from broadcaster.words import fmt_spoken_duration

__all__ = ["Runner", "run_station", "apply_output_override", "parse_output_spec", "reason_missed", "reason_busy"]

log = logging.getLogger(__name__)

CONTROL_POLL_SECONDS = 0.2
WATCH_SECONDS = 5.0
PREPARE_LEAD_SECONDS = 1.0  # fire this long before warm-up + start: time to cut audio and open the output
TICK_SECONDS = 1.0  # the scheduler's main thread wakes at least this often (signals, stop)
LOW_DISK_BYTES = 500 * 1024 * 1024  # less free on the state disk: a warning the officer must act on
LOG_CHECK_HOURS = 6  # the log's hash chain is verified this often (in a child process), and soon after start


def disk_free(path: str | Path) -> int | None:
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


class Runner(SessionJobs):
    """A running station: scheduler, channels (one per output), control channel, render-ahead."""

    def __init__(self, station_dir: str | Path, *, output_override: str | None = None,
                 notify: Callable[[str], None] | None = None, files: _sessions.StationFiles | None = None,
                 clock: Clock | None = None, make_channels: Callable[..., dict[str, Channel]] | None = None,
                 isolate_builds: bool = False, lock: StationLock | None = None):
        """`files`, `clock`, `make_channels(station, log, clock, shutdown)`: injected parts (tests, benchmarks);
        by default everything comes from the station directory. `isolate_builds`: build audio in a child
        process (the station process stays small; `run_station` sets it). `lock`: the station's single-instance
        lock, already held (`run_station` takes it before opening anything); `run` takes it otherwise."""
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
        self.clock_watch = ClockWatch(self.clock)
        self.lock = lock or StationLock(self.station.state_dir)
        self.voice = _status.VoiceWatch(self.station, self.notify)
        self.board = _status.StatusBoard(self.voice, self.clock)
        self.log = open_station_log(self.station, notify=self.notify)
        self.channels: dict[str, Channel] = (make_channels or open_channels)(
            self.station, self.log, self.clock, self.shutdown)
        for channel in self.channels.values():
            channel.board = self.board
        self.live = _live.LiveControl(lambda: self.station, self.channels, self.notify, now=self.clock.now)
        self.chain = ChainWatch(self.station, self.channels, self.clock, notify=self.notify,
                                publish=self.board.set_chain,
                                audit=lambda event, details: self.log.audit(event, "system", details))
        self.board.alert = lambda message: self.chain.alerts.send(message, self.clock.now())
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
                self._log_dropped(self.sessions[key], now)
            self.sessions = {**self.sessions, **fresh}
            for key in set(self.sessions) - set(fresh):
                del self.sessions[key]
            for session in sessions:
                self._schedule(session)
            self.board.set_next(self.sessions.values(), now)
            self.voice.after_prepare(self.station, self.sessions.values(), self.files.bulletins, now)
            self.voice.keep_retrying(self.scheduler, self.clock, self.shutdown, self.render_ahead)
            self.housekeeping()
        trim_memory()
        return sessions

    def _build(self, name: str, *args: Any) -> Any:
        """`station.prepare.<name>(*args)` in a child process when builds are isolated; in this process if no
        child could run it."""
        if not self.isolate_builds:
            return _sessions.call_prepare(name, *args)
        try:
            return _sessions.prepare_in_child(name, *args, cancel=self.shutdown)
        except (BrokenProcessPool, OSError) as exc:  # child killed, or no process could start
            log.warning("tiến trình dựng âm thanh lỗi (%s): dựng ngay trong tiến trình của đài", exc)
            return _sessions.call_prepare(name, *args)

    def _prepare_in_child(self, now: datetime) -> tuple[list[_sessions.Session], Path | None]:
        try:
            return _sessions.prepare_in_child("prepare_with_sounds", self.files, now, self.sessions,
                                              cancel=self.shutdown)
        # the child was killed, no process could start, or the station is stopping
        except (BrokenProcessPool, OSError, KeyboardInterrupt, _sessions.Cancelled) as exc:
            if self.shutdown.is_set():
                return list(self.sessions.values()), self._attention
            log.warning("tiến trình dựng âm thanh lỗi (%s): dựng ngay trong tiến trình của đài", exc)
            return _sessions.call_prepare("prepare_with_sounds", self.files, now, self.sessions)

    def _schedule(self, session: _sessions.Session) -> None:
        if self.log.session_aired(session.key):
            return
        channel = self.channels.get(session.programme.output_id)
        lead = PREPARE_LEAD_SECONDS + (channel.warmup_seconds if channel else 0.0)
        lead += RELAY_LEAD_SECONDS if session.programme.relay is not None else 0.0
        self.scheduler.add_job(
            self.session_job, DateTrigger(run_date=session.programme.start - timedelta(seconds=lead)),
            args=[session.key], id=f"session:{session.key}", name=session.key, replace_existing=True,
        )
        self.chain.schedule(self.scheduler, session.key, session.programme)  # the chain checked before it

    def look_back(self) -> int:
        """At start-up: log the sessions the station missed while it was off (see `_lookback`)."""
        missed = log_missed_sessions(self.files, self.log, self.clock.now(), self._started_at, self.notify)
        if missed:
            self.board.warn("missed-session", f"Đài đã bỏ lỡ {missed} buổi phát trong lúc không chạy (xem nhật ký phát "
                                              "sóng)", severity="error")
        return missed

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
                    if not self._refuse_stale(req, f"tin khẩn cấp '{req.title}'"):
                        self.take_emergency(req)
                for air in _control.take_air_requests(self.station):
                    if self._refuse_stale(air, f"phát ngay buổi '{air.slot}'"):
                        continue
                    self.notify(f"yêu cầu phát ngay buổi '{air.slot}' từ {air.who}: đang chuẩn bị âm thanh")
                    self.scheduler.add_job(self.air_request_job, args=[air], id=f"air:{air.id}")
                self.live.poll()  # `broadcaster live`: the microphone pre-empts the session on air
                if clock - beat >= _control.HEARTBEAT_SECONDS:
                    beat = clock
                    self.check_clock()
                    _control.write_heartbeat(self.station, {"station": str(self.station_dir)})
                if clock - watch >= WATCH_SECONDS:
                    watch = clock
                    self.check_disk()
                    if _sessions.watched_mtimes(self.station) != self._mtimes:
                        self.notify("lịch hoặc bản tin đã thay đổi: lập lại chương trình")
                        self.scheduler.add_job(self.render_ahead, kwargs={"reload": True}, id="reload",
                                               replace_existing=True)
            except Exception:  # noqa: BLE001 - the control loop must outlive any one bad request
                log.exception("control loop")

    def take_emergency(self, req: _control.EmergencyRequest) -> None:
        """Queue a taken emergency on every output that feeds its villages, and answer the sender: accepted, or
        failed with the reason (its audio could not be made ready), so it is never lost while the sender
        believes it on its way."""
        self.notify(f"TIN KHẨN CẤP từ {req.who}: {req.title}")
        try:
            audio = self._emergency_audio(req)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the sender must hear it, the station go on
            log.exception("tin khẩn cấp %s", req.id)
            reason = f"đài không chuẩn bị được âm thanh của tin khẩn cấp: {exc}"
            self.notify(f"LỖI: {reason}")
            _control.answer(self.station, req, reason)
            return
        for output_id, channel in self.channels.items():
            if emergency_zones(audio, self.station, output_id) is not None:
                channel.offer(audio)  # interrupts only the outputs that feed its villages
        _control.answer(self.station, req)

    def check_log_chain(self) -> None:
        """Verify the airing log's hash chain (in a child process: it reads every row); a broken chain is a warning
        the officer must act on (the log was edited or damaged: docs/reports.md)."""
        args = (str(self.station.database), self.station.timezone)
        try:
            if self.isolate_builds:
                ok, message = _sessions.run_in_child(_status.verify_log, *args, cancel=self.shutdown)
            else:
                ok, message = _status.verify_log(*args)
        except Exception as exc:  # noqa: BLE001 - a check that could not run is not a broken chain
            log.warning("không kiểm tra được chuỗi nhật ký: %s", exc)
            return
        if ok:
            self.board.clear("log-chain")
        else:
            self.board.warn("log-chain", f"Nhật ký phát sóng không còn nguyên vẹn: {message}", severity="error")

    def check_disk(self) -> None:
        """A warning on the status record while the state disk has less than LOW_DISK_BYTES free."""
        free = disk_free(self.station.state_dir)
        if free is not None and free < LOW_DISK_BYTES:
            self.board.warn("disk-low", f"Ổ đĩa chứa dữ liệu của đài ({self.station.state_dir}) chỉ còn "
                                        f"{free / 1024 / 1024:.0f} MB trống: xoá bớt tệp hoặc thay ổ đĩa, kẻo đài "
                                        "không ghi được âm thanh và nhật ký", severity="error")
        else:
            self.board.clear("disk-low")

    # -- life cycle ---------------------------------------------------------------------------------------------
    def stop(self, *_: Any) -> None:
        """Stop the station: the playing item stops (its row becomes `interrupted`), then the scheduler."""
        self._on_signal()
        self._finish_stop()

    def _on_signal(self, *_: Any) -> None:
        """SIGTERM/SIGINT/SIGHUP handler: only flags (no printing, no scheduler locks: the interrupted main thread
        may hold them). The stopper thread (monotonic wait: wall-clock steps cannot delay it) finishes the stop."""
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

    def check_clock(self) -> None:
        """Called from the control loop (monotonic timing: the scheduler's own jobs follow the wall clock, so after
        a step back they would not run for as long as the step): tell the officer, once per step."""
        jump = self.clock_watch.new_step()
        if jump:
            self.notify(f"cảnh báo: đồng hồ của máy vừa bị chỉnh {'nhanh lên' if jump > 0 else 'lùi lại'} "
                        f"{fmt_spoken_duration(abs(jump))}; các buổi phát theo giờ mới")
            self.log.audit("clock_step", "system", {"seconds": round(jump, 3)}, at=self.clock.now())

    def _stopper(self) -> None:
        """Waits for the shutdown flag on the monotonic clock, then stops the scheduler from a normal thread (the
        scheduler's own waits follow the wall clock: after the clock steps back they would sleep on)."""
        self.shutdown.wait()
        self._finish_stop()

    def run(self) -> int:
        """Blocking: take the station lock, switch every relay off, recover, look back, render ahead, schedule,
        serve until a signal. Returns the exit code. Raises `StationBusy` when this station already runs."""
        now = self._started_at = self.clock.now()
        if not self.lock.held:
            self.lock.acquire(now)
        try:
            return self._run(now)
        finally:
            self.lock.release()

    def _run(self, now: datetime) -> int:
        for channel in self.channels.values():  # whatever a crash or power cut left on: off before anything
            channel.safe_off("khi khởi động")
        self.chain.check_all()  # relay boards, amplifier, outputs: warned now, not at the first session
        recovered = self.log.recover_interrupted(now)
        if recovered:
            self.notify(f"{recovered} bản tin đang phát dở khi đài tắt đột ngột: đã ghi là bị gián đoạn")
        self.log.audit("run", _control.current_user(), {"station": str(self.station_dir), "pid": os.getpid(),
                                                         "outputs": [c.kind for c in self.station.outputs]},
                       at=now)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # SIGHUP: the terminal closed
                signal.signal(signum, self._on_signal)
        threading.Thread(target=self._stopper, name="stopper", daemon=True).start()
        _control.write_heartbeat(self.station, {"station": str(self.station_dir)})
        # requests are taken from the first heartbeat on, not only after the first render-ahead (which can take
        # a minute): a command that sees the heartbeat must never find nobody listening and open the sound card
        # and the relay board itself while the station holds them
        control = threading.Thread(target=self.control_loop, name="control", daemon=True)
        control.start()
        self.look_back()
        self.housekeeping(startup=True)  # builds a crash or an earlier run left: archived or deleted
        self.checkpoint()
        self.notify("Đang chuẩn bị âm thanh cho 24 giờ tới…")
        self.render_ahead()
        self.scheduler.add_job(self.render_ahead, IntervalTrigger(hours=1), id="render-ahead",
                               replace_existing=True)
        self.scheduler.add_job(self._tick, IntervalTrigger(seconds=TICK_SECONDS), id="tick", replace_existing=True)
        self.scheduler.add_job(self.check_log_chain, IntervalTrigger(hours=LOG_CHECK_HOURS), id="log-chain",
                               next_run_time=self.clock.now() + timedelta(seconds=30), replace_existing=True)
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
            self.board.flush(1.0)  # the last record says nothing airs
            _control.clear_heartbeat(self.station)
            self.log.audit("stop", _control.current_user(), {"station": str(self.station_dir)},
                           at=self.clock.now())
            self.notify("đài đã dừng.")
        return 0


def run_station(station_dir: str | Path, *, output_override: str | None = None,
                notify: Callable[[str], None] | None = None) -> int:
    """Run the station until SIGTERM/SIGINT/SIGHUP (blocking). The station lock is taken first, before any output
    or relay board is opened: a second `run` of the same station is refused at once (`StationBusy`)."""
    lock = StationLock(load_station(station_dir).state_dir)
    lock.acquire(SystemClock().now())
    try:
        return Runner(station_dir, output_override=output_override, notify=notify, isolate_builds=True,
                      lock=lock).run()
    finally:
        lock.release()
