"""What the officer starts by hand: air a session now ("phát ngay") and send an emergency (tin khẩn cấp).

Service functions behind `broadcaster air` and `broadcaster emergency` (and later the web UI). They report
progress through `notify` (Vietnamese lines); they never print.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from broadcaster import station as _station
from broadcaster.airlog import is_space_error, open_station_log, scratch_dir, short_of_space
from broadcaster.archive import archive_emergency, archive_session
from broadcaster.build import plan_loaded
from broadcaster.clock import SystemClock
from broadcaster.config import load_station, resolve_slot
from broadcaster.errors import BroadcasterError
from broadcaster.models import Airing, AiringStatus, Station
from broadcaster.playout import air_emergency, emergency_zones, record_skipped, session_outcome
from broadcaster.station import Channel, apply_output_override, describe_output, open_channels
from broadcaster.station.prepare import prepare_manual
from broadcaster.words import fmt_date, status_label

__all__ = ["air_now", "send_emergency", "HANDOVER_SECONDS", "ANSWER_SECONDS", "NotRunning"]

HANDOVER_SECONDS = 2.0  # how long the command waits for a running station to take an emergency
ANSWER_SECONDS = 5.0  # then how long for its answer (queued, or failed with the reason)


class NotRunning(BroadcasterError):
    """No station runs (or none took the request) and the caller asked only to hand it over (the desk, which
    offers the fallback to the officer instead of airing by itself)."""


def _not_running(what: str) -> NotRunning:
    return NotRunning(f"Đài không chạy (không có tín hiệu hoạt động của đài): {what} chưa được phát.")
EMERGENCY_SPACE_BYTES = 32 * 1024 * 1024  # less free than this: the emergency's audio is made in RAM


@contextmanager
def _stoppable(channels: dict[str, Channel], shutdown: threading.Event) -> Iterator[None]:
    """Ctrl+C / SIGTERM while airing by hand: stop the item cleanly (row `interrupted`, relays off)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(*_: object) -> None:
        shutdown.set()
        for ch in channels.values():
            ch.stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def air_now(station_dir: str | Path, slot_id: str, *, day: date | None = None, output_override: str | None = None,
            notify: Callable[[str], None] = lambda _: None, who: str | None = None, hand_over_only: bool = False,
            on_request: Callable[[str], None] = lambda _: None) -> list[Airing] | None:
    """Build (if needed) and air the session `slot_id` of `day` (today) now, under its own session key
    (`<date>/<slot>/<output>/manual-<HHMMSS>`), so the scheduled airing still happens at its time.

    When the station is running on the same state directory (and no other output is asked for), it owns the
    sound card and the relays: the request is handed to it and None is returned; the station airs the session
    as soon as its output is free, and logs it like any airing. `who` (default the OS user) is audited;
    `hand_over_only`: raise `NotRunning` instead of airing here; `on_request(id)` once the request is dropped."""
    files = _station.load(station_dir)
    station = apply_output_override(files.station, output_override)
    files = _station.StationFiles(station, files.bulletins, files.problems)
    slot_id = resolve_slot(station, slot_id).id  # 'sáng', 'Buổi sáng' and 'sang' are the same session
    clock = SystemClock(station.timezone)
    now = clock.now()
    day = day or now.date()

    def nothing_to_air() -> BroadcasterError:
        return BroadcasterError(
            f"buổi '{slot_id}' ngày {fmt_date(day)} không có chương trình (không có bản tin nào phát được, ngày "
            f"nghỉ hoặc ngoài khung giờ phát): xem `broadcaster plan --from {day} --to {day}`")

    pid = _station.running_station_pid(station) if output_override is None else None
    if pid is not None:
        # said here, at once, rather than only in the station's output after the hand-over
        if not any(p.slot_id == slot_id for p in plan_loaded(station, files.bulletins, day, day).result.programmes):
            raise nothing_to_air()
        request = _station.submit_air(station, slot_id, day, now, who=who)
        on_request(request.id)
        if _station.wait_taken(station, request, HANDOVER_SECONDS) or not _station.withdraw(station, request):
            notify(f"Đài đang chạy (tiến trình {pid}) đã nhận lệnh phát ngay buổi '{slot_id}' ngày {fmt_date(day)}: "
                   "đài dựng âm thanh rồi phát ngay khi loa rảnh (sau buổi đang phát, nếu có). "
                   f"Xem kết quả: broadcaster log --from {day}")
            return None
        if hand_over_only:
            raise _not_running(f"đài đang chạy không nhận lệnh trong {HANDOVER_SECONDS:g} giây; buổi '{slot_id}'")
        notify("Đài đang chạy không nhận lệnh trong 2 giây: lệnh này tự phát.")
    elif hand_over_only:
        raise _not_running(f"buổi '{slot_id}'")
    notify("Đang chuẩn bị âm thanh…")
    sessions = prepare_manual(files, slot_id, day)
    if not sessions:
        raise nothing_to_air()
    broken = [s for s in sessions if s.error]
    if broken:
        raise BroadcasterError(f"không dựng được chương trình buổi '{slot_id}': {broken[0].error}")
    log = open_station_log(station, notify=notify)
    shutdown = threading.Event()
    channels = open_channels(station, log, clock, shutdown)
    rows: list[Airing] = []
    done: list[tuple[str, _station.Session]] = []
    try:
        with _stoppable(channels, shutdown):
            for session in sessions:
                programme = session.programme
                channel = channels[programme.output_id]
                started = clock.now()
                key = f"{programme.key}/manual-{started:%H%M%S}"
                if not log.claim_session(key, at=started):
                    raise BroadcasterError(f"buổi {key} vừa được phát; chờ một giây rồi thử lại")
                for skip in record_skipped(programme, files.by_id, log=log, session_key=key):
                    notify(f"  bỏ qua: {skip.title} ({skip.reason})")
                log.audit("air", who or _station.current_user(), {"session": key}, at=started)
                where = describe_output(channel.cfg, channel.output, station)
                notify(f"Phát ngay buổi '{slot_id}' ({len(programme.items)} bản tin, "
                       f"{programme.total_seconds / 60:.1f} phút): {where}")
                aired = channel.air_session(session, session_key=key, start_at=started)
                log.mark_session(key, session_outcome(aired)[0])
                rows += aired
                done.append((key, session))
    finally:
        for ch in channels.values():
            ch.close(timeout=5.0)
        log.close()
    _archive(station, done, notify)  # after the log is closed: every row is in SQLite
    for row in rows:
        extra = f" ({row.reason})" if row.reason else ""
        notify(f"  {status_label(row.status)}: {row.title}{extra}")
    return rows


