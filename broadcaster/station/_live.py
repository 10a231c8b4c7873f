"""Live announcements (thông báo trực tiếp) through the control channel: the request and stop files, the state file
the station writes back, and the runner's side (`LiveControl`): refuse while an emergency airs, else pre-empt the
output's session like an emergency does and air the microphone (`playout.air_live`).

Files in `control/` (atomic, strict, like emergencies): `live-<id>.json` (a `LiveRequest`), `livestop-<id>.json`
(a `LiveStop`), and `live-<id>.state`, written by whoever airs it: `{"state": "waiting" | "on_air" | "done",
"status", "ended_by", "reason", "seconds", "recording", "started_at", "ended_at"}`; the command that asked
reads it to say what happened. The recording: `<state_dir>/archive/<YYYY-MM-DD>/live-<id>.mp3` (kept and pruned
with that day of the archive).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from broadcaster.errors import BroadcasterError
from broadcaster.models import AiringStatus, Station
from broadcaster.playout import ENDED_BY, LiveAudio, LiveResult, air_live, live_zones
from broadcaster.station._control import _take, control_dir, current_user
from broadcaster.station._requests import BadRequest, check_live, check_live_stop, read_request, stale_reason
from broadcaster.words import fmt_spoken_duration

__all__ = [
    "LiveControl",
    "LiveRequest",
    "LiveStop",
    "OnAir",
    "REFUSED_EMERGENCY",
    "live_chime",
    "live_on_air",
    "live_output",
    "live_recording_path",
    "live_result_state",
    "live_stop_request",
    "lives_on_air",
    "new_live_request",
    "read_live_state",
    "remove_live_state",
    "stop_marker",
    "take_live",
    "take_live_stops",
    "write_live_state",
]

log = logging.getLogger(__name__)

REFUSED_EMERGENCY = ("đang phát tin khẩn cấp: không thể nói trực tiếp lúc này. Chờ tin khẩn cấp phát xong "
                     "rồi thử lại.")


class _Request:
    """A control file's JSON, both ways: written by the command, parsed strictly by the station."""

    check: ClassVar[Callable[[str], dict[str, Any]]]

    def to_json(self) -> str:
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        data["requested_at"] = data["requested_at"].isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Any:
        return cls(**cls.check(raw))


@dataclass(frozen=True)
class LiveRequest(_Request):
    """`broadcaster live` (or the desk) asks the station to open the microphone for these villages."""

    KIND: ClassVar[str] = "live"
    check: ClassVar[Callable[[str], dict[str, Any]]] = staticmethod(check_live)
    id: str
    requested_at: datetime
    who: str
    zones: tuple[str, ...] = ()  # empty = every village
    device: str | None = None  # microphone; None = live.device
    max_seconds: float | None = None  # None = live.max_minutes
    chime: str | None = None  # absolute path of the prepared chime WAV; None = no chime


@dataclass(frozen=True)
class LiveStop(_Request):
    """Stop the live announcement on air (`target` its id; empty = whichever airs)."""

    KIND: ClassVar[str] = "livestop"
    check: ClassVar[Callable[[str], dict[str, Any]]] = staticmethod(check_live_stop)
    id: str
    requested_at: datetime
    who: str
    target: str = ""


def live_output(station: Station, zones: tuple[str, ...]) -> str:
    """The one output (amplifier chain) that feeds these villages (all: every village). The microphone goes
    to one sound card at a time: villages on two outputs are refused with what to do."""
    wanted = set(zones) or {z.id for z in station.zones}
    outputs = sorted({z.output for z in station.zones if z.id in wanted}) or [station.outputs[0].id]
    if len(outputs) > 1:
        raise BroadcasterError(
            "thông báo trực tiếp chỉ phát qua một đầu ra (một âm ly) mỗi lần, các thôn đã chọn thuộc các đầu ra "
            f"{', '.join(outputs)}: chọn các thôn của cùng một đầu ra bằng --zones")
    return outputs[0]


def new_live_request(station: Station, *, now: datetime, zones: tuple[str, ...] = (), device: str | None = None,
                     max_minutes: float | None = None, chime: Path | None = None, who: str | None = None
                     ) -> LiveRequest:
    """A new request, checked against the station: known villages on one output, a length within the
    station's maximum (`--max-minutes` may only shorten it)."""
    known = [z.id for z in station.zones]
    unknown = [z for z in zones if z not in known]
    if unknown:
        raise BroadcasterError(f"không có thôn {', '.join(unknown)}; các thôn của đài: {', '.join(known)}")
    live_output(station, zones)
    limit = station.live.max_minutes
    if max_minutes is not None and not 0 < max_minutes <= limit:
        raise BroadcasterError(f"--max-minutes phải lớn hơn 0 và không quá {limit:g} phút (live.max_minutes "
                               "trong station.yaml)")
    return LiveRequest(id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}", requested_at=now,
                       who=who or current_user(), zones=tuple(zones), device=device,
                       max_seconds=None if max_minutes is None else max_minutes * 60,
                       chime=None if chime is None else str(chime))


