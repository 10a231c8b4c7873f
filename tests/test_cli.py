"""The command line as a whole: stable names, help, documentation, error translation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from broadcaster import cli

ROOT = Path(__file__).resolve().parent.parent


def registered_commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001 - argparse has no public API
    return sorted(sub.choices)


def test_core_commands_are_registered() -> None:
    names = set(registered_commands())
    for name in ("check", "normalize", "say", "render", "plan", "build", "run", "air", "emergency", "log"):
        assert name in names, f"command {name} missing"


@pytest.mark.parametrize("name", registered_commands())
def test_every_command_is_documented_in_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"`broadcaster {name}\b", readme), f"README.md does not document `broadcaster {name}`"


def test_python_dash_m_works_like_the_script() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "broadcaster", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "check" in proc.stdout and "render" in proc.stdout


def test_unknown_station_dir_is_a_clear_vietnamese_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--station", str(tmp_path / "khong-co")])
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert code == 1
    # `check` prints its report (one `file: message` line per problem) on stdout.
    assert "station.yaml" in said and "không tồn tại" in said
    assert "--station" in said, "the officer is told how to point at the right folder"
    assert "Traceback" not in said


def test_log_lines_read_in_vietnamese_on_the_station_clock() -> None:
    """A warning from deep inside (e.g. no sound card) reaches the officer as `HH:MM:SS cảnh báo: …`, at the
    station's time (Asia/Ho_Chi_Minh) whatever the machine's timezone."""
    import logging
    import os
    import time

    record = logging.LogRecord("broadcaster.outputs", logging.WARNING, __file__, 1, "Không có thiết bị âm thanh",
                               None, None)
    record.created = 1764403200.0  # 2025-11-29 08:00:00 UTC = 15:00:00 in Vietnam
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        line = cli._OfficerFormatter().format(record)
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert line == "15:00:00 cảnh báo: Không có thiết bị âm thanh"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["log", "--status", "xyz"], "tham số --status: giá trị 'xyz' không hợp lệ (chọn một trong:"),
        (["build"], "thiếu tham số bắt buộc: --date, -o/--output"),
        (["khong-co"], "giá trị 'khong-co' không hợp lệ"),
    ],
)
def test_usage_mistakes_are_explained_in_vietnamese(argv: list[str], said: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert said in err and "lỗi:" in err and "cách dùng:" in err
    assert "error:" not in err and "usage:" not in err


def test_help_headings_are_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["air", "--help"])
    out = capsys.readouterr().out
    assert "tùy chọn:" in out and "hiện hướng dẫn này rồi thoát" in out and "options:" not in out
