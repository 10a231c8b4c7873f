"""The station, live: what the desk's "Trạm phát" page shows, read from the files the running station keeps
(its heartbeat, `status.json`, the log's own health file) and the airing log; and where a request handed to
the station stands (its answer). Read-only, cheap: the page asks every second; `version` changes only when
something the page shows may have changed, so an unchanged page is not rendered again."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from broadcaster.airlog import AirLog, read_degradations
from broadcaster.models import Airing, Station
from broadcaster.station import read_status, request_answer, running_station_pid, status_path

__all__ = ["LiveView", "live_view", "live_version", "request_rows", "request_state"]

RECENT = 8  # last airings shown


@dataclass(frozen=True)
class LiveView:
    running: bool
    pid: int | None
    written_at: datetime | None  # when the station last wrote its status record
    now_playing: list[dict[str, Any]] = field(default_factory=list)  # per output; empty when nothing airs
    next_sessions: list[dict[str, Any]] = field(default_factory=list)  # coming sessions, earliest first
    warnings: list[dict[str, Any]] = field(default_factory=list)  # {code, severity, message, since}
    chain: list[dict[str, Any]] | None = None  # {name, ok, checked_at, message}
    online_voice: dict[str, Any] = field(default_factory=dict)
    recent: list[Airing] = field(default_factory=list)  # newest first


def _mtime(path: os.PathLike[str] | str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def live_version(station: Station, now: datetime) -> str:
    """Changes whenever what the page shows may have changed: the station started or stopped, it rewrote its
    status, the log was written, the log's health changed, or a minute passed (a session's start went by)."""
    db = station.database
    parts = (running_station_pid(station), _mtime(status_path(station)), _mtime(db), _mtime(f"{db}-wal"),
             _mtime(os.path.join(station.state_dir, "airlog-status.json")), now.strftime("%Y%m%d%H%M"))
    return "-".join(str(p) for p in parts)


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _warnings(record: dict[str, Any], chain: list[dict[str, Any]] | None, log_problems: list[str]
              ) -> list[dict[str, Any]]:
    """The station's own warnings, then a failed chain check and the log's health, errors first."""
    out = [w for w in record.get("warnings") or [] if isinstance(w, dict) and w.get("message")]
    for check in chain or []:
        if isinstance(check, dict) and check.get("ok") is False:
            out.append({"code": f"chain:{check.get('name', '')}", "severity": "error", "since": check.get("checked_at"),
                        "message": f"{check.get('name', 'Thiết bị')}: {check.get('message') or 'không trả lời'}"})
    out += [{"code": "airlog", "severity": "error", "since": None, "message": m} for m in log_problems]
    for w in out:
        w["since_at"] = _when(w.get("since"))
    return sorted(out, key=lambda w: w.get("severity") != "error")


def live_view(station: Station, now: datetime) -> LiveView:
    """Everything the live page shows, as of `now`. A record left by a stopped station is not shown as live."""
    pid = running_station_pid(station)
    record = read_status(station) or {}
    running = pid is not None
    chain = record.get("chain") if isinstance(record.get("chain"), list) else None
    recent: list[Airing] = []
    if station.database.exists():
        with AirLog(station.database, tz=station.timezone) as log:
            recent = log.recent(RECENT)
    coming = [s for s in record.get("next_sessions") or [] if (_when(s.get("start")) or now) > now]
    for s in coming:
        s["start_at"] = _when(s.get("start"))
    playing = []
    if running and record.get("pid") == pid:  # the record of the station that runs now, not of an earlier one
        for entry in record.get("now_playing") or []:
            item = entry.get("item") or None
            if item:
                item["started"] = _when(item.get("started_at"))
            playing.append({**entry, "start_at": _when(entry.get("start"))})
    return LiveView(
        running=running, pid=pid, written_at=_when(record.get("written_at")), now_playing=playing,
        next_sessions=coming if running else [], warnings=_warnings(record, chain, read_degradations(station.state_dir))
        if running else [], chain=chain if running else None,
        online_voice=record.get("online_voice") or {}, recent=recent)


def request_state(station: Station, kind: str, request_id: str) -> tuple[str, str]:
    """Where a request handed to the station stands: waiting / taken / accepted / failed (with the station's
    reason), or "" when there is no such request."""
    return request_answer(station, kind, request_id)


def request_rows(station: Station, session_prefix: str) -> list[Airing]:
    """The log's rows of one request's airing (`emergency/<id>/`, or a "phát ngay" session key), oldest first."""
    if not station.database.exists():
        return []
    with AirLog(station.database, tz=station.timezone) as log:
        return list(reversed(log.recent(50, session_prefix=session_prefix)))
