"""The desk on a small station written to disk: the real app in-process (Starlette's TestClient), real SQLite,
real argon2, real eSpeak NG for "Nghe thử"; a FakeClock so throttling and expiry are tested without waiting."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from broadcaster.services import accounts
from broadcaster.services.approval import migrate_approvals
from broadcaster.web import create_app
from tests.fakes import FakeClock

STATION_YAML = """\
# Đài thử của bàn làm việc
name: Đài truyền thanh xã Thử
commune: Thử
zones:
  dong: Thôn Đông
  tay: Thôn Tây
slots:
  sang: {name: Buổi sáng, start: "06:30", max_minutes: 20}
  chieu: {name: Buổi chiều, start: "17:00", max_minutes: 20}
speech:
  engines: [espeak]
  pronunciations:
"""

APPROVED = """\
# Ghi chú viết tay: giữ nguyên khi lưu trên bàn làm việc
title: Lịch tiếp công dân
topic: thong-bao
status: approved
approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã
approved_at: 2026-11-20 08:00
text: |
  Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần.
"""

DRAFT = """\
title: Thông báo nộp hồ sơ
topic: dich-vu-cong
text: Bà con nộp hồ sơ trực tuyến tại Cổng dịch vụ công quốc gia.
"""

PASSWORD = "mat-khau-thu-1"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
USERS = {"quantri": "quan-tri", "bientap": "bien-tap", "duyet": "duyet", "xem": "xem"}


def write_station(root: Path) -> Path:
    (root / "bulletins").mkdir(parents=True)
    (root / "station.yaml").write_text(STATION_YAML, encoding="utf-8")
    (root / "bulletins" / "2026-tiep-cong-dan.yaml").write_text(APPROVED, encoding="utf-8")
    (root / "bulletins" / "2026-nop-ho-so.yaml").write_text(DRAFT, encoding="utf-8")
    migrate_approvals(root)
    return root


@dataclass
class DeskApp:
    root: Path
    clock: FakeClock
    client: TestClient

    @property
    def desk(self):  # type: ignore[no-untyped-def]
        return self.client.app.state.desk  # type: ignore[attr-defined]

    def add_user(self, name: str, role: str, display: str = "") -> None:
        accounts.add_account(self.desk.store, name, display or name.title(), role, PASSWORD, who="test",
                             now=self.clock.now())

    def csrf(self, path: str = "/dang-nhap") -> str:
        page = self.client.get(path)
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        return match.group(1)

    def login(self, name: str, password: str = PASSWORD, client: TestClient | None = None) -> TestClient:
        c = client or self.client
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/dang-nhap").text)
        assert token
        r = c.post("/dang-nhap", data={"csrf": token.group(1), "name": name, "password": password, "next": "/ban-tin"})
        assert r.status_code == 303, r.text[:800]
        return c

    def new_client(self) -> TestClient:
        return TestClient(self.client.app, base_url="http://testserver", follow_redirects=False)

    def page_csrf(self, client: TestClient, path: str = "/ban-tin") -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
        assert match
        return match.group(1)


@pytest.fixture
def desk_app(tmp_path: Path) -> Iterator[DeskApp]:
    root = write_station(tmp_path / "project" / "schedules")
    clock = FakeClock(NOW)
    app = create_app(root, clock=clock)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        d = DeskApp(root, clock, client)
        for name, role in USERS.items():
            d.add_user(name, role)
        yield d


# --- the real browser: Debian's Chromium driven by pytest-playwright (nothing downloaded) ----------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (scripts/system-packages installs it: apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # a fake microphone that plays a tone, allowed without a prompt: the recorder is tested for real
        "args": ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--no-sandbox", "--lang=vi"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:  # type: ignore[type-arg]
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
