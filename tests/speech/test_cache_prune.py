"""The speech cache does not fill the disk: renders nobody looked up for 60 days are deleted (the dated station
ident and closing are new texts every day), what is in use is kept, and the station prunes once a day."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

from broadcaster.speech.cache import UNUSED_DAYS, RenderCache, cache_key
from broadcaster.speech.render import speech_cache
from broadcaster.station._jobs import SessionJobs
from tests import factories as make
from tests.speech.test_cache import put_tone

DAY = 86400


def _entry(cache: RenderCache, text: str, days_unused: float) -> str:
    key = cache_key("espeak", "vi", text, "{}")
    put_tone(cache, key, 0.2)
    _, meta = cache.paths(key)
    then = time.time() - days_unused * DAY
    os.utime(meta, (then, then))
    return key


def _age_days(path: Path) -> float:
    return (time.time() - path.stat().st_mtime) / DAY


def test_a_hit_marks_the_entry_used_at_most_once_a_day(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    old = _entry(cache, "Hôm nay thứ Hai ngày 30 tháng 11", days_unused=45)
    assert cache.get(old) is not None
    assert _age_days(cache.paths(old)[1]) < 0.01  # looked up now: no longer a candidate for pruning
    recent = _entry(cache, "Tin tiếp công dân", days_unused=0.5)
    assert cache.get(recent) is not None
    assert 0.49 < _age_days(cache.paths(recent)[1]) < 0.51  # used within the day: no write on a hit


def test_prune_deletes_what_nobody_used_for_60_days_and_keeps_the_rest(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    stale = _entry(cache, "Hôm nay thứ Năm ngày 1 tháng 10", days_unused=UNUSED_DAYS + 5)
    kept = _entry(cache, "Hôm nay thứ Hai ngày 30 tháng 11", days_unused=UNUSED_DAYS - 5)
    stale_wav, stale_meta = cache.paths(stale)
    stale_bytes = stale_wav.stat().st_size + stale_meta.stat().st_size
    # a WAV whose metadata a power cut never wrote, old and new; temporary files of a crashed render, old and new
    orphan_old = stale_wav.parent / ("a" * 64 + ".wav")
    orphan_new = stale_wav.parent / ("b" * 64 + ".wav")
    tmp_old, tmp_new = stale_wav.parent / ".abc-1.wav.tmp", stale_wav.parent / ".abc-2.wav.tmp"
    for path, days in ((orphan_old, UNUSED_DAYS + 1), (orphan_new, 1), (tmp_old, 2), (tmp_new, 0.1)):
        path.write_bytes(b"RIFF" + bytes(96))
        then = time.time() - days * DAY
        os.utime(path, (then, then))

    pruned = cache.prune()

    assert cache.get(stale) is None and not stale_wav.exists() and not stale_meta.exists()
    assert cache.get(kept) is not None  # rendered audio still in use stays (and a hit keeps it fresh)
    assert not orphan_old.exists() and orphan_new.exists()  # a new one may be a render in progress
    assert not tmp_old.exists() and tmp_new.exists()
    assert (pruned.entries, pruned.files) == (1, 2)
    assert pruned.freed_bytes == stale_bytes + 2 * 100
    assert cache.prune() == type(pruned)(0, 0, 0)  # nothing left to do


def test_the_station_prunes_its_cache_at_start_and_then_once_a_day(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules")
    cache = speech_cache(station)
    first = _entry(cache, "Hôm nay thứ Năm ngày 1 tháng 10", days_unused=UNUSED_DAYS + 1)
    runner = SimpleNamespace(station=station, _cache_pruned_at=None)
    SessionJobs.prune_speech_cache(runner)  # type: ignore[arg-type]
    assert cache.get(first) is None
    second = _entry(cache, "Hôm nay thứ Sáu ngày 2 tháng 10", days_unused=UNUSED_DAYS + 1)
    SessionJobs.prune_speech_cache(runner)  # type: ignore[arg-type]  # within the day: the walk is not repeated
    assert cache.paths(second)[1].exists()
    runner._cache_pruned_at -= DAY + 1
    SessionJobs.prune_speech_cache(runner)  # type: ignore[arg-type]
    assert cache.get(second) is None
