"""The plan view: plan a station from its files, and show it as the officer reads it (Vietnamese table) and as
scripts read it (JSON, schema in docs/planning.md).

The table is drawn from the same JSON document, so both always say the same thing. Given the moment it is
(`now`), sessions already past show what the airing log says became of them (aired, missed, …) and the items
that really aired, never the plan re-made as if they were still to come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.airlog import AirLog, session_rows
from broadcaster.build import StationPlan, measured_overhead, plan_loaded
from broadcaster.config import is_error, load_bulletins, load_station
from broadcaster.errors import InputError
from broadcaster.models import Airing, AiringStatus, Priority, Programme, Skip, Station, Zone
from broadcaster.plan import Overhead, Unplanned
from broadcaster.words import SESSION_STATES, airing_label, fmt_date, fmt_duration, fmt_time, weekday

__all__ = ["SCHEMA_VERSION", "default_range", "format_plan", "plan_json", "plan_station"]

SCHEMA_VERSION = 1


class _Doc:
    """Builds the JSON document, applying the optional village filter."""

    def __init__(self, sp: StationPlan, zone: Zone | None, now: datetime | None = None):
        self.sp, self.zone, self.now = sp, zone, now
        st = sp.station
        self.names = {z.id: z.name for z in st.zones}
        self.order = {z.id: i for i, z in enumerate(st.zones)}
        self.outputs = {o.id: i for i, o in enumerate(st.outputs)}
        self.titles = {b.id: b.title for b in sp.bulletins}

    def zones(self, ids: frozenset[str] | tuple[str, ...]) -> dict[str, list[str]]:
        ordered = sorted(ids, key=lambda z: (self.order.get(z, len(self.order)), z))
        return {"zones": ordered, "zone_names": [self.names.get(z, z) for z in ordered]}

    def reaches(self, ids: frozenset[str] | tuple[str, ...]) -> bool:
        return self.zone is None or not ids or self.zone.id in ids

    def skip(self, s: Skip) -> dict[str, Any]:
        return {"bulletin_id": s.bulletin_id, "title": self.titles.get(s.bulletin_id, s.bulletin_id),
                **self.zones(s.zones), "reason": s.reason}

    def session_head(self, day: Any, slot_id: str, output_id: str, start: Any, key: str) -> dict[str, Any]:
        try:
            slot_name = self.sp.station.slot(slot_id).name
        except KeyError:
            slot_name = slot_id
        return {
            "key": key, "date": day.isoformat(), "weekday": weekday(day), "slot": slot_id,
            "slot_name": slot_name, "time": start.strftime("%H:%M"), "start": start.isoformat(), "output": output_id,
        }

    def programme(self, p: Programme) -> dict[str, Any] | None:
        items = [
            {"position": n, "bulletin_id": i.bulletin_id, "title": i.title, "priority": i.priority.value,
             **self.zones(i.zones), "duration_seconds": round(i.duration, 3), "estimated": i.estimated,
             "content_hash": i.content_hash}
            for n, i in enumerate(p.items, 1)
            if self.reaches(i.zones)
        ]
        relay = None
        if p.relay is not None and self.reaches(p.relay_zones):
            relay = {"name": p.relay.name, "url": p.relay.url, "duration_seconds": round(p.relay.seconds, 3),
                     **self.zones(p.relay_zones)}
        if not items and relay is None:
            return None
        return {
            **self.session_head(p.day, p.slot_id, p.output_id, p.start, p.key), "airs": True, "reason": None,
            "max_seconds": p.max_seconds, "overhead_seconds": round(p.overhead_seconds, 3),
            "total_seconds": round(p.total_seconds, 3), "estimated": any(i.estimated for i in p.items),
            "relay": relay, "items": items, "skipped": [self.skip(s) for s in p.skipped if self.reaches(s.zones)],
        }

    def unplanned(self, u: Unplanned) -> dict[str, Any] | None:
        if self.zone is not None:
            try:
                slot = self.sp.station.slot(u.slot_id)
            except KeyError:
                return None
            if (slot.zones and self.zone.id not in slot.zones) or (u.output_id and u.output_id != self.zone.output):
                return None
        return {
            **self.session_head(u.day, u.slot_id, u.output_id, u.start, u.key), "airs": False, "reason": u.reason,
            "max_seconds": u.max_seconds, "overhead_seconds": 0.0, "total_seconds": 0.0, "estimated": False,
            "relay": None, "items": [], "skipped": [self.skip(s) for s in u.skipped if self.reaches(s.zones)],
        }

    def logged_item(self, n: int, r: Airing) -> dict[str, Any]:
        return {"position": n, "bulletin_id": r.bulletin_id, "title": r.title, "priority": r.priority.value,
                **self.zones(r.zones), "duration_seconds": round(r.played_seconds or r.planned_seconds, 3),
                "estimated": False, "content_hash": r.content_hash, "status": r.status.value,
                "status_label": airing_label(r.status, r.is_test),
                "started_at": r.started_at.isoformat() if r.started_at else None, "reason": r.reason}

    def past(self, sessions: list[dict[str, Any]], now: datetime) -> None:
        """Every session gets `state`; those already begun are read back from the log: their items become the rows
        the log holds for them (what really aired, or why not), their state what those rows say."""
        begun = [s for s in sessions if datetime.fromisoformat(s["start"]) <= now]
        logged = _logged(self.sp.station, [s["key"] for s in begun]) if begun else {}
        grace = timedelta(minutes=self.sp.station.playout.grace_minutes)
        for s in sessions:
            rows = logged.get(s["key"], [])
            s["state"] = _state(s, rows, now, grace)
            s["state_label"] = SESSION_STATES[s["state"]]
            if rows:
                played = [r for r in rows if r.status is not AiringStatus.SKIPPED]
                s["items"] = [self.logged_item(n, r) for n, r in enumerate(played, 1) if self.reaches(r.zones)]
                s["skipped"] = [{"bulletin_id": r.bulletin_id, "title": r.title, **self.zones(r.zones),
                                 "reason": r.reason} for r in rows
                                if r.status is AiringStatus.SKIPPED and self.reaches(r.zones)]

    def build(self) -> dict[str, Any]:
        sp, r = self.sp, self.sp.result
        sessions = [s for s in (self.programme(p) for p in r.programmes) if s is not None]
        sessions += [s for s in (self.unplanned(u) for u in r.unplanned) if s is not None]
        sessions.sort(key=lambda s: (s["start"], s["slot"], self.outputs.get(s["output"], -1), s["output"]))
        if self.now is not None:
            self.past(sessions, self.now)
        aired = [s for s in sessions if s["airs"]]
        return {
            "schema_version": SCHEMA_VERSION,
            "station": {"name": sp.station.name, "commune": sp.station.commune, "timezone": sp.station.timezone},
            "from": sp.start.isoformat(),
            "to": sp.end.isoformat(),
            "zone": None if self.zone is None else {"id": self.zone.id, "name": self.zone.name},
            "overhead": asdict(sp.overhead),
            "sessions": sessions,
            "excluded": [self.skip(s) for s in r.excluded if self.reaches(s.zones)],
            "warnings": list(sp.warnings),
            "totals": {
                "sessions": len(aired),
                "items": sum(len(s["items"]) for s in aired),
                "seconds": round(sum(s["total_seconds"] for s in aired), 3),
                "estimated_items": sum(1 for s in aired for i in s["items"] if i["estimated"]),
            },
        }


def _logged(station: Station, keys: list[str]) -> dict[str, list[Airing]]:
    """The log's rows of these sessions ({} for a station that never aired: the database is not created here)."""
    if not station.database.exists():
        return {}
    with AirLog(station.database, tz=station.timezone) as log:
        return session_rows(log, keys)


