"""The `command` zone switch: runs a program per relay change, e.g. `usbrelay HURTM_{relay}=1`.

Templates are split like a shell line (no shell: use `sh -c '...'` for pipes/redirects); each word gets {relay}
(the channel number) and {zone} (the zone id, or "amplifier") substituted.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping

from broadcaster.errors import ZoneSwitchError
from broadcaster.models import ZoneSwitchConfig
from broadcaster.zones._base import BaseSwitch

__all__ = ["CommandSwitch"]

TIMEOUT = 10.0  # seconds a relay command may take


class CommandSwitch(BaseSwitch):
    """One program run per relay change; a non-zero exit is a ZoneSwitchError with the program's message."""

    def __init__(self, cfg: ZoneSwitchConfig, relays: Mapping[int, str] | Iterable[int] = ()):
        super().__init__(cfg, relays)
        missing = [key for key in ("on_command", "off_command") if not getattr(cfg, key)]
        if missing:
            raise ZoneSwitchError(
                f"bộ chuyển vùng loại 'command' cần {' và '.join(missing)} trong station.yaml "
                '(ví dụ: on_command: "usbrelay HURTM_{relay}=1")'
            )
        self.templates = {True: str(cfg.on_command), False: str(cfg.off_command)}
        for template in self.templates.values():
            self.argv(template, 1, "kiem-tra")

    @staticmethod
    def argv(template: str, relay: int, zone: str) -> list[str]:
        """The command line for one change; ZoneSwitchError for a broken template."""
        try:
            argv = [w.format_map({"relay": relay, "zone": zone}) for w in shlex.split(template)]
        except (ValueError, KeyError, IndexError) as exc:
            raise ZoneSwitchError(
                f"lệnh bật/tắt rơ-le '{template}' không hợp lệ ({exc}); chỉ dùng được {{relay}} và {{zone}}"
            ) from exc
        if not argv:
            raise ZoneSwitchError("lệnh bật/tắt rơ-le đang để trống trong station.yaml")
        return argv

    def check(self) -> None:
        """Both programs are installed."""
        for template in self.templates.values():
            program = self.argv(template, 1, "kiem-tra")[0]
            if shutil.which(program) is None:
                raise ZoneSwitchError(
                    f"không tìm thấy chương trình bật/tắt rơ-le '{program}'; hãy cài đặt nó"
                )

    def _switch(self, relay: int, on: bool, zone: str) -> None:
        argv = self.argv(self.templates[on], relay, zone)
        what = f"{'bật' if on else 'tắt'} rơ-le {relay} ({zone})"
        try:
            done = subprocess.run(
                argv, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ZoneSwitchError(f"không {what} được: lệnh '{argv[0]}' lỗi: {exc}") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[-300:] or "không có thông báo"
            raise ZoneSwitchError(
                f"không {what} được: lệnh '{argv[0]}' báo lỗi (mã {done.returncode}): {message}"
            )
