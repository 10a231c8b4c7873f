"""Frozen domain types shared by every layer.

`config` builds `Station` and `Bulletin` from YAML; `plan` turns them into `Programme`s; `audio` builds
programme audio; `playout` airs it and writes `Airing` rows through `airlog`.
Times: `datetime` values are timezone-aware in the station's zone; `time` values are wall-clock times there."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.settings import ArchiveSettings, LiveSettings
from broadcaster.streams import AlertSettings, MonitorSettings, Relay

__all__ = [  # one line per few names: this module sits at the 400-line limit
    "Priority", "Status", "AiringStatus", "SourceRef", "Zone", "ZoneSwitchConfig", "OutputConfig", "Slot",
    "BroadcastWindow", "Caps", "SpeechSettings", "AudioSettings", "PlayoutSettings", "ReportSettings",
    "DeskSettings", "LiveSettings", "ArchiveSettings", "Station", "RepeatRule", "Bulletin", "ProgrammeItem", "Skip", "Programme",
    "Airing", "TEST_OUTPUT_KINDS"
]


class Priority(str, enum.Enum):
    """National rules for IT-based commune radio: three levels."""
    NORMAL = "normal"  # aired in scheduled sessions, by rotation
    PRIORITY = "priority"  # aired first in a session
    EMERGENCY = "emergency"  # aired at once, interrupting whatever plays; never planned

    @property
    def rank(self) -> int:
        return {"emergency": 0, "priority": 1, "normal": 2}[self.value]


class Status(str, enum.Enum):
    """Vetting state of a bulletin: only approved bulletins are rendered, planned and aired."""
    DRAFT = "draft"
    APPROVED = "approved"


# Output kinds of test airings, never counted as aired (an `auto` output that fell back to files writes "file").
TEST_OUTPUT_KINDS = frozenset({"file", "null"})


class AiringStatus(str, enum.Enum):
    STARTED = "started"  # row written before the first sample; becomes one of the others
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"  # started, not finished: pre-empted, crash, power loss
    FAILED = "failed"  # could not start
    MISSED = "missed"  # slot passed while the station was down, beyond the grace time
    SKIPPED = "skipped"  # planned but not fitted or blocked by a rule (reason says which)


@dataclass(frozen=True)
class SourceRef:
    """Where a value came from, for error messages: `schedules/bulletins/papi.yaml:3`."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Zone:
    """A village (thôn) loudspeaker zone, switched by a relay on its output's zone switch."""
    id: str  # stable id used in bulletins and the log: "thon-dong"
    name: str  # what the officer reads: "Thôn Đông"
    output: str = "main"  # id of the OutputConfig that feeds this zone
    relay: int | None = None  # relay channel (1-based) on that output's zone switch; None = always on


@dataclass(frozen=True)
class ZoneSwitchConfig:
    """How an output switches its zone relays and its amplifier."""
    kind: str = "none"  # none | command | serial
    # command: shell templates, {relay} and {zone} are substituted
    on_command: str | None = None
    off_command: str | None = None
    # serial (USB relay boards): port, baud and byte templates in hex, {relay} substituted as one byte,
    # {checksum} as the low byte of the sum of the preceding bytes. Example (LCUS-type boards):
    # on: "A0 {relay} 01 {checksum}", off: "A0 {relay} 00 {checksum}"
    port: str | None = None
    baud: int = 9600
    on_bytes: str = "A0 {relay} 01 {checksum}"
    off_bytes: str = "A0 {relay} 00 {checksum}"
    amplifier_relay: int | None = None  # relay that powers the amplifier; None = amplifier always on
    warmup_seconds: float = 2.0  # wait after amplifier on, before the first sample
    settle_seconds: float = 0.1  # wait after switching zone relays between items


@dataclass(frozen=True)
class OutputConfig:
    """One amplifier chain: one sound at a time. Most communes have exactly one ("main")."""

    id: str = "main"
    kind: str = "auto"  # auto | sounddevice | command | file | null
    device: str | None = None  # sounddevice name/index, or {device} in the command template
    command: str | None = None  # e.g. "aplay -q -D {device} {file}"
    directory: str | None = None  # for kind=file: where aired audio is written
    zone_switch: ZoneSwitchConfig = field(default_factory=ZoneSwitchConfig)


@dataclass(frozen=True)
class Slot:
    """A broadcast session (buổi phát): e.g. morning 06:30, at most 30 minutes."""

    id: str  # "sang"
    name: str  # "Buổi sáng"
    start: time
    max_minutes: int
    days: frozenset[int] = frozenset(range(7))  # 0 = Monday ... 6 = Sunday
    zones: tuple[str, ...] = ()  # zones this session serves; empty = all zones
    source: SourceRef | None = None
    relay: Relay | None = None  # a stream aired first (tiếp âm), then the session's bulletins


