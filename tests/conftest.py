"""Shared fixtures. Area-specific fixtures live in conftest.py files beside their tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sample_station_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled sample commune (schedules/ and audio/), safe to modify."""
    dst = tmp_path / "project"
    shutil.copytree(ROOT / "schedules", dst / "schedules")
    if (ROOT / "audio").exists():
        shutil.copytree(ROOT / "audio", dst / "audio")
    return dst / "schedules"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the network: any connection to a non-loopback address fails loudly."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self, address):  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or self.family == socket.AF_UNIX
        ):
            raise OSError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
