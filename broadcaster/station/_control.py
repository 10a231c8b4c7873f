"""Emergency requests (tin khẩn cấp): their format, the control channel to a running station, and their audio.

Channel: the command writes `state_dir/control/emergency-<id>.json` atomically (temp file + rename); the
runner polls the directory every ~200 ms and renames what it takes to `.taken`, so the command knows the
station has it. Then the station answers: `.accepted` once the emergency is queued on its outputs (a "phát
ngay" once its session is built), or `.failed` with the reason in `.failed.txt` when it could not go on (its
audio could not be prepared, the session could not be built); an unreadable file becomes `.bad` (+ `.bad.txt`). A running station keeps `control/runner.json` (pid) fresh as a heartbeat; when there is none,
the command airs the emergency itself. With the state disk full, requests go to the control directory's twin in
RAM (`airlog.scratch_dir`), which the runner polls as well, and the heartbeat is kept fresh by touching it. No APScheduler here: the runner owns scheduling.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from broadcaster.airlog import is_space_error, scratch_dir
from broadcaster.errors import BroadcasterError
from broadcaster.files import remove_unchanged
from broadcaster.models import Station
from broadcaster.playout import EmergencyAudio
from broadcaster.station._heartbeat import (
    HEARTBEAT_SECONDS,
    clear_heartbeat,
    control_dir,
    running_station_pid,
    write_heartbeat,
)
from broadcaster.station._requests import BadRequest, check_air, check_emergency, read_request, stale_reason

__all__ = [
    "EmergencyRequest",
    "HEARTBEAT_SECONDS",
    "control_dir",
    "new_request",
    "submit",
    "wait_taken",
    "withdraw",
    "take_requests",
    "write_heartbeat",
    "clear_heartbeat",
    "running_station_pid",
    "render_message",
    "current_user",
    "attention_tone",
    "prepare_request",
    "to_air",
    "AirRequest",
    "submit_air",
    "take_air_requests",
    "answer",
    "CONTROL_KEEP_DAYS",
    "prune_control_files",
    "request_answer",
    "stale_reason",
    "wait_answer",
    "TAKEN",
    "ACCEPTED",
    "FAILED",
    "WAITING",
]

log = logging.getLogger(__name__)

# what a request's file says about it (its suffix): the sender reads the station's answer from it
WAITING, TAKEN, ACCEPTED, FAILED = "waiting", "taken", "accepted", "failed"
_ANSWERS = {".json": WAITING, ".taken": TAKEN, ".accepted": ACCEPTED, ".failed": FAILED, ".bad": FAILED}
_ORDER = ("", WAITING, TAKEN, ACCEPTED)
ONLINE_ENGINES = ("gtts",)  # engines that need the network: an emergency never waits for them
CONTROL_KEEP_DAYS = 30  # answered requests and live state files are kept this long (by last change)


def prune_control_files(station: Station, keep_days: float = CONTROL_KEEP_DAYS) -> int:
    """Delete the control directory's (and its RAM twin's) files nobody will read again: unchanged for
    `keep_days`. Each is a few hundred bytes, but one a day for years adds up and `lives_on_air` reads every live
    state file. The running station calls it, so its heartbeat is fresh; a request that old is refused anyway
    (`stale_reason`). Returns how many files were deleted; never raises."""
    return sum(remove_unchanged(directory, keep_days) for directory in _control_dirs(station))


@dataclass(frozen=True)
class EmergencyRequest:
    """One emergency as the officer asked for it; `message` is the ready-to-air WAV (rendered by the command)."""

    id: str
    requested_at: datetime
    who: str
    message: str  # absolute path of the prepared WAV clip
    message_seconds: float
    title: str  # first words of the text, or the audio file's name
    zones: tuple[str, ...] = ()  # empty = every zone
    repeat: int | None = None  # None = station.playout.emergency_repeat
    text: str | None = None
    audio: str | None = None  # the officer's original file, when --audio
    engine: str = ""
    voice: str = ""
    audio_hash: str = ""

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["requested_at"] = self.requested_at.isoformat()
        data["zones"] = list(self.zones)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> EmergencyRequest:
        """Parse a control file strictly (types and ranges as the command line); `BadRequest` says why not."""
        return cls(**check_emergency(raw))


def current_user() -> str:
    """Who asked (for the audit table): the OS user name."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return str(os.getuid())


def new_request(
    station: Station, *, message: Path, message_seconds: float, title: str, now: datetime,
    zones: tuple[str, ...] = (), repeat: int | None = None, text: str | None = None, audio: str | None = None,
    engine: str = "", voice: str = "", audio_hash: str = "", who: str | None = None,
) -> EmergencyRequest:
    """A new request with a unique id; checks zones and repeat against the station (Vietnamese errors). `who`:
    who asked (default the OS user; the desk passes its account)."""
    known = [z.id for z in station.zones]
    unknown = [z for z in zones if z not in known]
    if unknown:
        raise BroadcasterError(
            f"không có vùng (thôn) {', '.join(unknown)}; các vùng của đài: {', '.join(known) or '(chưa khai báo)'}"
        )
    if repeat is not None and not 1 <= repeat <= 10:
        raise BroadcasterError(f"số lần phát phải từ 1 đến 10 (đang là {repeat})")
    stamp = now.strftime("%Y%m%dT%H%M%S")
    return EmergencyRequest(
        id=f"{stamp}-{uuid.uuid4().hex[:6]}", requested_at=now, who=who or current_user(), message=str(message),
        message_seconds=message_seconds, title=title, zones=tuple(zones), repeat=repeat, text=text, audio=audio,
        engine=engine, voice=voice, audio_hash=audio_hash,
    )


