"""The runner's jobs on air: a scheduled session (aired, or logged with the true reason it did not air), a
"phát ngay" handed over by `broadcaster air`, and the banner the officer reads at start-up. A mixin of `Runner`,
kept apart so each file reads as one thing: `_runner` is the life cycle and the scheduler, this is what airs."""

from __future__ import annotations

import ctypes
import gc
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadcaster.archive import archive_session, prune, sweep_builds
from broadcaster.errors import LogError
from broadcaster.models import AiringStatus, Station
from broadcaster.playout import record_not_aired, record_skipped, session_outcome
from broadcaster.speech.cache import UNUSED_DAYS
from broadcaster.speech.render import speech_cache
from broadcaster.station import _control, _sessions
from broadcaster.station._chains import Channel, describe_output
from broadcaster.station._clockwatch import CLOCK_STEP_SECONDS, reason_clock_step
from broadcaster.station._lookback import reason_missed
from broadcaster.words import fmt_date, fmt_when, slot_name

if TYPE_CHECKING:
    from broadcaster.station._runner import Runner

__all__ = ["SessionJobs", "reason_busy", "trim_memory"]

log = logging.getLogger("broadcaster.station._runner")


def reason_busy(station: Station) -> str:
    return (f"loa đang phát nội dung khác (phát ngay, thông báo trực tiếp hoặc tin khẩn cấp) đến quá {station.playout.grace_minutes:g} "
            "phút sau giờ phát")


