"""The officer's path end to end in a real browser (Debian's Chromium via pytest-playwright) against a real
`broadcaster serve` process: first-run administrator, an editor and an approver, a bulletin with a number, a
date and a document code (preview, listen), a recording from the (fake) microphone, approval, `broadcaster plan`
showing it, an edit sending it back for approval. Screenshots at 360 px and 1280 px go to var/screenshots/desk/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.ffmpeg import audio_duration, decode_pcm
from tests.web.conftest import write_station

pytest.importorskip("playwright")

from playwright.sync_api import Browser, Page, expect  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots" / "desk"
PASSWORD = "mat-khau-that-dai"
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
TEXT = "Theo Kế hoạch số 09/KH-UBND, ngày 05/12/2026 trạm y tế tiêm vắc-xin cho 1.250 trẻ."


@dataclass
class Server:
    url: str
    link: str
    station: Path
    proc: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_desk(station: Path) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """A real `broadcaster serve` on a free port, once it says where it listens: (address, what it printed until
    then, the process); terminated on exit."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "serve", "--station", str(station), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Bàn làm việc:"):
            break
    try:
        yield f"http://127.0.0.1:{port}", "".join(lines), proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    station = write_station(tmp_path_factory.mktemp("desk") / "project" / "schedules")
    with serve_desk(station) as (url, out, proc):
        link = re.search(r"(http://\S+/thiet-lap/\S+)", out)
        assert link, out
        yield Server(url, link.group(1), station, proc)


