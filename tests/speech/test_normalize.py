"""The normalizer reads administrative text the way a northern announcer does (cases in normalize_cases.yaml)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from broadcaster.speech._numbers import read_int, roman_to_int
from broadcaster.speech.normalize import normalize, unspeakable

HERE = Path(__file__).parent
# the commune's plan 09/KH-UBND (copied from the shared seed so a fresh clone has it)
SEED = [HERE / "seed_plan.txt"]


def _cases() -> list[tuple[str, str, str]]:
    data = yaml.safe_load((HERE / "normalize_cases.yaml").read_text(encoding="utf-8"))
    return [(group, written, spoken) for group, cases in data.items() for written, spoken in cases]


CASES = _cases()


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize(("group", "written", "spoken"), CASES, ids=[f"{g}:{w[:40]}" for g, w, _ in CASES])
def test_announcer_reading(group: str, written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize("group,written,spoken", CASES, ids=[f"{g}:{w[:40]}" for g, w, _ in CASES])
def test_expected_readings_are_themselves_speakable(group: str, written: str, spoken: str) -> None:
    # guards the table itself: an expected reading with a digit or raw abbreviation would be a wrong target
    assert unspeakable(spoken) == []


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (104, "một trăm linh bốn"),
        (1004, "một nghìn không trăm linh bốn"),
        (10_000, "mười nghìn"),
        (1_000_000_000, "một tỷ"),
        (2_001_000_000, "hai tỷ không trăm linh một triệu"),
    ],
)
def test_northern_number_reading(n: int, words: str) -> None:
    assert read_int(n) == words


@pytest.mark.parametrize(("roman", "value"), [("I", 1), ("IV", 4), ("XII", 12), ("XIII", 13), ("XXI", 21),
                                              ("IIII", None), ("VX", None), ("A", None)])
def test_roman_numerals_are_validated(roman: str, value: int | None) -> None:
    assert roman_to_int(roman) == value


def test_nfd_input_gives_the_same_reading_as_nfc() -> None:
    text = "Văn hoá - xã hội, Quý I/2024, ủy ban nhân dân"
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(text)


def test_output_is_nfc() -> None:
    out = normalize(unicodedata.normalize("NFD", "Nghị quyết số 27/NQ-HĐND về thủy lợi"))
    assert out == unicodedata.normalize("NFC", out)


def _seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in SEED:
        for line in path.read_text(encoding="utf-8").splitlines():
            sentences += [s for s in re.split(r"(?<=[.;!?])\s+", line) if s.strip()]
    return sentences


def test_nothing_unspeakable_survives_the_seed_plan() -> None:
    leaks = {}
    for sentence in _seed_sentences():
        left = unspeakable(normalize(sentence))
        if left:
            leaks[sentence] = left
    assert leaks == {}


def test_whole_seed_document_is_speakable_and_keeps_its_lines() -> None:
    text = SEED[0].read_text(encoding="utf-8")
    out = normalize(text)
    assert unspeakable(out) == []
    assert out.splitlines()[0] == "Kế hoạch số chín của ủy ban nhân dân."
    assert "thay mặt ủy ban nhân dân." in out


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("có 12 người", ["12"]),
        ("UBND xã", ["UBND"]),
        ("Văn hóa & thông tin", ["&"]),
        ("dịch vụ công chấm gờ o vê", []),
        ("Nguyễn Văn A", []),
        ("xem <en>abc</en>", ["<en>abc</en>"]),
    ],
)
def test_unspeakable_finds_what_an_engine_would_misread(text: str, found: list[str]) -> None:
    left = unspeakable(text)
    assert all(any(f in tok or tok in f for tok in left) for f in found)
    assert bool(left) == bool(found)


def test_empty_and_blank_text() -> None:
    assert normalize("") == ""
    assert normalize("  \n\n ") == ""


_FUZZ_PIECES = list("0123456789 ./-:,;%&@()[]*+–…²³°'\"hkmđĐUBNDTPAIXVLCxyzàáảạươ\n\u0301\u200b😀ⅫⅣ٣３") + [
    "UBND", "TTHC", "ngày ", "tháng ", "từ ", "số ", "Số: ", "khóa ", "Quý ", "http://", "@gmail.com", ".gov.vn",
    "0912", "7h", "/KH-UBND", "/2024", "QH13",
]


@pytest.mark.parametrize("seed", range(5))
def test_garbled_input_never_crashes_and_never_leaks(seed: int) -> None:
    import random

    rng = random.Random(seed)
    for _ in range(200):
        text = "".join(rng.choice(_FUZZ_PIECES) for _ in range(rng.randint(1, 40)))
        assert unspeakable(normalize(text)) == [], text
