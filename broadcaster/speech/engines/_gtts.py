"""gTTS (Google Translate's voice): natural Vietnamese, needs the Internet.

gTTS's own code does the work: its pre-processors and tokenizer cut the text, and one gTTS request per chunk
builds, sends and decodes the batchexecute call. We add what a station needs on top: chunks merged back up to
Google's 100-character limit (fewer requests, better intonation), requests run concurrently on a pool shared
by every gTTS engine in the process (bounded: `gtts_concurrency`), connect and read timeouts, retries with
exponential backoff on 429/5xx, a circuit breaker (`speech.online`: a timeout or a dead connection is not
retried; the engine is skipped for a while and the next engine speaks at once), and a click-free join (each MP3
chunk decoded to PCM, padding and edge silence trimmed, short fades and a pause that follows the punctuation).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests
from gtts import gTTS, gTTSError
from gtts.utils import _translate_url

from broadcaster.errors import AudioError, EngineUnavailable, SpeechError
from broadcaster.ffmpeg import decode_pcm
from broadcaster.models import SpeechSettings
from broadcaster.speech.engines._join import join_chunks, trim_silence
from broadcaster.speech.online import ENDPOINT_ENV, GttsRequest, breaker, network_failure, timeouts
from broadcaster.wav import write_wav

__all__ = ["GttsEngine", "GTTS_SAMPLE_RATE", "ENDPOINT_ENV", "Chunk", "split_text"]

GTTS_SAMPLE_RATE = 24000  # Google's TTS MP3s are 24 kHz mono
_PATH = "_/TranslateWebserverUi/data/batchexecute"
_MAX_CHARS = gTTS.GOOGLE_TTS_MAX_CHARS
_SENTENCE_END = set(".!?;:…")
_PAUSE_SENTENCE = 0.35  # seconds of silence after a chunk that ends a sentence
_PAUSE_CLAUSE = 0.18  # after a comma or dash
_RETRY_AFTER_CAP = 30.0  # never wait longer than this on a server's Retry-After

_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _shared_pool(size: int) -> ThreadPoolExecutor:
    """A pool per limit, shared by all gTTS engines: bounds requests across chunks and bulletins."""
    with _POOLS_LOCK:
        pool = _POOLS.get(size)
        if pool is None:
            pool = _POOLS[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"gtts{size}")
        return pool


@dataclass(frozen=True)
class Chunk:
    """One request's worth of text and the pause (seconds) that follows it when joined."""

    text: str
    pause_after: float


def split_text(text: str) -> list[Chunk]:
    """Cut text as gTTS does, then merge neighbours back up to 100 characters; keep punctuation pauses."""
    probe = gTTS(text or ".", lang="vi", lang_check=False)
    clean = text.strip()
    for pre in probe.pre_processor_funcs:
        clean = pre(clean)
    tokens = probe._tokenize(text)  # gTTS's own pre-processing, tokenizer, cleaning and 100-char minimizing
    spans: list[tuple[int, int]] = []
    cursor = 0
    for token in tokens:
        start = clean.find(token, cursor)
        if start < 0:  # a pre-processor we did not mirror changed the text: send gTTS's tokens as they are
            return [Chunk(t, _PAUSE_CLAUSE) for t in tokens]
        spans.append((start, start + len(token)))
        cursor = start + len(token)
    chunks: list[Chunk] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        while i + 1 < len(spans) and spans[i + 1][1] - start <= _MAX_CHARS:
            i += 1
            end = spans[i][1]
        gap = clean[end : spans[i + 1][0]] if i + 1 < len(spans) else clean[end:]
        last = clean[end - 1 : end]  # gTTS keeps some punctuation ('!') inside its tokens
        chunks.append(
            Chunk(" ".join(clean[start:end].split()), _pause_for(("" if last.isalnum() else last) + gap))
        )
        i += 1
    return chunks


def _pause_for(gap: str) -> float:
    """Silence after a chunk, from the punctuation that followed it (none: split mid-sentence, crossfade)."""
    if any(c in _SENTENCE_END for c in gap) or "\n" in gap:
        return _PAUSE_SENTENCE
    if any(not c.isspace() for c in gap):
        return _PAUSE_CLAUSE
    return 0.0


