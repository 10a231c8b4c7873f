"""Frozen types for relayed streams (tiếp âm) and for watching the chain, and the one URL rule.

Ground layer, beside `models`: a session (`models.Slot`) may carry a `Relay` (VOV, the provincial station);
`MonitorSettings` and `AlertSettings` are the station's `monitor` and `alerts` sections (docs/relay.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["STREAM_SCHEMES", "AlertSettings", "MonitorSettings", "Relay", "url_problem"]

STREAM_SCHEMES = ("http", "https")  # Icecast/Shoutcast MP3/AAC and HLS playlists are all served over HTTP(S)


@dataclass(frozen=True)
class Relay:
    """A stream aired live at the start of a session, for `seconds`, then the session's own items."""

    url: str  # http(s)://host[:port]/path — an Icecast mount, a Shoutcast stream or an HLS .m3u8 playlist
    name: str  # what the officer reads: "Thời sự VOV1"
    seconds: float  # how long it airs
    fallback: str | None = None  # recorded notice aired when the stream is down (relative to the station dir)
    max_gap_seconds: float = 3.0  # a drop longer than this ends the relay: the notice airs, then the next items


@dataclass(frozen=True)
class MonitorSettings:
    """What the station watches while airing, and when it checks the relay boards and the amplifier."""

    dead_air_seconds: float = 10.0  # silence this long while something should play is a warning
    silence_db: float = -50.0  # below this level (dBFS, RMS over 100 ms) counts as silence
    clip_db: float = -0.1  # samples at or above this level (dBFS) are clipped
    check_before_session: bool = True  # probe the relay board and the amplifier before each session


@dataclass(frozen=True)
class AlertSettings:
    """A command run on every warning (an SMS or chat gateway); its failure never touches airing."""

    command: str | None = None  # e.g. "/usr/local/bin/gui-sms 0912345678 {message}"; {message} {time} {station}
    timeout_seconds: float = 20.0  # the command is ended after this long


def url_problem(url: str) -> str:
    """Why `url` cannot be relayed (Vietnamese, for `check`), or "" when its form is right."""
    text = url.strip()
    if not text:
        return "địa chỉ luồng đang để trống (ví dụ: http://vov1.example.vn:8000/vov1.mp3)"
    if any(c.isspace() for c in text):
        return f"địa chỉ luồng '{text}' có dấu cách; viết liền, dấu cách thay bằng %20"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return f"địa chỉ luồng '{text}' không hợp lệ ({exc})"
    if parts.scheme.lower() not in STREAM_SCHEMES:
        return (f"địa chỉ luồng '{text}' phải bắt đầu bằng http:// hoặc https:// "
                "(luồng Icecast MP3/AAC hoặc danh sách HLS .m3u8)")
    if not parts.hostname:
        return f"địa chỉ luồng '{text}' thiếu tên máy chủ (ví dụ: http://vov1.example.vn:8000/vov1.mp3)"
    if port == 0:
        return f"địa chỉ luồng '{text}' có cổng 0 không hợp lệ"
    return ""
