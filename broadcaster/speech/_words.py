"""Words read from the dictionary: place abbreviations (Tp., TX., TT., P., Q.), abbreviations and their
context rules, loanwords, and ALL-CAPS tokens nobody defined (lower-cased or spelled).
"""

from __future__ import annotations

import re

from broadcaster.speech._addresses import read_caps_token
from broadcaster.speech._context import Ctx, sub

__all__ = ["replace_places", "replace_abbreviations", "replace_caps"]

# "Tp. Hưng Yên", "TP.HCM", "TX. Mỹ Hào", "P. Lam Sơn", "Q.1": a place abbreviation with a dot before a name
# or a number. "P."/"Q." after a capitalised word is a person's initial ("Nguyễn Q. Anh") and stays.
_PLACE_RE = re.compile(r"(?<![\w.])(?P<a>TP|Tp|tp|TX|Tx|tx|TT|P|Q|H)\.\s*(?=\d|[A-ZĐ])")
_PLACES = {"tp": "thành phố", "tx": "thị xã", "p": "phường", "q": "quận", "h": "huyện"}
_NAME_BEFORE = re.compile(r"(?:[A-ZĐ][^\W\d_]*|\b(?i:ông|bà|anh|chị|cô|chú|bác|cụ|em|cháu|đồng chí))\s*$")
_DEPUTY_AFTER = re.compile(r"(?i:giám đốc|chủ tịch|trưởng|hiệu trưởng|bí thư|chánh|chỉ huy)|GĐ|CT|TP\b")


def _place(m: re.Match[str], c: Ctx) -> str:
    abbr = m.group("a")
    if abbr == "TT":
        return "TT "  # thị trấn or trung tâm: the context rules for TT decide
    if abbr == "P" and _DEPUTY_AFTER.match(m.string, m.end()):
        return "phó "  # "P. Giám đốc", "P. Chủ tịch": a deputy, not a ward
    if len(abbr) == 1 and _NAME_BEFORE.search(m.string, max(0, m.start() - 12), m.start()):
        return m.group(0)
    return _PLACES[abbr.lower()] + " "


def replace_places(text: str, c: Ctx) -> str:
    """Place abbreviations with a dot, read before the other abbreviations."""
    if "." not in text:
        return text
    return sub(c, "place abbreviation", _PLACE_RE, _place, text)


_PAREN_RE = re.compile(r"\s*\(\s*([^()\n]{1,24}?)\s*\)")


def _drop_echoed(m: re.Match[str], c: Ctx) -> str:
    """An announcer skips "(CCHC)" right after "cải cách hành chính": a bracketed abbreviation whose reading
    repeats the words just before it is dropped."""
    key, d = m.group(1), c.d
    readings = [d.abbreviations.get(key, "")] + [rule.read for rule in d.context.get(key, ())]
    before = m.string[max(0, m.start() - 80) : m.start()].lower()
    if any(r and before.endswith(r.lower()) for r in readings):
        c.use("abbreviations", key)
        return ""
    return m.group(0)


def _abbreviation(m: re.Match[str], c: Ctx) -> str:
    key, d = m.group(0), c.d
    for rule in d.context.get(key, ()):
        if rule.matches(m.string[max(0, m.start() - 40) : m.start()], m.string[m.end() : m.end() + 60]):
            c.use("context", key)
            return rule.read
    if key in d.abbreviations:
        c.use("abbreviations", key)
        return d.abbreviations[key]
    return key


def replace_abbreviations(text: str, c: Ctx) -> str:
    """Abbreviations (exact case, context rules first), then loanwords (any case)."""
    d = c.d
    if "(" in text:
        text = sub(c, "bracketed abbreviation", _PAREN_RE, _drop_echoed, text)
    if d.abbreviation_re is not None:
        text = sub(c, "abbreviation", d.abbreviation_re, _abbreviation, text)
    if d.words_re is not None:

        def word(m: re.Match[str], c: Ctx) -> str:
            c.use("words", m.group(0).lower())
            return d.words[m.group(0).lower()]

        text = sub(c, "word", d.words_re, word, text)
    return text


# a word of two letters or more that does not start with a lower-case letter (the callback checks the rest):
# most words of a sentence start in lower case and cost no call
_LOWER = "".join(ch for ch in map(chr, range(0x61, 0x2000)) if ch.isalpha() and ch.islower())
_WORD_RE = re.compile(rf"(?<![^\W\d_])(?![{re.escape(_LOWER)}])[^\W\d_]{{2,}}")


def replace_caps(text: str, c: Ctx) -> str:
    """ALL-CAPS tokens nobody defined: a Vietnamese syllable is lower-cased, anything else spelled."""
    return sub(c, "capitals", _WORD_RE,
               lambda m, c: read_caps_token(m.group(0), c) if m.group(0).isupper() else m.group(0), text)