@dataclass(frozen=True)
class BroadcastWindow:
    """Hours when normal and priority broadcasting is allowed (never at night or dawn)."""

    start: time = time(6, 0)
    end: time = time(21, 0)


@dataclass(frozen=True)
class Caps:
    """Provincial limits; emergencies are exempt."""

    max_sessions_per_day: int = 3
    max_minutes_per_session: int = 45


@dataclass(frozen=True)
class SpeechSettings:
    engines: tuple[str, ...] = ("gtts", "espeak")  # fallback order
    voice: str = "vi"  # eSpeak NG voice name
    gtts_tld: str = "com.vn"
    gtts_timeout: float = 10.0  # seconds per HTTP request
    gtts_retries: int = 3
    gtts_concurrency: int = 4
    speed: float = 1.0  # 1.0 = normal; eSpeak rate is scaled from its default 175 wpm
    pitch: int = 50  # eSpeak pitch 0-99
    pronunciations: str | None = "pronunciations.yaml"  # station's own dictionary, relative to station dir
    number_reading: str = "nghìn linh"  # regional number words: "nghìn linh" (northern), "ngàn lẻ", ...


@dataclass(frozen=True)
class AudioSettings:
    loudness_lufs: float = -16.0  # integrated loudness target (EBU R128 / ITU-R BS.1770)
    true_peak_db: float = -1.0  # true-peak ceiling, dBTP
    sample_rate: int = 44100
    voice_band: tuple[int, int] | None = (200, 7000)  # band-pass for horn loudspeakers; None = off
    pause_seconds: float = 1.0  # silence between items
    opening: str | None = None  # station's own jingle files (relative to station dir); None = generated
    closing: str | None = None
    chime: str | None = None
    attention: str | None = None  # emergency attention tone
    max_bulletin_minutes: float = 30.0  # a recorded bulletin longer than this is refused by `check`


@dataclass(frozen=True)
class PlayoutSettings:
    grace_minutes: float = 5.0  # a session late by less than this still airs, once
    emergency_repeat: int = 2  # times an emergency message is aired
    after_emergency: str = "resume"  # resume | skip: what happens to the interrupted programme
    render_ahead_hours: int = 24


@dataclass(frozen=True)
class ReportSettings:
    """The periodic report's heading and ending (Decree 30/2020 layout; docs/reports.md)."""

    issuer: str = ""  # issuing body: "" -> "ỦY BAN NHÂN DÂN XÃ <COMMUNE>"
    parent: str = ""  # the body above the issuer, printed above it; usually empty for a commune
    symbol: str = "BC-UBND"  # the document's symbol after "Số: .../"
    place: str = ""  # place name before the date: "" -> the commune
    recipients: tuple[str, ...] = ()  # "Nơi nhận"; () -> the province's department and the commune's leaders
    authority: str = "TM. ỦY BAN NHÂN DÂN"  # "on behalf of" line above the signer's title
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""


@dataclass(frozen=True)
class DeskSettings:
    """The officer's desk (web UI): approval rules, who may air from it."""
    four_eyes: bool = True  # an approver may not approve a bulletin they wrote or last edited
    editors_may_air: bool = False  # editors may also air now / send emergencies from the desk


