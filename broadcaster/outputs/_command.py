"""The `command` output: plays each file with an external player, e.g. `aplay -q -D {device} {file}`.

The template is split like a shell line (no shell runs: quote pipes yourself with `sh -c '...'`), then each word
gets {file}, {device}, {zones} (zone ids joined by '+') and {label} substituted. The player runs in its own
process group so a stop (emergency pre-emption) ends it and anything it started within ~20 ms.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from broadcaster.errors import OutputError
from broadcaster.outputs._base import BaseOutput, PlayResult
from broadcaster.processes import end_group
from broadcaster.wav import WavInfo

__all__ = ["DEFAULT_COMMAND", "CommandOutput"]

DEFAULT_COMMAND = "aplay -q -D {device} {file}"
_PACKAGES = {"aplay": "alsa-utils", "paplay": "pulseaudio-utils", "ffplay": "ffmpeg", "play": "sox"}
_POLL = 0.02  # seconds between checks of `stop` and of the player


class CommandOutput(BaseOutput):
    """Runs the player once per file; returns when it exits or, after `stop`, when it has been ended."""

    kind = "command"  # written into each airing's log row (file, null: test airings)

    def __init__(self, template: str | None = None, *, device: str | None = None, name: str = "command"):
        self.name = name
        self.template = template or DEFAULT_COMMAND
        self.device = device or "default"

    def argv(self, wav: Path, label: str = "", zones: frozenset[str] = frozenset()) -> list[str]:
        """The command line for one file; raises OutputError for a broken template."""
        values = {"file": str(wav), "device": self.device, "zones": "+".join(sorted(zones)), "label": label}
        try:
            words = shlex.split(self.template)
            argv = [w.format_map(values) for w in words]
        except (ValueError, KeyError, IndexError) as exc:
            raise OutputError(
                f"mẫu lệnh phát '{self.template}' không hợp lệ ({exc}); chỉ dùng được "
                "{file}, {device}, {zones}, {label} (ví dụ: aplay -q -D {device} {file})"
            ) from exc
        if not argv:
            raise OutputError("mẫu lệnh phát đang để trống; ví dụ: aplay -q -D {device} {file}")
        return argv

    def check(self) -> None:
        """The template is valid and its program is installed."""
        program = self.argv(Path("kiem-tra.wav"))[0]
        if shutil.which(program) is None:
            hint = (
                f" Cài đặt: sudo apt-get install {_PACKAGES[Path(program).name]}"
                if Path(program).name in _PACKAGES
                else ""
            )
            raise OutputError(f"không tìm thấy chương trình phát '{program}' (đầu ra 'command').{hint}")

    def _play(
        self, wav: Path, info: WavInfo, *, stop: threading.Event, label: str, zones: frozenset[str]
    ) -> PlayResult:
        duration = info.duration
        try:
            argv = self.argv(wav, label, zones)
        except OutputError as exc:
            return PlayResult(False, 0.0, str(exc))
        with tempfile.TemporaryFile() as errors:
            began = time.monotonic()
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    start_new_session=True,
                )
            except OSError as exc:
                return PlayResult(False, 0.0, f"không chạy được lệnh phát '{argv[0]}': {exc.strerror or exc}")
            while proc.poll() is None:
                if stop.wait(_POLL):
                    end_group(proc, grace=0.5)
                    return PlayResult(False, min(time.monotonic() - began, duration))
            elapsed = time.monotonic() - began
            if proc.returncode != 0:
                errors.seek(0)
                tail = errors.read()[-400:].decode("utf-8", "replace").strip()
                return PlayResult(
                    False,
                    min(elapsed, duration),
                    f"lệnh phát '{argv[0]}' báo lỗi (mã {proc.returncode}): {tail or 'không có thông báo'}",
                )
        return PlayResult(True, duration)


