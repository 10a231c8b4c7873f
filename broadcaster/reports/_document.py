"""A period report as data: the Decree 30/2020/NĐ-CP heading and ending, and the body as tables every format
(HTML, CSV, XLSX) lays out the same way, so the figures never differ between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from broadcaster.airlog import Checkpoint, LogHead, PeriodStats
from broadcaster.models import Station
from broadcaster.reports._period import Period
from broadcaster.words import fmt_date, fmt_time

__all__ = [
    "MOTTO",
    "NATION",
    "Checkpoint",
    "Heading",
    "Report",
    "Table",
    "cell_text",
    "fmt_int",
    "fmt_moment",
    "fmt_minutes",
    "fmt_percent",
    "heading",
    "place_and_date",
    "proof_lines",
    "tables",
]

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Report:
    station: Station
    period: Period
    stats: PeriodStats
    previous: PeriodStats
    head: LogHead
    issued: date
    checkpoint: Checkpoint | None = None  # the signed checkpoint written with this report
    zone_names: dict[str, str] = field(default_factory=dict)
    checkpoint_problem: str = ""  # why no checkpoint could be signed (the log was altered, the key unreadable)


@dataclass(frozen=True)
class Heading:
    parent: str
    issuer: str
    number: str
    place_date: str
    title: str
    subject: str
    recipients: tuple[str, ...]
    authority: str
    signer_title: str
    signer_name: str


@dataclass(frozen=True)
class Table:
    """One section of the body: a numbered title, column headers and rows (numbers stay numbers, for XLSX)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""


def fmt_int(n: int) -> str:
    """12.345 (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def fmt_minutes(seconds: float) -> str:
    """Minutes with one decimal and a decimal comma: 754.0 s -> '12,6'."""
    return f"{seconds / 60:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_moment(at: datetime) -> str:
    """'15:30 05/11/2026'."""
    return f"{fmt_time(at)} {fmt_date(at.date())}"


def cell_text(value: object) -> str:
    """A table cell as the officer reads it: integers with '.' thousands, minutes (floats) with a decimal comma,
    a moment as '15:30 05/11/2026'; XLSX keeps the values themselves."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, float):
        return fmt_minutes(value * 60)
    if isinstance(value, datetime):
        return fmt_moment(value)
    return str(value)


