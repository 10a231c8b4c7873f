"""Programme assembly: opening jingle, station ident, each bulletin after pause + chime + pause, a pause, closing
speech, closing jingle; exported as WAV (playout), MP3 (archive/preview), M3U8 and a JSON manifest.

Clips arrive already normalized (`clips.prepare_clip`), so assembly is streaming 16-bit PCM into one file: no
re-encoding, no loudness pass, memory of one clip. Layout and manifest schema: docs/audio.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcaster.audio.clips import Clip
from broadcaster.audio.export import encode_mp3, write_json, write_text
from broadcaster.audio.jingles import Sounds, station_sounds
from broadcaster.errors import AudioError
from broadcaster.models import Programme, Station
from broadcaster.wav import WAV_ERRORS, read_mono16, stream_wav, wav_info
from broadcaster.words import weekday

__all__ = [
    "MANIFEST_SCHEMA",
    "BuiltProgramme",
    "ManifestItem",
    "build_programme",
    "closing_text",
    "ident_text",
    "overhead",
    "programme_stem",
]

MANIFEST_SCHEMA = 1


@dataclass(frozen=True)
class ManifestItem:
    """One sound in the built programme, where it sits in the WAV and which zones it is meant for."""

    kind: str  # opening | ident | chime | bulletin | closing_speech | closing
    bulletin_id: str | None
    title: str
    offset: float  # seconds from the start of the WAV
    duration: float  # seconds
    zones: tuple[str, ...]
    content_hash: str  # bulletin: the plan's content hash; other sounds: the clip's sha256
    audio_hash: str = ""  # sha256 of the clip that was assembled (the airing log's audio hash)


@dataclass(frozen=True)
class BuiltProgramme:
    wav: Path
    mp3: Path | None
    m3u8: Path
    manifest: Path
    items: tuple[ManifestItem, ...]
    duration: float  # seconds
    sha256: str  # of the WAV


def _station_title(station: Station) -> str:
    return station.name or f"Đài truyền thanh xã {station.commune}"


def _session_words(station: Station, programme: Programme) -> str:
    """'chương trình phát thanh buổi sáng thứ Bảy, ngày 28 tháng 11 năm 2026'"""
    try:
        slot_name = station.slot(programme.slot_id).name
    except KeyError:
        slot_name = programme.slot_id
    day = programme.day
    slot_name = slot_name[:1].lower() + slot_name[1:]
    return (
        f"chương trình phát thanh {slot_name} {weekday(day, capital=False)}, "
        f"ngày {day.day} tháng {day.month} năm {day.year}"
    )


def ident_text(station: Station, programme: Programme) -> str:
    """The spoken station identification that opens a programme (digits are spoken by the speech layer)."""
    return f"Đây là {_station_title(station)}, {_session_words(station, programme)}."


def closing_text(station: Station, programme: Programme) -> str:
    """The spoken closing announcement."""
    words = _session_words(station, programme)
    return (
        f"{words[:1].upper()}{words[1:]} của {_station_title(station)} đến đây là kết thúc. "
        "Cảm ơn bà con đã lắng nghe."
    )


def overhead(station: Station, sounds: Sounds, ident_seconds: float, closing_seconds: float) -> dict[str, float]:
    """The fixed parts' seconds, with the field names of `plan.Overhead` (`Overhead(**overhead(...))`).

    Matches the layout built here exactly: opening + ident + (pause + chime + pause + item) for each item +
    pause + closing speech + closing jingle.
    """
    return {
        "opening": sounds.opening.duration,
        "ident": ident_seconds,
        "chime": sounds.chime.duration,
        "closing": closing_seconds,
        "pause": station.audio.pause_seconds,
        "closing_jingle": sounds.closing.duration,
    }


def programme_stem(programme: Programme) -> str:
    """File name stem of a built programme: `2026-11-28_sang_main`."""
    return f"{programme.day.isoformat()}_{programme.slot_id}_{programme.output_id}"


@dataclass(frozen=True)
class _Segment:
    kind: str
    clip: Clip | None  # None = silence
    samples: int
    bulletin_id: str | None = None
    title: str = ""
    zones: tuple[str, ...] = ()
    content_hash: str = ""


def _clip_samples(clip: Clip, rate: int) -> int:
    try:
        info = wav_info(clip.path)
    except WAV_ERRORS as exc:
        raise AudioError(f"{clip.path}: không đọc được tệp âm thanh ({exc})") from exc
    if info.rate != rate or info.channels != 1 or info.sample_width != 2:
        raise AudioError(f"{clip.path}: âm thanh chưa được chuẩn hoá cho đài (cần WAV đơn kênh 16-bit {rate} Hz)")
    return info.frames


def _layout(
    station: Station,
    programme: Programme,
    clips: Mapping[str, Clip],
    sounds: Sounds,
    ident: Clip | None,
    closing_speech: Clip | None,
) -> list[_Segment]:
    rate = station.audio.sample_rate
    every = tuple(sorted(programme.zones))
    pause = round(station.audio.pause_seconds * rate)

    def sound(kind: str, clip: Clip, zones: tuple[str, ...], title: str) -> _Segment:
        return _Segment(kind, clip, _clip_samples(clip, rate), None, title, zones, clip.sha256)

    segments = [sound("opening", sounds.opening, every, "Nhạc hiệu mở đầu")]
    if ident is not None:
        segments.append(sound("ident", ident, every, "Giới thiệu chương trình"))
    # every change of zones (and so every stop and start of the player) falls in a pause: each item is
    # pause + chime + pause + bulletin in its own zones, and a pause in every zone leads to the closing
    for item in programme.items:
        zones = tuple(sorted(item.zones))
        segments.append(_Segment("pause", None, pause, zones=zones))
        segments.append(sound("chime", sounds.chime, zones, "Chuông chuyển tin"))
        segments.append(_Segment("pause", None, pause, zones=zones))
        clip = clips.get(item.bulletin_id)
        if clip is None:
            raise AudioError(f"tin '{item.bulletin_id}' ({item.title}) chưa có âm thanh: chạy 'broadcaster render'")
        segments.append(
            _Segment("bulletin", clip, _clip_samples(clip, rate), item.bulletin_id, item.title, zones,
                     item.content_hash or clip.sha256)
        )
    segments.append(_Segment("pause", None, pause, zones=every))
    if closing_speech is not None:
        segments.append(sound("closing_speech", closing_speech, every, "Lời kết thúc"))
    segments.append(sound("closing", sounds.closing, every, "Nhạc hiệu kết thúc"))
    return segments


def _pcm(segments: list[_Segment]) -> Iterator[np.ndarray]:
    """Each segment's samples in order, one clip in memory at a time (a pause is one reused zero block)."""
    silence = np.zeros(max((s.samples for s in segments if s.clip is None), default=0), dtype="<i2")
    for seg in segments:
        if seg.clip is None:
            yield silence[: seg.samples]
        else:
            samples, _rate = read_mono16(seg.clip.path)
            yield samples[: seg.samples]


