"""One suite over every Output: null, file, command (aplay into the PulseAudio sink) and sounddevice (PortAudio).

What a listener would notice is checked where it can be observed: the sound that reached the sink (its length
and pitch), or the files the dry run wrote. Pre-emption: a `stop` ends playback within ~100 ms and the reported
played time matches what was heard.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from broadcaster.errors import OutputError
from broadcaster.models import OutputConfig
from broadcaster.outputs import (
    KINDS,
    CommandOutput,
    FileOutput,
    NullOutput,
    Output,
    SoundDeviceOutput,
    create_output,
)
from broadcaster.wav import read_pcm as read_wav
from tests import factories as make
from tests import sink
from tests.sink import dominant_hz

# (seconds, Hz) of each distinct sound the listener got; None when the output leaves nothing to observe (null).
Heard = Callable[[], list[tuple[float, float]] | None]


@dataclass
class Case:
    output: Output
    realtime: bool  # play takes the file's duration (everything but the dry-run file output)
    heard: Heard


def _heard_in_sink(rec: sink.Recording) -> Heard:
    def heard() -> list[tuple[float, float]]:
        samples = rec.stop()
        out = []
        for start, end in sink.sound_segments(samples, rec.rate):
            part = samples[int(start * rec.rate) : int(end * rec.rate)]
            out.append((end - start, dominant_hz(part, rec.rate)))
        return out

    return heard


def _heard_in_files(directory: Path) -> Heard:
    def heard() -> list[tuple[float, float]]:
        out = []
        for wav in sorted(directory.glob("*.wav")):
            data, info = read_wav(wav)
            out.append((info.duration, dominant_hz(data[:, 0].astype(np.float64), info.rate)))
        return out

    return heard


# Stand-in player when aplay is missing: copies the file into {device}/ in real time, 50 ms at a time (the WAV
# header is patched after every write), so a stopped copy holds exactly what "played".
_COPY_PLAYER = (
    f"{sys.executable} -c '"
    "import sys, time, wave\n"
    'src = wave.open(sys.argv[1]); dst = wave.open(sys.argv[2], "wb"); dst.setparams(src.getparams())\n'
    "step = src.getframerate() // 20\n"
    "while chunk := src.readframes(step): dst.writeframes(chunk); time.sleep(0.05)\n"
    "dst.close()' {file} {device}/{label}.wav"
)


@pytest.fixture(params=["null", "file", "command", "sounddevice"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Case:
    kind = request.param
    if kind == "null":
        return Case(NullOutput(), True, lambda: None)
    if kind == "file":
        out_dir = tmp_path / "aired"
        return Case(FileOutput(out_dir), False, _heard_in_files(out_dir))
    if kind == "command":
        if shutil.which("aplay") and sink.unavailable_reason() is None:
            rec = request.getfixturevalue("sink_recorder")()
            return Case(CommandOutput("aplay -q {file}"), True, _heard_in_sink(rec))
        copies = tmp_path / "copies"
        copies.mkdir()
        return Case(CommandOutput(_COPY_PLAYER, device=str(copies)), True, _heard_in_files(copies))
    start = request.getfixturevalue("sink_recorder")  # skips with the reason when there is no virtual device
    output = SoundDeviceOutput()
    try:
        output.check()
    except OutputError as exc:
        pytest.skip(f"no PortAudio output device: {exc}")
    return Case(output, True, _heard_in_sink(start()))


def test_check_passes(case: Case) -> None:
    case.output.check()
    assert isinstance(case.output, Output)


def test_plays_the_whole_file(case: Case, tone: Callable[..., Path]) -> None:
    wav = tone(1.0, hz=660)
    began = time.monotonic()
    result = case.output.play(wav, stop=threading.Event(), label="sang", zones=frozenset({"thon-dong"}))
    elapsed = time.monotonic() - began
    assert result.completed and result.error == ""
    assert result.played_seconds == pytest.approx(1.0, abs=0.01)
    if case.realtime:
        assert 0.95 <= elapsed < 1.6
    else:
        assert elapsed < 0.5
    heard = case.heard()
    if heard is not None:
        assert len(heard) == 1, heard
        seconds, hz = heard[0]
        assert seconds == pytest.approx(1.0, abs=0.06)
        assert hz == pytest.approx(660, abs=5)


class TimedEvent(threading.Event):
    """An Event that remembers when it was set, to measure stop-to-return latency."""

    set_at = 0.0

    def set(self) -> None:
        self.set_at = time.monotonic()
        super().set()


def test_stop_preempts_quickly_and_reports_what_played(case: Case, tone: Callable[..., Path]) -> None:
    wav = tone(4.0)
    stop = TimedEvent()
    timer = threading.Timer(0.6, stop.set)
    timer.start()
    result = case.output.play(wav, stop=stop, label="khan-cap")
    returned = time.monotonic()
    timer.join()
    if not case.realtime:
        # The dry run writes the whole file at once, before the stop comes (documented).
        assert result.completed and result.played_seconds == pytest.approx(4.0, abs=0.01)
        return
    assert not result.completed and result.error == ""
    assert returned - stop.set_at < 0.2, f"play returned {returned - stop.set_at:.3f} s after stop"
    assert result.played_seconds == pytest.approx(0.6, abs=0.15)
    heard = case.heard()
    if heard is not None:
        assert len(heard) == 1, heard
        assert heard[0][0] == pytest.approx(result.played_seconds, abs=0.15)


def test_stop_already_set_plays_nothing(case: Case, tone: Callable[..., Path]) -> None:
    stop = threading.Event()
    stop.set()
    result = case.output.play(tone(1.0), stop=stop)
    assert not result.completed and result.played_seconds == 0.0
    heard = case.heard()
    assert heard is None or heard == []


@pytest.mark.parametrize("content", [None, b"RIFF....not a wave file"], ids=["missing", "not-wav"])
def test_unplayable_file_is_an_error_not_an_exception(
    case: Case, tmp_path: Path, content: bytes | None
) -> None:
    wav = tmp_path / "hỏng.wav"
    if content is not None:
        wav.write_bytes(content)
    result = case.output.play(wav, stop=threading.Event())
    assert not result.completed and result.played_seconds == 0.0
    assert "hỏng.wav" in result.error and "tệp âm thanh" in result.error


@pytest.mark.parametrize(("channels", "width"), [(2, 2), (1, 3), (1, 1), (2, 4)])
def test_other_wav_formats_play(case: Case, tmp_path: Path, channels: int, width: int) -> None:
    wav = make.tone_wav(tmp_path / "fmt.wav", 0.5, hz=550, level=0.5, channels=channels, width=width)
    result = case.output.play(wav, stop=threading.Event())
    assert result.completed, result.error
    heard = case.heard()
    if heard is not None:
        assert len(heard) == 1 and heard[0][1] == pytest.approx(550, abs=5)


# --- one implementation each -------------------------------------------------------------------------------


def test_file_output_names_files_by_time_label_and_zones(tmp_path: Path, tone: Callable[..., Path]) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 28, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    out = FileOutput(tmp_path / "aired", now=lambda: at)
    wav = tone(0.5)
    zones = frozenset({"thon-tay", "thon-dong"})
    assert out.play(wav, stop=threading.Event(), label="Buổi sáng", zones=zones).completed
    assert out.play(wav, stop=threading.Event(), label="Buổi sáng", zones=zones).completed
    names = sorted(p.name for p in (tmp_path / "aired").iterdir())
    assert names == [
        "2026-11-28T06-30-00_buoi-sang_thon-dong+thon-tay-2.json",
        "2026-11-28T06-30-00_buoi-sang_thon-dong+thon-tay-2.wav",
        "2026-11-28T06-30-00_buoi-sang_thon-dong+thon-tay.json",
        "2026-11-28T06-30-00_buoi-sang_thon-dong+thon-tay.wav",
    ]
    sidecar = json.loads((tmp_path / "aired" / names[2]).read_text(encoding="utf-8"))
    assert sidecar["zones"] == ["thon-dong", "thon-tay"]
    assert sidecar["label"] == "Buổi sáng" and sidecar["duration"] == 0.5
    assert sidecar["aired_at"] == "2026-11-28T06:30:00+07:00"
    assert (tmp_path / "aired" / names[3]).read_bytes() == wav.read_bytes()


def test_file_output_unwritable_directory(tmp_path: Path, tone: Callable[..., Path]) -> None:
    blocker = tmp_path / "tệp"
    blocker.write_text("x")
    out = FileOutput(blocker / "aired")
    with pytest.raises(OutputError, match="không ghi được vào thư mục"):
        out.check()
    result = out.play(tone(0.2), stop=threading.Event())
    assert not result.completed and "không ghi được" in result.error


def test_command_output_failure_is_reported(tone: Callable[..., Path]) -> None:
    out = CommandOutput("sh -c 'echo thiết bị bận >&2; exit 3' {file}")
    result = out.play(tone(0.2), stop=threading.Event())
    assert not result.completed
    assert "mã 3" in result.error and "thiết bị bận" in result.error


def test_command_output_substitutes_zones_and_label(tmp_path: Path, tone: Callable[..., Path]) -> None:
    record = tmp_path / "args.txt"
    out = CommandOutput(
        f"sh -c 'echo \"$@\" > {record}' player {{label}} {{zones}} {{device}}", device="hw:1"
    )
    assert out.play(tone(0.1), stop=threading.Event(), label="sang", zones=frozenset({"b", "a"})).completed
    assert record.read_text().split() == ["sang", "a+b", "hw:1"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("khong-co-chuong-trinh-nay {file}", "không tìm thấy chương trình phát"),
        ("aplay {tep}", "không hợp lệ"),
        ("aplay 'unclosed {file}", "không hợp lệ"),
        ("   ", "để trống"),
    ],
)
def test_command_output_check_says_what_is_wrong(template: str, message: str) -> None:
    out = CommandOutput(template)
    with pytest.raises(OutputError, match=message):
        out.check()


def test_command_output_hints_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(OutputError, match="apt-get install alsa-utils"):
        CommandOutput().check()


def test_sounddevice_unknown_device_lists_the_real_ones(tone: Callable[..., Path]) -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("PortAudio not installed (scripts/system-packages)")
    out = SoundDeviceOutput("khong-co-thiet-bi-nay")
    with pytest.raises(OutputError, match="Thiết bị phát hiện có") as info:
        out.check()
    assert "khong-co-thiet-bi-nay" in str(info.value)
    result = out.play(tone(0.1), stop=threading.Event())
    assert not result.completed and "khong-co-thiet-bi-nay" in result.error


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "auto"])
def test_create_output_by_kind(tmp_path: Path, kind: str) -> None:
    out = create_output(OutputConfig(id="main", kind=kind, directory="phat-thu"), make.station(tmp_path))
    assert out.name == "main"
    expected = {
        "sounddevice": SoundDeviceOutput,
        "command": CommandOutput,
        "file": FileOutput,
        "null": NullOutput,
    }
    assert isinstance(out, expected[kind])
    if kind == "file":
        assert out.directory == tmp_path / "phat-thu"  # type: ignore[attr-defined]


def test_create_output_unknown_kind_lists_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="sounddevice, command, file, null"):
        create_output(OutputConfig(kind="loa"), make.station(tmp_path))


def test_auto_falls_back_to_file_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, tone: Callable[..., Path]
) -> None:
    station = make.station(tmp_path)
    with caplog.at_level(logging.WARNING, logger="broadcaster.outputs"):
        out = create_output(OutputConfig(kind="auto", device="khong-co-thiet-bi-nay"), station)
    assert isinstance(out, FileOutput) and out.directory == tmp_path / "var" / "aired"
    assert "chạy thử" in caplog.text and str(tmp_path / "var" / "aired") in caplog.text
    assert out.play(tone(0.2), stop=threading.Event(), label="sang").completed
    assert len(list((tmp_path / "var" / "aired").glob("*_sang.wav"))) == 1


def test_auto_uses_the_sound_device_when_there_is_one(tmp_path: Path) -> None:
    try:
        SoundDeviceOutput().check()
    except OutputError as exc:
        pytest.skip(f"no PortAudio output device here: {exc}")
    assert isinstance(create_output(OutputConfig(kind="auto"), make.station(tmp_path)), SoundDeviceOutput)


def test_read_wav_decodes_every_width_to_the_same_tone(tmp_path: Path) -> None:
    for width in (1, 2, 3, 4):
        data, info = read_wav(make.tone_wav(tmp_path / f"w{width}.wav", 0.1, level=0.5, width=width, channels=2))
        assert info.channels == 2 and data.shape == (4410, 2)
        peak = np.abs(data).max() / (32768 if data.dtype == np.int16 else 2**31)
        assert peak == pytest.approx(0.5, abs=0.02)
    (tmp_path / "bad.wav").write_bytes(b"RIFF0000WAVEfmt ")
    with pytest.raises((wave.Error, EOFError)):
        read_wav(tmp_path / "bad.wav")


def test_audio_device_script_is_idempotent_and_exports_what_clients_need() -> None:
    """scripts/audio-device start twice: same exports, one server, ALSA's default device goes to PulseAudio."""
    import os
    import subprocess

    if shutil.which("pulseaudio") is None:
        pytest.skip("PulseAudio not installed: run scripts/system-packages (as root)")
    script = Path(__file__).resolve().parents[2] / "scripts" / "audio-device"
    first = subprocess.run([script, "start"], capture_output=True, text=True, timeout=30, check=True).stdout
    second = subprocess.run([script, "start"], capture_output=True, text=True, timeout=30, check=True).stdout
    assert first == second
    env = dict(line.removeprefix("export ").split("=", 1) for line in first.splitlines())
    assert set(env) == {"PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_CLIENTCONFIG", "BROADCASTER_TEST_SINK"}
    status = subprocess.run([script, "status"], capture_output=True, text=True, timeout=30, check=False)
    assert status.returncode == 0 and "broadcaster_sink" in status.stdout
    if shutil.which("aplay"):
        devices = subprocess.run(
            ["aplay", "-L"], capture_output=True, text=True, env={**os.environ, **env}, check=True
        ).stdout
        assert "default\n    Playback/recording through the PulseAudio sound server" in devices
