"""Rules across keys and files: window and caps, zone routing, relays, bulletin content and references.

Called by `config` after the schema has parsed a file; every rule adds problems (or notices) to the Context
with the line of the key concerned, so the officer sees all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from broadcaster.config._values import Context, suggest
from broadcaster.config._yaml import YNode
from broadcaster.errors import AudioError, Problem
from broadcaster.ffmpeg import audio_duration, check_decodes
from broadcaster.models import AudioSettings, Priority, Station, Status
from broadcaster.words import fmt_date, fmt_spoken_duration, fmt_time, weekday

__all__ = [
    "Known",
    "check_audio_file",
    "check_bulletin_rules",
    "check_station_audio",
    "check_station_rules",
    "line_of",
]

_BYTE_TOKEN = re.compile(r"[0-9A-Fa-f]{2}|\{relay\}|\{checksum\}")


@dataclass(frozen=True)
class Known:
    """Zone and slot ids a bulletin may name; None when station.yaml could not be read (checks skipped)."""

    zones: frozenset[str] | None
    slots: frozenset[str] | None
    served: dict[str, frozenset[str]] | None = None  # slot id -> zones it serves (empty = every zone)
    max_recording_seconds: float = AudioSettings().max_bulletin_minutes * 60

    @classmethod
    def of(cls, station: Station | None, declared: dict[str, set[str]] | None = None) -> Known:
        if station is None:
            return cls(None, None)
        declared = declared or {}
        parsed = {s.id for s in station.slots}
        # a session that station.yaml declares but could not read: which villages it serves is unknown, so no
        # "never reaches this village" notice (it would only echo the station.yaml error)
        served = None if declared.get("slots", set()) - parsed else {s.id: frozenset(s.zones) for s in station.slots}
        return cls(
            frozenset({z.id for z in station.zones} | declared.get("zones", set())),
            frozenset(parsed | declared.get("slots", set())),
            served,
            station.audio.max_bulletin_minutes * 60,
        )

    def unserved(self, zones: tuple[str, ...], slots: tuple[str, ...] | None) -> list[str]:
        """Target zones that no allowed session reaches (the bulletin would never air there)."""
        if not self.served or not self.zones:
            return []
        allowed = [z for s, z in self.served.items() if slots is None or s in slots]
        targets = zones or tuple(sorted(self.zones))
        return [t for t in targets if t in self.zones and not any(not z or t in z for z in allowed)]


def line_of(node: YNode | None, *keys: str) -> int | None:
    """Line of the deepest of `keys` present under node (falls back to the nearest parent)."""
    if node is None:
        return None
    line: int | None = node.line
    current: YNode | None = node
    for key in keys:
        if current is None or current.kind != "map" or key not in current.value:
            break
        line = current.key_lines[key]
        current = current.value[key]
    return line


def _hm(value: time | int) -> str:
    if isinstance(value, int):
        return f"{value // 60:02d}:{value % 60:02d}"
    return fmt_time(value)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _check_routing(station: Station, node: YNode, ctx: Context) -> None:
    outputs = {o.id: o for o in station.outputs}
    relays: dict[tuple[str, int], str] = {}
    for zone in station.zones:
        if zone.output not in outputs:
            ctx.add(
                line_of(node, "zones", zone.id, "output"),
                f"zones.{zone.id}.output",
                f"không có đầu ra '{zone.output}' trong mục outputs; {suggest(zone.output, list(outputs))}",
            )
        if zone.relay is None:
            continue
        owner = relays.get((zone.output, zone.relay))
        if owner:
            ctx.add(
                line_of(node, "zones", zone.id, "relay"),
                f"zones.{zone.id}.relay",
                f"rơ-le số {zone.relay} đã dùng cho thôn '{owner}': mỗi thôn cần một rơ-le riêng",
            )
        relays[(zone.output, zone.relay)] = zone.id
        amp = outputs[zone.output].zone_switch.amplifier_relay if zone.output in outputs else None
        if amp == zone.relay:
            ctx.add(
                line_of(node, "zones", zone.id, "relay"),
                f"zones.{zone.id}.relay",
                f"rơ-le số {zone.relay} đang dùng để bật âm ly (amplifier_relay): chọn số khác",
            )
    for output in station.outputs:
        where = f"outputs.{output.id}"
        switch = output.zone_switch
        kind_line = line_of(node, "outputs", output.id, "zone_switch", "kind")
        if output.kind == "command" and not output.command:
            ctx.add(
                line_of(node, "outputs", output.id, "kind"),
                f"{where}.command",
                "đầu ra kiểu command cần lệnh phát, ví dụ: command: aplay -q -D {device} {file}",
            )
        if switch.kind == "serial":
            if not switch.port:
                ctx.add(
                    kind_line,
                    f"{where}.zone_switch.port",
                    "bộ chuyển kiểu serial cần cổng nối tiếp, ví dụ: port: /dev/ttyUSB0",
                )
            for key in ("on_bytes", "off_bytes"):
                template = getattr(switch, key)
                bad = [t for t in template.split() if not _BYTE_TOKEN.fullmatch(t)]
                if bad or not template.split():
                    ctx.add(
                        line_of(node, "outputs", output.id, "zone_switch", key),
                        f"{where}.zone_switch.{key}",
                        f"'{template}' phải là các byte hệ 16 cách nhau bởi dấu cách, có thể dùng {{relay}} "
                        "và {checksum} (ví dụ: A0 {relay} 01 {checksum})",
                    )
        if switch.kind == "command" and not (switch.on_command and switch.off_command):
            ctx.add(
                kind_line, f"{where}.zone_switch", "bộ chuyển kiểu command cần cả on_command và off_command"
            )


def _check_slots(station: Station, node: YNode, ctx: Context) -> None:
    window, caps = station.window, station.caps
    w_start, w_end = _minutes(window.start), _minutes(window.end)
    if w_end <= w_start:
        ctx.add(
            line_of(node, "window", "end"),
            "window.end",
            f"giờ kết thúc khung phát {_hm(window.end)} phải sau giờ bắt đầu {_hm(window.start)}",
        )
    zone_ids = [z.id for z in station.zones]
    for slot in station.slots:
        where = f"slots.{slot.id}"
        start = _minutes(slot.start)
        end = start + slot.max_minutes
        if w_end > w_start and (start < w_start or end > w_end):
            ctx.add(
                line_of(node, "slots", slot.id, "start"),
                f"{where}.start",
                f"buổi phát từ {_hm(start)} đến {_hm(end % 1440)} nằm ngoài khung giờ được phát "
                f"{_hm(window.start)}-{_hm(window.end)} (không phát ban đêm, sáng sớm): đổi giờ bắt đầu "
                "hoặc rút ngắn max_minutes",
            )
        if slot.max_minutes > caps.max_minutes_per_session:
            ctx.add(
                line_of(node, "slots", slot.id, "max_minutes"),
                f"{where}.max_minutes",
                f"{slot.max_minutes} phút vượt giới hạn {caps.max_minutes_per_session} phút mỗi buổi "
                "(caps.max_minutes_per_session)",
            )
        for zone in slot.zones:
            if zone not in zone_ids:
                ctx.add(
                    line_of(node, "slots", slot.id, "zones"),
                    f"{where}.zones",
                    f"không có thôn '{zone}' trong mục zones; {suggest(zone, zone_ids)}",
                )
    for day in range(7):
        todays = [s for s in station.slots if day in s.days]
        if len(todays) > caps.max_sessions_per_day:
            ctx.add(
                line_of(node, "slots"),
                "slots",
                f"{weekday(day, capital=False)} có {len(todays)} buổi phát, vượt giới hạn {caps.max_sessions_per_day} buổi "
                "mỗi ngày (caps.max_sessions_per_day)",
            )
            break
    ordered = sorted(station.slots, key=lambda s: s.start)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if (
                first.days & second.days
                and _minutes(second.start) < _minutes(first.start) + first.max_minutes
            ):
                ctx.add(
                    line_of(node, "slots", second.id, "start"),
                    f"slots.{second.id}.start",
                    f"buổi '{second.id}' bắt đầu {_hm(second.start)}, trùng giờ với buổi '{first.id}' "
                    f"({_hm(first.start)}, {first.max_minutes} phút): một âm ly chỉ phát một buổi một lúc",
                )


def _check_relays(station: Station, node: YNode, ctx: Context) -> None:
    """A relay fits its session and the province's cap; its notice file exists."""
    for slot in station.slots:
        if slot.relay is None:
            continue
        most = min(slot.max_minutes, station.caps.max_minutes_per_session)
        if slot.relay.seconds > most * 60 + 1e-6:
            ctx.add(line_of(node, "slots", slot.id, "relay", "duration"), f"slots.{slot.id}.relay.duration",
                    f"tiếp âm {slot.relay.seconds / 60:g} phút dài hơn buổi phát ({most} phút: max_minutes của "
                    "buổi và caps.max_minutes_per_session): rút ngắn thời lượng tiếp âm hoặc tăng max_minutes")
        notice = slot.relay.fallback
        if notice and not (station.root / notice).is_file():
            ctx.add(line_of(node, "slots", slot.id, "relay", "fallback"), f"slots.{slot.id}.relay.fallback",
                    f"không tìm thấy tệp '{notice}' (đường dẫn tính từ thư mục đài): kiểm tra tên tệp")