class GttsEngine:
    """Google's natural Vietnamese voice via gTTS; the next engine takes over when the Internet is down."""

    name = "gtts"

    def __init__(self, settings: SpeechSettings, *, backoff: float = 0.5, endpoint: str | None = None):
        self.tld = settings.gtts_tld or "com.vn"
        self.voice = f"vi@translate.google.{self.tld}"
        self.timeout = float(settings.gtts_timeout)
        self.retries = max(0, int(settings.gtts_retries))
        self.concurrency = max(1, int(settings.gtts_concurrency))
        self.backoff = backoff
        self.endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
        self.requests_sent = 0  # HTTP attempts, for tests and the benchmark
        self._count_lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.endpoint or _translate_url(tld=self.tld, path=_PATH)

    def settings_key(self) -> str:
        """The Google host (accent) decides the audio; timeouts and retries do not."""
        return json.dumps({"tld": self.tld, "sample_rate": GTTS_SAMPLE_RATE})

    def check(self) -> None:
        """Reach the Google host within the timeout; say how to fix it if we cannot."""
        parts = urllib.parse.urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=min(self.timeout, 5.0)):
                return
        except OSError as exc:
            raise EngineUnavailable(self._offline_message(str(exc))) from exc

    def _offline_message(self, detail: str) -> str:
        host = urllib.parse.urlsplit(self.url).hostname
        return (
            f"không kết nối được tới {host} ({detail}): kiểm tra kết nối Internet của máy đài; "
            "trong lúc chờ, giọng dự phòng (eSpeak NG) sẽ được dùng"
        )

    @property
    def breaker_key(self) -> str:
        """The identity the circuit breaker is kept under (shared with `speech.render`)."""
        return f"{self.name}|{self.voice}|{self.settings_key()}|{self.url}"

    def waiting_for(self) -> str:
        """What a caller waits for while this engine works, for the officer (`say`)."""
        connect, read = timeouts(self.timeout)
        host = urllib.parse.urlsplit(self.url).hostname
        return f"đang chờ giọng Google ({host}), tối đa {connect + read:g} giây…"

    def synthesize(self, text: str, out_path: Path) -> None:
        """Fetch every chunk concurrently, then join them without clicks into a 24 kHz mono WAV. Refused at once
        (EngineUnavailable) while the circuit breaker is open after a network failure."""
        chunks = split_text(text)
        if not chunks:
            raise SpeechError("không có chữ nào để đọc")
        gate = breaker(self.breaker_key)
        blocked = gate.blocked()
        if blocked:
            raise EngineUnavailable(f"{blocked} (tạm không dùng giọng Google, thử lại sau {gate.retry_in:.0f} giây)")
        pool = _shared_pool(self.concurrency)
        futures = [pool.submit(self._fetch_pcm, c.text) for c in chunks]
        try:
            parts = [f.result() for f in futures]
        except EngineUnavailable as exc:
            for f in futures:
                f.cancel()
            gate.trip(str(exc))
            raise
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        gate.close()
        joined = join_chunks(
            [(p, c.pause_after) for p, c in zip(parts, chunks, strict=True)], GTTS_SAMPLE_RATE
        )
        write_wav(out_path, joined, GTTS_SAMPLE_RATE)

    def _fetch_pcm(self, text: str) -> np.ndarray:
        """One chunk: MP3 from Google (with retries), decoded, encoder padding and edge silence trimmed."""
        mp3 = self._fetch_mp3(text)
        try:
            samples = decode_pcm(mp3, sample_rate=GTTS_SAMPLE_RATE)
        except AudioError as exc:
            raise SpeechError(f"giọng Google trả về âm thanh hỏng cho đoạn '{text[:40]}': {exc}") from exc
        return trim_silence(samples, GTTS_SAMPLE_RATE)

    def _fetch_mp3(self, text: str) -> bytes:
        attempt = 0
        while True:
            with self._count_lock:
                self.requests_sent += 1
            try:
                data = b"".join(
                    GttsRequest(text, tld=self.tld, timeout=timeouts(self.timeout), endpoint=self.endpoint).stream()
                )
            except (gTTSError, requests.RequestException) as exc:
                network = network_failure(exc)
                if network:  # not retried: a dead network would cost a timeout per try; the breaker retries later
                    raise EngineUnavailable(self._offline_message(network)) from exc
                assert isinstance(exc, gTTSError)
                status = exc.rsp.status_code if exc.rsp is not None else None
                retryable = status is None or status == 429 or status >= 500
                if not retryable or attempt >= self.retries:
                    raise self._failure(exc, status) from exc
                time.sleep(self._delay(attempt, exc))
                attempt += 1
                continue
            if not data:
                raise SpeechError(f"giọng Google không trả về âm thanh cho đoạn '{text[:40]}'")
            return data

    def _delay(self, attempt: int, exc: gTTSError) -> float:
        """Exponential backoff; a 429's Retry-After (seconds) wins when it asks for longer."""
        delay = self.backoff * (2**attempt)
        header = exc.rsp.headers.get("Retry-After") if exc.rsp is not None else None
        if header and re.fullmatch(r"\d+(\.\d+)?", header.strip()):
            delay = max(delay, min(float(header), _RETRY_AFTER_CAP))
        return delay

    def _failure(self, exc: gTTSError, status: int | None) -> SpeechError:
        tries = f"sau {self.retries + 1} lần thử"
        if status is None:
            return EngineUnavailable(self._offline_message(f"không có phản hồi {tries}"))
        if status == 429:
            return EngineUnavailable(
                f"máy chủ Google từ chối vì gửi quá nhiều yêu cầu (429) {tries}: để lâu hơn giữa các lần tạo "
                "hoặc giảm speech.gtts_concurrency trong station.yaml; tạm dùng giọng dự phòng"
            )
        if status >= 500:
            return EngineUnavailable(
                f"máy chủ Google đang lỗi ({status}) {tries}: thử lại sau; tạm dùng giọng dự phòng"
            )
        if status == 404:
            return EngineUnavailable(
                f"máy chủ translate.google.{self.tld} không nhận yêu cầu (404): sửa speech.gtts_tld trong "
                "station.yaml (ví dụ com.vn hoặc com)"
            )
        if status == 200:
            return SpeechError(f"giọng Google trả lời nhưng không có âm thanh ({exc})")
        return EngineUnavailable(
            f"giọng Google từ chối yêu cầu ({status}): cập nhật gói gTTS bằng scripts/setup"
        )
