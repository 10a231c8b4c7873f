"""The station's status record, and the watch on the online voice.

`state_dir/status.json` (schema in docs/runner.md#status-record) says which coming sessions will air bulletins in
the fallback voice and why, and whether the online voice answers. The running station rewrites it (atomically:
temp file + rename) after every render-ahead and whenever the online voice comes or goes; `broadcaster status`
and the web desk read it.

`StatusBoard`: what is on air now on each output (session, item, position, villages, voice), the next sessions,
and the station's `warnings` (`{code, severity, message, since}`; any part of the station adds or clears its own)
and `chain` checks (`{name, ok, checked_at, message}`), written into the same record as soon as they change, so
the desk's live page is never more than a poll behind.

`VoiceWatch`: while any coming session has bulletins in the fallback voice, the runner calls `probe()` every
`RETRY_SECONDS`; the first answer from Google makes the runner render ahead again, so those bulletins are
re-rendered in the online voice and their sessions rebuilt before they air.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.models import Airing, Bulletin, Station
from broadcaster.station._sessions import Session
from broadcaster.words import fmt_when

__all__ = ["RETRY_SECONDS", "STATUS_FILE", "SCHEMA_VERSION", "StatusBoard", "VoiceWatch", "read_status",
           "status_path", "verify_log"]

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
SCHEMA_VERSION = 2  # 2: now_playing, next_sessions, warnings, chain
RETRY_SECONDS = 60.0  # how often the online voice is probed while bulletins wait in the fallback voice
RETRY_JOB = "voice-retry"
ONLINE = "gtts"


def status_path(station: Station) -> Path:
    return Path(station.state_dir) / STATUS_FILE


def read_status(station: Station) -> dict[str, Any] | None:
    """The last status record the station wrote; None when there is none (or it cannot be read)."""
    try:
        data = json.loads(status_path(station).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(station: Station, record: Mapping[str, Any]) -> None:
    path = status_path(station)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)


def fallback_sessions(sessions: Iterable[Session], station: Station, titles: Mapping[str, str],
                      now: datetime) -> list[dict[str, Any]]:
    """The coming sessions (not started yet) that air bulletins in the fallback voice, earliest first."""
    names = {s.id: s.name for s in station.slots}
    out = []
    for s in sorted(sessions, key=lambda s: s.programme.start):
        if not s.fallback or s.programme.start < now or s.error:
            continue
        p = s.programme
        out.append({
            "session": p.key, "slot": p.slot_id, "slot_name": names.get(p.slot_id, p.slot_id),
            "start": p.start.isoformat(), "output": p.output_id,
            "bulletins": [{"id": bid, "title": titles.get(bid, bid),
                           "engine": s.info[bid].engine if bid in s.info else "", "reason": why}
                          for bid, why in s.fallback.items()],
        })
    return out


class VoiceWatch:
    """What the runner knows about the online voice: logs changes, writes the status record, probes Google."""

    def __init__(self, station: Station, notify: Callable[[str], None]):
        self.station = station
        self.notify = notify
        self.extra: Callable[[datetime], dict[str, Any]] = lambda now: {}  # the StatusBoard's part of the record
        self._write_lock = threading.Lock()  # several threads write: one temp file at a time
        self.sessions: list[dict[str, Any]] = []
        self.voice: dict[str, Any] = {"state": "unknown", "reason": "", "since": None, "next_retry": None}
        self._told: set[tuple[str, str]] = set()  # (session, bulletin) already logged

    @property
    def watching(self) -> bool:
        """Whether the online voice needs retrying: some coming session airs a bulletin in the fallback voice."""
        return bool(self.sessions) and ONLINE in self.station.speech.engines

    def after_prepare(self, station: Station, sessions: Iterable[Session], bulletins: Iterable[Bulletin],
                      now: datetime) -> None:
        """After a render-ahead: log newly found fallback bulletins, note the online voice's state, write."""
        self.station = station
        titles = {b.id: b.title for b in bulletins}
        self.sessions = fallback_sessions(sessions, self.station, titles, now)
        fresh = [(s, b) for s in self.sessions for b in s["bulletins"] if (s["session"], b["id"]) not in self._told]
        for session in {s["session"]: s for s, _ in fresh}.values():
            items = [b for s, b in fresh if s["session"] == session["session"]]
            start = datetime.fromisoformat(session["start"])
            self.notify(
                f"cảnh báo: buổi {session['slot_name']} lúc {fmt_when(start)} sẽ phát {len(items)} bản tin bằng giọng "
                f"dự phòng: {', '.join(b['title'] for b in items)} — lý do: {items[0]['reason']}; đài thử lại giọng "
                f"Google mỗi {RETRY_SECONDS:g} giây và đọc lại trước giờ phát khi có mạng"
            )
        self._told = {(s["session"], b["id"]) for s in self.sessions for b in s["bulletins"]}
        if self.sessions:
            reason = self.sessions[0]["bulletins"][0]["reason"]
            self._voice("down", reason, now, retry=now + timedelta(seconds=RETRY_SECONDS))
        elif self.voice["state"] == "down" or ONLINE not in self.station.speech.engines:
            self._voice("unknown" if ONLINE not in self.station.speech.engines else "ok", "", now)
        self.write(now)

    def _voice(self, state: str, reason: str, now: datetime, retry: datetime | None = None) -> None:
        since = self.voice["since"] if self.voice["state"] == state and self.voice["since"] else now.isoformat()
        self.voice = {"state": state, "reason": reason, "since": since,
                      "next_retry": retry.isoformat() if retry else None}

    def keep_retrying(self, scheduler: Any, clock: Any, stop: threading.Event, again: Callable[[], Any]) -> None:
        """While `watching`, a scheduler job probes Google every RETRY_SECONDS and calls `again()` (the runner's
        render-ahead) when it answers; the job is removed once nothing waits for the online voice."""

        def job() -> None:
            if not stop.is_set() and self.probe(clock.now()):
                again()

        scheduled = scheduler.get_job(RETRY_JOB)
        if self.watching and scheduled is None:
            scheduler.add_job(job, "interval", seconds=RETRY_SECONDS, id=RETRY_JOB)
        elif not self.watching and scheduled is not None:
            scheduled.remove()

    def probe(self, now: datetime) -> bool:
        """One request to Google's voice; True when it answered (the runner then renders ahead again)."""
        if not self.watching:
            return False
        # lazy: gTTS and requests load into the always-on station only once a bulletin airs in the fallback voice
        from broadcaster.speech.online import probe_gtts, reset_breakers

        speech = self.station.speech
        why = probe_gtts(tld=speech.gtts_tld, read_timeout=speech.gtts_timeout)
        if why:
            self._voice("down", why, now, retry=now + timedelta(seconds=RETRY_SECONDS))
            self.write(now)
            return False
        reset_breakers()  # in this process too (builds that run here when no child process can)
        self.notify("giọng Google đã trả lời lại: đọc lại các bản tin đang dùng giọng dự phòng")
        self._voice("ok", "", now)
        self.write(now)
        return True

    def write(self, now: datetime) -> None:
        with self._write_lock:
            record = {
                "schema_version": SCHEMA_VERSION, "written_at": now.isoformat(), "pid": os.getpid(),
                "station": self.station.name, "engines": list(self.station.speech.engines),
                "online_voice": self.voice, "fallback_sessions": self.sessions, **self.extra(now),
            }
            try:
                _write(self.station, record)
            except (OSError, ValueError) as exc:  # a full disk must not stop the station
                log.error("không ghi được tệp trạng thái %s: %s", status_path(self.station), exc)