def trim_memory() -> None:
    """Hand freed heap back to the OS after building audio (numpy/scipy buffers): an idle station stays small."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _build_dir(session: _sessions.Session) -> Path | None:
    """Where the session was built (its segments sit in `<build dir>/segments/`)."""
    return Path(session.segments[0].wav).parent.parent if session.segments else None


def _offsets(session: _sessions.Session) -> dict[str, float]:
    """Where each bulletin sits in the built programme (seconds from its start): the planned time of its row."""
    return {seg.bulletin_id: seg.offset for seg in session.segments if seg.bulletin_id}


class SessionJobs:
    """Session, "phát ngay" and banner jobs; `self` is the `Runner`."""

    _archive_warning: str = ""  # the archive's warning at the last housekeeping ("" below 80 % of its budget)
    _cache_pruned_at: float | None = None  # time.monotonic() of the last speech-cache prune (once a day)

    # -- jobs -------------------------------------------------------------------------------------------------
    def session_job(self: Runner, key: str) -> None:
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
            self.archive(session, key)
        except Exception:  # noqa: BLE001 - a crash while airing must not leave the loudspeakers on
            log.exception("buổi %s: lỗi khi phát", key)
            with channel.lock:
                channel.safe_off("sau lỗi khi phát")
        finally:
            channel.try_drain()  # an emergency that arrived while this job held the output
            self.checkpoint()
            trim_memory()

    def _reason_late(self: Runner, fired_late: float) -> str:
        """Why a session fired later than its grace: the clock was set forward past it (the station ran), the
        station was not running or hung (fired late), or the loudspeakers were busy (fired on time, waited)."""
        grace = self.station.playout.grace_minutes * 60
        step = self.clock_watch.step()
        if step > CLOCK_STEP_SECONDS and fired_late - step <= grace:
            return reason_clock_step(self.station, step)
        return reason_missed(self.station) if fired_late > grace else reason_busy(self.station)

    def _air_or_log(self: Runner, session: _sessions.Session, channel: Channel) -> None:
        key, programme = session.key, session.programme
        grace = self.station.playout.grace_minutes * 60
        fired_late = (self.clock.now() - programme.start).total_seconds()
        with channel.lock:  # held by whatever airs on this output now (a "phát ngay", an emergency)
            late = (self.clock.now() - programme.start).total_seconds()
            if not self.log.claim_session(key):
                return  # already aired (or being aired): never twice
            record_skipped(programme, self.files.by_id, log=self.log)
            if late > grace:
                reason = self._reason_late(fired_late)
                record_not_aired(programme, log=self.log, status=AiringStatus.MISSED, reason=reason,
                                 info=session.info, bulletins=self.files.by_id, offsets=_offsets(session))
                self.log.mark_session(key, AiringStatus.MISSED.value)
                self.notify(f"bỏ lỡ buổi phát {key}: {reason}")
                self._warn_not_aired("missed-session", programme, f"đã bỏ lỡ: {reason}")
                return
            if session.error:
                record_not_aired(programme, log=self.log, status=AiringStatus.FAILED, reason=session.error,
                                 info=session.info, bulletins=self.files.by_id, offsets=_offsets(session))
                self.log.mark_session(key, AiringStatus.FAILED.value)
                self.notify(f"không phát được buổi {key}: {session.error}")
                self._warn_not_aired("failed-session", programme, f"không phát được: {session.error}")
                return
            self.notify(f"bắt đầu buổi phát {key} lúc {fmt_when(programme.start)}")
            rows = channel.air_session(session)
            outcome, done, total = session_outcome(rows)
            self.log.mark_session(key, outcome)
            self.board.set_next(self.sessions.values(), self.clock.now())
            if outcome == AiringStatus.COMPLETED.value:  # a later session aired in full: the old news is over
                self.board.clear("missed-session")
                self.board.clear("failed-session")
            self.notify(f"xong buổi phát {key}: {done}/{total} bản tin phát trọn vẹn")

    def _log_dropped(self: Runner, session: _sessions.Session, now: datetime) -> None:
        """A session re-planning dropped: if its time has passed and it never aired, it is logged `missed` with
        the true reason (the clock was set past it, or it went unaired) — never silently forgotten."""
        programme = session.programme
        if programme.start >= now or not self.log.claim_session(session.key):
            return
        reason = self._reason_late((now - programme.start).total_seconds())
        record_not_aired(programme, log=self.log, status=AiringStatus.MISSED, reason=reason, info=session.info,
                         bulletins=self.files.by_id, offsets=_offsets(session))
        self.log.mark_session(session.key, AiringStatus.MISSED.value)
        self.notify(f"bỏ lỡ buổi phát {session.key}: {reason}")
        self._warn_not_aired("missed-session", programme, f"đã bỏ lỡ: {reason}")

    def _warn_not_aired(self: Runner, code: str, programme: Any, what: str) -> None:
        slot = slot_name(self.station, programme.slot_id)
        self.board.warn(code, f"{slot} lúc {fmt_when(programme.start)} {what}", severity="error")

    def _refuse_stale(self: Runner, req: _control.EmergencyRequest | _control.AirRequest, what: str) -> bool:
        """A request left waiting too long is answered failed with the reason, not acted on (True)."""
        reason = _control.stale_reason(req.requested_at, self.clock.now())
        if reason:
            self.notify(f"cảnh báo: không thực hiện {what} của {req.who}: {reason}")
            _control.answer(self.station, req, reason)
        return bool(reason)

    def air_request_job(self: Runner, req: _control.AirRequest) -> None:
        """"Phát ngay" handed over by `broadcaster air`: build the session as `air` would and air it as soon as
        its output is free (after the item or session on air; an emergency still pre-empts it). Never dies."""
        self.log.audit("air", req.who, {"slot": req.slot, "day": req.day.isoformat(), "request": req.id},
                       at=self.clock.now())
        try:
            sessions = self._build("prepare_manual", self.files, req.slot, req.day)
        except Exception as exc:  # noqa: BLE001 - a bad request or build must not stop the station
            reason = f"không phát ngay được buổi '{req.slot}' ngày {fmt_date(req.day)}: {exc}"
            self.notify(reason)
            _control.answer(self.station, req, reason)
            return
        finally:
            trim_memory()
        broken = next((s.error for s in sessions if s.error), "")
        if not sessions or all(s.error for s in sessions):
            reason = (f"buổi '{req.slot}' ngày {fmt_date(req.day)} không có bản tin nào để phát ngay (xem `broadcaster "
                      f"plan --from {req.day} --to {req.day}`)" if not sessions else
                      f"không dựng được buổi '{req.slot}': {broken}")
            self.notify(reason)
            _control.answer(self.station, req, reason)
            return
        _control.answer(self.station, req)  # built: it airs as soon as its output is free
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
                    outcome, done, total = session_outcome(rows)
                    self.log.mark_session(key, outcome)
                    self.notify(f"xong phát ngay {key}: {done}/{total} bản tin phát trọn vẹn")
                self.archive(session, key)
            finally:
                channel.try_drain()

    # -- the archive ------------------------------------------------------------------------------------------
    def archive(self: Runner, session: _sessions.Session, key: str) -> None:
        """After a session's job: its audio into the archive, each aired row linked, its build deleted (when it
        did not air, only deleted). A failure is told and left for the next sweep; airing never waits on it."""
        build_dir = _build_dir(session)
        if build_dir is None or not build_dir.exists() or not self.log.session_aired(key):
            return
        self.log.replay()  # rows the journal holds go into SQLite first, so each aired row is linked
        try:
            archive_session(self.station, key, build_dir)
        except Exception as exc:  # noqa: BLE001 - keeping the audio must never stop the station
            self.notify(f"cảnh báo: chưa lưu được âm thanh buổi {key} vào kho lưu trữ ({exc}); thử lại sau")

    def housekeeping(self: Runner, *, startup: bool = False) -> None:
        """Builds nobody will air from deleted (aired ones archived first; at start-up every build, since the
        render-ahead builds again), and the archive kept within its retention and disk budget. Never raises."""
        self.log.replay()
        try:
            sweep_builds(self.station, keep=set(self.sessions), startup=startup)
            usage = prune(self.station, self.clock.now())
        except Exception as exc:  # noqa: BLE001 - cleaning up must never stop the station (nor its start)
            self.notify(f"cảnh báo: không dọn được âm thanh cũ ({exc}); thử lại sau một giờ")
            return
        if usage.warning and (not self._archive_warning or usage.pruned_days):  # once, and when days are deleted
            self.notify(f"cảnh báo: {usage.warning}")
        self._archive_warning = usage.warning
        if usage.warning:  # on the desk's "Trạm phát" too, until the archive is back under 80 % of its budget
            self.board.warn("archive", usage.warning[:1].upper() + usage.warning[1:])
        else:
            self.board.clear("archive")
        self.prune_speech_cache()
        _control.prune_control_files(self.station)

    def prune_speech_cache(self: Runner) -> None:
        """Once a day (and at start-up): speech renders nobody looked up for UNUSED_DAYS (60) are deleted, so the
        dated ident and closing do not fill the disk. Never raises."""
        if self._cache_pruned_at is not None and time.monotonic() - self._cache_pruned_at < 86400:
            return
        self._cache_pruned_at = time.monotonic()
        try:
            pruned = speech_cache(self.station).prune()
        except Exception as exc:  # noqa: BLE001 - cleaning up must never stop the station
            log.warning("không dọn được bộ nhớ đệm giọng đọc: %s", exc)
            return
        if pruned.entries or pruned.files:
            log.info("đã xóa %d bản đọc không dùng trong %d ngày khỏi bộ nhớ đệm giọng đọc (%.1f MB)",
                     pruned.entries, UNUSED_DAYS, pruned.freed_bytes / 1e6)

    def checkpoint(self: Runner) -> None:
        """The log's signed checkpoint, when the last is a day old (docs/reports.md): after start-up and after each
        session; a failure is told to the officer and tried again after the next session."""
        try:
            if self.log.checkpoint(self.station.name, self.clock.now()) is not None:
                log.info("đã ghi điểm kiểm tra có chữ ký của nhật ký phát sóng")
        except LogError as exc:
            self.notify(f"cảnh báo: {exc}")

    def banner(self: Runner) -> None:
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
        self.notify("Phát ngay một buổi: `broadcaster air BUỔI`; tin khẩn cấp: `broadcaster emergency --text ...`; "
                    "nói trực tiếp: `broadcaster live`")
        self.notify("Nhấn Ctrl+C để dừng đài.")
