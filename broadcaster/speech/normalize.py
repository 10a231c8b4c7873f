"""Vietnamese text -> what an announcer says: the only text a speech engine ever receives.

`normalize("Kế hoạch số 09/KH-UBND ngày 24/01/2024")` -> "Kế hoạch số chín ngày hai mươi tư tháng một năm hai
nghìn không trăm hai mươi tư của ủy ban nhân dân". Conventions (northern reading, codes by meaning, letter
names) are documented in docs/normalization.md; words come from `broadcaster/data/pronunciations.yaml` plus the
station's own `pronunciations.yaml`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from broadcaster.errors import ConfigError, Problem
from broadcaster.models import Station
from broadcaster.speech import _rules
from broadcaster.speech._codes import read_caps_token, replace_addresses, replace_codes, replace_phones
from broadcaster.speech._dictionary import Dictionary, merge, read_dictionary_file

__all__ = ["Dictionary", "normalize", "load_dictionary", "check_dictionary", "unspeakable", "builtin_path"]


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


def load_dictionary(station: Station | None = None) -> Dictionary:
    """The built-in dictionary, overridden by the station's `pronunciations.yaml` when it is set and exists.
    Raises `ConfigError` (every problem, file:line) when the station's file is broken. Cached per file version."""
    if station is None or not station.speech.pronunciations:
        return _builtin()
    path = Path(station.root) / station.speech.pronunciations
    try:
        st = path.stat()
    except OSError:
        return _builtin()
    return _station_dictionary(str(path), st.st_mtime_ns, st.st_size)


def check_dictionary(path: Path, station_root: Path | None = None) -> list[Problem]:
    """Every problem in a pronunciations file (malformed YAML, wrong types, empty readings, digits, symbols, bad
    rules); `station_root`: a symlink out of the station directory is refused."""
    return read_dictionary_file(Path(path), station_root)[1]


# --- text clean-up before the rules ---------------------------------------------------------------------------

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile("[\u00a0\u2000-\u200a\u202f\u3000\t]")
# old-style tone placement ("hoà", "khoá", "thuỷ") -> the form the dictionary uses ("hòa", "khóa", "thủy")
_OLD_TONE_RE = re.compile(r"(?<![qQ])([oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])")
_MARKUP_RE = re.compile(r"\*+|_{2,}|`+")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-–—+•●▪◦·*]|\d+\))[ \t]+", re.MULTILINE)
_END_MARK_RE = re.compile(r"\s*\./\.\s*")


def _fix_tone(m: re.Match[str]) -> str:
    first, second = m.group(1)[0], m.group(1)[1]
    parts = unicodedata.normalize("NFD", second)
    base, tone = parts[0], parts[1:]
    return unicodedata.normalize("NFC", first + tone) + base


_WRAPPED_RE = re.compile(r"([^\s.!?:;])[ \t]*(?:\n[ \t]*)+(?=(\w))")


def _unwrap(m: re.Match[str]) -> str:
    """A line that ends mid-sentence followed by one starting in lower case is a hard wrap (text pasted from a
    PDF): join it, so no pause is made in the middle of a sentence."""
    return m.group(1) + (" " if m.group(2).islower() else "\n")


# a hyphen inside a word joins its syllables ("vắc-xin", "ra-đi-ô", "Cu-ba"); before a capital it separates
# names ("Đảng ủy-HĐND", a pause): the raw text decides, before abbreviations are expanded
_WORD_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=([^\W\d_]))")


def _prepare(text: str) -> str:
    # NFKC also folds compatibility forms: full-width and Arabic-Indic digits, "m²" -> "m2", "Ⅻ" -> "XII", "…"
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _OLD_TONE_RE.sub(_fix_tone, text)
    text = _WRAPPED_RE.sub(_unwrap, text)
    text = text.replace("…", "...").replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    text = _END_MARK_RE.sub(". ", text)
    text = _MARKUP_RE.sub("", text)
    text = _WORD_HYPHEN_RE.sub(lambda m: " " if m.group(1).islower() else "-", text)
    return _BULLET_RE.sub("", text)


