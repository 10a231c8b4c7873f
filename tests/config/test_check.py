"""`broadcaster check` on copies of the sample commune, each broken the way an officer might break it.

Every case asserts the line the officer would read: `file:line: key: message`, and exit code 1. Runs the
real command in-process, with real ffmpeg decoding the audio files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from broadcaster.cli import main

Mutation = Callable[[Path], None]
PAPI = "bulletins/2026-papi-gioi-thieu.yaml"
NEW = "bulletins/moi.yaml"
HEAD = "title: Tin thử\ntopic: thu\nstatus: approved\napproved_by: Nguyễn Văn Lý\n"  # 4 lines


def sub(file: str, old: str, new: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}: the sample changed, update the test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def write(file: str, content: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(root: Path) -> None:
        for m in mutations:
            m(root)

    return mutate


# (id, mutation, file, line: text found on the reported line | None (no line) | ... (any line), key, message part)
CASES = [
    (
        "bad-time",
        sub("station.yaml", 'start: "06:30"', 'start: "25:00"'),
        "station.yaml",
        'start: "25:00"',
        "slots.sang.start",
        "'25:00' không phải giờ hợp lệ (dạng HH:MM, ví dụ 06:30)",
    ),
    (
        "unknown-key",
        sub(PAPI, "valid_until:", "valid_untill:"),
        PAPI,
        "valid_untill:",
        "valid_untill",
        "có phải ý bạn là 'valid_until'?",
    ),
    ("malformed-yaml", sub(PAPI, "title: Chỉ số", "title: [Chỉ số"), PAPI, ..., "", "lỗi cú pháp YAML"),
    (
        "wrong-type",
        sub("station.yaml", "max_minutes: 30", "max_minutes: ba mươi"),
        "station.yaml",
        "max_minutes: ba mươi",
        "slots.sang.max_minutes",
        "'ba mươi' không phải số nguyên",
    ),
    (
        "section-not-mapping",
        sub("station.yaml", 'window:\n  start: "06:00"\n  end: "21:00"', "window: cả ngày"),
        "station.yaml",
        "window: cả ngày",
        "window",
        "phải là một nhóm mục",
    ),
    (
        "unknown-zone",
        sub(PAPI, "zones: tất cả", "zones: [dong-hungg]"),
        PAPI,
        "zones: [dong-hungg]",
        "zones",
        "không có thôn 'dong-hungg' trong station.yaml; có phải ý bạn là 'dong-hung'?",
    ),
    (
        "until-before-from",
        sub(PAPI, "valid_until: 2027-12-31", "valid_until: 31/12/2025"),
        PAPI,
        "valid_until: 31/12/2025",
        "valid_until",
        "ngày kết thúc 31/12/2025 đứng trước ngày bắt đầu 15/01/2026",
    ),
    (
        "impossible-date",
        sub(PAPI, "valid_from: 2026-01-15", "valid_from: 2026-02-30"),
        PAPI,
        "valid_from:",
        "valid_from",
        "không phải ngày có thật",
    ),
    (
        "window-end-before-start",
        sub("station.yaml", 'end: "21:00"', 'end: "05:00"'),
        "station.yaml",
        'end: "05:00"',
        "window.end",
        "giờ kết thúc khung phát 05:00 phải sau giờ bắt đầu 06:00",
    ),
    ("empty-text", write(NEW, HEAD + 'text: "  "\n'), NEW, 'text: "  "', "text", "nội dung bản tin trống"),
    (
        "text-and-audio",
        write(NEW, HEAD + "text: Xin chào\naudio: ../audio/recordings/thong-bao-tiem-chung.mp3\n"),
        NEW,
        "audio:",
        "audio",
        "chỉ dùng một trong hai",
    ),
    ("neither-text-nor-audio", write(NEW, HEAD), NEW, "title: Tin thử", "text", "thiếu nội dung"),
    (
        "missing-audio",
        write(NEW, HEAD + "audio: ../audio/recordings/khong-co.mp3\n"),
        NEW,
        "audio:",
        "audio",
        "không tìm thấy tệp âm thanh",
    ),
    (
        "corrupt-audio",
        both(
            write("../audio/recordings/hong.mp3", b"ID3\x03\x00" + bytes(range(256)) * 40),
            write(NEW, HEAD + "audio: ../audio/recordings/hong.mp3\n"),
        ),
        NEW,
        "audio:",
        "audio",
        "tệp âm thanh 'hong.mp3' hỏng hoặc không đọc được",
    ),
    (
        "200kb-text",
        write(NEW, HEAD + "text: " + "Kính thưa bà con nhân dân. " * 7500 + "\n"),
        NEW,
        "text:",
        "text",
        "tối đa 20.000 ký tự: bản tin được đọc trên loa, hãy tách thành nhiều bản tin ngắn",
    ),
    (
        "non-utf8",
        write(NEW, b"title: Tin thu\ntopic: thu\ntext: Th\xf4ng b\xe1o h\xf4m nay\n"),
        NEW,
        "text: Th",
        "",
        "ký tự không phải UTF-8",
    ),
    (
        "duplicate-id",
        write("bulletins/2026-papi-gioi-thieu.yml", "title: Bản sao\ntopic: papi\ntext: x\n"),
        "bulletins/2026-papi-gioi-thieu.yml",
        "title: Bản sao",
        "",
        "trùng mã bản tin '2026-papi-gioi-thieu'",
    ),
    (
        "duplicate-key",
        sub(PAPI, "topic: papi\n", "topic: papi\ntopic: dich-vu-cong\n"),
        PAPI,
        "topic: dich-vu-cong",
        "topic",
        "bị khai báo hai lần",
    ),
    (
        "approved-without-approver",
        sub(PAPI, "approved_by: Nguyễn Văn Lý - Chủ tịch UBND xã\n", ""),
        PAPI,
        "status: approved",
        "approved_by",
        "bản tin đã duyệt cần ghi người duyệt",
    ),
    (
        "missing-title",
        sub(PAPI, "title: Chỉ số PAPI là gì và vì sao quan trọng\n", ""),
        PAPI,
        "topic: papi",
        "title",
        "thiếu giá trị: cần ghi title",
    ),
    (
        "bad-priority",
        sub(PAPI, "priority: normal", "priority: gấp"),
        PAPI,
        "priority: gấp",
        "priority",
        "'gấp' không hợp lệ, chọn một trong: normal (thường), priority (ưu tiên), emergency (khẩn cấp)",
    ),
    (
        "bad-weekday",
        sub(PAPI, "weekdays: [T2, T5]", "weekdays: [T2, T8]"),
        PAPI,
        "weekdays: [T2, T8]",
        "repeat.weekdays",
        "'T8' không phải thứ trong tuần",
    ),
    (
        "unknown-slot",
        sub("bulletins/2026-papi-tra-loi-khao-sat.yaml", "slots: [chieu]", "slots: [chieuu]"),
        "bulletins/2026-papi-tra-loi-khao-sat.yaml",
        "slots: [chieuu]",
        "repeat.slots",
        "không có buổi phát 'chieuu' trong station.yaml; có phải ý bạn là 'chieu'?",
    ),
    (
        "bad-file-name",
        write("bulletins/Thông báo.yaml", "title: T\ntopic: t\ntext: x\n"),
        "bulletins/Thông báo.yaml",
        "title: T",
        "",
        "đổi tên thành chữ thường không dấu",
    ),
    (
        "before-window",
        sub("station.yaml", 'start: "06:30"', 'start: "04:30"'),
        "station.yaml",
        'start: "04:30"',
        "slots.sang.start",
        "buổi phát từ 04:30 đến 05:00 nằm ngoài khung giờ được phát 06:00-21:00",
    ),
    (
        "past-window-end",
        sub("station.yaml", 'start: "17:00"', 'start: "20:45"'),
        "station.yaml",
        'start: "20:45"',
        "slots.chieu.start",
        "từ 20:45 đến 21:15 nằm ngoài khung giờ",
    ),
    (
        "over-session-cap",
        sub("station.yaml", "max_minutes: 30", "max_minutes: 60"),
        "station.yaml",
        "max_minutes: 60",
        "slots.sang.max_minutes",
        "60 phút vượt giới hạn 45 phút mỗi buổi",
    ),
    (
        "over-daily-cap",
        sub("station.yaml", "max_sessions_per_day: 3", "max_sessions_per_day: 1"),
        "station.yaml",
        "slots:",
        "slots",
        "thứ Hai có 2 buổi phát, vượt giới hạn 1 buổi mỗi ngày",
    ),
    (
        "overlapping-sessions",
        sub("station.yaml", 'start: "17:00"', 'start: "06:45"'),
        "station.yaml",
        'start: "06:45"',
        "slots.chieu.start",
        "trùng giờ với buổi 'sang'",
    ),
    (
        "bad-day-off",
        sub("station.yaml", "- 30/04/2026", "- 31/02/2026"),
        "station.yaml",
        "- 31/02/2026",
        "days_off",
        "'31/02/2026' không phải ngày có thật",
    ),
    (
        "zone-unknown-output",
        sub("station.yaml", "name: Thôn Hạ Kỳ\n", "name: Thôn Hạ Kỳ\n    output: phu\n"),
        "station.yaml",
        "output: phu",
        "zones.ha-ky.output",
        "không có đầu ra 'phu' trong mục outputs",
    ),
    (
        "duplicate-relay",
        sub("station.yaml", "relay: 6", "relay: 5"),
        "station.yaml",
        "relay: 5\n\n# Buổi",
        "zones.an-thai.relay",
        "rơ-le số 5 đã dùng cho thôn 'ha-ky'",
    ),
    (
        "serial-without-port",
        sub("station.yaml", "kind: none  ", "kind: serial"),
        "station.yaml",
        "kind: serial",
        "outputs.main.zone_switch.port",
        "cần cổng nối tiếp",
    ),
    (
        "bad-timezone",
        sub("station.yaml", "timezone: Asia/Ho_Chi_Minh", "timezone: Hanoi"),
        "station.yaml",
        "timezone: Hanoi",
        "timezone",
        "'Hanoi' không phải múi giờ",
    ),
    # hostile input (issue 8): limits of the one YAML loader, each a normal error with its line
    (
        "alias-bomb",
        write(NEW, HEAD + "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))),
        NEW,
        "e: &e",
        "",
        "bí danh (*tên) nhân bản nội dung quá lớn",
    ),
    ("self-alias", write(NEW, HEAD + "zones: &z [*z]\n"), NEW, "zones: &z", "", "trỏ vào chính mục chứa nó"),
    ("deep-nesting", write(NEW, HEAD + "zones: " + "[" * 5000 + "]" * 5000 + "\n"), NEW, "zones:", "",
     "lồng nhau quá sâu"),
    ("huge-integer", write(NEW, HEAD + "text: x\norder: " + "9" * 4400 + "\n"), NEW, "order:", "order",
     "quá lớn (4400 chữ số): tối đa là 9999"),
    ("nan-float", sub("station.yaml", "kind: none  ", "kind: none\n      warmup_seconds: .nan\n     "),
     "station.yaml", "warmup_seconds", "outputs.main.zone_switch.warmup_seconds", "'.nan' không phải số"),
    ("inf-float", sub("station.yaml", "kind: none  ", "kind: none\n      settle_seconds: 1e999\n     "),
     "station.yaml", "settle_seconds", "outputs.main.zone_switch.settle_seconds", "'1e999' không phải số"),
    ("year-9999", write(NEW, HEAD + "text: x\nvalid_until: 9999-12-31\n"), NEW, "valid_until", "valid_until",
     "năm 9999 nằm ngoài khoảng 2000–2099"),
    ("control-character-raw", write(NEW, HEAD + "text: Bà con\x07 chú ý\n"), NEW, "text:", "",
     "ký tự điều khiển không nhìn thấy (mã U+0007)"),
    ("control-character-escaped", write(NEW, HEAD + 'text: "Bà con\\x07 chú ý"\n'), NEW, "text:", "text",
     "ký tự điều khiển không nhìn thấy (mã U+0007)"),
    ("null-output-kind", sub("station.yaml", "kind: auto ", "kind: null "), "station.yaml", "kind: null",
     "outputs.main.kind", "đang để trống (hoặc null)"),
    ("too-big", write(NEW, HEAD + "# " + "x" * 1_100_000 + "\n"), NEW, None, "", "tệp quá lớn"),
    ("pronunciation-digit", sub("pronunciations.yaml", "abbreviations:\n", "abbreviations:\n  QL5: quốc lộ 5\n"),
     "pronunciations.yaml", "QL5:", "abbreviations.QL5", "có chữ số"),
    ("pronunciation-symbol", sub("pronunciations.yaml", "abbreviations:\n", "abbreviations:\n  PT: phần %\n"),
     "pronunciations.yaml", "PT:", "abbreviations.PT", "có ký hiệu '%'"),
    ("pronunciation-syntax", sub("pronunciations.yaml", "abbreviations:\n", "abbreviations: [\n"),
     "pronunciations.yaml", ..., "", "lỗi cú pháp YAML"),
]


@pytest.fixture
def project(sample_station_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the copy's project dir, so paths print as the officer sees them: schedules/..."""
    monkeypatch.chdir(sample_station_dir.parent)
    return sample_station_dir