@dataclass(frozen=True)
class Station:
    name: str  # "Đài truyền thanh xã Tiền Phong"
    commune: str  # "Tiền Phong"
    district: str = ""
    province: str = ""
    timezone: str = DEFAULT_TIMEZONE
    zones: tuple[Zone, ...] = ()
    outputs: tuple[OutputConfig, ...] = (OutputConfig(),)
    slots: tuple[Slot, ...] = ()
    window: BroadcastWindow = field(default_factory=BroadcastWindow)
    caps: Caps = field(default_factory=Caps)
    days_off: tuple[date, ...] = ()
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    playout: PlayoutSettings = field(default_factory=PlayoutSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    topics: tuple[tuple[str, str], ...] = ()  # (topic as bulletins write it, its name): `words.topic_name`
    live: LiveSettings = field(default_factory=LiveSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    root: Path = Path("schedules")  # the station directory (holds station.yaml)
    state_dir: Path = Path("var")  # database, render cache, built programmes (absolute after loading)

    def zone(self, zone_id: str) -> Zone:
        return _by_id(self.zones, zone_id)

    def slot(self, slot_id: str) -> Slot:
        return _by_id(self.slots, slot_id)

    def output(self, output_id: str) -> OutputConfig:
        return _by_id(self.outputs, output_id)

    @property
    def database(self) -> Path:
        return self.state_dir / "broadcaster.sqlite3"

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"


def _by_id(items: tuple, wanted: str):  # type: ignore[no-untyped-def, type-arg]
    for x in items:
        if x.id == wanted:
            return x
    raise KeyError(wanted)


@dataclass(frozen=True)
class RepeatRule:
    """How often a bulletin airs. Default: once a day, in the first session it fits."""

    every_session: bool = False  # in every session of every valid day
    per_day: int = 1  # at most N airings a day (ignored when every_session)
    weekdays: frozenset[int] | None = None  # only on these weekdays (0 = Monday)
    dates: tuple[date, ...] | None = None  # only on these dates
    slots: tuple[str, ...] | None = None  # only in these sessions
    max_total: int | None = None  # at most N airings in total (completed airings in the log count)


@dataclass(frozen=True)
class Bulletin:
    id: str  # file stem, stable: "2024-papi-gioi-thieu"
    title: str
    topic: str  # "cai-cach-hanh-chinh", "papi", "sipas", "dich-vu-cong", ... (free text, used in reports)
    priority: Priority = Priority.NORMAL
    text: str | None = None  # exactly one of text / audio
    audio: Path | None = None  # pre-recorded file (absolute after loading)
    valid_from: date | None = None
    valid_until: date | None = None
    zones: tuple[str, ...] = ()  # empty = every zone
    repeat: RepeatRule = field(default_factory=RepeatRule)
    status: Status = Status.DRAFT
    approved_by: str | None = None
    approved_at: datetime | None = None
    approved_hash: str | None = None  # content key the approval was given for (config.approval_key)
    approved_account: str | None = None  # the desk account that approved it
    order: int | None = None  # officer-set order among priority bulletins (lower first)
    source: SourceRef | None = None
    # The current content key (config.approval_key: text or audio bytes, priority, dates, villages, repeat rule),
    # set by config for every bulletin loaded from a file. "" for a bulletin built in code (judged by status).
    content_key: str = ""

    @property
    def approval_stale(self) -> bool:
        """Marked approved, but what airs changed since the approval (or the approval names no content)."""
        return self.status is Status.APPROVED and bool(self.content_key) and self.approved_hash != self.content_key

    @property
    def approved(self) -> bool:
        """Approved, and still the content that was approved: only these are rendered, planned and aired."""
        return self.status is Status.APPROVED and not self.approval_stale

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class ProgrammeItem:
    """One bulletin in a session, with the zones it goes to (relays on while it plays)."""

    bulletin_id: str
    title: str
    zones: frozenset[str]
    duration: float  # seconds
    estimated: bool = False  # True when no rendered audio exists yet and the duration is an estimate
    priority: Priority = Priority.NORMAL
    content_hash: str = ""  # hash of the bulletin's speakable content (text after normalization, or audio)
    approved_by: str = ""  # the approval this item airs under (logged with each airing)
    approval_hash: str = ""


@dataclass(frozen=True)
class Skip:
    bulletin_id: str
    reason: str  # Vietnamese, for the officer: "không đủ thời lượng buổi phát, chuyển sang buổi sau"
    zones: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Programme:
    """What one output airs in one session occurrence. Opening, ident, chimes and closing are added by the
    audio builder; `overhead_seconds` is their total, counted against the session's maximum."""

    day: date
    slot_id: str
    output_id: str
    start: datetime  # aware, station timezone
    max_seconds: float
    items: tuple[ProgrammeItem, ...] = ()
    skipped: tuple[Skip, ...] = ()
    overhead_seconds: float = 0.0
    relay: Relay | None = None  # aired first, live, to `relay_zones`; the items follow when it ends
    relay_zones: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """Stable identity of this session occurrence: the log's idempotency key."""
        return f"{self.day.isoformat()}/{self.slot_id}/{self.output_id}"

    @property
    def total_seconds(self) -> float:
        relay = self.relay.seconds if self.relay else 0.0
        return self.overhead_seconds + relay + sum(i.duration for i in self.items)

    @property
    def zones(self) -> frozenset[str]:
        out: set[str] = set(self.relay_zones)
        for i in self.items:
            out |= i.zones
        return frozenset(out)


@dataclass(frozen=True)
class Airing:
    """One row of the airing log: one item aired (or not) at one session occurrence."""

    session_key: str  # Programme.key, or "emergency/<id>" for emergencies
    output_id: str
    zones: tuple[str, ...]
    bulletin_id: str | None
    title: str
    topic: str
    priority: Priority
    scheduled_at: datetime
    status: AiringStatus
    content_hash: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    planned_seconds: float = 0.0
    played_seconds: float = 0.0
    reason: str = ""
    engine: str = ""
    voice: str = ""
    audio_hash: str = ""
    approved_by: str = ""  # the approval the bulletin aired under: who, and the content key approved
    approval_hash: str = ""
    id: int | None = None
    # kind of output it went to (sounddevice, command, file, null; "" in rows logged before schema 2)
    output_kind: str = ""

    @property
    def is_test(self) -> bool:
        """A test airing ("chạy thử"): it went into a file or nowhere, no villager heard it."""
        return self.output_kind in TEST_OUTPUT_KINDS