def check_station_rules(station: Station, node: YNode, ctx: Context) -> None:
    """Rules of station.yaml that no single key can check alone."""
    if "zones" in node.value and not station.zones and not ctx.declared.get("zones"):
        ctx.add(line_of(node, "zones"), "zones", "cần ít nhất một thôn (vùng loa)")
    if "slots" in node.value and not station.slots and not ctx.declared.get("slots"):
        ctx.add(line_of(node, "slots"), "slots", "cần ít nhất một buổi phát")
    _check_routing(station, node, ctx)
    _check_slots(station, node, ctx)
    _check_relays(station, node, ctx)
    for key in ("opening", "closing", "chime", "attention"):
        value = getattr(station.audio, key)
        if value and not (station.root / value).is_file():
            ctx.add(
                line_of(node, "audio", key),
                f"audio.{key}",
                f"không tìm thấy tệp '{value}' (đường dẫn tính từ thư mục đài): kiểm tra tên tệp",
            )
    chime = station.live.chime
    if chime and not station.live.no_chime and not (station.root / chime).is_file():
        ctx.add(line_of(node, "live", "chime"), "live.chime", f"không tìm thấy tệp '{chime}' (đường dẫn tính từ "
                "thư mục đài): kiểm tra tên tệp, hoặc ghi off để không phát chuông")


