"""The station live in a real browser (Debian's Chromium): `broadcaster run` on the test audio sink with sessions
seconds apart (the e2e trick: tests/e2e/slot_times.py), `broadcaster serve` beside it. The officer sees the
session start on "Trạm phát", sends "phát ngay" and an emergency, sees each acknowledged by the station and then
in the log; and the page shows a stopped station within 5 s. One station and one browser for the module."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from broadcaster.services.approval import migrate_approvals
from tests import factories as make
from tests import sink
from tests.e2e.conftest import AMP, BULLETIN, ROOT, STATION_YAML, Board, Station
from tests.web.test_browser import _free_port, shot

pytest.importorskip("playwright")

from playwright.sync_api import Browser, Page, expect  # noqa: E402

PASSWORD = "mat-khau-that-dai"


@dataclass
class Rig:
    station: Station
    url: str
    serve: subprocess.Popen[str]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    reason = sink.unavailable_reason()
    if reason:
        pytest.skip(f"the live station needs the virtual audio device: {reason}")
    tmp = tmp_path_factory.mktemp("live")
    board = Board()
    project = tmp / "project"
    sdir = make.station_dir(project, STATION_YAML.format(port=board.port, amp=AMP), {
        "tin-mot": BULLETIN.format(title="Tin một", text="Xã thông báo lịch tiếp dân ngày thứ Hai.", zone="thon-dong"),
        "tin-hai": BULLETIN.format(title="Tin hai", text="Bà con nộp hồ sơ trực tuyến.", zone="thon-tay"),
    })
    make.write_jingles(project / "audio", opening=0.6, closing=0.6, chime=0.4, attention=0.8)
    migrate_approvals(sdir)
    st = Station(sdir, board)
    st.rec = sink.start_recording(tmp / "rec.raw")
    subprocess.run([sys.executable, "-m", "broadcaster", "user", "add", "canbo", "--role", "quản-trị", "--station",
                    str(sdir)], input=PASSWORD + "\n", text=True, check=True, capture_output=True, cwd=ROOT)
    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "broadcaster", "serve", "--station", str(sdir), "--port", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=st.env(), cwd=ROOT)
    st.set_slots(s1=25, s2=3600)
    st.prepare()
    st.start()
    try:
        yield Rig(st, f"http://127.0.0.1:{port}", serve)
    finally:
        serve.terminate()
        serve.wait(timeout=10)
        for p in st.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if st.rec is not None:
            st.rec.stop(settle=0)
        board.close()


@pytest.fixture(scope="module")
def officer(browser: Browser, rig: Rig) -> Iterator[Page]:
    page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    for _ in range(100):  # serve may still be starting
        try:
            page.goto(rig.url + "/dang-nhap")
            break
        except Exception:  # noqa: BLE001 - connection refused until it listens
            time.sleep(0.1)
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/ban-tin$"))
    yield page
    page.context.close()


def test_the_officer_sees_the_session_start_airs_now_and_sends_an_emergency(officer: Page, rig: Rig) -> None:
    page = officer
    page.goto(rig.url + "/tram-phat")
    live = page.locator("#live")
    expect(live).to_contain_text("Đài đang chạy", timeout=20_000)
    expect(live).to_contain_text("Buổi một", timeout=20_000)  # the next session, with its countdown
    expect(page.locator(".countdown")).to_contain_text("giây")
    # the session starts: the page shows it on air, then its bulletins item by item, without a reload
    expect(page.locator(".card.onair")).to_contain_text("Buổi một", timeout=40_000)
    expect(page.locator(".card.onair .item")).to_contain_text(re.compile(r"Bản tin \d/2: Tin (một|hai)"),
                                                              timeout=15_000)
    expect(page.locator(".card.onair .item")).to_contain_text("giọng eSpeak NG (không cần Internet)")
    shot(page, "live-on-air")

    # phát ngay: form, confirmation with what airs where, the station's acknowledgement
    page.goto(rig.url + "/phat-ngay")
    page.get_by_label("Buổi phát").select_option("s2")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator("main")).to_contain_text("Tin một")
    expect(page.locator("main")).to_contain_text("Thôn Tây")
    page.get_by_role("button", name="Xác nhận phát ngay").click()
    expect(page.locator("#job .ack")).to_contain_text("Đài đã xác nhận", timeout=60_000)
    air_job = page.url

    # khẩn cấp: text, every village, once; confirmation shows the reading and where
    page.goto(rig.url + "/khan-cap")
    page.get_by_label("Nội dung tin").fill("Nước sông lên nhanh, bà con khu bãi giữa di chuyển lên chỗ cao.")
    page.get_by_label("Số lần phát").fill("1")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator(".emergency-preview")).to_contain_text("toàn xã")
    shot(page, "emergency-confirm")
    page.get_by_role("button", name="PHÁT KHẨN CẤP NGAY").click()
    expect(page.locator("#job .ack")).to_contain_text("Đài đã xác nhận", timeout=15_000)
    expect(page.locator("#job .recent")).to_contain_text("Nước sông lên nhanh", timeout=15_000)
    expect(page.locator("#job .recent")).to_contain_text("đã phát", timeout=30_000)  # then logged as aired

    page.goto(air_job)  # the session aired now, after the one on air and the emergency: logged
    expect(page.locator("#job .recent li")).to_have_count(2, timeout=90_000)
    expect(page.locator("#job .recent")).not_to_contain_text("đang phát", timeout=60_000)
    page.goto(rig.url + "/tram-phat")
    expect(page.locator(".recent")).to_contain_text("Nước sông lên nhanh")
    shot(page, "live-after")


def test_the_live_page_shows_a_stopped_station_within_5_s(officer: Page, rig: Rig) -> None:
    page = officer
    page.goto(rig.url + "/tram-phat")
    expect(page.locator("#live")).to_contain_text("Đài đang chạy", timeout=20_000)
    proc = next(p for p in rig.station.procs if p.poll() is None)
    proc.send_signal(signal.SIGKILL)  # no clean stop: the heartbeat stays behind
    proc.wait()
    stopped = time.monotonic()
    expect(page.locator("#live")).to_contain_text("Đài KHÔNG chạy", timeout=5_000)
    assert time.monotonic() - stopped <= 5.0
    shot(page, "live-stopped")