def _timestamp(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _playlist(station: Station, programme: Programme, target: str, duration: float,
              items: tuple[ManifestItem, ...]) -> str:
    title = f"{_station_title(station)} — {_session_words(station, programme)}"
    lines = ["#EXTM3U", f"#PLAYLIST:{title}"]
    # plain comment lines (ignored by players): the running order, readable in any text editor
    lines += [f"# {_timestamp(i.offset)} {i.title}" for i in items if i.kind in ("bulletin", "ident")]
    lines += [f"#EXTINF:{round(duration)},{title}", target, ""]
    return "\n".join(lines)


def _manifest(station: Station, programme: Programme, built: BuiltProgramme) -> dict[str, object]:
    bulletins = [i for i in built.items if i.kind == "bulletin"]
    bulletin_seconds = sum(i.duration for i in bulletins)
    return {
        "schema": MANIFEST_SCHEMA,
        "programme": programme.key,
        "station": _station_title(station),
        "date": programme.day.isoformat(),
        "slot": programme.slot_id,
        "output": programme.output_id,
        "start": programme.start.isoformat(),
        "sample_rate": station.audio.sample_rate,
        "loudness_lufs": station.audio.loudness_lufs,
        "true_peak_db": station.audio.true_peak_db,
        "files": {
            "wav": built.wav.name,
            "mp3": built.mp3.name if built.mp3 else None,
            "m3u8": built.m3u8.name,
        },
        "wav_sha256": built.sha256,
        "items": [
            {
                "kind": i.kind,
                "bulletin_id": i.bulletin_id,
                "title": i.title,
                "offset": round(i.offset, 3),
                "duration": round(i.duration, 3),
                "zones": list(i.zones),
                "content_hash": i.content_hash,
                "audio_hash": i.audio_hash,
            }
            for i in built.items
        ],
        "skipped": [
            {"bulletin_id": s.bulletin_id, "reason": s.reason, "zones": sorted(s.zones)} for s in programme.skipped
        ],
        "totals": {
            "duration": round(built.duration, 3),
            "bulletins": len(bulletins),
            "bulletin_seconds": round(bulletin_seconds, 3),
            "overhead_seconds": round(built.duration - bulletin_seconds, 3),
            "max_seconds": programme.max_seconds,
        },
    }


def build_programme(
    station: Station,
    programme: Programme,
    clips: Mapping[str, Clip],
    out_dir: Path,
    *,
    ident: Clip | None,
    closing_speech: Clip | None,
    sounds: Sounds | None = None,
    mp3: bool = True,
) -> BuiltProgramme:
    """Assemble and export one programme into `out_dir` (`<stem>.wav/.mp3/.m3u8`, `manifest.json`).

    `clips` maps bulletin id -> prepared clip. A programme with no items is refused with an AudioError (the
    planner never airs one; see docs/audio.md). The manifest is written last: its presence means complete.
    """
    if not programme.items:
        raise AudioError(f"chương trình {programme.key} không có tin nào để phát: không dựng âm thanh")
    if sounds is None:
        sounds = station_sounds(station)
    rate = station.audio.sample_rate
    segments = _layout(station, programme, clips, sounds, ident, closing_speech)
    out_dir = Path(out_dir)
    stem = programme_stem(programme)
    wav = out_dir / f"{stem}.wav"
    total = sum(s.samples for s in segments)
    digest = stream_wav(wav, _pcm(segments), total, rate)
    items: list[ManifestItem] = []
    position = 0
    for seg in segments:
        if seg.clip is not None:
            items.append(
                ManifestItem(seg.kind, seg.bulletin_id, seg.title, position / rate, seg.samples / rate, seg.zones,
                             seg.content_hash, seg.clip.sha256)
            )
        position += seg.samples
    mp3_path = out_dir / f"{stem}.mp3" if mp3 else None
    if mp3_path is not None:
        encode_mp3(wav, mp3_path)
    built = BuiltProgramme(
        wav=wav,
        mp3=mp3_path,
        m3u8=out_dir / f"{stem}.m3u8",
        manifest=out_dir / "manifest.json",
        items=tuple(items),
        duration=total / rate,
        sha256=digest,
    )
    target = (mp3_path or wav).name
    write_text(built.m3u8, _playlist(station, programme, target, built.duration, built.items))
    write_json(built.manifest, _manifest(station, programme, built))
    return built
