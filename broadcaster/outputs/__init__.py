"""Sound outputs behind one interface: `sounddevice` (PortAudio), `command` (aplay/paplay/ffplay template),
`file` (dry run: writes what would air), `null` (a silent sound card that takes real time); and the microphone
for live announcements (`MicrophoneLink`: input -> output device, low latency; `LiveRecorder`: MP3 of it).

`create_output(cfg, station)` builds one from the station's `OutputConfig`; kind `auto` is `sounddevice` when
PortAudio finds a working output device, else `file` with a warning in the log (so a newcomer still sees it work).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from broadcaster.errors import OutputError
from broadcaster.models import OutputConfig, Station
from broadcaster.outputs._base import Output, PlayResult
from broadcaster.outputs._command import DEFAULT_COMMAND, CommandOutput
from broadcaster.outputs._file import FileOutput
from broadcaster.outputs._microphone import BLOCK_FRAMES, LiveRecorder, MicrophoneLink, input_devices
from broadcaster.outputs._null import NullOutput
from broadcaster.outputs._sounddevice import SoundDeviceOutput

__all__ = [
    "BLOCK_FRAMES",
    "DEFAULT_COMMAND",
    "KINDS",
    "LiveRecorder",
    "MicrophoneLink",
    "OUTPUTS",
    "CommandOutput",
    "FileOutput",
    "NullOutput",
    "Output",
    "OutputError",
    "PlayResult",
    "SoundDeviceOutput",
    "aired_directory",
    "create_output",
    "input_devices",
]

log = logging.getLogger(__name__)


def aired_directory(cfg: OutputConfig, station: Station) -> Path:
    """Where the file output writes: `cfg.directory` (relative to the station directory) or state_dir/aired."""
    if cfg.directory:
        path = Path(cfg.directory)
        return path if path.is_absolute() else station.root / path
    return station.state_dir / "aired"


OUTPUTS: dict[str, Callable[[OutputConfig, Station], Output]] = {
    "sounddevice": lambda cfg, station: SoundDeviceOutput(cfg.device, name=cfg.id),
    "command": lambda cfg, station: CommandOutput(cfg.command, device=cfg.device, name=cfg.id),
    "file": lambda cfg, station: FileOutput(aired_directory(cfg, station), tz=station.timezone, name=cfg.id),
    "null": lambda cfg, station: NullOutput(name=cfg.id),
}
KINDS = ("auto", *OUTPUTS)


def create_output(cfg: OutputConfig, station: Station) -> Output:
    """The output `cfg.kind` names; `auto` falls back to `file` (with a warning) when there is no sound device."""
    if cfg.kind == "auto":
        sound = SoundDeviceOutput(cfg.device, name=cfg.id)
        try:
            sound.check()
            return sound
        except OutputError as exc:
            fallback = OUTPUTS["file"](cfg, station)
            log.warning(
                "Không có thiết bị âm thanh dùng được (%s). Đầu ra '%s' chuyển sang chạy thử: chương trình được "
                "ghi thành tệp trong %s thay vì phát ra loa.",
                exc,
                cfg.id,
                aired_directory(cfg, station),
            )
            return fallback
    try:
        factory = OUTPUTS[cfg.kind]
    except KeyError:
        raise OutputError(
            f"đầu ra '{cfg.id}': loại '{cfg.kind}' không có; chọn một trong: {', '.join(KINDS)}"
        ) from None
    return factory(cfg, station)
