"""The planner: what airs when and where. A pure function of the station, the bulletins and the airing history.

No clock reads, no I/O, deterministic (same inputs, same output). Rules are documented in docs/planning.md.
`plan()` returns the programmes that air; `make_plan()` also returns the sessions that do not air (window, caps,
days off, nothing to air) and the bulletins left out of the whole range, with Vietnamese reasons for the officer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from broadcaster.errors import BroadcasterError
from broadcaster.models import Airing, Bulletin, Priority, Programme, ProgrammeItem, Skip, Slot, Station
from broadcaster.plan._rules import (
    Overhead,
    RotationState,
    estimate_seconds,
    is_planned_kind,
    priority_key,
    rotation_key,
)
from broadcaster.words import fmt_date, fmt_seconds, fmt_time, stale_reason

__all__ = [
    "Overhead",
    "estimate_seconds",
    "make_plan",
    "PlanResult",
    "Unplanned",
    "PlanError",
]

_EMPTY: Mapping[str, float] = {}
_NO_ZONE = ""  # stands for "every loudspeaker" in a station that declares no zones


class PlanError(BroadcasterError):
    """The plan cannot be made as asked (e.g. the date range is reversed)."""


@dataclass(frozen=True)
class Unplanned:
    """A session occurrence that does not air, and why (Vietnamese). `output_id` is "" when the whole session
    is dropped for every output (day off, broadcast window, sessions-per-day cap)."""

    day: date
    slot_id: str
    output_id: str
    start: datetime
    reason: str
    skipped: tuple[Skip, ...] = ()
    max_seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}/{self.slot_id}/{self.output_id}"


@dataclass(frozen=True)
class PlanResult:
    """Everything the planner decided: programmes that air, sessions that do not, bulletins left out."""

    programmes: tuple[Programme, ...]
    unplanned: tuple[Unplanned, ...] = ()
    excluded: tuple[Skip, ...] = ()  # bulletins that cannot air at all in the range (draft, expired, ...)


def make_plan(
    station: Station,
    bulletins: Sequence[Bulletin],
    history: Sequence[Airing],
    start: date,
    end: date,
    *,
    durations: Mapping[str, float] = _EMPTY,
    overhead: Overhead = Overhead(),
    content_hashes: Mapping[str, str] = {},  # noqa: B006 - read-only default, never mutated
) -> PlanResult:
    """Programmes that air from `start` to `end` (inclusive), in air order (start time, then output), with the
    sessions that do not air and the bulletins left out, each with its reason."""
    if end < start:
        raise PlanError(f"ngày kết thúc {fmt_date(end)} trước ngày bắt đầu {fmt_date(start)}")
    return _Planner(station, bulletins, history, start, end, durations, overhead, content_hashes).run()


class _Planner:
    """One plan run: walks the days and sessions in order, carrying the rotation state forward."""

    def __init__(
        self,
        station: Station,
        bulletins: Sequence[Bulletin],
        history: Sequence[Airing],
        start: date,
        end: date,
        durations: Mapping[str, float],
        overhead: Overhead,
        content_hashes: Mapping[str, str],
    ) -> None:
        self.station = station
        self.start, self.end = start, end
        self.durations, self.overhead, self.hashes = durations, overhead, content_hashes
        self.tz = ZoneInfo(station.timezone)
        self.state = RotationState.from_history(history, start, self.tz)
        self.days_off = frozenset(station.days_off)
        self.programmes: list[Programme] = []
        self.unplanned: list[Unplanned] = []
        self.excluded: list[Skip] = []
        self.bulletins = self._admit(sorted(bulletins, key=lambda b: b.id))
        self.priority = sorted((b for b in self.bulletins if b.priority is Priority.PRIORITY), key=priority_key)
        self.normal = [b for b in self.bulletins if b.priority is not Priority.PRIORITY]
        self.targets = {b.id: frozenset(b.zones) if b.zones else None for b in self.bulletins}
        self.outputs = {s.id: _outputs_for(station, s) for s in station.slots}

    def _admit(self, bulletins: Sequence[Bulletin]) -> list[Bulletin]:
        """Bulletins that may air somewhere in the range; the others go to `excluded` with their reason."""
        admitted = []
        for b in bulletins:
            reason = _exclusion(b, self.start, self.end, self.state.occurrences.get(b.id, 0))
            if reason:
                self.excluded.append(Skip(b.id, reason, frozenset(b.zones)))
            else:
                admitted.append(b)
        return admitted

    def run(self) -> PlanResult:
        day = self.start
        while day <= self.end:
            self._plan_day(day)
            day += timedelta(days=1)
        return PlanResult(tuple(self.programmes), tuple(self.unplanned), tuple(self.excluded))

    def _plan_day(self, day: date) -> None:
        self.state.new_day(day)
        slots = sorted((s for s in self.station.slots if day.weekday() in s.days), key=lambda s: (s.start, s.id))
        window, caps = self.station.window, self.station.caps
        in_window = 0
        for slot in slots:
            at = datetime.combine(day, slot.start, tzinfo=self.tz)
            if day in self.days_off:
                self.unplanned.append(Unplanned(day, slot.id, "", at, "ngày nghỉ: không phát thanh"))
                continue
            if not (window.start <= slot.start < window.end):
                reason = (
                    f"buổi phát lúc {fmt_time(slot.start)} nằm ngoài khung giờ phát thanh "
                    f"({fmt_time(window.start)}–{fmt_time(window.end)}); không lập lịch"
                )
                self.unplanned.append(Unplanned(day, slot.id, "", at, reason))
                continue
            in_window += 1
            if in_window > caps.max_sessions_per_day:
                reason = (
                    f"vượt giới hạn {caps.max_sessions_per_day} buổi phát mỗi ngày; không lập lịch "
                    f"(bớt buổi phát trong station.yaml hoặc đổi giới hạn)"
                )
                self.unplanned.append(Unplanned(day, slot.id, "", at, reason))
                continue
            self._plan_session(day, slot, at)

    def _max_seconds(self, slot: Slot) -> float:
        """min(slot length, per-session cap), and never past the end of the broadcast window."""
        minutes = min(slot.max_minutes, self.station.caps.max_minutes_per_session)
        end = self.station.window.end
        to_window_end = (end.hour * 60 + end.minute) * 60 + end.second
        to_window_end -= (slot.start.hour * 60 + slot.start.minute) * 60 + slot.start.second
        return float(min(minutes * 60, to_window_end))

    def _candidates(self, day: date, slot: Slot) -> list[Bulletin]:
        """Bulletins whose rules allow this session, in air order: priority first, then by rotation."""

        def allowed(b: Bulletin) -> bool:
            r = b.repeat
            if not b.valid_on(day):
                return False
            if r.weekdays is not None and day.weekday() not in r.weekdays:
                return False
            if r.dates is not None and day not in r.dates:
                return False
            if r.slots is not None and slot.id not in r.slots:
                return False
            return r.max_total is None or self.state.occurrences.get(b.id, 0) < r.max_total

        normal = [b for b in self.normal if allowed(b)]
        normal.sort(key=lambda b: rotation_key(b, self.state))
        return [b for b in self.priority if allowed(b)] + normal

    def _plan_session(self, day: date, slot: Slot, at: datetime) -> None:
        groups = self.outputs[slot.id]
        max_seconds = self._max_seconds(slot)
        if not groups:
            reason = "buổi phát không phục vụ thôn nào (kiểm tra danh sách thôn của buổi phát)"
            self.unplanned.append(Unplanned(day, slot.id, "", at, reason, max_seconds=max_seconds))
            return
        candidates = self._candidates(day, slot)
        first = len(self.programmes)
        aired: dict[str, set[str]] = {}  # bulletin -> zones reached, in order of first position
        relay = slot.relay if slot.relay is not None and slot.relay.seconds <= max_seconds + 1e-6 else None
        if slot.relay is not None and relay is None:  # `check` refuses it; never let it overrun the caps
            reason = (f"tiếp âm {slot.relay.name} dài {fmt_seconds(slot.relay.seconds)}, vượt thời lượng tối đa "
                      f"của buổi phát ({fmt_seconds(max_seconds)}); không tiếp âm")
            self.unplanned.append(Unplanned(day, slot.id, "", at, reason, max_seconds=max_seconds))
        budget = max_seconds - (relay.seconds if relay else 0.0)  # the relay airs first, the bulletins after it
        whole = relay is not None and budget < self.overhead.total(1) + 1  # a relay filling the session
        for output_id, zones in groups:
            items, skips = ([], []) if whole else self._fill(candidates, zones, budget, aired)
            if items or relay is not None:
                self.programmes.append(
                    Programme(
                        day=day,
                        slot_id=slot.id,
                        output_id=output_id,
                        start=at,
                        max_seconds=max_seconds,
                        items=tuple(items),
                        skipped=tuple(skips),
                        overhead_seconds=self.overhead.total(len(items)),
                        relay=relay,
                        relay_zones=frozenset(z for z in zones if z != _NO_ZONE) if relay else frozenset(),
                    )
                )
            else:
                reason = (
                    "không bản tin nào vừa thời lượng buổi phát; không phát buổi này"
                    if skips
                    else "không có bản tin nào để phát; không phát buổi này"
                )
                self.unplanned.append(Unplanned(day, slot.id, output_id, at, reason, tuple(skips), max_seconds))
        positions: dict[str, int] = {}  # earliest place of each bulletin across this session's outputs
        for prog in self.programmes[first:]:
            for i, item in enumerate(prog.items):
                positions[item.bulletin_id] = min(positions.get(item.bulletin_id, i), i)
        for bulletin_id, zones_aired in aired.items():
            self.state.record(bulletin_id, zones_aired, at, positions[bulletin_id])

    def _fill(
        self, candidates: list[Bulletin], zones: list[str], max_seconds: float, aired: dict[str, set[str]]
    ) -> tuple[list[ProgrammeItem], list[Skip]]:
        """Greedy fit in air order: an item that does not fit is skipped and the next ones are tried."""
        items: list[ProgrammeItem] = []
        skips: list[Skip] = []
        audio = 0.0
        one_item = self.overhead.total(1)
        for b in candidates:
            target = self.targets[b.id]
            reach = zones if target is None else [z for z in zones if z in target]
            if reach:
                reach = self.state.zones_due(b, reach)
            if not reach:
                continue
            shown = frozenset(z for z in reach if z != _NO_ZONE)
            duration, estimated = self._duration(b)
            if duration is None:
                reason = "chưa biết thời lượng bản ghi âm (chưa đọc được tệp âm thanh); hãy chạy lệnh render"
                skips.append(Skip(b.id, reason, shown))
                continue
            fixed = self.overhead.total(len(items) + 1)
            if fixed + audio + duration <= max_seconds + 1e-6:
                items.append(
                    ProgrammeItem(
                        bulletin_id=b.id,
                        title=b.title,
                        zones=shown,
                        duration=duration,
                        estimated=estimated,
                        priority=b.priority,
                        content_hash=self.hashes.get(b.id, ""),
                        approved_by=b.approved_by or "",
                        approval_hash=b.approved_hash or "",
                    )
                )
                audio += duration
                aired.setdefault(b.id, set()).update(reach)
            elif duration > max_seconds - one_item:
                reason = (
                    f"bản tin dài {fmt_seconds(duration)}, vượt thời lượng tối đa của buổi phát "
                    f"({fmt_seconds(max_seconds)}, đã gồm {fmt_seconds(one_item)} nhạc hiệu và lời giới thiệu); "
                    f"cần rút ngắn hoặc chia nhỏ bản tin"
                )
                skips.append(Skip(b.id, reason, shown))
            else:
                room = max(0.0, max_seconds - fixed - audio)
                reason = (
                    f"không đủ thời lượng buổi phát (còn {fmt_seconds(room)}, bản tin dài {fmt_seconds(duration)}); "
                    f"chuyển sang buổi sau"
                )
                skips.append(Skip(b.id, reason, shown))
        return items, skips

    def _duration(self, b: Bulletin) -> tuple[float | None, bool]:
        known = self.durations.get(b.id)
        if known is not None:
            return float(known), False
        if b.text is not None:
            return estimate_seconds(b.text), True
        return None, True


def _outputs_for(station: Station, slot: Slot) -> list[tuple[str, list[str]]]:
    """The zones a session serves, grouped by output (station's output order): one programme per group."""
    if not station.zones:
        return [(station.outputs[0].id if station.outputs else "main", [_NO_ZONE])]
    order = {o.id: i for i, o in enumerate(station.outputs)}
    groups: dict[str, list[str]] = {}
    for z in station.zones:
        if not slot.zones or z.id in slot.zones:
            groups.setdefault(z.output, []).append(z.id)
    return sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def _exclusion(b: Bulletin, start: date, end: date, aired: int) -> str | None:
    """Why a bulletin cannot air anywhere in [start, end], or None if it may."""
    if b.priority is Priority.EMERGENCY:
        return "bản tin khẩn cấp: phát ngay khi có lệnh, không lập lịch"
    if b.approval_stale:
        return stale_reason(b)
    if not is_planned_kind(b):
        return "chưa được duyệt (bản nháp): chỉ bản tin đã duyệt mới được phát"
    if b.valid_until is not None and b.valid_until < start:
        return f"đã hết hiệu lực từ sau ngày {fmt_date(b.valid_until)}"
    if b.valid_from is not None and b.valid_from > end:
        return f"chỉ có hiệu lực từ ngày {fmt_date(b.valid_from)}"
    r = b.repeat
    if r.max_total is not None and aired >= r.max_total:
        return f"đã phát đủ {r.max_total} lần (giới hạn tổng số lần phát)"
    if r.dates is not None and not any(start <= d <= end for d in r.dates):
        return "không có ngày phát nào (theo quy tắc lặp) trong khoảng thời gian này"
    if not r.every_session and r.per_day <= 0:
        return "quy tắc lặp cho 0 lần mỗi ngày"
    return None