def live_chime(station: Station) -> Path | None:
    """The chime before the microphone opens, ready to air: `live.chime`, else the station's chime; None when
    `live.chime: off`. Loads the audio stack: called by the command, never by the always-on station."""
    own = station.live.chime
    if station.live.no_chime:
        return None
    # lazy: the audio stack (numpy/scipy) stays out of the always-on station; the command prepares the chime
    from broadcaster.audio.clips import prepare_clip
    from broadcaster.audio.jingles import station_sounds

    if own:
        return Path(prepare_clip(station, station.root / own).path)
    return Path(station_sounds(station).chime.path)


def live_recording_path(station: Station, live_id: str, at: datetime) -> Path:
    """Where what was said is recorded: `<state_dir>/archive/<YYYY-MM-DD>/live-<id>.mp3`, so the archive's
    retention and disk budget cover it with the rest of that day."""
    return Path(station.state_dir) / "archive" / at.date().isoformat() / f"live-{live_id}.mp3"


def take_live(station: Station) -> list[LiveRequest]:
    """The runner's poll: live requests, oldest first, each marked taken; bad files set aside."""
    return _take(station, LiveRequest.KIND, LiveRequest.from_json)


def take_live_stops(station: Station) -> list[LiveStop]:
    return _take(station, LiveStop.KIND, LiveStop.from_json)


def _state_path(station: Station, request_id: str) -> Path:
    return control_dir(station) / f"live-{request_id}.state"


def stop_marker(station: Station, request_id: str) -> Path:
    """`broadcaster live` airing by itself stops when this file appears (the station is not there to take a
    `LiveStop`, and a station running meanwhile must not swallow one meant for the command)."""
    return control_dir(station) / f"live-{request_id}.stop"


def lives_on_air(station: Station) -> list[tuple[str, dict[str, Any]]]:
    """(id, state) of every live announcement still waiting or on air, by the state files; one whose airing
    process is gone (a crash) is left out."""
    out = []
    for path in sorted(control_dir(station).glob("live-*.state")):
        live_id = path.name[len("live-"):-len(".state")]
        state = read_live_state(station, live_id)
        if state is None or state["state"] not in ("waiting", "on_air"):
            continue
        pid = state.get("pid")
        if isinstance(pid, int) and not isinstance(pid, bool):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                pass
        out.append((live_id, state))
    return out