def check_audio_file(path: Path, file: str, line: int | None, key: str,
                     max_seconds: float | None = None) -> list[Problem]:
    """An audio file's length from its header (refused above `max_seconds`, without decoding), then a complete
    decode to nowhere in constant memory, so a corrupt file is found before air time."""
    try:
        if max_seconds is not None:
            seconds = audio_duration(path)
            if seconds > max_seconds:
                return [Problem(file, line, key, (
                    f"tệp ghi âm '{path.name}' dài {fmt_spoken_duration(seconds)}, quá giới hạn "
                    f"{fmt_spoken_duration(max_seconds)} của một bản tin (audio.max_bulletin_minutes trong "
                    "station.yaml): cắt ngắn bản ghi hoặc tách thành nhiều bản tin"))]
        check_decodes(path)
    except AudioError as exc:
        detail = str(exc).split(": ", 1)[-1]
        return [
            Problem(
                file,
                line,
                key,
                f"tệp âm thanh '{path.name}' hỏng hoặc không đọc được ({detail}): "
                "ghi âm hoặc chép lại tệp (mp3, wav)",
            )
        ]
    return []


def check_station_audio(station: Station, node: YNode, file: str) -> list[Problem]:
    """Decode the station's own jingles."""
    problems: list[Problem] = []
    for key in ("opening", "closing", "chime", "attention"):
        value = getattr(station.audio, key)
        if value and (station.root / value).is_file():
            problems += check_audio_file(
                station.root / value, file, line_of(node, "audio", key), f"audio.{key}"
            )
    return problems