def verify_log(database: str, tz: str) -> tuple[bool, str]:
    """The airing log's hash chain checked end to end (run in a short-lived child: it reads every row)."""
    # lazy: the child-process boundary (this runs in the child, never in the always-on station)
    from broadcaster.airlog import AirLog

    if not Path(database).exists():
        return True, ""
    with AirLog(database, tz=tz) as log:
        result = log.verify()
    return result.ok, result.message


def _zone_names(station: Station, zones: Iterable[str]) -> list[str]:
    names = {z.id: z.name for z in station.zones}
    return [names.get(z, z) for z in zones]


class StatusBoard:
    """The live part of the status record. Channels call `session_started`/`item_started`/`item_finished`/
    `session_finished` as they air; anything may `warn`/`clear`; each change rewrites the record at once — from
    a writer thread of its own, so a slow disk never delays the item about to play (changes that come faster
    than a write are written together)."""

    # warnings also handed to the alert command (`alerts.command`, an SMS gateway): sessions that did not air, a
    # broken log, a full disk. A relay board that does not answer is alerted by the chain checks already.
    ALERTED = frozenset({"missed-session", "failed-session", "log-chain", "disk-low"})

    def __init__(self, voice: VoiceWatch, clock: Any):
        self.voice = voice
        self.alert: Callable[[str], None] | None = None  # set by the runner: sends through the alert command
        self.clock = clock
        self._lock = threading.Lock()
        self._on_air: dict[str, list[dict[str, Any]]] = {}  # output id -> what airs there (an emergency on top)
        self._next: list[dict[str, Any]] = []
        self._warnings: dict[str, dict[str, Any]] = {}
        self._chain: list[dict[str, Any]] | None = None
        self._wanted = self._written = 0  # changes asked for / written (under `_done`)
        self._done = threading.Condition()
        self._writer: threading.Thread | None = None
        voice.extra = self._record

    @property
    def station(self) -> Station:
        return self.voice.station

    def _record(self, now: datetime) -> dict[str, Any]:
        with self._lock:
            warnings = list(self._warnings.values())
            if self.voice.sessions:  # bulletins waiting in the fallback voice: the officer should know
                first = self.voice.sessions[0]
                count = sum(len(s["bulletins"]) for s in self.voice.sessions)
                warnings.append({"code": "fallback-voice", "severity": "warning", "since": self.voice.voice["since"],
                                 "message": f"{count} bản tin của {len(self.voice.sessions)} buổi sắp tới sẽ phát bằng "
                                            f"giọng dự phòng (giọng máy ngoại tuyến), sớm nhất buổi {first['slot_name']} "
                                            f"lúc {fmt_when(datetime.fromisoformat(first['start']))}; lý do: "
                                            f"{first['bulletins'][0]['reason']}"})
            record: dict[str, Any] = {"now_playing": [dict(v[-1]) for v in self._on_air.values() if v],
                                      "next_sessions": list(self._next), "warnings": warnings}
            if self._chain is not None:
                record["chain"] = list(self._chain)
            return record

    def _changed(self) -> None:
        with self._done:
            self._wanted += 1
            self._done.notify_all()
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="status-writer", daemon=True)
                self._writer.start()

    def _write_loop(self) -> None:
        while True:
            with self._done:
                self._done.wait_for(lambda: self._wanted > self._written)
                wanted = self._wanted
            self.voice.write(self.clock.now())
            with self._done:
                self._written = wanted
                self._done.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every change so far is written (tests; a clean stop)."""
        with self._done:
            wanted = self._wanted
            return self._done.wait_for(lambda: self._written >= wanted, timeout)

    # -- what airs -----------------------------------------------------------------------------------------------
    def session_started(self, output_id: str, *, kind: str, key: str, title: str, items: Sequence[str],
                        zones: Iterable[str], start: datetime | None) -> None:
        """`kind`: session | manual | emergency; `items`: the bulletin ids in airing order (positions)."""
        with self._lock:
            self._on_air.setdefault(output_id, []).append({
                "output": output_id, "kind": kind, "session": key, "title": title,
                "start": start.isoformat() if start else None, "items": list(items),
                "zones": _zone_names(self.station, zones), "item": None})
        self._changed()

    def item_started(self, output_id: str, airing: Airing, row_id: int | None) -> None:
        engines = self.station.speech.engines
        with self._lock:
            stack = self._on_air.setdefault(output_id, [])
            if not stack:
                stack.append({"output": output_id, "kind": "session", "session": airing.session_key, "title": "",
                              "start": None, "items": [], "zones": [], "item": None})
            entry = stack[-1]
            items = entry["items"]
            position = items.index(airing.bulletin_id) + 1 if airing.bulletin_id in items else None
            entry["item"] = {
                "row": row_id, "bulletin_id": airing.bulletin_id, "title": airing.title, "position": position,
                "of": len(items) or None, "zones": _zone_names(self.station, airing.zones),
                "engine": airing.engine, "voice": airing.voice,
                "fallback": bool(airing.engine and engines and airing.engine not in (engines[0], "recording")),
                "started_at": airing.started_at.isoformat() if airing.started_at else None,
                "seconds": round(airing.planned_seconds, 1),
            }
        self._changed()

    def item_finished(self, output_id: str, row_id: int | None) -> None:
        with self._lock:
            entry = (self._on_air.get(output_id) or [None])[-1]
            if entry is None or entry["item"] is None or entry["item"]["row"] != row_id:
                return
            entry["item"] = None
        self._changed()

    def session_finished(self, output_id: str) -> None:
        with self._lock:
            stack = self._on_air.get(output_id)
            if stack:
                stack.pop()
        self._changed()

    def set_next(self, sessions: Iterable[Session], now: datetime) -> None:
        """The coming sessions (the next three not yet started), rewritten after each render-ahead and airing."""
        names = {s.id: s.name for s in self.station.slots}
        coming = sorted((s for s in sessions if s.programme.start > now), key=lambda s: s.programme.start)[:3]
        with self._lock:
            self._next = [{"session": s.key, "slot": s.programme.slot_id,
                           "slot_name": names.get(s.programme.slot_id, s.programme.slot_id),
                           "start": s.programme.start.isoformat(), "output": s.programme.output_id,
                           "items": len(s.programme.items), "seconds": round(s.programme.total_seconds, 1),
                           "zones": _zone_names(self.station, sorted({z for i in s.programme.items for z in i.zones})),
                           "fallback": len(s.fallback), "error": s.error or ""} for s in coming]
        self._changed()

    # -- warnings and checks ---------------------------------------------------------------------------------------
    def warn(self, code: str, message: str, *, severity: str = "warning", now: datetime | None = None) -> None:
        """Add (or update) the warning `code`; `severity`: warning | error. Its `since` stays the first time."""
        now = now or self.clock.now()
        with self._lock:
            old = self._warnings.get(code)
            if old is not None and old["message"] == message and old["severity"] == severity:
                return
            self._warnings[code] = {"code": code, "severity": severity, "message": message,
                                    "since": old["since"] if old else now.isoformat()}
        self._changed()
        if self.alert is not None and code in self.ALERTED:
            self.alert(message)

    def clear(self, code: str) -> None:
        with self._lock:
            if self._warnings.pop(code, None) is None:
                return
        self._changed()

    def set_chain(self, checks: Sequence[Mapping[str, Any]]) -> None:
        """The chain checks (`[{name, ok, checked_at, message}]`), as whoever checks the chain reports them."""
        with self._lock:
            self._chain = [dict(c) for c in checks]
        self._changed()
