"""Render service: bulletin text -> normalized Vietnamese -> speech WAV, via the fallback order and the cache.

Called by the `render` and `say` commands, the runner's render-ahead job, the planner (durations) and the
programme builder. A fallback render (made by a later engine in `speech.engines`) is flagged; the next render
run tries the primary engine again for it and replaces it when that engine works.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from broadcaster.errors import AudioError, BroadcasterError, EngineUnavailable, SpeechError
from broadcaster.ffmpeg import decode_to_wav
from broadcaster.models import Bulletin, Station
from broadcaster.speech.cache import RenderCache, cache_key
from broadcaster.speech.engines import ENGINE_LABELS, SpeechEngine, create_engine
from broadcaster.speech.normalize import Dictionary, load_dictionary, normalize
from broadcaster.speech.online import BREAKER_SECONDS, Breaker, breaker, reset_breakers

__all__ = [
    "Render",
    "BulletinRender",
    "RenderSummary",
    "render_text",
    "render_bulletins",
    "render_recording",
    "cached_render",
    "cached_text_render",
    "content_hash",
    "speech_cache",
    "STATUS_LABELS",
    "describe_engine",
    "forget_engine_failures",
    "ENGINE_COOLDOWN_SECONDS",
]

log = logging.getLogger(__name__)

RECORDING = "recording"
# Per-bulletin outcome, as the officer reads it.
STATUS_LABELS = {
    "rendered": "đã tạo",
    "cached": "có sẵn trong bộ nhớ đệm",
    "fallback": "dùng giọng dự phòng",
    "recording": "bản ghi âm sẵn",
    "failed": "lỗi",
}


@dataclass(frozen=True)
class Render:
    """A bulletin's (or a text's) speech audio and how it was made."""

    path: Path  # WAV in the speech cache
    engine: str  # "gtts", "espeak", ... or "recording"
    voice: str
    fallback: bool  # made by a later engine than the first of the order: replaced once the first works
    duration: float  # seconds
    key: str
    normalized_text: str


@dataclass(frozen=True)
class BulletinRender:
    """What happened to one bulletin in a render run."""

    bulletin_id: str
    title: str
    status: str  # rendered | cached | fallback | recording | failed (STATUS_LABELS)
    render: Render | None = None
    reason: str = ""  # why it failed, or why the primary engine was not used


@dataclass(frozen=True)
class RenderSummary:
    results: tuple[BulletinRender, ...]
    engine_calls: int  # synthesize() calls made (0 when everything was cached)
    cache_dir: Path
    drafts_skipped: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[BulletinRender]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def speech_cache(station: Station) -> RenderCache:
    """The station's speech cache (`<state_dir>/cache/speech`)."""
    return RenderCache(station.cache_dir / "speech")


def _normalize(text: str, dictionary: Dictionary | None) -> str:
    return normalize(text, dictionary)


def _load_dictionary(station: Station) -> Dictionary:
    return load_dictionary(station)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise AudioError(f"{path}: không đọc được tệp ghi âm ({exc.strerror or exc})") from exc
    return h.hexdigest()


def content_hash(bulletin: Bulletin, dictionary: Dictionary | None = None) -> str:
    """Hash of what the bulletin says: its normalized text, or its recording's bytes."""
    if bulletin.audio is not None:
        return _sha256_file(bulletin.audio)
    spoken = _normalize(bulletin.text or "", dictionary)
    return hashlib.sha256(("text\0" + spoken).encode("utf-8")).hexdigest()


# An engine that failed with EngineUnavailable is skipped by later renders in this process for a while (a dead
# network must not cost a timeout per text): its circuit breaker in `speech.online`, shared with the gTTS engine.
ENGINE_COOLDOWN_SECONDS = BREAKER_SECONDS  # (speech.online.BREAKER_SECONDS is the one tests may shorten)


def forget_engine_failures() -> None:
    """Try every engine again on the next render, even one that failed a moment ago."""
    reset_breakers()


def _breaker(name: str, engine: SpeechEngine) -> Breaker:
    key = getattr(engine, "breaker_key", "") or f"{name}|{engine.voice}|{engine.settings_key()}"
    return breaker(str(key))


class _Down(SpeechError):
    """An engine already found unavailable in this run: skipped without a call."""