def run_check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--station", "schedules", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def expected_line(root: Path, file: str, marker: str) -> int:
    text = (root / file).read_bytes().decode("utf-8", "replace")
    index = text.index(marker)
    return text.count("\n", 0, index) + 1


@pytest.mark.parametrize(
    ("mutation", "file", "marker", "key", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_reported_with_file_line_and_key(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    mutation: Mutation,
    file: str,
    marker: object,
    key: str,
    message: str,
) -> None:
    mutation(project)
    code, out = run_check(capsys)
    assert code == 1, out
    where = f"schedules/{file}"
    if marker is None:
        head = where
    elif marker is ...:
        head = where + ":"
    else:
        head = f"{where}:{expected_line(project, file, str(marker))}"
    prefix = f"{head}: {key}: " if key else f"{head}: "
    if marker is ...:
        assert any(line.startswith(where + ":") and message in line for line in out.splitlines()), out
    else:
        assert any(line.startswith(prefix) and message in line for line in out.splitlines()), out
    assert out.rstrip().splitlines()[-1].startswith("Có ")  # the closing summary counts the errors


def test_the_sample_commune_passes_with_notices(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(capsys)
    assert code == 0, out
    assert "Mọi tệp đều hợp lệ: 16 bản tin (14 đã duyệt, 2 bản nháp), 6 thôn, 2 buổi phát." in out
    assert "Lưu ý:" in out and "2027-papi-ke-hoach-2027.yaml:6: status: bản nháp" in out


def test_every_problem_is_reported_at_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for _id, mutation, *_rest in CASES:
        if _id in ("bad-time", "unknown-zone", "unknown-slot", "duplicate-relay", "non-utf8"):
            mutation(project)
    code, out = run_check(capsys)
    assert code == 1
    for part in (
        "'25:00' không phải giờ hợp lệ",
        "dong-hungg",
        "chieuu",
        "rơ-le số 5 đã dùng",
        "không phải UTF-8",
    ):
        assert part in out, part
    assert "Có 5 lỗi trong 4 tệp" in out
    assert "Mọi tệp đều hợp lệ" not in out


def test_a_broken_station_file_still_checks_bulletins(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write("station.yaml", "name: [\n")(project)
    sub(PAPI, "valid_until:", "valid_untill:")(project)
    code, out = run_check(capsys)
    assert code == 1
    assert "schedules/station.yaml:" in out and "lỗi cú pháp YAML" in out
    assert "valid_untill" in out


def test_a_broken_session_does_not_echo_as_notices_on_every_bulletin(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sub("station.yaml", 'start: "06:30"', 'start: "25:00"')(project)
    code, out = run_check(capsys)
    assert code == 1 and "slots.sang.start: '25:00' không phải giờ hợp lệ" in out
    assert "không buổi phát nào được phép phát tới" not in out  # one mistake, one line to fix


def test_missing_station_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run_check(capsys)
    assert code == 1
    assert "không tìm thấy tệp cấu hình đài (thư mục schedules không tồn tại)" in out


def test_no_audio_flag_skips_decoding(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(project / PAPI, project / "bulletins" / "ghi-am.yaml")
    write("../audio/recordings/hong.mp3", b"not audio at all")(project)
    write("bulletins/ghi-am.yaml", HEAD + "audio: ../audio/recordings/hong.mp3\n")(project)
    assert run_check(capsys)[0] == 1
    assert run_check(capsys, "--no-audio")[0] == 0
