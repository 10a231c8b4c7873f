"""The station and bulletin schema, declared once: every key, its type, default, meaning and Vietnamese term.

`config` parses with these tables, unknown keys are checked against them, and `tests/test_docs.py` walks them
to make sure `docs/configuration.md` documents every key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.config._calendar import DateList, DateTimeValue, DateValue, TimeOfDay, Weekdays
from broadcaster.config._schema_chain import (
    ALERT_FIELDS,
    ARCHIVE_FIELDS,
    LIVE_FIELDS,
    MONITOR_FIELDS,
    RELAY_FIELDS,
    OptionalSection,
    relay,
)
from broadcaster.config._sections import Field, MapOf, Section
from broadcaster.config._values import (
    REQUIRED,
    Band,
    Bool,
    Choice,
    Context,
    FieldType,
    Float,
    Identifier,
    Int,
    Invalid,
    ListOf,
    Str,
    Text,
    fold,
)
from broadcaster.config._yaml import YNode
from broadcaster.models import (
    ArchiveSettings,
    AudioSettings,
    BroadcastWindow,
    Caps,
    DeskSettings,
    LiveSettings,
    OutputConfig,
    PlayoutSettings,
    ReportSettings,
    Priority,
    RepeatRule,
    Slot,
    SourceRef,
    SpeechSettings,
    Status,
    Zone,
    ZoneSwitchConfig,
)
from broadcaster.outputs import KINDS as OUTPUT_KINDS
from broadcaster.streams import AlertSettings, MonitorSettings
from broadcaster.zones import SWITCHES

__all__ = ["BULLETIN_FIELDS", "KNOWN_ENGINES", "MAX_TEXT_CHARS", "STATION_FIELDS", "walk"]

# fmt: off
# The tables below are data, one key per entry: kept compact on purpose (a formatter would triple them).
# Speech sits above config, so the engine names are written here once; tests/speech/test_engines.py fails when
# they differ from the registry (broadcaster.speech.engines.ENGINES).
KNOWN_ENGINES = ("gtts", "espeak")
MAX_TEXT_CHARS = 20000  # about 20 minutes read aloud: longer texts should be split


@dataclass(frozen=True)
class Timezone(FieldType):
    doc_type = "IANA timezone"

    def parse(self, node: YNode, path: str, ctx: Context) -> str:
        name = Str().parse(node, path, ctx)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"'{name}' không phải múi giờ (ở Việt Nam dùng {DEFAULT_TIMEZONE})") from None
        return name


@dataclass(frozen=True)
class Targets(ListOf):
    """Zone ids; 'all' / 'tất cả' (or nothing) means every zone."""

    def parse(self, node: YNode, path: str, ctx: Context) -> tuple[Any, ...]:
        if node.kind == "scalar" and fold(node.raw) in ("all", "tat ca", "toan xa"):
            return ()
        return super().parse(node, path, ctx)


ZONE_SWITCH_FIELDS = (
    Field("kind", Choice(tuple(SWITCHES), {"không": "none"}), "How zone relays are switched: "
          "`none` (all villages always on), `command` (shell commands), `serial` (USB relay board).", "none",
          "cách bật/tắt loa từng thôn", "serial"),
    Field("on_command", Str(), "`command` kind: shell command that switches a relay on; `{relay}` and `{zone}` "
          "are substituted.", None, "lệnh bật", "usbrelay BITFT_{relay}=1", nullable=True),
    Field("off_command", Str(), "`command` kind: shell command that switches a relay off.", None, "lệnh tắt",
          "usbrelay BITFT_{relay}=0", nullable=True),
    Field("port", Str(), "`serial` kind: serial port of the relay board.", None, "cổng nối tiếp", "/dev/ttyUSB0",
          nullable=True),
    Field("baud", Int(min=300, max=921600), "`serial` kind: baud rate.", 9600, "tốc độ baud", "9600"),
    Field("on_bytes", Str(), "`serial` kind: bytes (hex) that switch relay `{relay}` on; `{checksum}` is the low "
          "byte of the sum of the preceding bytes.", "A0 {relay} 01 {checksum}", "mã bật", "A0 {relay} 01 {checksum}"),
    Field("off_bytes", Str(), "`serial` kind: bytes (hex) that switch relay `{relay}` off.",
          "A0 {relay} 00 {checksum}", "mã tắt", "A0 {relay} 00 {checksum}"),
    Field("amplifier_relay", Int(min=1, max=64), "Relay that powers the amplifier; empty = amplifier always on.",
          None, "rơ-le nguồn âm ly", "8", nullable=True),
    Field("warmup_seconds", Float(min=0, max=60), "Wait after the amplifier is switched on, before sound.", 2.0,
          "thời gian chờ âm ly", "3"),
    Field("settle_seconds", Float(min=0, max=10), "Wait after switching zone relays between items.", 0.1,
          "thời gian chờ rơ-le", "0.2"),
)

OUTPUT_FIELDS = (
    Field("kind", Choice(OUTPUT_KINDS), "Where the sound goes: `auto` (the "
          "sound card, or files when there is none), `sounddevice`, `command`, `file` (dry run), `null`.", "auto",
          "đầu ra âm thanh", "auto"),
    Field("device", Str(), "Sound device name or number (`sounddevice`), or `{device}` in `command`.", None,
          "thiết bị âm thanh", "USB Audio", nullable=True),
    Field("command", Str(), "`command` kind: player command; `{file}` and `{device}` are substituted.", None,
          "lệnh phát", "aplay -q -D {device} {file}", nullable=True),
    Field("directory", Str(), "`file` kind: where aired audio is written (relative to the station directory); "
          "default `<state_dir>/aired`.", None, "thư mục ghi", "../var/aired", nullable=True),
    Field("zone_switch", Section(ZONE_SWITCH_FIELDS, ZoneSwitchConfig), "How this output switches village "
          "zones and the amplifier.", None, "bộ chuyển vùng loa"),
)

ZONE_FIELDS = (
    Field("name", Str(), "Village name as announced and shown.", REQUIRED, "tên thôn", "Thôn Đông Hưng"),
    Field("output", Identifier(), "Output (amplifier chain) that feeds this village.", "main", "đầu ra", "main"),
    Field("relay", Int(min=1, max=64), "Relay channel (1-based) on the output's zone switch; empty = always on.",
          None, "số rơ-le", "2", nullable=True),
)

TOPIC_FIELDS = (
    Field("name", Str(), "The topic's name as the officer reads it (log, desk).", REQUIRED, "tên chủ đề",
          "Phòng chống thiên tai"),
)

SLOT_FIELDS = (
    Field("name", Str(), "Session name as announced.", REQUIRED, "tên buổi phát", "Buổi sáng"),
    Field("start", TimeOfDay(), "Start time, HH:MM (write it in quotes: \"06:30\").", REQUIRED, "giờ bắt đầu",
          '"06:30"'),
    Field("max_minutes", Int(min=1, max=240), "Maximum length in minutes (openings and chimes included).",
          REQUIRED, "thời lượng tối đa (phút)", "30"),
    Field("days", Weekdays(), "Weekdays the session airs: `[T2, T4, T6]`, `T2-T6`, `hằng ngày`, or `mon..sun`.",
          frozenset(range(7)), "các ngày phát", "[T2, T3, T4, T5, T6, T7]"),
    Field("zones", Targets(Identifier()), "Villages this session serves; empty = all.", (), "các thôn",
          "[tien-phong, dong-hung]"),
    Field("relay", OptionalSection(RELAY_FIELDS, relay), "A stream relayed live at the start of the session (tiếp "
          "âm VOV or the provincial station); the session's bulletins follow it.", None, "tiếp âm"),
)

WINDOW_FIELDS = (
    Field("start", TimeOfDay(), "Earliest time a session may start.", time(6, 0), "giờ sớm nhất", '"06:00"'),
    Field("end", TimeOfDay(), "Latest time a session may end.", time(21, 0), "giờ muộn nhất", '"21:00"'),
)

CAPS_FIELDS = (
    Field("max_sessions_per_day", Int(min=1, max=24), "Most sessions on any one day.", 3,
          "số buổi phát tối đa mỗi ngày", "3"),
    Field("max_minutes_per_session", Int(min=1, max=240), "Longest allowed session, in minutes.", 45,
          "thời lượng tối đa mỗi buổi (phút)", "45"),
)

SPEECH_FIELDS = (
    Field("engines", ListOf(Choice(KNOWN_ENGINES)), "Speech engines in fallback order: `gtts` (natural voice, "
          "needs internet), `espeak` (offline).", ("gtts", "espeak"), "thứ tự bộ đọc", "[gtts, espeak]"),
    Field("voice", Str(), "eSpeak NG voice.", "vi", "giọng đọc", "vi"),
    Field("gtts_tld", Str(), "Google domain gTTS uses (`com.vn` gives the Vietnamese voice).", "com.vn",
          "tên miền gTTS", "com.vn"),
    Field("gtts_timeout", Float(min=1, max=120), "Seconds to wait for each gTTS request.", 10.0,
          "thời gian chờ mạng (giây)", "10"),
    Field("gtts_retries", Int(min=0, max=10), "Retries after a gTTS error (429/5xx), with backoff.", 3,
          "số lần thử lại", "3"),
    Field("gtts_concurrency", Int(min=1, max=16), "gTTS requests in flight at once.", 4, "số yêu cầu song song",
          "4"),
    Field("speed", Float(min=0.5, max=2.0), "Reading speed, 1.0 = normal.", 1.0, "tốc độ đọc", "0.9"),
    Field("pitch", Int(min=0, max=99), "eSpeak pitch, 0-99.", 50, "cao độ giọng", "50"),
    Field("pronunciations", Str(), "The station's pronunciation dictionary, relative to the station directory.",
          "pronunciations.yaml", "từ điển cách đọc", "pronunciations.yaml", nullable=True),
    Field("number_reading", Choice(("nghìn linh", "ngàn lẻ", "nghìn lẻ", "ngàn linh")), "Regional number words: "
          "`nghìn linh` (northern: một nghìn, một trăm linh năm) or `ngàn lẻ` (southern), or a mix.", "nghìn linh",
          "cách đọc số", '"ngàn lẻ"'),
)

AUDIO_FIELDS = (
    Field("loudness_lufs", Float(min=-40, max=-5), "Integrated loudness target (EBU R128), LUFS.", -16.0,
          "độ lớn chuẩn", "-16"),
    Field("true_peak_db", Float(min=-10, max=0), "True-peak ceiling, dBTP.", -1.0, "mức đỉnh tối đa", "-1"),
    Field("sample_rate", Choice(("16000", "22050", "32000", "44100", "48000"), convert=int), "Sample rate of "
          "built audio, Hz.", 44100, "tần số lấy mẫu", "44100"),
    Field("voice_band", Band(), "Band-pass filter for horn loudspeakers, `[low, high]` Hz, or `off`.",
          (200, 7000), "lọc dải tần loa nén", "[200, 7000]", nullable=True),
    Field("pause_seconds", Float(min=0, max=10), "Silence between items, seconds.", 1.0, "khoảng lặng giữa tin",
          "1.5"),
    Field("max_bulletin_minutes", Float(min=1, max=180), "Longest recorded bulletin `check` accepts, minutes "
          "(a whole meeting recorded by mistake is refused before it reaches the station).", 30.0,
          "độ dài tối đa của bản ghi âm", "20"),
    Field("opening", Str(), "The station's own opening jingle (relative to the station directory); empty = "
          "generated.", None, "nhạc hiệu mở đầu", "../audio/jingles/nhac-hieu.mp3", nullable=True),
    Field("closing", Str(), "The station's own closing jingle; empty = generated.", None, "nhạc kết thúc",
          "../audio/jingles/ket-thuc.mp3", nullable=True),
    Field("chime", Str(), "Chime between items; empty = generated.", None, "tiếng chuông chuyển tin",
          "../audio/jingles/chuong.wav", nullable=True),
    Field("attention", Str(), "Attention tone before an emergency; empty = generated.", None,
          "tín hiệu báo khẩn", "../audio/jingles/bao-khan.wav", nullable=True),
)

PLAYOUT_FIELDS = (
    Field("grace_minutes", Float(min=0, max=120), "A session late by less than this (e.g. after a power cut) "
          "still airs, once; later it is logged `missed`.", 5.0, "thời gian cho phép trễ (phút)", "5"),
    Field("emergency_repeat", Int(min=1, max=10), "Times an emergency message is aired.", 2,
          "số lần phát tin khẩn", "3"),
    Field("after_emergency", Choice(("resume", "skip"), {"tiếp tục": "resume", "bỏ qua": "skip"}),
          "What happens to the programme an emergency interrupted.", "resume", "sau tin khẩn", "resume"),
    Field("render_ahead_hours", Int(min=1, max=168), "How far ahead programmes are built.", 24,
          "chuẩn bị trước (giờ)", "24"),
)

REPORT_FIELDS = (
    Field("issuer", Str(), "Issuing body at the report's top left; default `ỦY BAN NHÂN DÂN XÃ <COMMUNE>`.", "",
          "cơ quan ban hành", "ỦY BAN NHÂN DÂN XÃ TIỀN PHONG"),
    Field("parent", Str(), "Body above the issuer, printed above it (usually empty for a commune).", "",
          "cơ quan chủ quản", ""),
    Field("symbol", Str(), "Document symbol after `Số: …/` (the number is written in by hand when registered).",
          "BC-UBND", "ký hiệu văn bản", "BC-UBND"),
    Field("place", Str(), "Place name before the date; default the commune.", "", "địa danh", "Tiền Phong"),
    Field("recipients", ListOf(Str()), "“Nơi nhận”, one per list item (a YAML list: names contain commas); "
          "default the province's department in charge of grassroots information and the commune's leaders.",
          (), "nơi nhận", "[\"Sở Văn hóa, Thể thao và Du lịch tỉnh Hưng Yên\", \"Lưu: VT\"]"),
    Field("authority", Str(), "Line above the signer's title.", "TM. ỦY BAN NHÂN DÂN", "thẩm quyền ký",
          "KT. CHỦ TỊCH"),
    Field("signer_title", Str(), "Signer's title.", "CHỦ TỊCH", "chức vụ người ký", "PHÓ CHỦ TỊCH"),
    Field("signer_name", Str(), "Signer's name (empty: written in by hand).", "", "họ tên người ký",
          "Nguyễn Văn An"),
)


DESK_FIELDS = (
    Field("four_eyes", Bool(), "An approver may not approve a bulletin they wrote or last edited in the desk. "
          "Switch off only at a one-person station (every approval then records that it was off).", True,
          "bốn mắt (người viết không tự duyệt)", "true"),
    Field("editors_may_air", Bool(), "Editors (biên tập) may also use \"Phát ngay\" and \"Phát khẩn cấp\" in the desk; "
          "by default only approvers and administrators may.", False, "biên tập viên được phát ngay", "true"),
)


def _zone(key: str, line: int, v: dict[str, Any]) -> Zone:
    return Zone(id=key, **v)


def _topic(key: str, line: int, v: dict[str, Any]) -> tuple[str, str]:
    return key, v["name"]


def _slot(key: str, line: int, v: dict[str, Any]) -> Slot:
    return Slot(id=key, source=SourceRef("", line), **v)  # config fills in the file name


def _output(key: str, line: int, v: dict[str, Any]) -> OutputConfig:
    v = dict(v)
    if v.get("zone_switch") is None:
        v["zone_switch"] = ZoneSwitchConfig()
    return OutputConfig(id=key, **v)


STATION_FIELDS = (
    Field("name", Str(), "Station name, announced in the identification.", REQUIRED, "tên đài",
          "Đài truyền thanh xã Tiền Phong"),
    Field("commune", Str(), "Commune name.", REQUIRED, "tên xã", "Tiền Phong"),
    Field("district", Str(), "District (optional: since 1 July 2025 there is no district level).", "", "huyện",
          "Ân Thi"),
    Field("province", Str(), "Province.", "", "tỉnh", "Hưng Yên"),
    Field("timezone", Timezone(), "Timezone of all times in these files.", DEFAULT_TIMEZONE, "múi giờ",
          DEFAULT_TIMEZONE),
    Field("state_dir", Str(), "Where the log database, caches and built programmes live (relative to the "
          "station directory); default `../var`.", None, "thư mục dữ liệu", "../var", nullable=True),
    Field("outputs", MapOf(OUTPUT_FIELDS, _output), "Amplifier chains by id; default one output `main` of kind "
          "`auto`.", (OutputConfig(),), "đầu ra / âm ly"),
    Field("zones", MapOf(ZONE_FIELDS, _zone, shorthand="name"), "Villages (loudspeaker zones) by id; "
          "`tien-phong: Thôn Tiền Phong` is short for a zone with only a name.", REQUIRED, "thôn / cụm loa"),
    Field("slots", MapOf(SLOT_FIELDS, _slot), "Broadcast sessions by id.", REQUIRED, "buổi phát"),
    Field("window", Section(WINDOW_FIELDS, BroadcastWindow), "Hours when scheduled broadcasting is allowed.",
          None, "khung giờ được phát"),
    Field("caps", Section(CAPS_FIELDS, Caps), "Provincial limits (emergencies are exempt).", None,
          "giới hạn của tỉnh"),
    Field("days_off", DateList(), "Days without scheduled sessions (holidays): dates or ranges "
          "`2026-02-14..2026-02-20`.", (), "ngày nghỉ phát", "[2026-04-30, 2026-05-01]"),
    Field("speech", Section(SPEECH_FIELDS, SpeechSettings), "Text-to-speech settings.", None, "giọng đọc"),
    Field("audio", Section(AUDIO_FIELDS, AudioSettings), "Sound of built programmes.", None, "âm thanh"),
    Field("playout", Section(PLAYOUT_FIELDS, PlayoutSettings), "Airing behaviour.", None, "phát sóng"),
    Field("report", Section(REPORT_FIELDS, ReportSettings), "Heading, recipients and signer of the periodic "
          "report (docs/reports.md).", None, "báo cáo định kỳ"),
    Field("desk", Section(DESK_FIELDS, DeskSettings), "The officer's desk (`broadcaster serve`): approval "
          "rules.", None, "bàn làm việc"),
    Field("topics", MapOf(TOPIC_FIELDS, _topic, shorthand="name"), "Vietnamese names of the bulletins' topics by "
          "the id bulletins write (`phong-chong-thien-tai: Phòng chống thiên tai`); a topic not named here is shown "
          "as written. Optional.", (), "chủ đề"),
    Field("live", Section(LIVE_FIELDS, LiveSettings), "Live announcements from the station's microphone "
          "(`broadcaster live`, docs/runner.md).", None, "thông báo trực tiếp"),
    Field("archive", Section(ARCHIVE_FIELDS, ArchiveSettings), "The audio archive of what aired: how long it is "
          "kept, its disk budget (docs/archive.md).", None, "lưu trữ âm thanh"),
    Field("monitor", Section(MONITOR_FIELDS, MonitorSettings), "Watching the chain: dead air, clipping, relay "
          "boards and amplifier (docs/relay.md).", None, "giám sát"),
    Field("alerts", Section(ALERT_FIELDS, AlertSettings), "Warnings sent out by a command (docs/relay.md).",
          None, "gửi cảnh báo"),
)

REPEAT_FIELDS = (
    Field("every_session", Bool(), "Air in every session of every valid day.", False, "phát mọi buổi", "true"),
    Field("per_day", Int(min=1, max=10), "At most this many airings a day (ignored with every_session).", 1,
          "số lần mỗi ngày", "2"),
    Field("weekdays", Weekdays(), "Only on these weekdays.", None, "chỉ các thứ", "[T2, T5]", nullable=True),
    Field("dates", ListOf(DateValue()), "Only on these dates.", None, "chỉ các ngày", "[2026-12-01, 15/12/2026]",
          nullable=True),
    Field("slots", ListOf(Identifier()), "Only in these sessions (slot ids).", None, "chỉ các buổi", "[sang]",
          nullable=True),
    Field("max_total", Int(min=1, max=100000), "At most this many airings in total.", None, "tổng số lần phát",
          "10", nullable=True),
)

# written as the officer writes them; matched without diacritics or case ('khan cap', 'KHẨN CẤP')
_PRIORITY_ALIASES = {"thường": "normal", "bình thường": "normal", "ưu tiên": "priority", "khẩn cấp": "emergency",
                     "khẩn": "emergency"}
_STATUS_ALIASES = {"nháp": "draft", "bản nháp": "draft", "dự thảo": "draft", "đã duyệt": "approved",
                   "duyệt": "approved"}

BULLETIN_FIELDS = (
    Field("title", Str(), "Title, shown in plans and the log (not read aloud).", REQUIRED, "tiêu đề",
          "Giới thiệu Chỉ số PAPI"),
    Field("topic", Str(), "Topic, for reports.", REQUIRED, "chủ đề", "papi"),
    Field("priority", Choice(("normal", "priority", "emergency"), _PRIORITY_ALIASES, Priority), "`normal` "
          "(`thường`), `priority` (`ưu tiên`, aired first), `emergency` (`khẩn cấp`, aired at once, never "
          "planned).", Priority.NORMAL, "mức ưu tiên", "ưu tiên"),
    Field("order", Int(min=0, max=9999), "Order among priority bulletins, lower first.", None, "thứ tự", "1",
          nullable=True),
    Field("text", Text(max_chars=MAX_TEXT_CHARS), "What is read aloud. Exactly one of `text` and `audio`.",
          None, "nội dung", "|\n  Kính thưa bà con...", nullable=True),
    Field("audio", Str(), "A pre-recorded file instead of text, relative to the station directory.", None,
          "tệp ghi âm sẵn", "../audio/recordings/thong-bao.mp3", nullable=True),
    Field("valid_from", DateValue(), "First day it may air.", None, "phát từ ngày", "2026-11-01", nullable=True),
    Field("valid_until", DateValue(), "Last day it may air.", None, "phát đến ngày", "31/12/2026",
          nullable=True),
    Field("zones", Targets(Identifier()), "Villages it goes to (zone ids); empty or `tất cả` = every village.",
          (), "các thôn nhận tin", "[dong-hung]"),
    Field("repeat", Section(REPEAT_FIELDS, RepeatRule), "How often it airs; default once a day.", None,
          "lặp lại"),
    Field("status", Choice(("draft", "approved"), _STATUS_ALIASES, Status), "`draft` (`nháp`, never aired) or "
          "`approved` (`đã duyệt`).", Status.DRAFT, "trạng thái", "approved"),
    Field("approved_by", Str(), "Who approved it (required when approved).", None, "người duyệt",
          "Nguyễn Văn Lý - Chủ tịch UBND xã", nullable=True),
    Field("approved_at", DateTimeValue(), "When it was approved.", None, "thời gian duyệt", "2026-11-20 08:00",
          nullable=True),
    Field("approved_hash", Str(), "Content key the approval was given for (written by the desk): the bulletin "
          "airs only while its text or audio, priority, dates, villages and repeat rule still give this key.",
          None, "mã nội dung đã duyệt", "sha256:3f1c…", nullable=True),
    Field("approved_account", Str(), "The desk account that approved it (written by the desk).", None,
          "tài khoản duyệt", "ly", nullable=True),
)


# fmt: on


def walk(fields: tuple[Field, ...], prefix: str = "") -> Iterator[tuple[str, Field]]:
    """Every documented key path: `zones.<id>.relay`, `window.start`, ... (for docs and their test)."""
    for f in fields:
        path = f"{prefix}{f.key}"
        yield path, f
        if isinstance(f.type, Section):
            yield from walk(f.type.fields, path + ".")
        elif isinstance(f.type, MapOf):
            yield from walk(f.type.fields, path + ".<id>.")