def write_live_state(station: Station, request_id: str, data: Mapping[str, Any]) -> None:
    """What became of a live request (atomic: the waiting command never reads half a file). Never raises."""
    path = _state_path(station, request_id)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(dict(data), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.error("không ghi được trạng thái thông báo trực tiếp %s: %s", request_id, exc)


def read_live_state(station: Station, request_id: str) -> dict[str, Any] | None:
    """The state the station wrote for a request, or None (not yet, or unreadable)."""
    try:
        data = json.loads(read_request(_state_path(station, request_id)))
    except (BadRequest, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("state"), str) else None


def live_result_state(result: LiveResult, started_at: str = "") -> dict[str, Any]:
    row = result.row
    return {"state": "done", "status": result.status.value, "ended_by": result.ended_by,
            "ended_by_text": ENDED_BY.get(result.ended_by, result.ended_by), "reason": result.reason,
            "seconds": round(result.seconds, 2), "recording": str(result.recording or ""),
            "started_at": started_at or (row.started_at.isoformat() if row and row.started_at else ""),
            "ended_at": row.ended_at.isoformat() if row and row.ended_at else ""}


@dataclass
class OnAir:
    """One live announcement handed to a channel: `air(channel, in_session)` runs it (the channel's drain),
    `halt` is the speaker's stop, `done` is set when it is over."""

    request: LiveRequest
    audio: LiveAudio
    station: Station
    notify: Callable[[str], None]
    aired_by: str = "station"  # or "command": `broadcaster live` airing by itself (no station running)
    halt: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    result: LiveResult | None = None

    @property
    def id(self) -> str:
        return self.request.id

    @property
    def who(self) -> str:
        return self.request.who

    @property
    def zones(self) -> frozenset[str]:
        return self.audio.zones

    def air(self, channel: Any, *, in_session: bool) -> None:
        started: list[str] = []

        def on_air() -> None:
            started.append(channel.clock.now().isoformat())
            write_live_state(self.station, self.id, {"state": "on_air", "started_at": started[0],
                                                     "recording": str(self.audio.recording),
                                                     "aired_by": self.aired_by, "pid": os.getpid()})
            self.notify(f"ĐANG PHÁT TRỰC TIẾP: micrô của {self.request.who} đã mở")

        try:
            writer = channel._writer() if hasattr(channel, "_writer") else channel.log  # the status board sees it
            self.result = air_live(self.audio, station=channel.station, output=channel.output,
                                   output_id=channel.cfg.id, switch=channel.switch, log=writer,
                                   clock=channel.clock, stop=channel.stop, halt=self.halt, in_session=in_session,
                                   preempted=channel.pending, on_air=on_air)
        except Exception as exc:  # noqa: BLE001 - a broken microphone or log must never stop the station
            log.exception("thông báo trực tiếp %s", self.id)
            self.result = LiveResult(AiringStatus.FAILED, "error", 0.0, f"lỗi: {exc}")
        finally:
            self.done.set()
        write_live_state(self.station, self.id, live_result_state(self.result, started[0] if started else ""))
        self.notify(f"xong thông báo trực tiếp của {self.request.who}: "
                    f"{fmt_spoken_duration(self.result.seconds)}, {ENDED_BY.get(self.result.ended_by, '')}"
                    + (f" ({self.result.reason})" if self.result.reason else ""))


def live_on_air(station: Station, request: LiveRequest, notify: Callable[[str], None], aired_by: str = "station"
                ) -> OnAir:
    """The request as what playout needs: limits from `live:` unless the request shortens them."""
    settings = station.live
    audio = LiveAudio(
        id=request.id, who=request.who, zones=frozenset(request.zones), requested_at=request.requested_at,
        max_seconds=request.max_seconds or settings.max_minutes * 60, silence_seconds=settings.silence_stop_seconds,
        silence_db=settings.silence_level_db, device=request.device or settings.device,
        output_device=settings.output_device, chime=Path(request.chime) if request.chime else None,
        recording=live_recording_path(station, request.id, request.requested_at),
    )
    return OnAir(request, audio, station, notify, aired_by)


class LiveControl:
    """The running station's side: one live announcement at a time, never over an emergency."""

    def __init__(self, station: Callable[[], Station], channels: Mapping[str, Any],
                 notify: Callable[[str], None], now: Callable[[], datetime] | None = None):
        self._station = station
        self.channels = channels
        self.notify = notify
        self.now = now  # the station's clock: a request left waiting too long is refused (stale_reason)
        self.current: OnAir | None = None

    def _refuse(self, request: LiveRequest, reason: str) -> None:
        self.notify(f"từ chối thông báo trực tiếp của {request.who}: {reason}")
        write_live_state(self._station(), request.id, {"state": "done", "status": "refused", "ended_by": "refused",
                                                  "reason": reason, "seconds": 0})

    def request(self, request: LiveRequest) -> None:
        """Queue it on its output (pre-empting the session on air), or refuse it with the reason."""
        station = self._station()
        stale = stale_reason(request.requested_at, self.now()) if self.now is not None else ""
        if stale:
            self._refuse(request, stale)
            return
        if self.current is not None and not self.current.done.is_set():
            self._refuse(request, f"{self.current.request.who} đang nói trực tiếp; chờ xong rồi thử lại")
            return
        on_air = live_on_air(station, request, self.notify)
        try:
            channel = self.channels.get(live_output(station, request.zones))
        except BroadcasterError as exc:
            self._refuse(request, str(exc))
            return
        if channel is None or live_zones(on_air.audio, station, channel.cfg.id) is None:
            self._refuse(request, "không có đầu ra nào phát tới các thôn đã chọn")
            return
        if channel.emergency_busy():
            self._refuse(request, REFUSED_EMERGENCY)
            return
        # written before the hand-over: the channel's thread may write `on_air` soon after
        write_live_state(station, request.id, {"state": "waiting", "aired_by": "station", "pid": os.getpid()})
        if not channel.offer_live(on_air):
            self._refuse(request, REFUSED_EMERGENCY)
            return
        self.current = on_air
        self.notify(f"THÔNG BÁO TRỰC TIẾP từ {request.who}: bật loa các thôn, chuông báo, rồi mở micrô")

    def stop(self, stop: LiveStop) -> None:
        current = self.current
        if current is None or current.done.is_set() or (stop.target and stop.target != current.id):
            self.notify(f"lệnh dừng thông báo trực tiếp từ {stop.who}: không có thông báo nào đang phát")
            return
        current.halt.set()
        self.notify(f"{stop.who} dừng thông báo trực tiếp")

    def poll(self) -> None:
        """From the control loop: new requests and stops."""
        station = self._station()
        for request in take_live(station):
            self.request(request)
        for stop in take_live_stops(station):
            self.stop(stop)


def live_stop_request(who: str | None, now: datetime, target: str = "") -> LiveStop:
    return LiveStop(f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}", now, who or current_user(), target)


def remove_live_state(station: Station, request_id: str) -> None:
    with contextlib.suppress(OSError):
        _state_path(station, request_id).unlink()
    with contextlib.suppress(OSError):
        stop_marker(station, request_id).unlink()
