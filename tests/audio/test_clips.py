"""Clip preparation: cache behaviour, errors naming the file, the station's own jingles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from broadcaster.audio import loudness
from broadcaster.audio.clips import prepare_clip, prepare_clips
from broadcaster.audio.jingles import SOUND_NAMES, station_sounds, synthesize
from broadcaster.errors import AudioError
from broadcaster.models import AudioSettings, Station
from broadcaster.wav import read_mono16 as read_wav
from tests import factories as make


def _loudness(path: Path) -> float:
    pcm, rate = read_wav(path)
    return loudness.integrated_loudness(pcm.astype(np.float32) / 32768, rate)


def test_clip_is_normalized_and_cached(station: Station, tmp_path: Path) -> None:
    source = make.write_wav(tmp_path / "tin.wav", make.speechlike(8, seed=4, level=0.05))
    clip = prepare_clip(station, source)
    assert clip.path.parent == station.cache_dir / "clips"
    assert clip.duration == pytest.approx(8.0, abs=0.01)
    assert _loudness(clip.path) == pytest.approx(station.audio.loudness_lufs, abs=0.3)
    before = (clip.path.stat().st_mtime_ns, clip.path.with_suffix(".json").stat().st_mtime_ns)

    again = prepare_clip(station, source)

    assert again == clip
    assert (clip.path.stat().st_mtime_ns, clip.path.with_suffix(".json").stat().st_mtime_ns) == before
    assert sorted(p.name for p in clip.path.parent.glob("*.wav")) == [clip.path.name]


def test_other_audio_settings_make_another_clip(station: Station, tmp_path: Path) -> None:
    source = make.write_wav(tmp_path / "tin.wav", make.speechlike(6, seed=5))
    first = prepare_clip(station, source)
    quieter = dataclasses.replace(station, audio=dataclasses.replace(station.audio, loudness_lufs=-20.0))
    second = prepare_clip(quieter, source)
    assert second.path != first.path and first.path.is_file()
    assert _loudness(second.path) == pytest.approx(-20.0, abs=0.3)


def test_clips_prepared_together_are_the_clips_prepared_one_by_one(station: Station, tmp_path: Path) -> None:
    sources = {
        f"tin-{i}": make.write_wav(tmp_path / f"tin-{i}.wav", make.speechlike(5, seed=10 + i))
        for i in range(4)
    }
    together = prepare_clips(station, sources)  # one thread per CPU
    assert list(together) == list(sources)  # in the officer's order
    for path in (station.cache_dir / "clips").iterdir():
        path.unlink()
    alone = {key: prepare_clip(station, src) for key, src in sources.items()}
    assert together == alone  # the same audio, byte for byte (sha256 of each WAV)
    assert len({c.sha256 for c in alone.values()}) == 4


def test_one_broken_file_among_many_is_named(station: Station, tmp_path: Path) -> None:
    good = make.write_wav(tmp_path / "tot.wav", make.speechlike(3, seed=1))
    bad = tmp_path / "hong.wav"
    bad.write_bytes(b"not audio" * 40)
    with pytest.raises(AudioError, match="hong.wav"):
        prepare_clips(station, {"tot": good, "hong": bad})
    assert prepare_clip(station, good).path.is_file()  # the good one was still prepared and cached


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00garbage that is not audio" * 10])
def test_corrupt_source_names_the_file(station: Station, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "hong.wav"
    bad.write_bytes(content)
    with pytest.raises(AudioError, match="hong.wav"):
        prepare_clip(station, bad)


def test_missing_source_names_the_file(station: Station, tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="khong-co.mp3"):
        prepare_clip(station, tmp_path / "khong-co.mp3")


def test_generated_sounds_are_distinct_and_as_loud_as_speech(station: Station) -> None:
    sounds = station_sounds(station)
    clips = [getattr(sounds, name) for name in SOUND_NAMES]
    assert len({c.sha256 for c in clips}) == 4
    assert 1.0 < sounds.chime.duration < sounds.opening.duration < 5.0
    for clip in clips:
        assert _loudness(clip.path) == pytest.approx(station.audio.loudness_lufs, abs=0.5)


def test_attention_tone_alternates_two_pitches() -> None:
    x = synthesize("attention")
    rate = 44100

    def dominant(start: float) -> float:
        part = x[int(start * rate) : int((start + 0.2) * rate)]
        spectrum = np.abs(np.fft.rfft(part))
        return float(np.fft.rfftfreq(part.size, 1 / rate)[spectrum.argmax()])

    assert dominant(0.02) == pytest.approx(880, abs=10)
    assert dominant(0.27) == pytest.approx(660, abs=10)


def test_station_own_jingle_replaces_generated(station: Station) -> None:
    own = make.write_wav(station.root.parent / "audio" / "nhac-hieu.wav", make.tone(3.0, hz=440))
    generated = station_sounds(station).opening
    custom = dataclasses.replace(
        station, audio=dataclasses.replace(station.audio, opening="../audio/nhac-hieu.wav")
    )
    sounds = station_sounds(custom)
    assert sounds.opening.sha256 != generated.sha256
    assert sounds.opening.duration == pytest.approx(3.0, abs=0.01)
    assert _loudness(sounds.opening.path) == pytest.approx(-16.0, abs=0.3)
    assert sounds.chime == station_sounds(station).chime  # the others stay generated
    assert own.is_file()


def test_station_jingle_missing_is_reported(station: Station) -> None:
    custom = dataclasses.replace(station, audio=dataclasses.replace(station.audio, chime="../audio/chuong.mp3"))
    with pytest.raises(AudioError, match="chuong.mp3"):
        station_sounds(custom)


def test_impossible_voice_band_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    station = make.station(tmp_path / "schedules", audio=AudioSettings(voice_band=(7000, 200)))
    with pytest.raises(AudioError, match="audio.voice_band"):
        prepare_clip(station, make.write_wav(tmp_path / "tin.wav", make.speechlike(2)))
