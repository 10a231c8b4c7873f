"""The station as the officer runs it: `broadcaster run` in a subprocess, sessions seconds ahead, real eSpeak NG,
real aplay into a PulseAudio null sink, a relay board on a pty. Each test stays under about a minute."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from broadcaster.models import AiringStatus
from tests import factories as make
from tests import sink
from tests.e2e.conftest import AMP, ROOT, Station


def _session_rows(st: Station, slot: str) -> list:  # type: ignore[type-arg]
    return [r for r in st.rows() if f"/{slot}/" in r.session_key and not r.session_key.startswith("emergency")]


def _done(st: Station, slot: str) -> bool:
    return st.session_status(slot) in ("completed", "incomplete")


def _on_air(st: Station, s2: float) -> subprocess.Popen[str]:
    """Start the station with s1 8 s ahead (s2 `s2` s ahead) and return once s1's first bulletin is airing."""
    st.set_slots(s1=8, s2=s2)
    st.prepare()
    proc = st.start()
    st.wait_for(lambda: any(r.status is AiringStatus.STARTED for r in _session_rows(st, "s1")), 30,
                "the first bulletin of s1 to start")
    return proc


def _built_wav(st: Station, slot: str) -> np.ndarray:
    """The session as built, from the archive (its build directory is gone once it has aired)."""
    from broadcaster.ffmpeg import decode_pcm

    day = next(r.session_key for r in _session_rows(st, slot)).split("/")[0]
    mp3 = st.var / "archive" / day / f"{slot}-main.mp3"
    assert mp3.exists(), "no archived programme"
    assert not (st.var / "programmes" / day / f"{slot}-main").exists(), "the aired session's build was left behind"
    return decode_pcm(mp3, sample_rate=sink.RATE)


def test_session_airs_on_time_through_the_sink_with_relays_and_log(station: Station) -> None:
    st = station
    st.set_slots(s1=10, s2=3600)
    st.prepare()
    proc = st.start()
    st.wait_for(lambda: _done(st, "s1"), 45, "session s1 to finish")
    out = st.stop(proc)
    samples = st.rec.stop()  # type: ignore[union-attr]
    assert proc.returncode == 0, out
    assert "Đài thử" in out and "Ctrl+C" in out and "aplay" in out  # the start banner says what it does

    rows = _session_rows(st, "s1")
    assert sorted((r.bulletin_id, r.status) for r in rows) == [("tin-hai", AiringStatus.COMPLETED),
                                                               ("tin-mot", AiringStatus.COMPLETED)]
    for r in rows:
        assert abs((r.started_at - r.scheduled_at).total_seconds()) < 0.5, r
        assert r.played_seconds > 1.0 and r.engine == "espeak"

    # What reached the sink: sound starts at the scheduled second and matches the built programme's envelope.
    scheduled = st.slot_times["s1"].timestamp()
    segments = sink.sound_segments(samples, threshold=0.005)
    assert segments, "nothing reached the sink"
    onset = st.rec.started_at + segments[0][0]  # type: ignore[union-attr]
    assert -0.05 < onset - scheduled < 0.3, onset - scheduled
    # The aired sound has the programme's shape: same stretches of sound and silence, each within 0.3 s. Pauses
    # inside speech (the tuned eSpeak voice pauses ~0.2 s at a comma) are bridged; items are >= 0.3 s apart.
    built = _built_wav(st, "s1")
    expected = sink.sound_segments(built, threshold=0.005, min_silence=0.26)
    aired = [(a - segments[0][0], b - segments[0][0])
             for a, b in sink.sound_segments(samples, threshold=0.005, min_silence=0.26)]
    assert len(aired) == len(expected), (aired, expected)
    # Starts within 0.3 s (what a listener hears: each item on time); ends within 0.5 s: a player ending its stream
    # at a slice's last sample can leave ~0.3 s of low-level sound where the quiet tail of a spoken ident was.
    for (a0, a1), (b0, b1) in zip(aired, expected, strict=True):
        assert abs(a0 - b0) < 0.3 and abs(a1 - b1) < 0.5, (aired, expected)

    # Relays: amplifier first, every zone for the opening, then each bulletin's village (tin-mot: Đông = relay 1,
    # tin-hai: Tây = relay 2) in the order they aired, every zone for the closing, all off at the end.
    # Start-up first switches whatever a crash left on off (amplifier, then every relay), before anything airs.
    assert st.board.events[0][1:] == (AMP, False)
    amp_on = next(i for i, (_, relay, on) in enumerate(st.board.events) if relay == AMP and on)
    assert amp_on > 0 and not any(on for _, _, on in st.board.events[:amp_on])
    assert {relay for _, relay, _ in st.board.events[:amp_on]} >= {1, 2}
    states = st.board.states()
    relay = {"tin-mot": 1, "tin-hai": 2}
    expected = [frozenset({1, 2}), *(frozenset({relay[r.bulletin_id]}) for r in rows), frozenset({1, 2}),
                frozenset()]
    it = iter(states)
    assert all(any(s == e for s in it) for e in expected), states
    amp_off = [t for t, relay, on in st.board.events if relay == AMP and not on]
    assert amp_off and amp_off[-1] <= min(t for t, relay, on in st.board.events[-2:] if relay != AMP)