class _Renderer:
    """One render run: the engines in fallback order (built once), the cache, and engines found down."""

    def __init__(self, station: Station, order: Sequence[str], notify: Callable[[str], None] | None = None):
        if not order:
            raise SpeechError(
                "station.yaml: speech.engines: cần ít nhất một bộ máy đọc (ví dụ: gtts, espeak)"
            )
        self.station = station
        self.order = tuple(order)
        self.engines: dict[str, SpeechEngine] = {n: create_engine(n, station.speech) for n in self.order}
        self.cache = speech_cache(station)
        self.down: dict[str, str] = {}  # engine -> why it cannot work in this run (skip it for the rest)
        self.proven: set[str] = set()  # engines that have worked in this run
        self.probe_locks = {n: threading.Lock() for n in self.order}
        self.engine_calls = 0
        self.notify = notify
        self._lock = threading.Lock()
        for name, engine in self.engines.items():
            reason = _breaker(name, engine).blocked()
            if reason:
                self.down[name] = reason

    def mark_down(self, name: str, reason: str) -> None:
        """`name` cannot work now: skip it for the rest of this run and, for a while, in later renders."""
        self.down.setdefault(name, reason)
        _breaker(name, self.engines[name]).trip(reason)

    def _key(self, name: str, text: str) -> str:
        engine = self.engines[name]
        return cache_key(name, engine.voice, text, engine.settings_key())

    def _render_of(self, name: str, key: str, text: str) -> Render | None:
        entry = self.cache.get(key)
        if entry is None:
            return None
        return Render(
            entry.wav,
            name,
            str(entry.meta.get("voice", "")),
            name != self.order[0],
            entry.duration,
            key,
            text,
        )

    def lookup(self, text: str) -> Render | None:
        """The best cached render in fallback order, with no engine call."""
        for name in self.order:
            found = self._render_of(name, self._key(name, text), text)
            if found is not None:
                return found
        return None

    def _synthesize(self, name: str, text: str) -> Render:
        engine = self.engines[name]
        key = self._key(name, text)
        tmp = self.cache.temp_wav(key)
        with self._lock:
            self.engine_calls += 1
        try:
            engine.synthesize(text, tmp)
            entry = self.cache.put(
                key,
                tmp,
                {"engine": name, "voice": engine.voice, "text": text, "settings": engine.settings_key()},
            )
        finally:
            self.cache.discard(tmp)
        return Render(entry.wav, name, engine.voice, name != self.order[0], entry.duration, key, text)

    def _attempt(self, name: str, text: str) -> Render:
        """Synthesize with `name`, unless it is known down in this run. Until an engine has worked once, its
        calls go one at a time, so a dead network costs one failed attempt per run, not one per bulletin."""
        if name not in self.proven:
            with self.probe_locks[name]:
                if name in self.down:
                    raise _Down(self.down[name])
                if name not in self.proven:
                    try:
                        made = self._synthesize(name, text)
                    except EngineUnavailable as exc:
                        self.mark_down(name, str(exc))  # before the lock opens for the next caller
                        raise
                    self.proven.add(name)
                    _breaker(name, self.engines[name]).close()
                    return made
        if name in self.down:
            raise _Down(self.down[name])
        return self._synthesize(name, text)

    def render(self, text: str) -> tuple[str, Render, str]:
        """(status, render, reason): cached primary, else synthesize in order; a cached fallback is kept
        only when the primary still fails."""
        if not text.strip():
            raise SpeechError("bài không có chữ nào để đọc sau khi chuẩn hóa")
        cached = self.lookup(text)
        if cached is not None and not cached.fallback:
            return "cached", cached, ""
        reasons: list[str] = []
        candidates = self.order if cached is None else self.order[:1]
        for index, name in enumerate(candidates):
            waiting = getattr(self.engines[name], "waiting_for", None)
            if self.notify and waiting and name not in self.down:
                self.notify(waiting())
            try:
                made = self._attempt(name, text)
            except _Down as exc:
                reasons.append(f"{name}: {exc}")
                continue
            except EngineUnavailable as exc:
                self.mark_down(name, str(exc))
                reasons.append(f"{name}: {exc}")
                continue
            except BroadcasterError as exc:
                reasons.append(f"{name}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - an engine bug must not stop the other bulletins
                log.exception("engine %s crashed", name)
                reasons.append(f"{name}: lỗi không mong đợi ({type(exc).__name__}: {exc})")
                continue
            if self.notify and reasons:
                self.notify(f"{describe_engine(self.order[0])} không dùng được ({reasons[0].split(': ', 1)[-1]}): "
                            f"đọc bằng {describe_engine(name)}")
            return ("rendered" if index == 0 else "fallback"), made, "; ".join(reasons)
        if cached is not None:
            return "fallback", cached, "; ".join(reasons)
        raise SpeechError("không tạo được giọng đọc — " + "; ".join(reasons))


def _recording_key(station: Station, bulletin: Bulletin) -> str:
    assert bulletin.audio is not None
    return cache_key(RECORDING, "", _sha256_file(bulletin.audio), str(station.audio.sample_rate))


def render_recording(station: Station, bulletin: Bulletin) -> Render:
    """A pre-recorded bulletin, decoded once to a WAV in the speech cache by ffmpeg, streamed: memory stays flat
    however long the recording (the always-on station never calls this; its render-ahead child does)."""
    assert bulletin.audio is not None
    key = _recording_key(station, bulletin)
    cache = speech_cache(station)
    entry = cache.get(key)
    if entry is None:
        tmp = cache.temp_wav(key)
        try:
            decode_to_wav(bulletin.audio, tmp, station.audio.sample_rate)
            entry = cache.put(
                key, tmp, {"engine": RECORDING, "voice": "", "text": "", "source": str(bulletin.audio)}
            )
        finally:
            cache.discard(tmp)
    return Render(entry.wav, RECORDING, "", False, entry.duration, key, "")


def render_text(
    station: Station, text: str, *, engine: str | None = None, dictionary: Dictionary | None = None,
    notify: Callable[[str], None] | None = None,
) -> Render:
    """Normalize and speak `text` with `engine` alone, or with the station's fallback order; cached.
    `notify(line)`: what is being waited for (an online engine) and when the next engine takes over."""
    order = (engine,) if engine else station.speech.engines
    renderer = _Renderer(station, order, notify)
    spoken = _normalize(text, dictionary if dictionary is not None else _load_dictionary(station))
    return renderer.render(spoken)[1]


def cached_render(
    station: Station, bulletin: Bulletin, dictionary: Dictionary | None = None
) -> Render | None:
    """The bulletin's render if it exists, with no engine call and no decoding (planner durations, programme
    build): a recording not decoded yet is None (`render_recording` decodes it)."""
    if bulletin.audio is not None:
        try:
            entry = speech_cache(station).get(_recording_key(station, bulletin))
        except OSError:
            return None
        return None if entry is None else Render(entry.wav, RECORDING, "", False, entry.duration, entry.key, "")
    if not bulletin.text:
        return None
    return cached_text_render(station, bulletin.text, dictionary)


def cached_text_render(station: Station, text: str, dictionary: Dictionary | None = None) -> Render | None:
    """`render_text(station, text)` if it is already in the cache, with no engine call; else None."""
    renderer = _Renderer(station, station.speech.engines)
    spoken = _normalize(text, dictionary if dictionary is not None else _load_dictionary(station))
    return renderer.lookup(spoken) if spoken.strip() else None


def _render_one(renderer: _Renderer, bulletin: Bulletin, dictionary: Dictionary) -> BulletinRender:
    try:
        if bulletin.audio is not None:
            return BulletinRender(
                bulletin.id, bulletin.title, RECORDING, render_recording(renderer.station, bulletin)
            )
        status, made, reason = renderer.render(_normalize(bulletin.text or "", dictionary))
        return BulletinRender(
            bulletin.id, bulletin.title, status, made, reason if status == "fallback" else ""
        )
    except BroadcasterError as exc:
        return BulletinRender(bulletin.id, bulletin.title, "failed", None, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad bulletin never stops the others
        log.exception("rendering %s crashed", bulletin.id)
        return BulletinRender(bulletin.id, bulletin.title, "failed", None, f"lỗi không mong đợi: {exc}")


def render_bulletins(
    station: Station,
    bulletins: Iterable[Bulletin],
    *,
    progress: Callable[[int, int], None] | None = None,
    on_render: Callable[[Bulletin, BulletinRender], None] | None = None,
    engine: str | None = None,
    dictionary: Dictionary | None = None,
) -> RenderSummary:
    """Render every approved bulletin (text or recording); cached ones cost no engine call.

    `progress(done, total)` and `on_render(bulletin, result)` are called from the calling thread as each
    bulletin finishes. Bulletins run concurrently when gTTS is in the order (its pool bounds the requests).
    """
    all_items = list(bulletins)
    todo = [b for b in all_items if b.approved and (b.text or b.audio is not None)]
    drafts = sum(1 for b in all_items if not b.approved)
    order = (engine,) if engine else station.speech.engines
    renderer = _Renderer(station, order)
    dictionary = dictionary if dictionary is not None else _load_dictionary(station)
    workers = max(1, station.speech.gtts_concurrency) if "gtts" in order else 1
    results: dict[int, BulletinRender] = {}
    done = 0
    if progress:
        progress(0, len(todo))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="render") as pool:
        futures = {pool.submit(_render_one, renderer, b, dictionary): i for i, b in enumerate(todo)}
        for future in as_completed(futures):
            index = futures[future]
            bulletin = todo[index]
            result = future.result()
            results[index] = result
            done += 1
            if on_render:
                on_render(bulletin, result)
            if progress:
                progress(done, len(todo))
    return RenderSummary(
        tuple(results[i] for i in range(len(todo))), renderer.engine_calls, speech_cache(station).root, drafts
    )


def describe_engine(name: str) -> str:
    """What the officer reads for an engine name."""
    return ENGINE_LABELS.get(name, name)
