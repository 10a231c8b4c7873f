"""The officer's pronunciations.yaml overrides the built-in dictionary; a broken one is reported file:line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from broadcaster.errors import ConfigError
from broadcaster.models import SpeechSettings, Station
from broadcaster.speech.normalize import builtin_path, check_dictionary, load_dictionary, normalize

ROOT = Path(__file__).resolve().parents[2]


def _station(root: Path, pronunciations: str | None = "pronunciations.yaml") -> Station:
    return Station(name="Đài truyền thanh xã Tiền Phong", commune="Tiền Phong", root=root,
                   speech=SpeechSettings(pronunciations=pronunciations))


def _write(root: Path, text: str, name: str = "pronunciations.yaml") -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_and_sample_dictionaries_are_clean() -> None:
    assert check_dictionary(builtin_path()) == []
    assert check_dictionary(ROOT / "schedules" / "pronunciations.yaml") == []


def test_station_entry_wins_over_builtin(tmp_path: Path) -> None:
    _write(tmp_path, "abbreviations:\n  TTHC: thủ tục hành chính công\nwords:\n  zalo: da lố\n")
    d = load_dictionary(_station(tmp_path))
    assert normalize("giải quyết TTHC qua Zalo", d) == "giải quyết thủ tục hành chính công qua da lố"
    # the built-in reading is untouched for everyone else
    assert normalize("giải quyết TTHC qua Zalo") == "giải quyết thủ tục hành chính qua da lô"


def test_station_adds_new_abbreviations_and_keeps_builtin_ones(tmp_path: Path) -> None:
    _write(tmp_path, "abbreviations:\n  HTXDVNN: hợp tác xã dịch vụ nông nghiệp\n")
    d = load_dictionary(_station(tmp_path))
    assert normalize("HTXDVNN và UBND xã", d) == "hợp tác xã dịch vụ nông nghiệp và ủy ban nhân dân xã"


def test_station_context_rule_replaces_builtin_rules(tmp_path: Path) -> None:
    _write(tmp_path, "context:\n  TT:\n    - after: '^\\s+Phong'\n      read: thôn Tây\n    - read: trung tâm\n")
    d = load_dictionary(_station(tmp_path))
    assert normalize("TT Phong", d) == "thôn Tây Phong"
    assert normalize("TT Ân Thi", d) == "trung tâm Ân Thi"


def test_station_url_words(tmp_path: Path) -> None:
    _write(tmp_path, "url_words:\n  tienphong: xã Tiền Phong\n")
    d = load_dictionary(_station(tmp_path))
    assert normalize("tienphong.gov.vn", d) == "xã Tiền Phong chấm gờ o vê chấm vê en"


def test_missing_or_unset_station_file_means_builtin(tmp_path: Path) -> None:
    assert normalize("PAPI", load_dictionary(_station(tmp_path))) == "pa pi"
    _write(tmp_path, "abbreviations:\n  PAPI: chỉ số pa pi\n")
    assert normalize("PAPI", load_dictionary(_station(tmp_path, pronunciations=None))) == "pa pi"
    assert normalize("PAPI", load_dictionary(None)) == "pa pi"


def test_edited_file_is_picked_up(tmp_path: Path) -> None:
    path = _write(tmp_path, "abbreviations:\n  BQL: ban quản lý\n")
    assert normalize("BQL", load_dictionary(_station(tmp_path))) == "ban quản lý"
    path.write_text("abbreviations:\n  BQL: ban quản lý dự án\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert normalize("BQL", load_dictionary(_station(tmp_path))) == "ban quản lý dự án"


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("abbreviations:\n  UBND: ủy ban\n  BQL ban quản lý\n  X: [\n", 4, "", "cú pháp YAML"),
        ("abbreviations:\n  BQL:\n", 2, "abbreviations.BQL", "để trống"),
        ("abbreviations:\n  BQL: \"  \"\n", 2, "abbreviations.BQL", "để trống"),
        ("abbreviations:\n  QL1: quốc lộ 1\n", 2, "abbreviations.QL1", "chữ số"),
        ("abbreviations:\n  - BQL\n", 2, "abbreviations", "VIẾT TẮT: cách đọc"),
        ("abbreviations:\n  BQL: [ban, quản lý]\n", 2, "abbreviations.BQL", "một dòng chữ"),
        ("\nabbreviation:\n  BQL: ban quản lý\n", 2, "abbreviation", "'abbreviations'"),
        ("context:\n  TT:\n    - after: '(('\n      read: trung tâm\n", 3, "context.TT[1].after", "mẫu"),
        ("context:\n  TT:\n    - after: 'x'\n", 3, "context.TT[1]", "thiếu 'read'"),
        ("context:\n  TT: trung tâm\n", 2, "context.TT", "danh sách quy tắc"),
        ("abbreviations:\n  BQL: ban quản lý\n  BQL: ban quản lý dự án\n", 3, "abbreviations.BQL", "hai lần"),
        ("- BQL\n", 1, "", "các mục"),
    ],
)
def test_bad_file_gives_file_line_key_and_a_vietnamese_fix(tmp_path: Path, text: str, line: int, key: str,
                                                             words: str) -> None:
    path = _write(tmp_path, text)
    problems = check_dictionary(path)
    assert any(p.line == line and p.key == key and words in p.message and p.file == str(path) for p in problems), \
        problems


def test_non_utf8_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "pronunciations.yaml"
    path.write_bytes("abbreviations:\n  BQL: ban quản lý\n".encode("utf-16"))
    problems = check_dictionary(path)
    assert problems and "UTF-8" in problems[0].message


def test_good_entries_survive_beside_bad_ones(tmp_path: Path) -> None:
    _write(tmp_path, "abbreviations:\n  BQL: ban quản lý\n  NVH:\n")
    assert [p.key for p in check_dictionary(tmp_path / "pronunciations.yaml")] == ["abbreviations.NVH"]


def test_load_dictionary_refuses_a_broken_station_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "abbreviations:\n  BQL:\n")
    with pytest.raises(ConfigError) as err:
        load_dictionary(_station(tmp_path))
    assert f"{path}:2: abbreviations.BQL:" in str(err.value)


@pytest.mark.parametrize(("setting", "spoken"), [
    (None, "một trăm linh năm người, một nghìn không trăm linh năm hộ"),
    ("ngàn lẻ", "một trăm lẻ năm người, một ngàn không trăm lẻ năm hộ"),
    ("nghin le", "một trăm lẻ năm người, một nghìn không trăm lẻ năm hộ"),  # typed without diacritics
])
def test_regional_number_words_follow_the_station_setting(sample_station_dir: Path, tmp_path: Path,
                                                          setting: str | None, spoken: str) -> None:
    import shutil

    from broadcaster.config import load_station

    root = tmp_path / "schedules"
    shutil.copytree(sample_station_dir, root)
    if setting:
        text = (root / "station.yaml").read_text(encoding="utf-8")
        text = text.replace("\nspeech:\n", f"\nspeech:\n  number_reading: {setting}\n", 1)
        assert setting in text, "sample station.yaml has no speech: section to extend"
        (root / "station.yaml").write_text(text, encoding="utf-8")
    assert normalize("105 người, 1.005 hộ", load_dictionary(load_station(root))) == spoken
