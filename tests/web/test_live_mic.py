"""The desk's "Nói trực tiếp": an approver starts and stops a live announcement at the running station. The
station is the real runner's control loop on the desk's station folder, its output the null output (the
microphone is PortAudio's default input on the virtual audio device: the announcement is recorded and logged as
a test airing); the desk only sends requests through the control channel."""

from __future__ import annotations

import threading
import time

import pytest

from broadcaster.clock import SystemClock
from broadcaster.models import AiringStatus
from broadcaster.outputs import NullOutput
from broadcaster.station import _control, _sessions
from broadcaster.station._chains import Channel
from broadcaster.station._runner import Runner
from tests import sink
from tests.fakes import FakeZoneSwitch
from tests.web.conftest import DeskApp


def test_with_no_station_running_the_desk_says_where_the_microphone_is(desk_app: DeskApp) -> None:
    client = desk_app.login("duyet")
    page = client.get("/noi-truc-tiep")
    assert page.status_code == 200 and "Bắt đầu nói trực tiếp" in page.text and "Thôn Đông" in page.text
    r = client.post("/noi-truc-tiep", data={"csrf": desk_app.page_csrf(client, "/noi-truc-tiep"), "thon": "dong"})
    assert r.status_code == 409
    assert "Đài không chạy nên không mở được micrô ở máy đài" in r.text
    assert not list(_control.control_dir(desk_app.desk.station).glob("live-*"))


@pytest.mark.parametrize("name", ["bientap", "xem"])
def test_only_approvers_and_administrators_reach_the_microphone(desk_app: DeskApp, name: str) -> None:
    client = desk_app.login(name)
    assert client.get("/noi-truc-tiep").status_code == 403
    assert "Nói trực tiếp" not in client.get("/ban-tin").text


@pytest.mark.skipif(sink.unavailable_reason() is not None, reason=str(sink.unavailable_reason()))
def test_an_approver_starts_and_stops_a_live_announcement_at_the_running_station(desk_app: DeskApp) -> None:
    files = _sessions.load(desk_app.root)
    switch = FakeZoneSwitch()

    def channels(station, log, clock, shutdown):  # type: ignore[no-untyped-def]
        return {"main": Channel(station, station.outputs[0], NullOutput(name="main"), switch, log, clock, shutdown)}

    runner = Runner(desk_app.root, files=files, clock=SystemClock(files.station.timezone), make_channels=channels)
    _control.write_heartbeat(runner.station, {"station": str(desk_app.root)})
    control = threading.Thread(target=runner.control_loop, daemon=True)
    control.start()
    try:
        client = desk_app.login("duyet")
        assert "Nói trực tiếp" in client.get("/ban-tin").text
        r = client.post("/noi-truc-tiep", data={"csrf": desk_app.page_csrf(client, "/noi-truc-tiep"),
                                                "thon": "tay"})
        assert r.status_code == 200 and "Đài đã nhận lệnh" in r.text, r.text[-800:]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "ĐANG PHÁT TRỰC TIẾP" not in client.get("/noi-truc-tiep").text:
            time.sleep(0.1)
        page = client.get("/noi-truc-tiep")
        assert "ĐANG PHÁT TRỰC TIẾP" in page.text and "Dừng nói trực tiếp" in page.text
        time.sleep(0.5)
        r = client.post("/noi-truc-tiep/dung", data={"csrf": desk_app.page_csrf(client, "/noi-truc-tiep")})
        assert r.status_code == 200 and "Đã dừng thông báo trực tiếp." in r.text
        assert "Bắt đầu nói trực tiếp" in r.text
    finally:
        runner.stop()
        control.join(timeout=3)
    [row] = [r for r in runner.log.history() if r.session_key.startswith("live/")]
    assert row.status is AiringStatus.COMPLETED and row.zones == ("tay",)
    assert row.voice == "Duyet" and row.is_test  # the desk account's name; the null output: a test airing
