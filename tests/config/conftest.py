"""Config test helpers: this folder on sys.path (corpus.py is imported by name), and the corpus count line
printed at the end of the run, whatever pytest captured."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402 - needs the path above


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in corpus.COUNT_LINES:
        terminalreporter.write_line(line)