def _state(session: dict[str, Any], rows: list[Airing], now: datetime, grace: timedelta) -> str:
    """A key of `words.SESSION_STATES`: what became of a session, from its rows in the log."""
    start = datetime.fromisoformat(session["start"])
    if start > now:
        return "upcoming"
    played = [r for r in rows if r.status is not AiringStatus.SKIPPED]
    if not played:
        if not session["airs"] and not rows:
            return "past"
        return "due" if now - start <= grace and not rows else "not_logged" if not rows else "incomplete"
    statuses = {r.status for r in played}
    if AiringStatus.STARTED in statuses:
        return "airing"
    if statuses == {AiringStatus.MISSED}:
        return "missed"
    if statuses == {AiringStatus.FAILED}:
        return "failed"
    heard = {r.bulletin_id for r in played if r.status is AiringStatus.COMPLETED}
    if heard != {r.bulletin_id for r in played}:
        return "incomplete"
    return "test" if all(r.is_test for r in played) else "aired"


def plan_json(sp: StationPlan, zone: Zone | None = None, *, now: datetime | None = None) -> dict[str, Any]:
    """The stable JSON document of a plan (schema_version 1, documented in docs/planning.md). With `now`, each
    session has a `state` and those already begun show what the airing log holds for them."""
    return _Doc(sp, zone, now).build()