def _unknown_refs(
    ids: Iterable[str], known: frozenset[str] | None, line: int | None, key: str, what: str, ctx: Context
) -> None:
    if known is None:
        return
    for ident in ids:
        if ident not in known:
            ctx.add(
                line, key, f"không có {what} '{ident}' trong station.yaml; {suggest(ident, sorted(known))}"
            )


def check_bulletin_rules(
    values: dict[str, Any],
    node: YNode,
    known: Known,
    ctx: Context,
    *,
    today: date | None = None,
    decode_audio: bool = False,
) -> None:
    """Rules of one bulletin: exactly one of text/audio, dates in order, known zones and slots, approval."""
    given = {k for k, v in node.value.items() if not v.is_null}
    if "text" in given and "audio" in given:
        ctx.add(
            line_of(node, "audio"),
            "audio",
            "chỉ dùng một trong hai: 'text' (văn bản để đọc) hoặc 'audio' (tệp ghi âm sẵn), xoá một mục",
        )
    elif "text" not in given and "audio" not in given:
        ctx.add(node.line, "text", "thiếu nội dung: ghi 'text' (văn bản để đọc) hoặc 'audio' (tệp ghi âm sẵn)")
    audio = values.get("audio")
    if audio is not None:
        if not audio.is_file():
            ctx.add(
                line_of(node, "audio"),
                "audio",
                f"không tìm thấy tệp âm thanh {audio} (đường dẫn tính từ "
                "thư mục đài, ví dụ ../audio/recordings/ten-tep.mp3)",
            )
        elif decode_audio:
            ctx.problems += check_audio_file(audio, ctx.file, line_of(node, "audio"), "audio",
                                             known.max_recording_seconds)
    start, until = values.get("valid_from"), values.get("valid_until")
    if start and until and until < start:
        ctx.add(
            line_of(node, "valid_until"),
            "valid_until",
            f"ngày kết thúc {fmt_date(until)} đứng trước ngày bắt đầu {fmt_date(start)}: kiểm tra lại hai ngày",
        )
    _unknown_refs(values.get("zones") or (), known.zones, line_of(node, "zones"), "zones", "thôn", ctx)
    repeat = values.get("repeat")
    if repeat is not None and repeat.slots:
        _unknown_refs(
            repeat.slots, known.slots, line_of(node, "repeat", "slots"), "repeat.slots", "buổi phát", ctx
        )
    lost = known.unserved(values.get("zones") or (), repeat.slots if repeat is not None else None)
    if lost:
        ctx.note(
            line_of(node, "zones"),
            "zones",
            f"không buổi phát nào được phép phát tới thôn {', '.join(lost)}: bản tin sẽ không đến được thôn này "
            "(xem zones của các buổi phát và repeat.slots)",
        )
    status = values.get("status")
    if status is Status.APPROVED and not values.get("approved_by"):
        ctx.add(
            line_of(node, "status"),
            "approved_by",
            "bản tin đã duyệt cần ghi người duyệt, ví dụ: approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã",
        )
    if status is Status.DRAFT:
        ctx.note(
            line_of(node, "status"),
            "status",
            "bản nháp, chưa duyệt: sẽ không được phát cho tới khi lãnh đạo xã duyệt trên bàn làm việc",
        )
    elif today is not None and until is not None and until < today:
        ctx.note(
            line_of(node, "valid_until"),
            "valid_until",
            f"đã hết hạn từ ngày {fmt_date(until)}: sẽ không được phát nữa",
        )
    if values.get("priority") is Priority.EMERGENCY and status is Status.APPROVED:
        ctx.note(
            line_of(node, "priority"),
            "priority",
            "tin khẩn cấp không nằm trong lịch phát: phát ngay bằng lệnh 'broadcaster emergency'",
        )
