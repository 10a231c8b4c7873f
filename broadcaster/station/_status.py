"""The station's status record, and the watch on the online voice.

`state_dir/status.json` (schema in docs/runner.md#status-record) says which coming sessions will air bulletins in
the fallback voice and why, and whether the online voice answers. The running station rewrites it (atomically:
temp file + rename) after every render-ahead and whenever the online voice comes or goes; `broadcaster status`
and the web desk read it.

`VoiceWatch`: while any coming session has bulletins in the fallback voice, the runner calls `probe()` every
`RETRY_SECONDS`; the first answer from Google makes the runner render ahead again, so those bulletins are
re-rendered in the online voice and their sessions rebuilt before they air.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.models import Bulletin, Station
from broadcaster.station._sessions import Session
from broadcaster.words import fmt_when

__all__ = ["RETRY_SECONDS", "STATUS_FILE", "SCHEMA_VERSION", "VoiceWatch", "read_status", "status_path"]

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
SCHEMA_VERSION = 1
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
        record = {
            "schema_version": SCHEMA_VERSION, "written_at": now.isoformat(), "pid": os.getpid(),
            "station": self.station.name, "engines": list(self.station.speech.engines),
            "online_voice": self.voice, "fallback_sessions": self.sessions,
        }
        try:
            _write(self.station, record)
        except OSError as exc:  # a full disk must not stop the station
            log.error("không ghi được tệp trạng thái %s: %s", status_path(self.station), exc)