def send_emergency(
    station_dir: str | Path, *, text: str | None = None, audio: str | None = None, zones: tuple[str, ...] = (),
    repeat: int | None = None, output_override: str | None = None, notify: Callable[[str], None] = lambda _: None,
    who: str | None = None, hand_over_only: bool = False, on_request: Callable[[str], None] = lambda _: None,
) -> list[Airing]:
    """Prepare the message, hand it to the running station (within a second) and wait for its answer; with no
    station running, air it here. Returns the rows aired here (empty when the running station took it). Raises
    `BroadcasterError` with the station's reason when it took the emergency but could not air it; `NotRunning`
    with `hand_over_only` when no station took it. `who` (default the OS user) is audited; `on_request(id)`
    once the request is dropped."""
    station = apply_output_override(load_station(station_dir), output_override)
    clock = SystemClock(station.timezone)
    sounds = _room_for_sound(station, notify)
    try:
        request = _station.prepare_request(sounds, now=clock.now(), text=text, audio=audio, zones=zones,
                                            repeat=repeat, who=who)
    except (OSError, BroadcasterError) as exc:
        if sounds is not station or not is_space_error(exc):
            raise
        sounds = _room_for_sound(station, notify, full=True)  # the disk filled up meanwhile
        request = _station.prepare_request(sounds, now=clock.now(), text=text, audio=audio, zones=zones,
                                            repeat=repeat, who=who)
    pid = _station.running_station_pid(station)
    if pid is not None:
        _station.submit(station, request)
        on_request(request.id)
        if _station.wait_taken(station, request, HANDOVER_SECONDS) or not _station.withdraw(station, request):
            _hand_over_answer(station, request, pid, notify)
            return []
        if hand_over_only:
            raise _not_running(f"đài đang chạy không nhận tin trong {HANDOVER_SECONDS:g} giây; tin khẩn cấp")
        notify("Đài đang chạy không nhận tin trong 2 giây: lệnh này tự phát.")
    elif hand_over_only:
        raise _not_running("tin khẩn cấp")
    else:
        notify("Đài không chạy: lệnh này tự phát tin khẩn cấp ngay.")
    log = open_station_log(station, notify=notify)
    shutdown = threading.Event()
    channels = open_channels(station, log, clock, shutdown)
    em = _station.to_air(request, station, _station.attention_tone(sounds))
    rows: list[Airing] = []
    try:
        with _stoppable(channels, shutdown):
            for ch in channels.values():
                if emergency_zones(em, station, ch.cfg.id) is None:
                    continue  # none of its villages is on this output
                notify(f"Phát tin khẩn cấp {em.repeat} lần: {describe_output(ch.cfg, ch.output, station)}")
                with ch.lock:
                    rows += air_emergency(em, station=station, output=ch.output, output_id=ch.cfg.id,
                                          switch=ch.switch, log=log, clock=clock, stop=ch.stop)
    finally:
        for ch in channels.values():
            ch.close(timeout=5.0)
        log.close()
    for ch in channels.values():
        try:
            archive_emergency(station, em.id, em.message, ch.cfg.id)
        except (BroadcasterError, OSError) as exc:
            notify(f"Chưa lưu được âm thanh tin khẩn cấp vào kho lưu trữ: {exc}")
    done = sum(r.status is AiringStatus.COMPLETED for r in rows)
    notify(f"Xong: {done}/{len(rows)} lần phát trọn vẹn.")
    return rows


