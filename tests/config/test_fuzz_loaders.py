"""Property-based fuzzing of the loaders (hypothesis): whatever bytes, YAML-ish text or values come in, the
loaders return problems with lines (never raise), and every value they accept is within its type's range."""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from corpus import STATION, bulletin, dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadcaster.config import check_station, is_error
from broadcaster.config._schema import BULLETIN_FIELDS
from broadcaster.config._calendar import DateTimeValue, DateValue, TimeOfDay
from broadcaster.config._values import MAX_YEAR, MIN_YEAR, Context, Float, Int, Invalid
from broadcaster.config._yaml import YNode, read_yaml
from broadcaster.speech._dictionary import SECTIONS, read_dictionary_file

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# characters that matter to YAML, plus Vietnamese letters, digits and a few control characters
YAMLISH = st.text(
    alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#%@,?~\n \t\\.0123456789eE+_aănđêôơưáàạảãxyz") + ["\x00", "\x07",
                                                                                                "\x85", "\ufeff"]),
    max_size=300,
)


def _lines(data: bytes) -> int:
    return data.count(b"\n") + 1


def _check_problems(problems: list, data: bytes) -> None:
    for p in problems:
        assert p.line is not None and 1 <= p.line <= _lines(data), (p, data)
        assert p.message


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_give_a_tree_or_problems_with_lines(data: bytes) -> None:
    node, problems = read_yaml(data)
    _check_problems(problems, data)
    assert node is None or isinstance(node, YNode)


@FUZZ
@given(YAMLISH)
def test_yaml_like_text_never_raises(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    _node, problems = read_yaml(data)
    _check_problems(problems, data)


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.text(max_size=8), children, max_size=4),
                    max_leaves=40),
       st.integers(min_value=0, max_value=40))
def test_anchors_and_aliases_never_blow_up(value: object, depth: int) -> None:
    """Any structure, shared through an anchor and aliased at some depth: parsed or refused, within limits."""
    body = yaml.safe_dump({"a": value}, default_flow_style=True).strip()
    text = f"x: &x {body}\ny: " + "[" * depth + ", ".join(["*x"] * 5) + "]" * depth + "\n"
    _node, problems = read_yaml(text.encode())
    _check_problems(problems, text.encode())


def _scalar(raw: str) -> YNode:
    return YNode("scalar", 1, raw, raw)


@FUZZ
@given(st.text(max_size=40) | st.integers().map(str) | st.floats().map(str),
       st.integers(min_value=-1000, max_value=1000), st.integers(min_value=0, max_value=100000))
def test_int_is_an_int_within_its_range_or_invalid(raw: str, low: int, span: int) -> None:
    ftype = Int(min=low, max=low + span)
    try:
        value = ftype.parse(_scalar(raw), "k", Context("f"))
    except Invalid as exc:
        assert str(exc)
        return
    assert isinstance(value, int) and low <= value <= low + span


@FUZZ
@given(st.text(max_size=40) | st.floats(allow_nan=True, allow_infinity=True).map(str),
       st.floats(min_value=-100, max_value=100), st.floats(min_value=0, max_value=1000))
def test_float_is_finite_within_its_range_or_invalid(raw: str, low: float, span: float) -> None:
    ftype = Float(min=low, max=low + span)
    try:
        value = ftype.parse(_scalar(raw), "k", Context("f"))
    except Invalid:
        return
    assert math.isfinite(value) and low <= value <= low + span


@FUZZ
@given(st.text(max_size=30) | st.dates().map(str) | st.datetimes().map(str))
def test_dates_and_times_are_in_range_or_invalid(raw: str) -> None:
    for ftype in (DateValue(), DateTimeValue(), TimeOfDay()):
        node, _ = read_yaml(f"k: {raw!r}\n".encode()) if "\n" not in raw else (None, [])
        for candidate in filter(None, [_scalar(raw), node and node.value.get("k")]):
            try:
                value = ftype.parse(candidate, "k", Context("f"))
            except Invalid:
                continue
            if isinstance(value, datetime):
                assert MIN_YEAR <= value.year <= MAX_YEAR
            elif isinstance(value, date):
                assert MIN_YEAR <= value.year <= MAX_YEAR


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    where = Path(tempfile.mkdtemp(prefix="fuzz-station-"))
    (where / "bulletins").mkdir()
    station = dict(STATION, state_dir=str(where / "state"))
    (where / "station.yaml").write_text(dump(station), encoding="utf-8")
    yield where
    shutil.rmtree(where, ignore_errors=True)


VALUES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
          | st.text(max_size=60) | st.dates() | st.lists(st.text(max_size=10), max_size=3)
          | st.dictionaries(st.sampled_from(["per_day", "weekdays", "x"]), st.integers() | st.text(max_size=5),
                            max_size=2))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from([f.key for f in BULLETIN_FIELDS] + ["tittle", "zone"]), VALUES, max_size=8))
def test_any_bulletin_loads_or_says_where_it_is_wrong(scratch: Path, changes: dict[str, object]) -> None:
    data = {**bulletin("Tin"), **changes}
    path = scratch / "bulletins" / "tin.yaml"
    try:
        text = dump(data)
    except (ValueError, OverflowError):  # an int too long for str() (Python's own limit): not a file anyone writes
        return
    path.write_text(text, encoding="utf-8")
    for p in check_station(scratch, decode_audio=False):
        assert p.line is not None or not is_error(p), p


@FUZZ
@given(st.dictionaries(st.sampled_from(list(SECTIONS) + ["abbreviation"]),
                       st.dictionaries(st.text(max_size=8), st.text(max_size=20) | st.integers() | st.none(),
                                       max_size=4) | st.text(max_size=10),
                       max_size=4))
def test_any_dictionary_keeps_only_speakable_readings(tmp_path_factory: pytest.TempPathFactory,
                                                      data: dict[str, object]) -> None:
    path = tmp_path_factory.mktemp("dict") / "pronunciations.yaml"
    path.write_text(dump(data), encoding="utf-8")
    dictionary, problems = read_dictionary_file(path)
    _check_problems(problems, path.read_bytes())
    for section in ("abbreviations", "words", "units"):
        for reading in getattr(dictionary, section).values():
            assert reading.strip() and not any(c.isdigit() for c in reading)
            assert all(c.isalpha() or c.isspace() or c in ".,;:!?'’-" for c in reading), reading
