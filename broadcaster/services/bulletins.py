"""The desk's bulletins: the list with `check`'s findings, the edit form, and saving a bulletin file.

A bulletin file stays the source of truth: the list reads the files (re-reading only the ones that changed since
the last look), a save writes only the keys the form changed, round-trip and atomically (`config.write_bulletin`),
after checking the result exactly as `broadcaster check` would, and refuses when the file changed on disk since
the form was opened. Approval lives in `services.approval`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from broadcaster.config import (
    BULLETIN_DIR,
    FileChanged,
    bulletin_files,
    check_bulletin_file,
    file_sha,
    fold,
    is_error,
    write_bulletin,
)
from broadcaster.airlog import Account, Decision, DeskStore
from broadcaster.errors import BroadcasterError, InputError, Problem
from broadcaster.models import Bulletin, Priority, RepeatRule, Station
from broadcaster.services.recordings import Upload, store_upload

__all__ = [
    "BulletinForm",
    "BulletinIndex",
    "BulletinView",
    "Filters",
    "SaveResult",
    "bulletin_path",
    "form_from_bulletin",
    "list_bulletins",
    "new_id",
    "save_bulletin",
    "state_of",
]

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


@dataclass(frozen=True)
class BulletinView:
    """One bulletin file as the desk shows it: the bulletin (None when the file has errors) and its findings."""

    id: str
    path: Path
    sha: str
    bulletin: Bulletin | None
    title: str
    problems: tuple[Problem, ...]
    state: str  # error | pending | returned | approved | stale (labels in words.APPROVAL_LABELS)
    decision: Decision | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if is_error(p)]

    def findings_for(self, key: str) -> list[Problem]:
        """Findings about one field (`repeat` gathers `repeat.*`)."""
        return [p for p in self.problems if p.key == key or p.key.startswith(key + ".")]

    def validity(self, today: date) -> str:
        b = self.bulletin
        if b is None:
            return ""
        if b.valid_until is not None and b.valid_until < today:
            return "expired"
        if b.valid_from is not None and b.valid_from > today:
            return "future"
        return "now"


def state_of(bulletin: Bulletin | None, decision: Decision | None) -> str:
    if bulletin is None:
        return "error"
    if bulletin.approved:
        return "approved"
    if bulletin.approval_stale:
        return "stale"
    if decision is not None and decision.decision == "return" and decision.content_key == bulletin.content_key:
        return "returned"
    return "pending"


def bulletin_path(station: Station, bulletin_id: str) -> Path:
    """The file of a bulletin id; InputError for anything but a plain id (no folders, no dots)."""
    if not _ID.fullmatch(bulletin_id or ""):
        raise InputError(f"mã bản tin '{bulletin_id}' không hợp lệ")
    return station.root / BULLETIN_DIR / f"{bulletin_id}.yaml"


class BulletinIndex:
    """Parsed bulletin files of a station, re-read only when a file's size or time changes (fast lists)."""

    def __init__(self, station: Station):
        self.station = station
        self._cache: dict[Path, tuple[tuple[int, int, date], BulletinView]] = {}

    def view(self, path: Path, today: date, decision: Decision | None) -> BulletinView:
        stat = path.stat()
        mark = (stat.st_mtime_ns, stat.st_size, today)
        hit = self._cache.get(path)
        if hit is None or hit[0] != mark:
            bulletin, problems = check_bulletin_file(self.station, path, today=today)
            title = bulletin.title if bulletin is not None else path.stem
            view = BulletinView(path.stem, path, file_sha(path), bulletin, title, tuple(problems), "error")
            hit = (mark, view)
            self._cache[path] = hit
        view = hit[1]
        state = state_of(view.bulletin, decision)
        if state != view.state or decision is not view.decision:
            view = BulletinView(view.id, view.path, view.sha, view.bulletin, view.title, view.problems, state,
                                decision)
        return view

    def views(self, today: date, decisions: Mapping[str, Decision]) -> list[BulletinView]:
        paths = bulletin_files(self.station.root)
        for gone in set(self._cache) - set(paths):
            del self._cache[gone]
        return [self.view(p, today, decisions.get(p.stem)) for p in paths]


@dataclass(frozen=True)
class Filters:
    state: str = ""
    priority: str = ""
    topic: str = ""
    zone: str = ""
    validity: str = ""  # now | expired | future
    q: str = ""


def list_bulletins(index: BulletinIndex, store: DeskStore, filters: Filters,
                   today: date) -> tuple[list[BulletinView], list[str]]:
    """The bulletins matching every filter, newest file names first (ids start with the year), and every topic
    in use (for the topic filter)."""
    rows = index.views(today, store.latest_decisions())
    topics = sorted({v.bulletin.topic for v in rows if v.bulletin is not None})
    q = fold(filters.q) if filters.q else ""
    out = []
    for v in rows:
        b = v.bulletin
        if filters.state and v.state != filters.state:
            continue
        if filters.priority and (b is None or b.priority.value != filters.priority):
            continue
        if filters.topic and (b is None or b.topic != filters.topic):
            continue
        if filters.zone and (b is None or (b.zones and filters.zone not in b.zones)):
            continue
        if filters.validity and v.validity(today) != filters.validity:
            continue
        if q and q not in fold(v.title) and q not in v.id:
            continue
        out.append(v)
    return sorted(out, key=lambda v: v.id, reverse=True), topics


