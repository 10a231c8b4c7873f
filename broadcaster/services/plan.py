"""The plan view: plan a station from its files, and show it as the officer reads it (Vietnamese table) and as
scripts read it (JSON, schema in docs/planning.md).

The table is drawn from the same JSON document, so both always say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from broadcaster.build import StationPlan, measured_overhead, plan_loaded
from broadcaster.config import is_error, load_bulletins, load_station
from broadcaster.errors import InputError
from broadcaster.models import Priority, Programme, Skip, Station, Zone
from broadcaster.plan import Overhead, Unplanned
from broadcaster.words import fmt_date, fmt_duration, weekday

__all__ = ["SCHEMA_VERSION", "default_range", "format_plan", "plan_json", "plan_station"]

SCHEMA_VERSION = 1


class _Doc:
    """Builds the JSON document, applying the optional village filter."""

    def __init__(self, sp: StationPlan, zone: Zone | None):
        self.sp, self.zone = sp, zone
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
        if not items:
            return None
        return {
            **self.session_head(p.day, p.slot_id, p.output_id, p.start, p.key), "airs": True, "reason": None,
            "max_seconds": p.max_seconds, "overhead_seconds": round(p.overhead_seconds, 3),
            "total_seconds": round(p.total_seconds, 3), "estimated": any(i.estimated for i in p.items),
            "items": items, "skipped": [self.skip(s) for s in p.skipped if self.reaches(s.zones)],
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
            "items": [], "skipped": [self.skip(s) for s in u.skipped if self.reaches(s.zones)],
        }

    def build(self) -> dict[str, Any]:
        sp, r = self.sp, self.sp.result
        sessions = [s for s in (self.programme(p) for p in r.programmes) if s is not None]
        sessions += [s for s in (self.unplanned(u) for u in r.unplanned) if s is not None]
        sessions.sort(key=lambda s: (s["start"], s["slot"], self.outputs.get(s["output"], -1), s["output"]))
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


def plan_json(sp: StationPlan, zone: Zone | None = None) -> dict[str, Any]:
    """The stable JSON document of a plan (schema_version 1, documented in docs/planning.md)."""
    return _Doc(sp, zone).build()


def _zone_label(sp: StationPlan, ids: list[str], names: list[str]) -> str:
    if not ids:
        return "mọi loa"
    if len(ids) > 1 and set(ids) == {z.id for z in sp.station.zones}:
        return "toàn xã"
    return ", ".join(names)


def format_plan(sp: StationPlan, zone: Zone | None = None) -> list[str]:
    """The officer's table: one block per day, one line per session and per item, reasons for what is left out."""
    doc = plan_json(sp, zone)
    start, end = sp.start, sp.end
    head = f"Kế hoạch phát thanh — {sp.station.name}"
    lines = [head, f"Từ {weekday(start)} {fmt_date(start)} đến {weekday(end)} {fmt_date(end)}"
             + (f" — chỉ những gì phát tới {zone.name}" if zone else "")]
    several_outputs = len(sp.station.outputs) > 1
    current = None
    for s in doc["sessions"]:
        if s["date"] != current:
            current = s["date"]
            day = start.fromisoformat(current)
            lines += ["", f"{s['weekday']}, {fmt_date(day)}"]
        where = f" — đầu ra {s['output']}" if several_outputs and s["output"] else ""
        if not s["airs"]:
            lines.append(f"  {s['time']} {s['slot_name']}{where}: không phát — {s['reason']}")
        else:
            mark = " (ước tính)" if s["estimated"] else ""
            lines.append(f"  {s['time']} {s['slot_name']}{where} — {fmt_duration(s['total_seconds'])}{mark} "
                         f"/ tối đa {fmt_duration(s['max_seconds'])}")
            labels = [("[ưu tiên] " if i["priority"] == Priority.PRIORITY.value else "") + i["title"]
                      for i in s["items"]]
            width = max(len(label) for label in labels)
            for i, label in zip(s["items"], labels):
                est = " (ước tính)" if i["estimated"] else ""
                lines.append(f"    {i['position']:>2}. {label.ljust(width)}  {fmt_duration(i['duration_seconds'])}{est}"
                             f" — {_zone_label(sp, i['zones'], i['zone_names'])}")
            lines.append(f"        nhạc hiệu, giới thiệu, chuông và lời kết: {fmt_duration(s['overhead_seconds'])}")
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
    return overhead, ("thời lượng lời giới thiệu và lời kết buổi phát là ước tính (chưa đọc thành tiếng; "
                      "'broadcaster build' hoặc đài đang chạy sẽ đọc và đo)")