def shot(page: Page, name: str) -> None:
    """Both widths, full page; at 360 px nothing may stick out sideways (no horizontal scrolling)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 360:
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} is wider than a phone"
    page.set_viewport_size({"width": 1280, "height": 800})


def log_in(browser: Browser, args: dict, server: Server, name: str) -> Page:  # type: ignore[type-arg]
    page = browser.new_context(**args).new_page()
    page.goto(server.url + "/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/ban-tin$"))
    return page


def plan(server: Server) -> dict:  # type: ignore[type-arg]
    day = (TODAY + timedelta(days=1)).isoformat()
    out = subprocess.run([sys.executable, "-m", "broadcaster", "plan", "--station", str(server.station), "--from", day,
                          "--to", day, "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def planned_ids(doc: dict) -> set[str]:  # type: ignore[type-arg]
    return {i["bulletin_id"] for s in doc["sessions"] for i in s["items"]}


def add_user(page: Page, name: str, display: str, role: str) -> None:
    form = page.locator("form[action='/tai-khoan']")
    form.get_by_label("Tên đăng nhập").fill(name)
    form.get_by_label("Họ tên, chức vụ").fill(display)
    form.get_by_label("Vai trò").select_option(role)
    form.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    form.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    form.get_by_role("button", name="Thêm tài khoản").click()
    expect(page.locator(".cards")).to_contain_text(display)


def test_the_officers_path(browser: Browser, browser_context_args: dict, server: Server) -> None:  # type: ignore[type-arg]
    args = browser_context_args
    # 1. first run: the one-time link creates the administrator
    admin = browser.new_context(**args).new_page()
    admin.goto(server.url + "/dang-nhap")
    shot(admin, "dang-nhap")
    admin.goto(server.link)
    expect(admin.get_by_role("heading", name="Thiết lập lần đầu")).to_be_visible()
    admin.get_by_label("Tên đăng nhập").fill("vanhoa")
    admin.get_by_label("Họ tên, chức vụ").fill("Trần Thị Hoa - Công chức văn hóa")
    admin.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    admin.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    admin.get_by_role("button", name="Tạo tài khoản quản trị").click()
    expect(admin).to_have_url(re.compile(r"/tai-khoan$"))
    # 2. an editor and an approver
    add_user(admin, "bientap", "Lê Văn Bình - Biên tập", "bien-tap")
    add_user(admin, "duyet", "Nguyễn Văn Lý - Chủ tịch UBND xã", "duyet")
    shot(admin, "tai-khoan")

    # 3. the editor writes a bulletin with a number, a date and a document code; preview and listen
    editor = log_in(browser, args, server, "bientap")
    shot(editor, "danh-sach")
    editor.get_by_role("link", name="+ Viết bản tin").click()
    editor.get_by_label("Tiêu đề").fill("Tiêm chủng mở rộng tháng 12")
    editor.get_by_label("Chủ đề").fill("y-te")
    editor.get_by_label("Nội dung đọc lên").fill(TEXT)
    expect(editor.locator("#reading")).to_contain_text("Kế hoạch số chín")
    expect(editor.locator("#reading")).to_contain_text("ngày năm tháng mười hai năm hai nghìn không trăm hai mươi sáu")
    expect(editor.locator("#reading")).to_contain_text("một nghìn hai trăm năm mươi")
    editor.get_by_label("Phát từ ngày").fill(TODAY.isoformat())
    editor.get_by_label("Phát đến ngày").fill((TODAY + timedelta(days=7)).isoformat())
    editor.get_by_role("button", name="▶ Nghe thử").click()
    expect(editor.locator("#heard")).to_contain_text("Đọc bằng giọng eSpeak NG")
    editor.wait_for_function("() => { const a = document.querySelector('#heard audio'); return a && a.duration > 3; }")
    shot(editor, "viet-ban-tin")
    editor.get_by_role("button", name="Lưu").click()
    expect(editor.locator("p.ok")).to_have_text("Đã lưu.")
    expect(editor.locator("#state")).to_have_text("chờ duyệt")
    bulletin_url = editor.url.split("?")[0]
    bulletin_id = bulletin_url.rsplit("/", 1)[1]
    assert bulletin_id == f"{TODAY.year}-tiem-chung-mo-rong-thang-12"
    assert bulletin_id not in planned_ids(plan(server))

    # 4. a recording from the (fake) microphone, saved like an upload and checked by decoding it
    editor.goto(server.url + "/ban-tin/moi")
    editor.get_by_label("Tiêu đề").fill("Lời nhắn của cán bộ văn hóa")
    editor.get_by_label("Chủ đề").fill("thong-bao")
    editor.get_by_role("button", name="● Ghi âm bằng micrô").click()
    expect(editor.locator("#rec-status")).to_have_text("Đang ghi âm…")
    editor.wait_for_timeout(2500)
    editor.get_by_role("button", name="■ Dừng").click()
    expect(editor.locator("#rec-status")).to_contain_text("Đã ghi")
    editor.get_by_role("button", name="Lưu").click()
    expect(editor.locator("p.ok")).to_have_text("Đã lưu.")
    expect(editor.get_by_text("Đang dùng: recordings/")).to_be_visible()
    recordings = list((server.station / "recordings").iterdir())
    assert len(recordings) == 1 and len(decode_pcm(recordings[0], sample_rate=8000)) > 8000  # > 1 s of sound
    assert audio_duration(recordings[0]) > 1.0  # the planner can read its length (repacked when the header lacks it)

    # 5. the approver approves; the plan (the same service as `broadcaster plan`) now has it
    approver = log_in(browser, args, server, "duyet")
    approver.goto(bulletin_url)
    expect(approver.locator("#approval")).to_be_visible()
    approver.get_by_role("button", name="✓ Duyệt").click()
    expect(approver.locator("p.ok").first).to_have_text("Đã duyệt bản tin.")
    expect(approver.locator("#state")).to_have_text("đã duyệt")
    shot(approver, "duyet")
    assert bulletin_id in planned_ids(plan(server))

    # 6. the editor changes the text: it leaves the plan until approved again
    editor.goto(bulletin_url)
    editor.get_by_label("Nội dung đọc lên").fill(TEXT + " Bà con đưa trẻ đến đúng giờ.")
    editor.get_by_role("button", name="Lưu").click()
    expect(editor.locator("#state")).to_have_text("chờ duyệt lại")
    doc = plan(server)
    assert bulletin_id not in planned_ids(doc)
    assert any(e["bulletin_id"] == bulletin_id and "cần duyệt lại" in e["reason"] for e in doc["excluded"])

    # the audit page tells the whole story
    admin.goto(server.url + "/nhat-ky-thao-tac")
    for action in ("viết bản tin", "duyệt", "sửa bản tin", "thêm tài khoản", "đăng nhập"):
        expect(admin.locator("table.audit")).to_contain_text(action)
    shot(admin, "nhat-ky-thao-tac")
