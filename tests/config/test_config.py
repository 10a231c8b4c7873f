"""config: the sample commune loads into the models, values are read the way an officer writes them, and every
problem is reported at once with its file and line."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from broadcaster.config import check_station, is_error, load_bulletins, load_station
from broadcaster.config._yaml import read_yaml
from broadcaster.errors import ConfigError
from broadcaster.models import Priority, Status
from broadcaster.services.approval import migrate_approvals

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 28)

MINIMAL_STATION = """\
name: Đài truyền thanh xã Thử
commune: Thử
zones:
  thon-a: Thôn A
  thon-b: {name: Thôn B, relay: 2}
slots:
  sang:
    name: Buổi sáng
    start: "06:30"
    max_minutes: 30
"""


def make_station(tmp_path: Path, text: str = MINIMAL_STATION) -> Path:
    root = tmp_path / "schedules"
    (root / "bulletins").mkdir(parents=True)
    (root / "station.yaml").write_text(text, encoding="utf-8")
    return root


def bulletin(root: Path, name: str, body: str) -> Path:
    path = root / "bulletins" / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_sample_station_loads() -> None:
    station = load_station(ROOT / "schedules")
    assert station.name == "Đài truyền thanh xã Tiền Phong"
    assert (station.district, station.province) == ("Ân Thi", "Hưng Yên")
    assert 5 <= len(station.zones) <= 8
    assert station.zone("dong-hung").name == "Thôn Đông Hưng"
    sang, chieu = station.slot("sang"), station.slot("chieu")
    assert (sang.start, sang.max_minutes, sang.days) == (time(6, 30), 30, frozenset(range(7)))
    assert chieu.start == time(17, 0) and 6 not in chieu.days  # no Sunday afternoon
    assert sang.source is not None and sang.source.line and sang.source.file.endswith("station.yaml")
    assert (station.window.start, station.window.end) == (time(6), time(21))
    assert date(2026, 2, 17) in station.days_off and date(2026, 9, 2) in station.days_off
    assert station.outputs[0].zone_switch.kind == "none"  # runs without hardware
    assert station.root == ROOT / "schedules" and station.root.is_absolute()
    assert station.state_dir == ROOT / "var"
    assert station.speech.engines == ("gtts", "espeak") and station.speech.gtts_tld == "com.vn"


def test_sample_bulletins_are_varied_and_valid() -> None:
    station = load_station(ROOT / "schedules")
    bulletins, problems = load_bulletins(station)
    assert problems == []
    assert len(bulletins) >= 12
    by_id = {b.id: b for b in bulletins}
    assert {p.stem for p in (ROOT / "schedules" / "bulletins").glob("*.yaml")} == set(by_id)
    priorities = [b.priority for b in bulletins]
    assert priorities.count(Priority.PRIORITY) >= 2 and priorities.count(Priority.EMERGENCY) == 1
    emergency = next(b for b in bulletins if b.priority is Priority.EMERGENCY)
    assert not emergency.approved or emergency.valid_until < TODAY  # the sample never fires an alarm
    airable_today = [
        b for b in bulletins if b.approved and b.valid_on(TODAY) and b.priority is not Priority.EMERGENCY
    ]
    assert len(airable_today) >= 8
    assert any(b.valid_until and b.valid_until < TODAY and b.approved for b in bulletins)  # one expired
    assert any(len(b.zones) == 1 for b in bulletins)  # a village-specific bulletin
    assert all(b.approved_by and b.approved_at and b.approved_at.tzinfo for b in bulletins if b.approved)
    recorded = [b for b in bulletins if b.audio]
    assert recorded and all(b.audio.is_absolute() and b.audio.is_file() for b in recorded)
    for b in bulletins:
        if b.text:
            assert 80 <= len(b.text.split()) <= 250, b.id


def test_unquoted_time_and_vietnamese_values(tmp_path: Path) -> None:
    root = make_station(
        tmp_path,
        MINIMAL_STATION.replace('"06:30"', "6:30") + "  chieu:\n    name: Chiều\n"
        "    start: 17h\n    max_minutes: 20\n    days: [thứ Hai, T4, CN]\n",
    )
    bulletin(
        root,
        "tin-a",
        "title: A\ntopic: t\npriority: Ưu tiên\nstatus: đã duyệt\napproved_by: Lý\n"
        "approved_at: 20/11/2026 08:15\nvalid_from: 01/03/2026\nvalid_until: 2026-12-31\n"
        "zones: thon-a, thon-b\nrepeat:\n  weekdays: T2-T4\n  slots: [chieu]\ntext: Xin chào\n",
    )
    station = load_station(root)
    assert station.slot("sang").start == time(6, 30)  # YAML 1.1 would have read 390
    assert station.slot("chieu").start == time(17) and station.slot("chieu").days == {0, 2, 6}
    assert station.zone("thon-a").name == "Thôn A" and station.zone("thon-b").relay == 2
    [b], problems = load_bulletins(station)
    assert problems == []
    assert b.priority is Priority.PRIORITY and b.status is Status.APPROVED
    assert b.approved_at == datetime(2026, 11, 20, 8, 15, tzinfo=b.approved_at.tzinfo)
    assert str(b.approved_at.tzinfo) == "Asia/Ho_Chi_Minh"
    assert (b.valid_from, b.valid_until) == (date(2026, 3, 1), date(2026, 12, 31))
    assert b.zones == ("thon-a", "thon-b") and b.repeat.weekdays == {0, 1, 2} and b.repeat.slots == ("chieu",)
    assert b.id == "tin-a" and b.source.file.endswith("tin-a.yaml")


def test_load_station_raises_with_every_problem(tmp_path: Path) -> None:
    text = MINIMAL_STATION.replace('"06:30"', '"25:00"').replace("max_minutes: 30", "max_minutes: nhiều")
    root = make_station(tmp_path, text + "timezon: Asia/Ho_Chi_Minh\n")
    with pytest.raises(ConfigError) as info:
        load_station(root)
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 3, messages
    assert any(":9: slots.sang.start: '25:00' không phải giờ hợp lệ" in m for m in messages)
    assert any(":10: slots.sang.max_minutes: 'nhiều' không phải số nguyên" in m for m in messages)
    assert any(":11: timezon:" in m and "có phải ý bạn là 'timezone'?" in m for m in messages)


def test_missing_station_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy tệp cấu hình đài"):
        load_station(tmp_path / "khong-co")


def test_a_bad_bulletin_never_stops_the_others(tmp_path: Path) -> None:
    root = make_station(tmp_path)
    bulletin(root, "tot", "title: Tốt\ntopic: t\ntext: Nội dung\n")
    bulletin(root, "hong", "title: [chưa đóng\ntopic: t\n")
    (root / "bulletins" / "latin1.yaml").write_bytes("title: Thông báo\ntext: Xin chào\n".encode("cp1258"))
    bulletin(root, "sai-thon", "title: T\ntopic: t\nzones: [thon-c]\ntext: x\n")
    bulletins, problems = load_bulletins(load_station(root))
    assert [b.id for b in bulletins] == ["tot"]
    assert {Path(p.file).stem for p in problems} == {"hong", "latin1", "sai-thon"}
    latin = next(p for p in problems if "latin1" in p.file)
    assert latin.line == 1 and "UTF-8" in latin.message


def test_draft_is_a_notice_not_an_error(tmp_path: Path) -> None:
    root = make_station(tmp_path)
    bulletin(root, "nhap", "title: Nháp\ntopic: t\nstatus: nháp\ntext: Nội dung\n")
    problems = check_station(root, today=TODAY)
    assert len(problems) == 1 and not is_error(problems[0])
    assert problems[0].key == "status" and "bản nháp" in problems[0].message


def test_yaml_reader_keeps_lines_and_flags_duplicate_keys() -> None:
    node, problems = read_yaml(b"a: 1\nb:\n  c: '06:30'\n  d: 6:30\na: 2\n")
    assert node is not None and node.key_lines == {"a": 1, "b": 2}
    c, d = node.value["b"].value["c"], node.value["b"].value["d"]
    assert (c.line, c.raw, c.quoted) == (3, "06:30", True)
    assert (d.value, d.raw) == (390, "6:30")  # what YAML 1.1 does, and why times read `raw`
    assert len(problems) == 1 and problems[0].line == 5 and "hai lần" in problems[0].message


def test_yaml_reader_names_the_line_of_bad_bytes_and_bad_syntax() -> None:
    _node, problems = read_yaml(b"a: 1\nb: 2\nc: \xff\xfe\n")
    assert problems[0].line == 3
    _node, problems = read_yaml(b"a: 1\nb: [1, 2\nc: 3\n")
    assert problems[0].line in (2, 3, 4) and "cú pháp YAML" in problems[0].message


@pytest.mark.parametrize(
    ("written", "days"),
    [
        ("[T2, T4, T6]", {0, 2, 4}),
        ("T2-T6", {0, 1, 2, 3, 4}),
        ("hằng ngày", set(range(7))),
        ("[thứ Hai, Chủ nhật]", {0, 6}),
        ("[thu 7, CN]", {5, 6}),
        ("[mon, sunday]", {0, 6}),
        ("T7, CN", {5, 6}),
    ],
)
def test_weekday_spellings(tmp_path: Path, written: str, days: set[int]) -> None:
    root = make_station(tmp_path, MINIMAL_STATION + f"    days: {written}\n")
    assert load_station(root).slot("sang").days == days


@pytest.mark.parametrize(
    ("key", "written", "expected"),
    [
        ("priority", "thường", Priority.NORMAL),
        ("priority", "KHẨN CẤP", Priority.EMERGENCY),
        ("priority", "uu tien", Priority.PRIORITY),
        ("status", "nháp", Status.DRAFT),
        ("status", "Đã duyệt", Status.APPROVED),
        ("valid_from", "1/3/2026", date(2026, 3, 1)),
        ("valid_from", "01.03.2026", date(2026, 3, 1)),
        ("valid_from", "2026-03-01", date(2026, 3, 1)),
        ("approved_at", "08:15 20/11/2026", datetime(2026, 11, 20, 8, 15)),
        ("approved_at", "2026-11-20", datetime(2026, 11, 20)),
        ("zones", "tất cả", ()),
        ("zones", "\n  - thon-b\n  - thon-a", ("thon-b", "thon-a")),
    ],
)
def test_bulletin_value_forms(tmp_path: Path, key: str, written: str, expected: object) -> None:
    root = make_station(tmp_path)
    body = {"title": "T", "topic": "t", "text": "Nội dung", "approved_by": "Lý", key: written}
    bulletin(root, "tin", "".join(f"{k}: {v}\n" for k, v in body.items()))
    [b], problems = load_bulletins(load_station(root))
    assert problems == []
    value = getattr(b, key)
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    assert value == expected


def test_the_commented_serial_example_in_the_sample_is_valid(sample_station_dir: Path) -> None:
    """Uncommenting the relay-board example in station.yaml must give a working serial configuration."""
    path = sample_station_dir / "station.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if line.strip().startswith("kind: none"):
            continue
        if line.startswith("      # ") and ":" in line and "Khi lắp" not in line:
            line = "      " + line[len("      # ") :]
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    switch = load_station(sample_station_dir).output("main").zone_switch
    assert (switch.kind, switch.port, switch.baud, switch.amplifier_relay) == (
        "serial",
        "/dev/ttyUSB0",
        9600,
        8,
    )
    assert switch.on_bytes == "A0 {relay} 01 {checksum}" and switch.warmup_seconds == 3.0


def test_damaged_files_never_crash(sample_station_dir: Path) -> None:
    """Truncated files, flipped bytes, broken indentation, deleted lines: always problems, never an exception."""
    import random

    rng = random.Random(20261128)
    names = [
        "station.yaml",
        "bulletins/2026-papi-gioi-thieu.yaml",
        "bulletins/2026-dong-hung-hop-thon-lam-duong.yaml",
    ]
    originals = {n: (sample_station_dir / n).read_bytes() for n in names}
    for _ in range(80):
        name = rng.choice(names)
        data = bytearray(originals[name])
        op = rng.randrange(4)
        lines = bytes(data).split(b"\n")
        if op == 0:
            data = data[: rng.randrange(len(data))]
        elif op == 1:
            for _flip in range(rng.randrange(1, 5)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 2:
            j = rng.randrange(len(lines))
            data = bytearray(b"\n".join([*lines[:j], b"  " + lines[j], *lines[j + 1 :]]))
        else:
            del lines[rng.randrange(len(lines))]
            data = bytearray(b"\n".join(lines))
        (sample_station_dir / name).write_bytes(bytes(data))
        problems = check_station(sample_station_dir, today=TODAY, decode_audio=False)
        assert all(p.file and p.message for p in problems)
        (sample_station_dir / name).write_bytes(originals[name])


def test_notice_when_no_session_reaches_a_target_village(tmp_path: Path) -> None:
    root = make_station(tmp_path, MINIMAL_STATION + "    zones: [thon-a]\n")
    bulletin(
        root,
        "chi-b",
        "title: B\ntopic: t\nzones: [thon-b]\ntext: Nội dung\nstatus: approved\napproved_by: Lý\n",
    )
    bulletin(
        root,
        "chi-a",
        "title: A\ntopic: t\nzones: [thon-a]\ntext: Nội dung\nstatus: approved\napproved_by: Lý\n",
    )
    migrate_approvals(root)
    problems = check_station(root, today=TODAY)
    assert [(Path(p.file).stem, p.line, p.key, is_error(p)) for p in problems] == [
        ("chi-b", 3, "zones", False)
    ]
    assert "thôn thon-b" in problems[0].message
