"""A plan as the officer reads it (Vietnamese table) and as scripts read it (JSON, schema in docs/planning.md).

The table is drawn from the same JSON document, so both always say the same thing.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from broadcaster._plan_rules import WEEKDAYS_VI, fmt_date, fmt_mmss
from broadcaster._plan_service import StationPlan
from broadcaster.models import Priority, Programme, Skip, Station, Zone
from broadcaster.plan import PlanError, Unplanned

__all__ = ["SCHEMA_VERSION", "plan_json", "format_plan", "resolve_zone"]

SCHEMA_VERSION = 1


def resolve_zone(station: Station, text: str) -> Zone:
    """A village by id ('thon-dong') or by name ('Thôn Đông', any case); unknown -> error listing them."""
    wanted = text.strip().casefold()
    for z in station.zones:
        if z.id.casefold() == wanted or z.name.casefold() == wanted:
            return z
    known = ", ".join(f"{z.id} ({z.name})" for z in station.zones) or "không có"
    raise PlanError(f"không có thôn '{text}' trong station.yaml; các thôn: {known}")


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
            "key": key, "date": day.isoformat(), "weekday": WEEKDAYS_VI[day.weekday()], "slot": slot_id,
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
    lines = [head, f"Từ {WEEKDAYS_VI[start.weekday()]} {fmt_date(start)} đến {WEEKDAYS_VI[end.weekday()]} {fmt_date(end)}"
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
            lines.append(f"  {s['time']} {s['slot_name']}{where} — {fmt_mmss(s['total_seconds'])}{mark} "
                         f"/ tối đa {fmt_mmss(s['max_seconds'])}")
            labels = [("[ưu tiên] " if i["priority"] == Priority.PRIORITY.value else "") + i["title"]
                      for i in s["items"]]
            width = max(len(label) for label in labels)
            for i, label in zip(s["items"], labels):
                est = " (ước tính)" if i["estimated"] else ""
                lines.append(f"    {i['position']:>2}. {label.ljust(width)}  {fmt_mmss(i['duration_seconds'])}{est}"
                             f" — {_zone_label(sp, i['zones'], i['zone_names'])}")
            lines.append(f"        nhạc hiệu, giới thiệu, chuông và lời kết: {fmt_mmss(s['overhead_seconds'])}")
        for k in s["skipped"]:
            lines.append(f"      bỏ qua: {k['title']} — {k['reason']}")
    if not doc["sessions"]:
        lines += ["", "Không có buổi phát nào trong khoảng thời gian này."]
    if doc["excluded"]:
        lines += ["", "Bản tin không được lập lịch trong khoảng này:"]
        lines += [f"  {k['title']} ({k['bulletin_id']}): {k['reason']}" for k in doc["excluded"]]
    t = doc["totals"]
    lines += ["", f"Tổng cộng: {t['sessions']} buổi phát, {t['items']} lượt bản tin, {fmt_mmss(t['seconds'])}."]
    if t["estimated_items"]:
        lines.append(f"{t['estimated_items']} lượt có thời lượng ước tính (chưa có giọng đọc): "
                     "chạy `broadcaster render` để có thời lượng thật.")
    return lines