# --- words -----------------------------------------------------------------------------------------------------

_PAREN_RE = re.compile(r"\s*\(\s*([^()\n]{1,24}?)\s*\)")


def _drop_echoed_abbreviations(text: str, d: Dictionary) -> str:
    """An announcer skips "(CCHC)" right after "cải cách hành chính": a bracketed abbreviation whose reading
    repeats the words just before it is dropped."""

    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        readings = [d.abbreviations.get(key, "")] + [rule.read for rule in d.context.get(key, ())]
        before = m.string[max(0, m.start() - 80) : m.start()].lower()
        return "" if any(r and before.endswith(r.lower()) for r in readings) else m.group(0)

    return _PAREN_RE.sub(repl, text)


def _replace_abbreviations(text: str, d: Dictionary) -> str:
    text = _drop_echoed_abbreviations(text, d)
    pattern = d.abbreviation_re
    if pattern is not None:

        def repl(m: re.Match[str]) -> str:
            key = m.group(0)
            for rule in d.context.get(key, ()):
                if rule.matches(m.string[max(0, m.start() - 40) : m.start()], m.string[m.end() : m.end() + 60]):
                    return rule.read
            return d.abbreviations.get(key, key)

        text = pattern.sub(repl, text)
    if d.words_re is not None:
        text = d.words_re.sub(lambda m: d.words[m.group(0).lower()], text)
    return text


_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def _replace_caps(text: str, d: Dictionary) -> str:
    return _WORD_RE.sub(lambda m: read_caps_token(m.group(0), d) if m.group(0).isupper() else m.group(0), text)


# --- symbols and punctuation -----------------------------------------------------------------------------------

_SYMBOL_WORDS = (("&", " và "), ("%", " phần trăm"), ("@", " a còng "), ("+", " cộng "), ("=", " bằng "))
_PAUSE_RE = re.compile(r"[()\[\]{}]|\s*[-–—]+\s*|\.{2,}")
# anything else that is not a letter or a pause mark (stray combining marks, superscripts, emoji) is dropped
_DROP_RE = re.compile(r"[^\w\s.,;:!?]|[_\d]")
_PUNCT_SPACE_RE = re.compile(r"\s+([,.;:!?])")
_REPEATED_RE = re.compile(r"([,;:])(?:\s*[,;:])+")
_WEAK_BEFORE_STRONG_RE = re.compile(r"[,;:]\s*([.!?])")
_SPACE_AFTER_RE = re.compile(r"([,;:!?])(?=[^\s\d])")
_MULTISPACE_RE = re.compile(r"[ ]{2,}")


def _tidy(text: str) -> str:
    for symbol, word in _SYMBOL_WORDS:
        text = text.replace(symbol, word)
    text = _PAUSE_RE.sub(", ", text)
    text = _DROP_RE.sub(" ", text)
    text = _PUNCT_SPACE_RE.sub(r"\1", text)
    text = _REPEATED_RE.sub(r"\1", text)
    text = _WEAK_BEFORE_STRONG_RE.sub(r"\1", text)
    text = _SPACE_AFTER_RE.sub(r"\1 ", text)
    text = _MULTISPACE_RE.sub(" ", text)
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip(" ,;:")
        if not line:
            continue
        lines.append(line)
    # a heading or list line gets a full stop so the engine pauses before the next one
    for i in range(len(lines) - 1):
        if lines[i][-1] not in ".!?":
            lines[i] += "."
    return "\n".join(lines)


def normalize(text: str, dictionary: Dictionary | None = None) -> str:
    """Speakable Vietnamese: numbers, dates, times, codes, abbreviations, units, addresses and symbols in words."""
    d = dictionary if dictionary is not None else _builtin()
    text = _prepare(text)
    text = replace_addresses(text, d)
    text = replace_phones(text)
    text = replace_codes(text, d)
    text = _replace_abbreviations(text, d)
    text = _rules.apply(text, d)
    text = _replace_caps(text, d)
    return _tidy(text)


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
