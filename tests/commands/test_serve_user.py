"""`broadcaster user …` and `broadcaster serve`'s start-up: accounts from the station's machine, the first-run
link, and the warning when the desk is opened beyond this machine."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.commands.serve import is_loopback
from tests.web.conftest import write_station


@pytest.fixture
def station(tmp_path: Path) -> Path:
    return write_station(tmp_path / "project" / "schedules")


def test_user_add_list_and_password_reset(station: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-quan-tri\n"))
    assert main(["user", "add", "VanHoa", "--role", "Quản trị", "--display-name", "Trần Thị Hoa",
                 "--station", str(station)]) == 0
    assert "Đã thêm tài khoản vanhoa (quản trị)." in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    assert main(["user", "add", "ly", "--role", "duyệt", "--station", str(station)]) == 1
    assert "mật khẩu cần ít nhất 8 ký tự" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-dai-du\n"))
    assert main(["user", "add", "ly", "--role", "giám đốc", "--station", str(station)]) == 1
    assert "vai trò 'giám đốc' không có; chọn một trong: biên tập, duyệt, quản trị, xem" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-moi-dai\n"))
    assert main(["user", "password", "vanhoa", "--station", str(station)]) == 0
    assert main(["user", "list", "--station", str(station)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "vanhoa\tquản trị\tTrần Thị Hoa"


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("192.168.1.10", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _serve(station: Path, *host: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "serve", "--station", str(station), "--port",
                             str(port), *host], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    out = []
    for line in proc.stdout:
        out.append(line)
        if line.startswith("Bàn làm việc:"):
            break
    proc.terminate()
    proc.wait(timeout=10)
    return "".join(out)


def test_serve_prints_a_first_run_link_only_while_there_is_no_account(
    station: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _serve(station)
    assert re.search(r"tạo tài khoản quản trị đầu tiên.*\n  http://127\.0\.0\.1:\d+/thiet-lap/\S{20,}", out)
    assert "cảnh báo" not in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-quan-tri\n"))
    assert main(["user", "add", "vanhoa", "--role", "quản-trị", "--station", str(station)]) == 0
    assert "thiet-lap" not in _serve(station)


def test_serve_warns_when_opened_beyond_this_machine(station: Path) -> None:
    out = _serve(station, "--host", "0.0.0.0")
    assert out.startswith("cảnh báo: bàn làm việc mở cho các máy khác trong mạng")
    assert "docs/web.md" in out
