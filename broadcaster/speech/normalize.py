"""Vietnamese text -> what an announcer says: the only text a speech engine ever receives.

`normalize("Kế hoạch số 09/KH-UBND ngày 24/01/2024")` -> "Kế hoạch số chín ngày hai mươi tư tháng một năm hai
nghìn không trăm hai mươi tư của ủy ban nhân dân". Conventions (northern reading by default, codes by meaning,
letter names) are documented in docs/normalization.md; words come from `broadcaster/data/pronunciations.yaml`
plus the station's own `pronunciations.yaml`. `explain` says which rule or dictionary entry made each part.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from broadcaster.errors import ConfigError, Problem
from broadcaster.models import Station
from broadcaster.speech import _rules
from broadcaster.speech._addresses import replace_addresses
from broadcaster.speech._codes import replace_codes, replace_identifiers, replace_phones
from broadcaster.speech._context import Ctx, Step
from broadcaster.speech._dictionary import Dictionary, merge, read_dictionary_file
from broadcaster.speech._money import replace_money
from broadcaster.speech._numbers import READINGS, reading_named
from broadcaster.speech._text import Protected, join_hyphens, prepare, tidy
from broadcaster.speech._words import replace_abbreviations, replace_caps, replace_places

__all__ = [
    "Dictionary",
    "Step",
    "NUMBER_READINGS",
    "normalize",
    "explain",
    "load_dictionary",
    "check_dictionary",
    "unspeakable",
    "builtin_path",
    "entry_origin",
]

NUMBER_READINGS = tuple(READINGS)  # "nghìn linh" (northern, default), "ngàn lẻ", "nghìn lẻ", "ngàn linh"


def builtin_path() -> Path:
    """Where the built-in dictionary lives (inside the package)."""
    return Path(str(resources.files("broadcaster") / "data" / "pronunciations.yaml"))


@lru_cache(maxsize=1)
def _builtin() -> Dictionary:
    dictionary, problems = read_dictionary_file(builtin_path())
    if problems:  # a packaging bug, not the officer's: fail loudly
        raise ConfigError(problems)
    return dictionary


@lru_cache(maxsize=16)
def _station_dictionary(path: str, mtime_ns: int, size: int) -> Dictionary:
    dictionary, problems = read_dictionary_file(Path(path))
    if problems:
        raise ConfigError(problems)
    return merge(_builtin(), dictionary)


@lru_cache(maxsize=16)
def _with_reading(d: Dictionary, reading: str) -> Dictionary:
    return d if d.number_reading == reading else dataclasses.replace(d, number_reading=reading)


def load_dictionary(station: Station | None = None) -> Dictionary:
    """The built-in dictionary, overridden by the station's `pronunciations.yaml` when it is set and exists, with
    the station's regional number words. Raises `ConfigError` (every problem, file:line) when the station's
    file is broken. Cached per file version."""
    if station is None:
        return _builtin()
    reading = station.speech.number_reading
    d = _builtin()
    if station.speech.pronunciations:
        path = Path(station.root) / station.speech.pronunciations
        try:
            st = path.stat()
        except OSError:
            pass
        else:
            d = _station_dictionary(str(path), st.st_mtime_ns, st.st_size)
    return _with_reading(d, reading)


def check_dictionary(path: Path, station_root: Path | None = None) -> list[Problem]:
    """Every problem in a pronunciations file (malformed YAML, wrong types, empty readings, digits, symbols, bad
    rules); `station_root`: a symlink out of the station directory is refused."""
    return read_dictionary_file(Path(path), station_root)[1]


def _run(text: str, c: Ctx) -> str:
    held = Protected()
    text = prepare(text)
    text = replace_addresses(text, c, held)
    text = join_hyphens(text)
    has_digit = _DIGIT_RE.search(text) is not None
    if has_digit:
        text = replace_identifiers(text, c)
        text = replace_phones(text, c)
        text = replace_codes(text, c)
        text = replace_money(text, c)
    text = replace_places(text, c)
    text = replace_abbreviations(text, c)
    text = _rules.apply(text, c)
    text = replace_caps(text, c)
    if c.trace is not None:  # the explanation shows the addresses as read, not their placeholders
        c.trace[:] = [dataclasses.replace(s, spoken=held.restore(s.spoken).strip()) for s in c.trace]
    return tidy(held.restore(text))


_DIGIT_RE = re.compile(r"\d")


def normalize(text: str, dictionary: Dictionary | None = None) -> str:
    """Speakable Vietnamese: numbers, dates, times, codes, abbreviations, units, addresses and symbols in words."""
    d = dictionary if dictionary is not None else _builtin()
    return _run(text, Ctx(d, reading_named(d.number_reading)))


def explain(text: str, dictionary: Dictionary | None = None) -> tuple[str, list[Step]]:
    """`normalize`'s result and every replacement made on the way, in order: which rule, which dictionary
    entries. For `broadcaster normalize --explain` and the desk's preview."""
    d = dictionary if dictionary is not None else _builtin()
    trace: list[Step] = []
    spoken = _run(text, Ctx(d, reading_named(d.number_reading), trace))
    return spoken, trace


def entry_origin(entry: str, dictionary: Dictionary) -> str:
    """"station" when a dictionary entry ("abbreviations.UBND") comes from the station's own file (new or
    changed there), else "builtin"."""
    section, _, key = entry.partition(".")
    builtin = getattr(_builtin(), section, {})
    mine = getattr(dictionary, section, {})
    if key in mine and (key not in builtin or builtin[key] is not mine[key] and builtin[key] != mine[key]):
        return "station"
    return "builtin"


_UNSPEAKABLE_RE = re.compile(r"\d+|[^\W\d_]*[^\w\s.,;:!?][^\W\d_]*|\b[^\W\d_]*[A-ZĐ][^\W\d_]*\b")


def unspeakable(text: str) -> list[str]:
    """What a speech engine would misread in already-normalized text: digits, raw ALL-CAPS abbreviations,
    symbols. Empty when the text is safe to speak."""
    found: list[str] = []
    for m in _UNSPEAKABLE_RE.finditer(text):
        tok = m.group(0)
        if tok.isalpha() and not (len(tok) >= 2 and tok.isupper()):
            continue  # an ordinary word (or a single initial such as the "A" in "Nguyễn Văn A")
        if tok and tok not in found:
            found.append(tok)
    return found
