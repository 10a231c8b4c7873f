"""The schema tables of relayed streams (`slots.<id>.relay`), of watching the chain (`monitor`, `alerts`), of live
announcements (`live`) and of the audio archive (`archive`):
declared like the rest of the schema (`_schema`), kept apart so each file stays one screenful of tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broadcaster.config._sections import Field, Section
from broadcaster.config._values import REQUIRED, Bool, Context, FieldType, Float, Int, Invalid, Str
from broadcaster.config._yaml import YNode
from broadcaster.streams import Relay, url_problem

__all__ = ["ALERT_FIELDS", "ARCHIVE_FIELDS", "LIVE_FIELDS", "MONITOR_FIELDS", "RELAY_FIELDS", "OptionalSection",
           "StreamUrl", "relay"]

# fmt: off
# The tables below are data, one key per entry (as in _schema).


@dataclass(frozen=True)
class StreamUrl(FieldType):
    doc_type = "URL"

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        url = Str().parse(node, path, ctx).strip()
        problem = url_problem(url)
        if problem:
            raise Invalid(problem)
        return url


@dataclass(frozen=True)
class OptionalSection(Section):
    """A section that is None when absent or empty (a session without `relay:`)."""

    def parse(self, node: YNode, path: str, ctx: Context) -> Any:
        if node.is_null or (node.kind == "map" and not node.value):
            return None
        return super().parse(node, path, ctx)


def relay(url: str, name: str, duration: float, fallback: str | None, max_gap_seconds: float) -> Relay:
    return Relay(url=url, name=name, seconds=duration * 60, fallback=fallback, max_gap_seconds=max_gap_seconds)


RELAY_FIELDS = (
    Field("url", StreamUrl(), "Stream address: an Icecast/Shoutcast MP3 or AAC stream or an HLS `.m3u8` "
          "playlist, `http://` or `https://`.", REQUIRED, "địa chỉ luồng", "http://vov1.example.vn:8000/vov1.mp3"),
    Field("name", Str(), "What is relayed, as shown in the plan and the log.", REQUIRED, "tên chương trình",
          "Thời sự VOV1"),
    Field("duration", Float(min=0.5, max=240), "How long it airs, minutes (counted against the session's "
          "maximum and the province's cap).", REQUIRED, "thời lượng tiếp âm (phút)", "15"),
    Field("fallback", Str(), "Recorded notice aired when the stream is down (relative to the station "
          "directory); empty = a short chime.", None, "thông báo khi mất tín hiệu",
          "../audio/jingles/mat-tin-hieu.mp3", nullable=True),
    Field("max_gap_seconds", Float(min=1, max=300), "A drop (or no stream at the start) longer than this ends "
          "the relay: the notice airs, then the session's next items.", 3.0, "thời gian chờ khi mất tín hiệu",
          "6"),
)

MONITOR_FIELDS = (
    Field("dead_air_seconds", Float(min=2, max=600), "Silence this long while something should play (dead air) "
          "is logged and raised as a warning.", 10.0, "thời gian im lặng báo lỗi (giây)", "10"),
    Field("silence_db", Float(min=-90, max=-10), "Level (dBFS) below which the output counts as silent.", -50.0,
          "ngưỡng im lặng (dBFS)", "-50"),
    Field("clip_db", Float(min=-6, max=0), "Samples at or above this level (dBFS) count as clipping.", -0.1,
          "ngưỡng méo tiếng (dBFS)", "-0.1"),
    Field("check_before_session", Bool(), "Check the relay boards and the amplifier before each session (and "
          "always at start-up).", True, "kiểm tra trước mỗi buổi", "true"),
)

ALERT_FIELDS = (
    Field("command", Str(), "Command run on every warning (an SMS or chat gateway); `{message}`, `{time}` and "
          "`{station}` are substituted. Its failure never affects airing.", None, "lệnh gửi cảnh báo",
          "/usr/local/bin/gui-tin 0912345678 {message}", nullable=True),
    Field("timeout_seconds", Float(min=1, max=300), "The command is ended after this long.", 20.0,
          "thời gian chờ lệnh (giây)", "20"),
)
# fmt: on


LIVE_FIELDS = (
    Field("device", Str(), "Microphone: PortAudio input device, a part of its name or its number "
          "(`broadcaster live --device` overrides it); empty = the default input.", None, "micrô",
          "USB Audio", nullable=True),
    Field("output_device", Str(), "PortAudio device the microphone plays to when the output is not of kind "
          "`sounddevice` (e.g. `command`); empty = the default output. A `sounddevice` output's own device is "
          "used otherwise.", None, "thiết bị phát lời nói trực tiếp", "pulse", nullable=True),
    Field("max_minutes", Float(min=0.1, max=120), "Longest live announcement, minutes: it ends by itself then "
          "(`--max-minutes` may only shorten it).", 15.0, "thời lượng tối đa (phút)", "10"),
    Field("silence_stop_seconds", Float(min=0, max=600), "It also ends after this many seconds without speech; "
          "0 = never.", 60.0, "tự dừng khi im lặng (giây)", "30"),
    Field("silence_level_db", Float(min=-90, max=-10), "Peak level (dBFS) below which the microphone counts "
          "as silent.", -45.0, "ngưỡng im lặng (dBFS)", "-40"),
    Field("chime", Str(), "Attention chime before the microphone opens (relative to the station directory); "
          "empty = the station's chime (`audio.chime`), `off` = none.", None, "chuông báo trước khi nói",
          "../audio/jingles/chuong.wav", nullable=True),
)

ARCHIVE_FIELDS = (
    Field("retention_days", Int(min=1, max=3650), "Days the audio of what aired is kept (docs/archive.md).", 90,
          "số ngày lưu âm thanh đã phát", "90"),
    Field("max_mb", Float(min=1, max=10_000_000), "Disk budget of the archive in MB: a warning at 80 %; beyond it "
          "the oldest archived days are deleted first (never today's or tomorrow's programmes).", 1000.0,
          "dung lượng tối đa (MB)", "1000"),
)
