"""The online voice on a network that may hang: one gTTS request with connect and read timeouts, a circuit
breaker per engine, and a probe the station uses to retry in the background.

Circuit breaker: after a failure that says the network (or Google) is unusable - a timeout, a refused or reset
connection, 5xx/429 after the engine's retries - the engine is skipped for `BREAKER_SECONDS`: renders go
straight to the offline voice instead of each waiting a timeout. After that the next render tries again (one
caller at a time: `speech.render` serializes attempts until an engine has worked). The running station does not
wait for that: while bulletins sit in the fallback voice it probes Google every minute with `probe_gtts`, and on
the first answer re-renders them (station/_status.py).

Light on purpose (no numpy): the always-on station imports it to probe.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import requests
from gtts import gTTS, gTTSError

__all__ = [
    "BREAKER_SECONDS",
    "CONNECT_TIMEOUT",
    "ENDPOINT_ENV",
    "Breaker",
    "GttsRequest",
    "breaker",
    "network_failure",
    "probe_gtts",
    "reset_breakers",
    "timeouts",
]

ENDPOINT_ENV = "BROADCASTER_GTTS_ENDPOINT"  # developer hook: send requests to this URL (tests, a relay)
CONNECT_TIMEOUT = 3.0  # a TCP handshake to Google takes well under a second; 3 s means no route
BREAKER_SECONDS = 120.0  # how long an engine that failed is skipped (then tried again)
PROBE_TEXT = "a"


def timeouts(read_timeout: float) -> tuple[float, float]:
    """(connect, read) seconds for one request: a black-hole network costs at most this, once."""
    return (min(CONNECT_TIMEOUT, read_timeout), read_timeout)


class GttsRequest(gTTS):
    """A gTTS for one chunk (already pre-processed), optionally sent to another endpoint than Google's."""

    def __init__(self, text: str, *, tld: str, timeout: float | tuple[float, float], endpoint: str | None):
        super().__init__(text, tld=tld, lang="vi", lang_check=False, pre_processor_funcs=[], timeout=timeout)
        self._endpoint = endpoint

    def _prepare_requests(self) -> list:  # type: ignore[type-arg]
        prepared = super()._prepare_requests()
        if self._endpoint:
            for request in prepared:
                request.prepare_url(self._endpoint, None)
        return prepared


def network_failure(exc: BaseException) -> str:
    """What went wrong on the network, in Vietnamese, when `exc` (a gTTSError or a requests error) means the
    network or the server did not answer; "" when it is something else (an HTTP status, a bad answer)."""
    cause = exc if isinstance(exc, requests.RequestException) else exc.__context__
    if isinstance(exc, gTTSError) and exc.rsp is not None:
        return ""
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return "không kết nối được trong thời gian chờ (mạng không có đường ra Internet?)"
    if isinstance(cause, (requests.exceptions.ReadTimeout, requests.exceptions.Timeout)):
        return "máy chủ nhận kết nối nhưng không trả lời trong thời gian chờ"
    if isinstance(cause, requests.exceptions.ConnectionError):
        text = str(cause)
        if "timed out" in text or "Read timed out" in text:
            return "máy chủ ngừng trả lời giữa chừng (hết thời gian chờ)"
        if "refused" in text.lower():
            return "máy chủ từ chối kết nối"
        if "Name or service not known" in text or "resolve" in text.lower():
            return "không tra được tên máy chủ (DNS): máy chưa có Internet?"
        return "mất kết nối mạng"
    if isinstance(cause, requests.RequestException):
        return f"lỗi mạng ({type(cause).__name__})"
    if isinstance(exc, gTTSError):
        return "không có phản hồi"
    return ""


@dataclass
class Breaker:
    """The circuit breaker of one engine (by identity): open for a while after a failure."""

    key: str
    open_until: float = 0.0  # time.monotonic() until which the engine is skipped
    since: float = 0.0  # time.time() of the failure that opened it (for the status record)
    reason: str = ""

    def blocked(self) -> str:
        """Why the engine is skipped now; "" when it may be tried."""
        with _LOCK:
            return self.reason if time.monotonic() < self.open_until else ""

    def trip(self, reason: str, seconds: float | None = None) -> None:
        """Skip the engine for `seconds` (default BREAKER_SECONDS); a failure while already open keeps the first
        reason and time."""
        with _LOCK:
            if time.monotonic() >= self.open_until:
                self.since = time.time()
                self.reason = reason
            self.open_until = time.monotonic() + (BREAKER_SECONDS if seconds is None else seconds)

    def close(self) -> None:
        """The engine worked: use it again at once."""
        with _LOCK:
            self.open_until = 0.0
            self.reason = ""

    @property
    def retry_in(self) -> float:
        """Seconds until the engine is tried again (0 when closed)."""
        with _LOCK:
            return max(0.0, self.open_until - time.monotonic())


_LOCK = threading.Lock()
_BREAKERS: dict[str, Breaker] = {}


def breaker(key: str) -> Breaker:
    """The process-wide breaker of the engine with this identity (created closed)."""
    with _LOCK:
        found = _BREAKERS.get(key)
        if found is None:
            found = _BREAKERS[key] = Breaker(key)
        return found


def reset_breakers() -> None:
    """Close every breaker: try every engine again on the next render."""
    with _LOCK:
        _BREAKERS.clear()


def probe_gtts(*, tld: str, read_timeout: float, endpoint: str | None = None) -> str:
    """One tiny real request to Google's voice (a single letter): "" when it answered with audio, else why not
    (Vietnamese). Never waits longer than the connect and read timeouts. `endpoint`: default `$ENDPOINT_ENV`."""
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
    try:
        audio = b"".join(GttsRequest(PROBE_TEXT, tld=tld, timeout=timeouts(read_timeout), endpoint=endpoint).stream())
    except (gTTSError, requests.RequestException) as exc:
        why = network_failure(exc)
        if why:
            return why
        status = exc.rsp.status_code if isinstance(exc, gTTSError) and exc.rsp is not None else None
        return f"máy chủ trả lời lỗi {status}" if status else f"câu trả lời không dùng được ({exc})"
    return "" if audio else "máy chủ trả lời nhưng không có âm thanh"