def _zone_label(sp: StationPlan, ids: list[str], names: list[str]) -> str:
    if not ids:
        return "mọi loa"
    if len(ids) > 1 and set(ids) == {z.id for z in sp.station.zones}:
        return "toàn xã"
    return ", ".join(names)


def _past_lines(sp: StationPlan, s: dict[str, Any], where: str) -> list[str]:
    """A session already begun, as the log tells it: its state, then each logged item with its own status."""
    lines = [f"  {s['time']} {s['slot_name']}{where}: {s['state_label']}"]
    for i in s["items"]:
        why = f" ({i['reason']})" if i.get("reason") and i.get("status") != AiringStatus.COMPLETED.value else ""
        lines.append(f"    {i['position']:>2}. {i['title']}  {fmt_duration(i['duration_seconds'])}"
                     f" — {_zone_label(sp, i['zones'], i['zone_names'])} — {i.get('status_label', s['state_label'])}{why}")
    return lines


def _session_lines(sp: StationPlan, s: dict[str, Any], where: str) -> list[str]:
    """A session as planned; one the log has rows for, as the log tells it (`_past_lines`)."""
    state = s.get("state", "upcoming")
    if state not in ("upcoming", "due", "not_logged", "past"):
        return _past_lines(sp, s, where)
    if not s["airs"]:
        return [f"  {s['time']} {s['slot_name']}{where}: không phát — {s['reason']}"]
    mark = " (ước tính)" if s["estimated"] else ""
    note = f" — {s['state_label']}" if state in ("due", "not_logged") else ""
    lines = [f"  {s['time']} {s['slot_name']}{where} — {fmt_duration(s['total_seconds'])}{mark} "
             f"/ tối đa {fmt_duration(s['max_seconds'])}{note}"]
    labels = [("[ưu tiên] " if i["priority"] == Priority.PRIORITY.value else "") + i["title"] for i in s["items"]]
    if s.get("relay"):
        r = s["relay"]
        lines.append(f"     ▶ [tiếp âm] {r['name']}  {fmt_duration(r['duration_seconds'])} — "
                     f"{_zone_label(sp, r['zones'], r['zone_names'])} ({r['url']})")
    width = max((len(label) for label in labels), default=0)
    for i, label in zip(s["items"], labels):
        est = " (ước tính)" if i["estimated"] else ""
        lines.append(f"    {i['position']:>2}. {label.ljust(width)}  {fmt_duration(i['duration_seconds'])}{est}"
                     f" — {_zone_label(sp, i['zones'], i['zone_names'])}")
    if labels:
        lines.append(f"        nhạc hiệu, giới thiệu, chuông và lời kết: {fmt_duration(s['overhead_seconds'])}")
    return lines


