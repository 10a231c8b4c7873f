"""scripts/setup on a folder moved from another user or machine: a .venv whose Python cannot run here is named
as the cause and rebuilt (never the misleading "apt-get install python3-venv"); one that cannot be removed says
whose it is and what to do. Runs `scripts/setup --check-venv` (detection only: nothing is installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
as_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"),
                             reason="needs root to act as another user")


@pytest.fixture
def tmp_path() -> Iterator[Path]:  # type: ignore[override]
    """Under /tmp itself: pytest's own temporary folders are private to root, another user could not enter."""
    where = Path(tempfile.mkdtemp(prefix="setup-venv-"))
    where.chmod(0o777)
    yield where
    shutil.rmtree(where, ignore_errors=True)


def project(tmp_path: Path) -> Path:
    """A project folder with the set-up script, writable by everyone (so another user can run it)."""
    top = tmp_path / "broadcaster"
    (top / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup", top / "scripts" / "setup")
    for p in (tmp_path, top, top / "scripts"):
        p.chmod(0o777)
    return top


def setup(top: Path, user: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(top / "scripts" / "setup"), "--check-venv"]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, cwd=top, capture_output=True, text=True, check=False, timeout=60)


def test_a_venv_whose_python_is_gone_is_rebuilt(tmp_path: Path) -> None:
    top = project(tmp_path)
    (top / ".venv" / "bin").mkdir(parents=True)
    (top / ".venv" / "bin" / "python").symlink_to("/opt/python-of-another-machine/bin/python3.11")
    (top / ".venv" / "pyvenv.cfg").write_text("home = /opt/python-of-another-machine/bin\n")
    done = setup(top)
    assert done.returncode == 0, done.stderr
    assert ".venv was built for a Python" in done.stderr and "/opt/python-of-another-machine" in done.stderr
    assert "rebuilding .venv" in done.stderr and "python3-venv" not in done.stderr
    assert not (top / ".venv").exists()


def test_a_working_venv_is_left_alone(tmp_path: Path) -> None:
    top = project(tmp_path)
    (top / ".venv" / "bin").mkdir(parents=True)
    (top / ".venv" / "bin" / "python").symlink_to(shutil.which("python3") or "/usr/bin/python3")
    done = setup(top)
    assert done.returncode == 0 and done.stderr == "" and (top / ".venv" / "bin" / "python").exists()


@as_root
def test_a_venv_pointing_at_a_python_the_user_cannot_read_is_rebuilt(tmp_path: Path) -> None:
    top = project(tmp_path)
    private = tmp_path / "root-only"
    private.mkdir(mode=0o700)
    python = shutil.which("python3") or "/usr/bin/python3"
    (private / "python3").symlink_to(python)
    (top / ".venv" / "bin").mkdir(parents=True)
    (top / ".venv" / "bin" / "python").symlink_to(private / "python3")
    shutil.chown(top / ".venv", "nobody")
    shutil.chown(top / ".venv" / "bin", "nobody")
    os.lchown(top / ".venv" / "bin" / "python", 65534, 65534)
    done = setup(top, "nobody")
    assert done.returncode == 0, done.stderr
    assert "was built for a Python nobody cannot run" in done.stderr and "rebuilding" in done.stderr
    assert not (top / ".venv").exists()


@as_root
def test_another_users_venv_that_cannot_be_removed_says_whose_it_is(tmp_path: Path) -> None:
    top = project(tmp_path)
    (top / ".venv" / "bin").mkdir(parents=True)
    (top / ".venv" / "bin" / "python").symlink_to(shutil.which("python3") or "/usr/bin/python3")
    for p in (top / ".venv", top / ".venv" / "bin"):
        p.chmod(0o755)  # root's, as `sudo scripts/setup` leaves it
    done = setup(top, "nobody")
    assert done.returncode == 1
    assert ".venv belongs to user root and nobody cannot write to it" in done.stderr
    assert "cannot remove .venv (it belongs to root)" in done.stderr and "rm -rf" in done.stderr
    assert (top / ".venv").exists()