@dataclass
class BulletinForm:
    """What the edit form holds, as strings and lists from the browser."""

    title: str = ""
    topic: str = ""
    priority: str = "normal"
    text: str = ""
    valid_from: str = ""
    valid_until: str = ""
    all_zones: bool = True
    zones: list[str] = field(default_factory=list)
    every_session: bool = False
    per_day: str = "1"
    weekdays: list[str] = field(default_factory=list)  # "0".."6"; none = every day
    slots: list[str] = field(default_factory=list)  # none = every session
    audio: str = ""  # the current recording (relative to the station folder), shown; kept unless replaced/removed
    remove_audio: bool = False

    @classmethod
    def from_fields(cls, get: Any, getlist: Any) -> BulletinForm:
        """From a form mapping (`get(name)` -> str | None, `getlist(name)` -> list[str])."""
        def text(name: str) -> str:
            value = get(name)
            return value if isinstance(value, str) else ""

        return cls(
            title=text("title").strip(), topic=text("topic").strip(), priority=text("priority") or "normal",
            text=text("text").replace("\r\n", "\n"), valid_from=text("valid_from").strip(),
            valid_until=text("valid_until").strip(), all_zones=bool(get("all_zones")),
            zones=[z for z in getlist("zones") if isinstance(z, str)], every_session=bool(get("every_session")),
            per_day=text("per_day").strip() or "1", weekdays=[w for w in getlist("weekdays") if isinstance(w, str)],
            slots=[s for s in getlist("slots") if isinstance(s, str)], audio=text("audio"),
            remove_audio=bool(get("remove_audio")),
        )


def form_from_bulletin(b: Bulletin, station: Station) -> BulletinForm:
    audio = ""
    if b.audio is not None:
        try:
            audio = str(b.audio.relative_to(station.root))
        except ValueError:
            audio = str(b.audio)
    r = b.repeat
    return BulletinForm(
        title=b.title, topic=b.topic, priority=b.priority.value, text=b.text or "",
        valid_from=b.valid_from.isoformat() if b.valid_from else "",
        valid_until=b.valid_until.isoformat() if b.valid_until else "",
        all_zones=not b.zones, zones=list(b.zones), every_session=r.every_session, per_day=str(r.per_day),
        weekdays=[str(d) for d in sorted(r.weekdays)] if r.weekdays is not None else [],
        slots=list(r.slots) if r.slots is not None else [], audio=audio,
    )


