"""The always-on station: prepared sessions, output chains (output + relays + amplifier), the control channel
(air now, emergencies, live announcements from the microphone), the status record and the runner, the only APScheduler importer.

Private modules: `_sessions` (prepared sessions, light), `_chains` (one output with its zone switch), `_control`
(requests handed to the running station, its heartbeat), `_live` (live announcements: requests, the runner's side), `_status` (the status record: bulletins in the fallback
voice, the online voice's state, retried in the background), `_runner` (the scheduler). Public module `prepare`
(render, plan, build, cut: imports the audio stack; the station runs it in a child process).
"""

from broadcaster.station._chains import (
    Channel,
    apply_output_override,
    describe_output,
    open_channels,
    parse_output_spec,
)
from broadcaster.station._control import (
    ACCEPTED,
    FAILED,
    TAKEN,
    WAITING,
    AirRequest,
    EmergencyRequest,
    attention_tone,
    current_user,
    prepare_request,
    request_answer,
    running_station_pid,
    submit,
    submit_air,
    to_air,
    wait_answer,
    wait_taken,
    withdraw,
)
from broadcaster.station._live import (
    REFUSED_EMERGENCY,
    LiveRequest,
    LiveStop,
    live_chime,
    live_on_air,
    live_output,
    live_recording_path,
    live_stop_request,
    lives_on_air,
    new_live_request,
    read_live_state,
    remove_live_state,
    stop_marker,
    write_live_state,
)
from broadcaster.station._lock import StationBusy, StationLock, lock_holder
from broadcaster.station._runner import Runner, run_station
from broadcaster.station._sessions import Session, StationFiles, load
from broadcaster.station._status import read_status, status_path

__all__ = [
    "ACCEPTED",
    "FAILED",
    "TAKEN",
    "WAITING",
    "AirRequest",
    "Channel",
    "EmergencyRequest",
    "LiveRequest",
    "LiveStop",
    "REFUSED_EMERGENCY",
    "Runner",
    "Session",
    "StationBusy",
    "StationLock",
    "StationFiles",
    "apply_output_override",
    "attention_tone",
    "current_user",
    "describe_output",
    "live_chime",
    "live_on_air",
    "live_output",
    "live_recording_path",
    "live_stop_request",
    "lives_on_air",
    "load",
    "lock_holder",
    "new_live_request",
    "open_channels",
    "parse_output_spec",
    "prepare_request",
    "read_live_state",
    "read_status",
    "request_answer",
    "remove_live_state",
    "run_station",
    "running_station_pid",
    "status_path",
    "submit",
    "submit_air",
    "stop_marker",
    "to_air",
    "wait_answer",
    "wait_taken",
    "withdraw",
    "write_live_state",
]
