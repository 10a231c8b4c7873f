"""Properties of the normalizer that hold for every input, checked with hypothesis: numbers and dates read back
to what was written (through an independent words->number parser, tests/speech/vi_words.py), and no text, however
garbled, makes it crash or leak a digit or a bare symbol to the speech engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from vi_words import parse_date, parse_number

from broadcaster.models import SpeechSettings, Station
from broadcaster.speech.normalize import load_dictionary, normalize, unspeakable

LIMIT = 10**15
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def grouped(n: int) -> str:
    """An integer as Vietnamese notices write it: dots between thousands ("-1.234.567")."""
    return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", ".")


@PROPERTY
@given(st.integers(min_value=-LIMIT, max_value=LIMIT))
@example(0).via("zero")
@example(LIMIT).via("the largest")
@example(-1_000_005).via("inner zero groups")
@example(2_001_000_000).via("zero hundreds after a billion")
def test_every_integer_reads_back(n: int) -> None:
    spoken = normalize(grouped(n))
    assert unspeakable(spoken) == [], spoken
    assert parse_number(spoken) == n, spoken


@PROPERTY
@given(st.integers(min_value=-9999, max_value=9999))
def test_short_integers_written_without_separators_read_back(n: int) -> None:
    spoken = normalize(str(n))
    assert parse_number(spoken) == n, spoken


@PROPERTY
@given(st.integers(min_value=-LIMIT * 1000, max_value=LIMIT * 1000), st.sampled_from([1, 2, 3]))
def test_every_decimal_with_up_to_three_places_reads_back(thousandths: int, places: int) -> None:
    value = Decimal(thousandths).scaleb(-3).quantize(Decimal(1).scaleb(-places))
    whole, _, frac = f"{abs(value):f}".partition(".")
    written = ("-" if value < 0 else "") + grouped(int(whole)) + "," + frac
    spoken = normalize(written)
    assert unspeakable(spoken) == [], spoken
    assert parse_number(spoken) == value, (written, spoken)


@PROPERTY
@given(st.integers(min_value=-LIMIT, max_value=LIMIT))
def test_the_regional_reading_reads_back_too(n: int) -> None:
    south = load_dictionary(Station(name="", commune="", speech=SpeechSettings(number_reading="ngàn lẻ",
                                                                               pronunciations=None)))
    spoken = normalize(grouped(n), south)
    assert "nghìn" not in spoken.split() and "linh" not in spoken.split()
    assert parse_number(spoken) == n, spoken


_DATE_FORMS = (
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"ngày {d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}",
    lambda d: f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
)


@PROPERTY
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(range(len(_DATE_FORMS))))
@example(date(2100, 12, 31), 0).via("the last day")
@example(date(1900, 1, 1), 3).via("the first day, dotted")
def test_every_date_reads_back_in_every_usual_form(day: date, form: int) -> None:
    written = _DATE_FORMS[form](day)
    spoken = normalize(written)
    assert parse_date(spoken) == day, (written, spoken)


_ALPHABET = st.sampled_from(
    list("0123456789 ./-:,;%&@()[]*+–—…²³°º'\"$€£¥₫‰½¼hkmgsplVWđĐaăâeêioôơuưyAIXVLCDMxyzàáảạươ\n\t")
    + ["\u0301", "\u200b", "😀", "Ⅻ", "٣", "３", "−", "×", "⁄"]
)
_PIECES = st.sampled_from([
    "UBND", "TTHC", "ngày ", "tháng ", "từ ", "đến ", "số ", "Số: ", "khóa ", "Quý ", "thế kỷ ", "phụ lục ",
    "http://", "www.", "@gmail.com", ".gov.vn", "0912", "7h", "/KH-UBND", "/2024", "QH13", "Tp.", "P.", "Q.",
    "k", "tr", "tr2", "đ", "VNĐ", "USD", "$", "€", "kg", "mg", "ml", "°C", "m/s", "km/h", "Hz", "(ii)", "iii)",
    "1/2", " 3/4", "-5", "5:20:35", "3p20s", "10%", "STK ", "mmHg", "độ C", "\n- ", "I. ", "V. I. ",
])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_ALPHABET, _PIECES), max_size=40).map("".join))
def test_random_notice_text_never_crashes_and_never_leaks(text: str) -> None:
    assert unspeakable(normalize(text)) == [], text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_text_never_crashes_and_never_leaks(text: str) -> None:
    assert unspeakable(normalize(text)) == [], text
