"""Ending a child process that runs in its own process group (`start_new_session=True`): a player command or the
relay's ffmpeg decoder. One place for the order: SIGTERM the group, give it `grace` seconds, then SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess

__all__ = ["end_group"]


def end_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM `proc`'s process group, SIGKILL it if it lingers past `grace` seconds; `proc` is reaped. Nothing
    is sent once `proc` was reaped: its group id may belong to another process by then."""
    if proc.returncode is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()
