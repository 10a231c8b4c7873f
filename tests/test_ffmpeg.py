"""The bundled ffmpeg (imageio-ffmpeg wheel) and pydub pointed at it, on a machine with no ffmpeg/ffprobe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from broadcaster.ffmpeg import configure_pydub, decode_pcm, ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "audio" / "recordings" / "thong-bao-tiem-chung.mp3"


def test_no_system_ffmpeg_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert shutil.which("ffmpeg") is None and shutil.which("ffprobe") is None
    assert Path(ffmpeg_exe()).is_file()
    samples = decode_pcm(RECORDING, 16000)
    assert 5 < samples.size / 16000 < 120  # the sample commune's recorded notice, decoded


def test_pydub_reads_mp3_without_ffprobe_when_given_the_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydub probes with ffprobe (which the wheel does not ship) unless `codec=` is given."""
    monkeypatch.setenv("PATH", "/nonexistent")
    configure_pydub()
    from pydub import AudioSegment

    segment = AudioSegment.from_file(str(RECORDING), format="mp3", codec="mp3")
    ours = decode_pcm(RECORDING, segment.frame_rate)
    assert segment.duration_seconds == pytest.approx(ours.shape[0] / segment.frame_rate, abs=0.1)
    assert segment.dBFS > -40  # real speech, not silence