def test_kill_mid_session_then_restart_nothing_lost_nothing_twice(station: Station) -> None:
    st = station
    proc = _on_air(st, 34)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)  # power cut
    proc.wait()
    restarted = st.start()
    st.wait_for(lambda: _done(st, "s2"), 50, "session s2 to finish")
    out = st.stop(restarted)
    assert restarted.returncode == 0, out
    s1 = _session_rows(st, "s1")
    assert [r.status for r in s1] == [AiringStatus.INTERRUPTED, AiringStatus.MISSED]  # not re-aired, none lost
    assert {r.bulletin_id for r in s1} == {"tin-mot", "tin-hai"}
    s2 = _session_rows(st, "s2")
    assert sorted((r.bulletin_id, r.status) for r in s2) == [("tin-hai", AiringStatus.COMPLETED),
                                                             ("tin-mot", AiringStatus.COMPLETED)]
    assert "gián đoạn" in out
    # what aired of s1 before the power cut is in the archive: the restart archived the build it found
    from broadcaster.services.archive import airing_audio

    audio = airing_audio(st.dir, s1[0].id)
    assert audio is not None and audio.path.parent.parent.name == "archive"
    day = s1[0].session_key.split("/")[0]  # (tomorrow's s1 may be built already: it is still to air)
    assert not (st.var / "programmes" / day / "s1-main").exists()


def test_emergency_preempts_the_running_session_and_it_resumes(station: Station, tmp_path: Path) -> None:
    st = station
    proc = _on_air(st, 3600)
    message = make.tone_wav(tmp_path / "khan.wav", 1.5, hz=1200)
    sent = time.time()
    cmd = subprocess.run(
        [sys.executable, "-m", "broadcaster", "emergency", "--audio", str(message), "--repeat", "1",
         "--station", str(st.dir)], env=st.env(), capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert cmd.returncode == 0, cmd.stderr
    assert "đài đang chạy" in cmd.stdout
    st.wait_for(lambda: _done(st, "s1"), 40, "the interrupted session to finish")
    st.stop(proc)
    rows = sorted(st.rows(), key=lambda r: r.id)
    first = rows[0].bulletin_id
    second = ({"tin-mot", "tin-hai"} - {first}).pop()
    order = [(r.bulletin_id or "KHẨN", r.status) for r in rows]
    assert order == [(first, AiringStatus.INTERRUPTED), ("KHẨN", AiringStatus.COMPLETED),
                     (first, AiringStatus.COMPLETED), (second, AiringStatus.COMPLETED)]
    emergency_row = next(r for r in rows if r.session_key.startswith("emergency/"))
    assert emergency_row.started_at.timestamp() - sent < 3.0
    assert set(emergency_row.zones) == {"thon-dong", "thon-tay"}


def test_air_while_the_station_runs_is_aired_by_the_station_after_the_session_on_air(station: Station) -> None:
    """`broadcaster air` during a scheduled session: the running station takes it (one process owns the sound
    card and the relay board) and airs it when the session on air has ended, never on top of it."""
    st = station
    proc = _on_air(st, 3600)
    cmd = subprocess.run([sys.executable, "-m", "broadcaster", "air", "s2", "--station", str(st.dir)],
                         env=st.env(), capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert cmd.returncode == 0, cmd.stdout + cmd.stderr
    assert "đã nhận lệnh phát ngay buổi 's2'" in cmd.stdout

    def manual_rows() -> list:  # type: ignore[type-arg]
        return [r for r in st.rows() if "/manual-" in r.session_key]

    st.wait_for(lambda: len(manual_rows()) == 2 and all(r.ended_at for r in manual_rows()), 60,
                "the station to air the requested session")
    out = st.stop(proc)
    scheduled = _session_rows(st, "s1")
    assert {r.status for r in scheduled} == {AiringStatus.COMPLETED}, out
    assert {r.status for r in manual_rows()} == {AiringStatus.COMPLETED}, out
    last_scheduled_end = max(r.ended_at for r in scheduled)
    assert min(r.started_at for r in manual_rows()) >= last_scheduled_end  # one sound at a time
    assert "phát ngay buổi" in out and "theo yêu cầu của" in out