def _date(value: str, key: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[key] = f"'{value}' không phải ngày (chọn ngày trong lịch)"
        return None


def _wanted(form: BulletinForm, station: Station, audio: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as bulletin values (the schema's keys), and field errors the form itself can tell."""
    errors: dict[str, str] = {}
    if form.priority not in {p.value for p in Priority}:
        errors["priority"] = "chọn mức ưu tiên"
    zone_ids = {z.id for z in station.zones}
    slot_ids = {s.id for s in station.slots}
    zones = [] if form.all_zones else [z for z in form.zones if z in zone_ids]
    if not form.all_zones and not zones:
        errors["zones"] = "chọn ít nhất một thôn, hoặc 'Toàn xã'"
    try:
        per_day = int(form.per_day)
        if not 1 <= per_day <= 10:
            raise ValueError
    except ValueError:
        errors["repeat"] = "số lần mỗi ngày phải từ 1 đến 10"
        per_day = 1
    weekdays = sorted({int(w) for w in form.weekdays if w in {str(i) for i in range(7)}})
    slots = [s for s in form.slots if s in slot_ids]
    text = form.text.strip()
    if audio is None and not text:
        errors["text"] = "cần nội dung để đọc, hoặc một tệp ghi âm"
    values = {
        "title": form.title, "topic": form.topic, "priority": form.priority,
        "valid_from": _date(form.valid_from, "valid_from", errors),
        "valid_until": _date(form.valid_until, "valid_until", errors),
        "zones": zones, "text": None if audio is not None else text + "\n", "audio": audio,
        "repeat": {"every_session": form.every_session, "per_day": per_day,
                   "weekdays": weekdays if weekdays and len(weekdays) < 7 else None,
                   "slots": slots if slots and len(slots) < len(slot_ids) else None},
    }
    return values, errors


def _changes(wanted: dict[str, Any], current: Bulletin | None) -> dict[str, Any]:
    """Only what differs from the file's parsed values (untouched keys keep the hand's spelling)."""
    if current is None:
        new = {k: v for k, v in wanted.items() if v not in (None, [], "")}
        new["repeat"] = {k: v for k, v in wanted["repeat"].items()
                         if v is not None and v != getattr(RepeatRule(), k)}
        new["status"] = "draft"
        return new
    have: dict[str, Any] = {
        "title": current.title, "topic": current.topic, "priority": current.priority.value,
        "valid_from": current.valid_from, "valid_until": current.valid_until, "zones": list(current.zones),
        "text": current.text, "audio": wanted["audio"] if current.audio is not None and wanted["audio"] else None,
    }
    changes = {k: (v if v != [] else None) for k, v in wanted.items() if k != "repeat" and v != have[k]}
    if "text" in changes and current.text is not None and wanted["text"] is not None \
            and wanted["text"].strip() == current.text.strip():
        del changes["text"]
    r = current.repeat
    now_repeat = {"every_session": r.every_session, "per_day": r.per_day,
                  "weekdays": sorted(r.weekdays) if r.weekdays is not None else None,
                  "slots": list(r.slots) if r.slots is not None else None}
    repeat = {k: v for k, v in wanted["repeat"].items() if v != now_repeat[k]}
    if repeat:
        changes["repeat"] = repeat
    return changes


def new_id(station: Station, title: str, today: date) -> str:
    """`2026-hop-thon-lam-duong` from a title, made unique in the folder."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60].strip("-") or "ban-tin"
    base = f"{today.year}-{words}"
    candidate, n = base, 2
    while bulletin_path(station, candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@dataclass(frozen=True)
class SaveResult:
    bulletin_id: str
    saved: bool
    errors: dict[str, list[str]] = field(default_factory=dict)  # field key -> messages ("" = the whole file)
    conflict: tuple[str, str] | None = None  # (your version as YAML, the file on disk now)
    disk_sha: str = ""


def _candidate(path: Path, changes: dict[str, Any], station: Station) -> tuple[str, list[Problem]]:
    """What the file would be, checked by `check`'s own rules, without touching the real file."""
    with tempfile.TemporaryDirectory(prefix="desk-") as tmp:
        probe = Path(tmp) / path.name
        if path.exists():
            shutil.copyfile(path, probe)
        write_bulletin(probe, changes)
        _bulletin, problems = check_bulletin_file(station, probe, decode_audio=False)
        return probe.read_text(encoding="utf-8"), [p for p in problems if is_error(p)]


def _by_key(problems: list[Problem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        key = p.key.split(".")[0] if p.key.startswith("repeat") else p.key
        out.setdefault(key, []).append(p.message)
    return out


def save_bulletin(station: Station, store: DeskStore, account: Account, bulletin_id: str | None,
                  form: BulletinForm, *, expected_sha: str, now: datetime, address: str = "",
                  upload: Upload | None = None) -> SaveResult:
    """Check and write one bulletin from the form; a new one when `bulletin_id` is None."""
    bulletin_id = bulletin_id or new_id(station, form.title, now.date())
    path = bulletin_path(station, bulletin_id)
    current, _ = check_bulletin_file(station, path) if path.exists() else (None, [])
    if path.exists() and current is None:
        raise BroadcasterError(f"tệp {path.name} đang có lỗi: sửa tay cho hết lỗi (broadcaster check) rồi mở lại")
    # the recording kept is the file's own, never a path the browser sends (no traversal through the form)
    audio = form_from_bulletin(current, station).audio or None if current is not None else None
    if upload is not None:
        try:
            audio = store_upload(station, bulletin_id, upload).relative
        except InputError as exc:
            return SaveResult(bulletin_id, False, {"audio": [str(exc)]})
    elif form.remove_audio:
        audio = None
    wanted, errors = _wanted(form, station, audio)
    if errors:
        return SaveResult(bulletin_id, False, {k: [v] for k, v in errors.items()})
    changes = _changes(wanted, current)
    disk_sha = file_sha(path)
    if disk_sha != expected_sha:
        mine, _ = _candidate(Path(f"/nonexistent/{bulletin_id}.yaml"), _changes(wanted, None), station)
        theirs = path.read_text(encoding="utf-8") if path.exists() else ""
        return SaveResult(bulletin_id, False, {"": ["tệp đã bị thay đổi trên đĩa sau khi bạn mở để sửa"]},
                          conflict=(mine, theirs), disk_sha=disk_sha)
    if not changes:
        return SaveResult(bulletin_id, True, disk_sha=disk_sha)
    _text, problems = _candidate(path, changes, station)
    if problems:
        return SaveResult(bulletin_id, False, _by_key(problems))
    try:
        sha = write_bulletin(path, changes, expected_sha=expected_sha)
    except FileChanged as exc:
        return SaveResult(bulletin_id, False, {"": [str(exc)]}, conflict=("", exc.current), disk_sha=file_sha(path))
    after, _ = check_bulletin_file(station, path)
    key_after = after.content_key if after is not None else ""
    store.record_edit(bulletin_id, account.id, key_after, now)
    store.audit(account.name, "bulletin_create" if current is None else "bulletin_save", now, target=bulletin_id,
                before=current.content_key if current is not None else "", after=key_after, address=address,
                details={"keys": sorted(changes), "file_sha": sha})
    return SaveResult(bulletin_id, True, disk_sha=sha)