def _hand_over_answer(station: Station, request: _station.EmergencyRequest, pid: int,
                      notify: Callable[[str], None]) -> None:
    """The station took the emergency: say what it answered (queued; failed: raise with its reason)."""
    state, reason = _station.wait_answer(station, request, ANSWER_SECONDS)
    if state == _station.FAILED:
        raise BroadcasterError(f"đài đang chạy (tiến trình {pid}) đã nhận nhưng KHÔNG phát được tin khẩn cấp: {reason}. "
                               "Xem `broadcaster status`, sửa lỗi rồi gửi lại.")
    if state == _station.ACCEPTED:
        notify(f"Đã chuyển tin khẩn cấp tới đài đang chạy (tiến trình {pid}); đài phát ngay.")
    else:
        notify(f"Đã chuyển tin khẩn cấp tới đài đang chạy (tiến trình {pid}); đài chưa xác nhận sau "
               f"{ANSWER_SECONDS:g} giây: xem `broadcaster log` để biết tin đã phát chưa.")


def _archive(station: Station, aired: list[tuple[str, _station.Session]], notify: Callable[[str], None]) -> None:
    """Sessions aired by hand (key, session): their audio into the archive, their builds deleted."""
    for key, session in aired:
        if not session.segments:
            continue
        try:
            archive_session(station, key, Path(session.segments[0].wav).parent.parent)
        except (BroadcasterError, OSError) as exc:
            notify(f"Chưa lưu được âm thanh buổi {key} vào kho lưu trữ: {exc}")


def _room_for_sound(station: Station, notify: Callable[[str], None], *, full: bool = False) -> Station:
    """The station whose cache an emergency's audio (speech, clip, attention tone) is made in: its own, or,
    when its disk is (nearly) full, the same station with its state in the scratch directory in RAM, so the
    emergency still airs. The running station reads the clip from there (the request names its path)."""
    if not full and not short_of_space(station.state_dir, EMERGENCY_SPACE_BYTES):
        return station
    scratch = scratch_dir(station.state_dir)
    notify(f"Ổ đĩa chứa {station.state_dir} gần đầy: âm thanh tin khẩn cấp được tạo trong bộ nhớ tạm {scratch}.")
    return dataclasses.replace(station, state_dir=scratch)
