"""Watching the chain: relay boards, amplifier and sound output checked at start-up and before each session, the
monitor's findings while airing (dead air, clipping, a lost relay), and the optional alert command.

Each check is one entry `{name, ok, checked_at, message}` (message in Vietnamese) of the status record's `chain`
list (status.json; the desk's live page and `broadcaster status` show it). A failure, and every warning from the
monitor, is told to the officer (the station's log), written to the airing log's audit trail and handed to the
alert command (`alerts.command`) in a background thread with a timeout: a command that fails, hangs or is
missing is logged and never touches airing.

The probe of a relay board is a real command: every relay of the output switched off (`all_off`, the safe state
between sessions), so a board that stopped answering or a switch command that fails is found before the session
rather than at its first item. The documented fallback (docs/relay.md): the session still airs at its time; the
serial port is reopened at the next command; an item whose villages cannot be switched on is logged `failed` with
the reason (never aired to the wrong villages).
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from broadcaster.clock import Clock
from broadcaster.errors import BroadcasterError
from broadcaster.models import Programme, Station
from broadcaster.playout import CLIPPING, DEAD_AIR, RELAY_LOST
from broadcaster.station._chains import Channel

__all__ = ["CHECK_LEAD_SECONDS", "RELAY_LEAD_SECONDS", "AlertHook", "ChainWatch"]

log = logging.getLogger(__name__)

CHECK_LEAD_SECONDS = 60.0  # the chain is checked this long before each session (warned in time to act)
RELAY_LEAD_SECONDS = 5.0  # a relay's session job fires this much earlier: its stream decoded and levelled in time
_WATCHED = {DEAD_AIR: "Âm thanh ra loa", CLIPPING: "Âm thanh ra loa", RELAY_LOST: "Tiếp âm"}


class AlertHook:
    """Runs `alerts.command` for a warning, in its own thread and process group; never raises, never waits."""

    def __init__(self, station: Station):
        self.template = station.alerts.command
        self.timeout = station.alerts.timeout_seconds
        self.station_name = station.name
        self.threads: list[threading.Thread] = []  # the last runs (tests and a clean stop wait for them)

    def send(self, message: str, at: datetime) -> None:
        if not self.template:
            return
        values = {"message": message, "time": at.strftime("%Y-%m-%d %H:%M:%S"), "station": self.station_name}
        try:
            argv = [word.format_map(values) for word in shlex.split(self.template)]
        except (ValueError, KeyError, IndexError) as exc:
            log.error("lệnh gửi cảnh báo '%s' không hợp lệ (%s): chỉ dùng {message}, {time}, {station}",
                      self.template, exc)
            return
        thread = threading.Thread(target=self._run, args=(argv,), name="alert", daemon=True)
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def _run(self, argv: list[str]) -> None:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            log.error("không chạy được lệnh gửi cảnh báo '%s': %s", argv[0] if argv else "", exc.strerror or exc)
            return
        try:
            code = proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            log.error("lệnh gửi cảnh báo '%s' chạy quá %g giây: đã dừng", argv[0], self.timeout)
            return
        if code != 0:
            log.error("lệnh gửi cảnh báo '%s' báo lỗi (mã %d)", argv[0], code)

    def join(self, timeout: float = 5.0) -> None:
        for thread in list(self.threads):
            thread.join(timeout)


class ChainWatch:
    """The chain's state for the status record, the checks that fill it, and the warnings it raises."""

    def __init__(self, station: Station, channels: Mapping[str, Channel], clock: Clock, *,
                 notify: Callable[[str], None], publish: Callable[[list[dict[str, Any]]], None] | None = None,
                 audit: Callable[[str, dict[str, Any]], None] | None = None):
        self.station = station
        self.channels = channels
        self.clock = clock
        self.notify = notify
        self.publish = publish  # writes the status record with the new `chain` list
        self.audit = audit
        self.alerts = AlertHook(station)
        self.entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        for output_id, channel in channels.items():
            channel.warn = self._warner(output_id)

    @property
    def chain(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self.entries.values()]

    def check_all(self) -> bool:
        """Every output's chain (start-up); True when all is well."""
        return all([self.check(output_id) for output_id in self.channels])

    def before_session(self, output_id: str) -> bool:
        """The check before a session, unless `monitor.check_before_session` is off."""
        return self.check(output_id) if self.station.monitor.check_before_session else True

    def schedule(self, scheduler: Any, key: str, programme: Programme) -> None:
        """A job checking the session's output CHECK_LEAD_SECONDS before it (when that is still to come)."""
        at = programme.start - timedelta(seconds=CHECK_LEAD_SECONDS)
        if at > self.clock.now():
            scheduler.add_job(self.before_session, "date", run_date=at, args=[programme.output_id],
                              id=f"check:{key}", replace_existing=True)

    def check(self, output_id: str) -> bool:
        """Probe one output's sound output, relay board and amplifier; record and warn. Skipped (True) while
        something airs on it: the probe switches relays off."""
        channel = self.channels[output_id]
        if not channel.lock.acquire(blocking=False):
            return True
        try:
            results = [self._probe_output(channel), *self._probe_switch(channel)]
        finally:
            channel.lock.release()
        self._settle_warnings(output_id)
        for name, ok, message in results:
            self.record(name, ok, message)
        return all(ok for _, ok, _ in results)

    def _settle_warnings(self, output_id: str) -> None:
        """Before a new session, what the monitor found in the last one stays visible, marked as past."""
        with self._lock:
            for label in set(_WATCHED.values()):
                entry = self.entries.get(f"{label} ({output_id})")
                if entry is not None and not entry["ok"]:
                    entry.update(ok=True, message=f"buổi trước: {entry['message']}")

    def _probe_output(self, channel: Channel) -> tuple[str, bool, str]:
        name = f"Đầu ra âm thanh ({channel.cfg.id})"
        try:
            channel.output.check()
        except BroadcasterError as exc:
            return name, False, f"đầu ra âm thanh không dùng được: {exc}"
        return name, True, "sẵn sàng"

    def _probe_switch(self, channel: Channel) -> list[tuple[str, bool, str]]:
        zs = channel.cfg.zone_switch
        if zs.kind == "none":
            return []
        board = f"Bảng rơ-le ({channel.cfg.id})"
        where = f"cổng {zs.port}" if zs.kind == "serial" else "lệnh bật/tắt"
        out: list[tuple[str, bool, str]] = []
        try:
            channel.switch.check()
            channel.switch.all_off()  # a real command to every relay: the board must take it
            out.append((board, True, f"trả lời bình thường ({where})"))
        except BroadcasterError as exc:
            out.append((board, False, f"bảng rơ-le không trả lời hoặc lệnh chuyển vùng lỗi: {exc}. Buổi phát vẫn "
                        "chạy đúng giờ; thôn nào không bật được rơ-le thì bản tin ghi là không phát được"))
        if zs.amplifier_relay is not None:
            amp = f"Âm ly ({channel.cfg.id})"
            if out[0][1]:
                out.append((amp, True, f"rơ-le nguồn âm ly {zs.amplifier_relay} điều khiển được"))
            else:
                out.append((amp, False, f"không điều khiển được rơ-le nguồn âm ly {zs.amplifier_relay} "
                            "(bảng rơ-le lỗi): kiểm tra âm ly và bảng rơ-le"))
        return out

    def record(self, name: str, ok: bool, message: str) -> None:
        """Note one result; a new failure is a warning, a recovery is told once."""
        now = self.clock.now()
        with self._lock:
            before = self.entries.get(name)
            self.entries[name] = {"name": name, "ok": ok, "checked_at": now.isoformat(), "message": message}
        if not ok and (before is None or before["ok"] or before["message"] != message):
            self.warn(f"{name}: {message}", kind="chain")
        elif ok and before is not None and not before["ok"]:
            self.notify(f"{name}: đã trở lại bình thường")
        if self.publish is not None:
            self.publish(self.chain)

    def warn(self, message: str, *, kind: str = "warning") -> None:
        """A warning: told to the officer, kept in the audit trail, sent by the alert command."""
        self.notify(f"cảnh báo: {message}")
        if self.audit is not None and kind == "chain":
            try:
                self.audit("chain_warning", {"message": message})
            except Exception:  # noqa: BLE001 - the log must not stop the warning
                log.exception("không ghi được cảnh báo vào nhật ký")
        self.alerts.send(message, self.clock.now())

    def _warner(self, output_id: str) -> Callable[[str, str], None]:
        def warn(kind: str, message: str) -> None:
            name = f"{_WATCHED.get(kind, 'Giám sát')} ({output_id})"
            now = self.clock.now()
            with self._lock:
                self.entries[name] = {"name": name, "ok": False, "checked_at": now.isoformat(), "message": message}
            self.warn(message, kind=kind)
            if self.publish is not None:
                self.publish(self.chain)
        return warn