def _request_path(station: Station, request_id: str, suffix: str = ".json", kind: str = "emergency") -> Path:
    return control_dir(station) / f"{kind}-{request_id}{suffix}"


def _kind(request: Any) -> str:
    """The request's file prefix: `air`, `emergency`, or its own `KIND` (live announcements: station/_live.py)."""
    return getattr(request, "KIND", None) or ("air" if isinstance(request, AirRequest) else "emergency")


# --- a full disk: requests go to the control directory's twin in RAM, which the runner polls too ---------------
def _control_dirs(station: Station) -> tuple[Path, Path]:
    return control_dir(station), scratch_dir(station.state_dir) / "control"


def _drop(directory: Path, name: str, request: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.tmp"
    try:
        tmp.write_text(request.to_json(), encoding="utf-8")
        os.replace(tmp, directory / name)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return directory / name


def submit(station: Station, request: Any) -> Path:
    """Drop the request where the runner looks (atomic: the runner never reads half a file); in the RAM twin of
    the control directory when the state disk is full."""
    name = _request_path(station, request.id, kind=_kind(request)).name
    try:
        return _drop(control_dir(station), name, request)
    except OSError as exc:
        if not is_space_error(exc):
            raise
    return _drop(_control_dirs(station)[1], name, request)


def request_answer(station: Station, kind: str, request_id: str) -> tuple[str, str]:
    """Where a request stands, from its file: (WAITING | TAKEN | ACCEPTED | FAILED, the station's reason for
    FAILED), or ("", "") when there is no such request."""
    found = ""
    for directory in _control_dirs(station):
        for suffix, state in _ANSWERS.items():
            path = directory / f"{kind}-{request_id}{suffix}"
            if state == FAILED and path.exists():
                with contextlib.suppress(OSError):
                    return FAILED, path.with_name(path.name + ".txt").read_text(encoding="utf-8").strip()
                return FAILED, ""
            if path.exists() and _ORDER.index(state) > _ORDER.index(found):
                found = state
    return found, ""


def wait_taken(station: Station, request: Any, timeout: float) -> bool:
    """Wait until the running station takes the request (or has already answered it); False after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if request_answer(station, _kind(request), request.id)[0] not in ("", WAITING):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def wait_answer(station: Station, request: EmergencyRequest | AirRequest, timeout: float) -> tuple[str, str]:
    """After the station took a request: wait for its answer, ACCEPTED or FAILED (with the reason); TAKEN when
    it has not answered within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        state, reason = request_answer(station, _kind(request), request.id)
        if state in (ACCEPTED, FAILED) or time.monotonic() >= deadline:
            return state, reason
        time.sleep(0.02)


def answer(station: Station, request: EmergencyRequest | AirRequest, reason: str = "") -> None:
    """The runner's answer to a request it took: accepted (no reason) or failed with `reason` (Vietnamese), so
    the sender never believes a request the station could not go on with is on its way. Never raises."""
    kind = _kind(request)
    for directory in _control_dirs(station):
        taken = directory / f"{kind}-{request.id}.taken"
        if not taken.exists():
            continue
        try:
            if reason:
                (directory / f"{kind}-{request.id}.failed.txt").write_text(f"{reason}\n", encoding="utf-8")
            os.replace(taken, directory / f"{kind}-{request.id}{'.failed' if reason else '.accepted'}")
        except OSError as exc:
            log.error("không ghi được trả lời cho yêu cầu %s-%s: %s", kind, request.id, exc)
        return


def withdraw(station: Station, request: Any) -> bool:
    """Take back a request nobody took; False when the station took it at the last moment."""
    name = _request_path(station, request.id, kind=_kind(request)).name
    for directory in _control_dirs(station):
        try:
            os.remove(directory / name)
            return True
        except FileNotFoundError:
            continue
    return False


def _take(station: Station, kind: str, parse: Any) -> list[Any]:
    names: list[Path] = []
    for directory in _control_dirs(station):
        with contextlib.suppress(OSError):
            names += sorted(p for p in directory.glob(f"{kind}-*.json"))
    out: list[Any] = []
    for path in names:
        taken = path.with_suffix(".taken")
        try:
            os.replace(path, taken)  # claim first: a withdrawing command then sees it gone
        except FileNotFoundError:
            continue
        try:
            out.append(parse(read_request(taken)))
        except (BadRequest, ValueError, TypeError, KeyError, OSError, RecursionError) as exc:  # input, never a crash
            log.error("yêu cầu %s không hợp lệ (%s), đã để riêng thành %s: %s", kind, path.name,
                      path.with_suffix(".bad").name, exc)
            try:
                os.replace(taken, path.with_suffix(".bad"))
                path.with_suffix(".bad.txt").write_text(f"{exc}\n", encoding="utf-8")
            except OSError:
                pass
    return out


def take_requests(station: Station) -> list[EmergencyRequest]:
    """The runner's poll: every waiting emergency, oldest first, each marked taken; bad files set aside."""
    return _take(station, "emergency", EmergencyRequest.from_json)


@dataclass(frozen=True)
class AirRequest:
    """"Phát ngay" handed to the running station: it owns the sound card and the relays, so a second process
    never plays over a session. The station builds the session itself and airs it when its output is free."""

    id: str
    requested_at: datetime
    who: str
    slot: str
    day: date

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "requested_at": self.requested_at.isoformat(), "who": self.who,
                           "slot": self.slot, "day": self.day.isoformat()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> AirRequest:
        """Parse a control file strictly; `BadRequest` says why not."""
        return cls(**check_air(raw))


def submit_air(station: Station, slot: str, day: date, now: datetime, who: str | None = None) -> AirRequest:
    """Ask the running station to air session `slot` of `day` now; returns the request (to wait for or withdraw)."""
    request = AirRequest(f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}", now, who or current_user(), slot, day)
    submit(station, request)
    return request


def take_air_requests(station: Station) -> list[AirRequest]:
    """The runner's poll for "phát ngay" requests, oldest first, each marked taken; bad files set aside."""
    return _take(station, "air", AirRequest.from_json)


def render_message(station: Station, text: str) -> Any:
    """Speak an emergency at once, never waiting on the network: the online voice only when this text is already
    in the render cache (no request), else the offline voice (the first engine of the order that is not online,
    eSpeak NG by default). Returns the speech module's `Render`."""
    # lazy: the speech stack loads only when an emergency is typed as text
    from broadcaster.speech.render import cached_text_render, render_text

    cached = cached_text_render(station, text)
    if cached is not None:
        return cached
    offline = next((e for e in station.speech.engines if e not in ONLINE_ENGINES), "espeak")
    if station.speech.engines and station.speech.engines[0] in ONLINE_ENGINES:
        log.info("tin khẩn cấp: đọc ngay bằng giọng dự phòng (không chờ mạng)")
    return render_text(station, text, engine=offline)


def attention_tone(station: Station) -> Path:
    """The station's attention tone (its own file, or the generated one), ready to air."""
    # lazy: the audio stack (numpy/scipy) stays out of the always-on station; it builds in a child
    from broadcaster.audio.jingles import station_sounds

    try:
        return Path(station_sounds(station).attention.path)
    except (OSError, BroadcasterError) as exc:
        if not is_space_error(exc):
            raise
    # the state disk is full: made in the scratch directory in RAM, so the emergency still airs
    return Path(station_sounds(dataclasses.replace(station, state_dir=scratch_dir(station.state_dir))).attention.path)


def prepare_request(
    station: Station, *, now: datetime, text: str | None = None, audio: str | Path | None = None,
    zones: tuple[str, ...] = (), repeat: int | None = None, who: str | None = None,
) -> EmergencyRequest:
    """Render the message (text: fastest engine; audio: the officer's file), ready to air, as a new request."""
    # lazy: the audio stack (numpy/scipy) stays out of the always-on station; it builds in a child
    from broadcaster.audio.clips import prepare_clip

    if bool(text and text.strip()) == (audio is not None):
        raise BroadcasterError("tin khẩn cấp cần đúng một trong hai: --text VĂN_BẢN hoặc --audio TỆP")
    if text is not None:
        render = render_message(station, text.strip())
        clip = prepare_clip(station, Path(render.path))
        words = " ".join(text.split())
        title = words if len(words) <= 60 else words[:57] + "…"
        engine, voice = str(render.engine), str(render.voice)
    else:
        source = Path(audio).expanduser().resolve()  # type: ignore[arg-type]
        if not source.is_file():
            raise BroadcasterError(f"{source}: không có tệp âm thanh này")
        clip = prepare_clip(station, source)
        title, engine, voice = source.name, "recording", ""
    return new_request(
        station, message=Path(clip.path), message_seconds=float(clip.duration), title=title, now=now,
        zones=zones, repeat=repeat, text=text, audio=str(audio) if audio is not None else None,
        engine=engine, voice=voice, audio_hash=str(clip.sha256), who=who,
    )


def to_air(request: EmergencyRequest, station: Station, attention: Path | None) -> EmergencyAudio:
    """What playout needs to air a request."""
    return EmergencyAudio(
        id=request.id, message=Path(request.message), message_seconds=request.message_seconds, attention=attention,
        zones=frozenset(request.zones), repeat=request.repeat or station.playout.emergency_repeat,
        title=request.title, requested_at=request.requested_at, who=request.who, engine=request.engine,
        voice=request.voice, audio_hash=request.audio_hash,
        details={"text": request.text or "", "audio": request.audio or ""},
    )
