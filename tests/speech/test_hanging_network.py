"""A network that accepts connections and never answers (a black hole): `say` says what it waits for and falls
back to the offline voice after one read timeout; a render run pays that wait once, not once per bulletin."""

from __future__ import annotations

from pathlib import Path

import pytest
from gtts_fake import BlackHole
from speech_helpers import make_station

from broadcaster.cli import main
from broadcaster.models import Bulletin, Status
from broadcaster.speech.online import ENDPOINT_ENV
from broadcaster.speech.render import render_bulletins


def test_say_tells_what_it_waits_for_then_speaks_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with BlackHole() as hole:
        monkeypatch.setenv(ENDPOINT_ENV, hole.url)
        code = main(["say", "xin chào bà con", "-o", str(tmp_path / "thu.wav"), "--station", str(tmp_path / "s")])
        assert hole.connections == 1  # one attempt, no retries on a dead network
    assert code == 0
    captured = capsys.readouterr()
    assert "đang chờ giọng Google (127.0.0.1), tối đa 6 giây…" in captured.err  # 3 s to connect + 3 s to answer
    assert "không trả lời trong thời gian chờ" in captured.err and "đọc bằng giọng eSpeak NG" in captured.err
    assert "(giọng dự phòng)" in captured.out


def test_a_render_run_waits_on_a_dead_network_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    station = make_station(tmp_path, gtts_timeout=0.5, gtts_retries=3)
    bulletins = [Bulletin(id=f"tin-{i}", title=f"Tin {i}", topic="t", text=f"Thông báo số {i} của xã.",
                          status=Status.APPROVED, approved_by="x") for i in range(4)]
    with BlackHole() as hole:
        monkeypatch.setenv(ENDPOINT_ENV, hole.url)
        summary = render_bulletins(station, bulletins)
        assert hole.connections == 1
        again = render_bulletins(station, bulletins)  # within the breaker's time: not even one more try
        assert hole.connections == 1
    assert summary.count("fallback") == 4 and again.count("fallback") == 4
    assert all("không trả lời" in r.reason for r in summary.results)