def fmt_percent(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def place_and_date(place: str, day: date) -> str:
    """Decree 30: 'Tiền Phong, ngày 01 tháng 12 năm 2026' (days below 10 and months 1, 2 with a leading zero)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def heading(report: Report) -> Heading:
    station, settings = report.station, report.station.report
    recipients = settings.recipients or (
        f"Sở Văn hóa, Thể thao và Du lịch tỉnh {station.province}" if station.province
        else "Sở Văn hóa, Thể thao và Du lịch",
        f"Thường trực Đảng ủy, HĐND, UBND xã {station.commune}",
        "Lưu: VT",
    )
    return Heading(
        parent=settings.parent.upper(),
        issuer=(settings.issuer or f"Ủy ban nhân dân xã {station.commune}").upper(),
        number=f"Số:       /{settings.symbol}",
        place_date=place_and_date(settings.place or station.commune, report.issued),
        title="BÁO CÁO",
        subject=f"Kết quả hoạt động của {station.name[:1].lower()}{station.name[1:]} {report.period.label}",
        recipients=tuple(recipients),
        authority=settings.authority,
        signer_title=settings.signer_title,
        signer_name=settings.signer_name,
    )


def _change(now: float, before: float) -> str:
    diff = now - before
    return "0" if diff == 0 else (f"+{fmt_int(int(diff))}" if diff > 0 else f"-{fmt_int(int(-diff))}")


def tables(report: Report) -> list[Table]:
    """The body, section by section, in the order the report reads."""
    s, p = report.stats, report.previous
    names = report.zone_names
    sessions = (
        ("Buổi phát theo kế hoạch", s.sessions_planned, p.sessions_planned),
        ("Đã phát đủ", s.sessions_aired, p.sessions_aired),
        ("Bị gián đoạn", s.sessions_interrupted, p.sessions_interrupted),
        ("Bị lỡ (không phát)", s.sessions_missed, p.sessions_missed),
        ("Chạy thử (không tính là đã phát)", s.sessions_test, p.sessions_test),
        ("Lượt bản tin đã phát", s.bulletins_aired, p.bulletins_aired),
        ("Tin khẩn cấp đã phát", len(s.emergencies), len(p.emergencies)),
    )
    minutes_now, minutes_before = s.seconds_on_air / 60, p.seconds_on_air / 60
    out = [
        Table(
            "1. Buổi phát và so sánh với kỳ trước",
            ("Nội dung", "Kỳ này", "Kỳ trước", "Tăng/giảm"),
            (*((label, now, before, _change(now, before)) for label, now, before in sessions),
             ("Thời lượng phát (phút, cộng các thôn)", round(minutes_now, 1), round(minutes_before, 1),
              _change(round(minutes_now), round(minutes_before)))),
            note=f"Kỳ trước: {report.period.previous().label}.",
        ),
        Table(
            "2. Lý do buổi phát bị gián đoạn hoặc bị lỡ",
            ("Lý do", "Số buổi"),
            tuple(s.reasons) or (("Không có", 0),),
        ),
        Table("3. Bản tin đã phát theo chủ đề", ("Chủ đề", "Lượt phát"),
              tuple((topic or "(không ghi chủ đề)", n) for topic, n in s.by_topic) or (("Không có", 0),)),
        Table("4. Bản tin và thời lượng phát theo thôn", ("Thôn", "Lượt bản tin", "Thời lượng (phút)"),
              tuple((names.get(z, z), n, round(secs / 60, 1)) for z, n, secs in s.by_zone)),
        Table(
            "5. Tin khẩn cấp",
            ("Thời gian", "Nội dung", "Thôn", "Số lần phát đủ"),
            tuple((e.started_at, e.title,
                   ", ".join(names.get(z, z) for z in e.zones) or "tất cả",
                   e.times_aired) for e in s.emergencies) or (("Không có", "", "", 0),),
        ),
        Table(
            "6. Giọng đọc dự phòng",
            ("Nội dung", "Số lượt"),
            (("Lượt bản tin đọc bằng giọng máy", s.spoken_airings),
             ("... trong đó bằng giọng dự phòng", s.fallback_airings),
             ("Tỷ lệ giọng dự phòng", fmt_percent(s.fallback_share))),
            note="Giọng dự phòng (eSpeak NG) dùng khi giọng trực tuyến không trả lời; nghe kém tự nhiên hơn.",
        ),
    ]
    return out


def proof_lines(report: Report) -> list[str]:
    """The sign-off block: the log's size and head hash, and the signed checkpoint, for anyone to check a copy."""
    head = report.head
    lines = [
        f"Nhật ký phát sóng có {fmt_int(head.rows)} bản ghi ({fmt_int(head.chained)} bản ghi trong chuỗi mã "
        "chống sửa đổi).",
        f"Mã cuối chuỗi: {head.head_hash or '(chưa có)'}",
    ]
    c = report.checkpoint
    if c is not None:
        lines += [f"Điểm kiểm tra có chữ ký số {c.n} của đài lúc {fmt_time(c.at)} {fmt_date(c.at.date())}: "
                  f"{fmt_int(c.rows)} bản ghi trong chuỗi, mã cuối chuỗi {c.head_hash or '(chưa có)'}; "
                  f"khóa của đài: {c.key}",
                  f"Chữ ký: {c.signature}"]
    elif report.checkpoint_problem:
        lines.append(f"Không ký được điểm kiểm tra: {report.checkpoint_problem}")
    lines.append("Kiểm tra một bản sao nhật ký: broadcaster log verify --db <bản sao> --public-key station-key.pub "
                 f"--expect {head.head_hash or '<mã cuối chuỗi>'}")
    if report.stats.test_airings:
        lines.append(f"Kỳ này có {fmt_int(report.stats.test_airings)} lượt chạy thử (ghi ra tệp, không phát ra "
                     "loa), không tính vào số đã phát.")
    if report.stats.unknown_kind_rows:
        lines.append(f"{fmt_int(report.stats.unknown_kind_rows)} lượt phát ghi trước khi nhật ký lưu loại đầu ra; "
                     "được tính là đã phát.")
    return lines
