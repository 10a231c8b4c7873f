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


def test_a_closed_pipe_ends_output_quietly() -> None:
    """`broadcaster plan | head -1`: the reader closes the pipe; no BrokenPipeError traceback, exit 0."""
    proc = subprocess.run(
        f"{sys.executable} -m broadcaster plan --station schedules --from 2026-01-01 --to 2026-12-31 | head -1; "
        "exit ${PIPESTATUS[0]}",
        shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert proc.stdout.startswith("Kế hoạch phát thanh")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("argv", "spoken"),
    [
        (["normalize", "--", "-1,5"], "một phẩy năm"),
        (["normalize", "-1,5"], "một phẩy năm"),
        (["normalize", "- Bà con chú ý"], "Bà con chú ý"),
        (["normalize", "--", "-Bà con chú ý"], "Bà con chú ý"),
        (["normalize", "--station", "schedules", "-5 giờ"], "năm giờ"),
    ],
)
def test_a_text_may_start_with_a_minus(argv: list[str], spoken: str, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(argv) == 0
    assert capsys.readouterr().out.strip().endswith(spoken)


def test_a_text_starting_with_minus_and_a_letter_says_to_write_dashes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["normalize", "-Tin"])
    assert stop.value.code == 2
    assert "viết -- trước nó" in capsys.readouterr().err


@pytest.mark.parametrize("when", ["9999-12-31", "31/12/9999", "1899-01-01"])
def test_command_line_dates_out_of_range_are_a_clear_error(when: str, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for argv in (["plan", "--from", when], ["plan", "--from", "2026-12-01", "--to", when],
                 ["build", "--date", when, "-o", "/tmp/x"], ["air", "sang", "--date", when]):
        assert cli.main(argv) == 1, argv
        err = capsys.readouterr().err
        assert "nằm ngoài khoảng 2000–2099" in err and "Traceback" not in err, err