def format_plan(sp: StationPlan, zone: Zone | None = None, *, now: datetime | None = None) -> list[str]:
    """The officer's table: one block per day, one line per session and per item, reasons for what is left out;
    with `now`, sessions already begun as the log tells them (aired, missed, …)."""
    doc = plan_json(sp, zone, now=now)
    start, end = sp.start, sp.end
    head = f"Kế hoạch phát thanh — {sp.station.name}"
    lines = [head, f"Từ {weekday(start)} {fmt_date(start)} đến {weekday(end)} {fmt_date(end)}"
             + (f" — chỉ những gì phát tới {zone.name}" if zone else "")]
    if now is not None:
        lines.append(f"Lúc {fmt_time(now)} {fmt_date(now.date())}: các buổi đã qua ghi theo nhật ký phát sóng")
    several_outputs = len(sp.station.outputs) > 1
    current = None
    for s in doc["sessions"]:
        if s["date"] != current:
            current = s["date"]
            day = start.fromisoformat(current)
            lines += ["", f"{s['weekday']}, {fmt_date(day)}"]
        where = f" — đầu ra {s['output']}" if several_outputs and s["output"] else ""
        lines += _session_lines(sp, s, where)
        for k in s["skipped"]:
            lines.append(f"      bỏ qua: {k['title']} — {k['reason']}")
    if not doc["sessions"]:
        lines += ["", "Không có buổi phát nào trong khoảng thời gian này."]
    if doc["excluded"]:
        lines += ["", "Bản tin không được lập lịch trong khoảng này:"]
        lines += [f"  {k['title']} ({k['bulletin_id']}): {k['reason']}" for k in doc["excluded"]]
    t = doc["totals"]
    lines += ["", f"Tổng cộng: {t['sessions']} buổi phát, {t['items']} lượt bản tin, {fmt_duration(t['seconds'])}."]
    if t["estimated_items"]:
        lines.append(f"{t['estimated_items']} lượt có thời lượng ước tính (chưa có giọng đọc): "
                     "chạy `broadcaster render` để có thời lượng thật.")
    return lines

def default_range(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """From today (or the given start) to six days later (a week), unless the end is given."""
    first = start or today
    return first, end or first + timedelta(days=6)



def plan_station(
    station_dir: str | Path,
    start: date | None,
    end: date | None,
    *,
    today: Callable[[Station], date] | None = None,
) -> StationPlan:
    """Load the station and its bulletins and plan [start, end] (default: a week from `today(station)`).

    `today` is called only when `start` is None (the command reads the clock in the station's timezone).
    Bad bulletin files become warnings and the good bulletins are still planned.
    """
    station = load_station(station_dir)
    if start is None:
        if today is None:
            raise InputError("cần ngày bắt đầu của kế hoạch")
        start = today(station)
    first, last = default_range(start, start, end)
    bulletins, problems = load_bulletins(station)
    warnings = [f"{p} (bản tin này không được lập lịch)" for p in problems if is_error(p)]
    overhead, note = _fixed_parts(station, first)
    if note:
        warnings.append(note)
    return plan_loaded(station, bulletins, first, last, overhead=overhead, warnings=warnings)



def _fixed_parts(station: Station, day: date) -> tuple[Overhead, str]:
    """The jingles, chime and spoken ident/closing as `build` will measure them (no speech engine call).

    An ident or closing not rendered yet counts with the planner's estimate, and the plan says so.
    """
    try:
        overhead, measured = measured_overhead(station, day, render=False)
    except Exception as exc:  # noqa: BLE001 - a broken jingle file must not stop the plan: estimate instead
        return (Overhead(pause=station.audio.pause_seconds),
                f"chưa đo được nhạc hiệu/chuông của đài ({exc}); thời lượng phần mở đầu và kết thúc là ước tính")
    if measured:
        return overhead, ""
    return overhead, ("thời lượng lời giới thiệu và lời kết buổi phát là ước tính: chưa đọc thành tiếng, "
                      "đài đang chạy sẽ đọc và đo trước buổi phát")
