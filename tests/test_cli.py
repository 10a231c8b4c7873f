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
