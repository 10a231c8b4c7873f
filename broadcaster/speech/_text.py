"""Text clean-up before the rules (Unicode, invisible characters, markup, hard wraps) and after them (symbols,
punctuation, pauses), plus protected spans: parts already read aloud that no later rule may touch (addresses).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["prepare", "join_hyphens", "tidy", "Protected"]

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile("[\u00a0\u2000-\u200a\u202f\u3000\t]")
# old-style tone placement ("hoà", "khoá", "thuỷ") -> the form the dictionary uses ("hòa", "khóa", "thủy")
_OLD_TONE_RE = re.compile(r"(?<![qQ])([oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])")
_MARKUP_RE = re.compile(r"\*+|_{2,}|`+")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-–—+•●▪◦·*]|\d+\))[ \t]+", re.MULTILINE)
_END_MARK_RE = re.compile(r"\s*\./\.\s*")
# vulgar fractions, before NFKC turns "1½" into "11⁄2": a whole part gets a space ("1 1/2")
_VULGAR = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3", "⅕": "1/5", "⅛": "1/8"}
_VULGAR_RE = re.compile(rf"(\d?)([{''.join(_VULGAR)}])")
_WRAPPED_RE = re.compile(r"([^\s.!?:;])[ \t]*(?:\n[ \t]*)+(?=(\w))")
# a hyphen inside a word joins its syllables ("vắc-xin", "ra-đi-ô", "Cu-ba"); before a capital it separates
# names ("Đảng ủy-HĐND", a pause): the raw text decides, before abbreviations are expanded
_WORD_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=([^\W\d_]))")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "′": "'", "″": '"', "⁄": "/", "−": "-",
                         "×": "x", "…": "..."})


def _fix_tone(m: re.Match[str]) -> str:
    first, second = m.group(1)[0], m.group(1)[1]
    parts = unicodedata.normalize("NFD", second)
    base, tone = parts[0], parts[1:]
    return unicodedata.normalize("NFC", first + tone) + base


def _unwrap(m: re.Match[str]) -> str:
    """A line that ends mid-sentence followed by one starting in lower case is a hard wrap (text pasted from a
    PDF): join it, so no pause is made in the middle of a sentence."""
    return m.group(1) + (" " if m.group(2).islower() else "\n")


def prepare(text: str) -> str:
    """Unicode NFKC (full-width digits, m², Ⅻ), invisible characters, odd spaces, old tone marks, hard wraps,
    curly quotes, Markdown, list bullets and the "./." document end."""
    if not text.isascii():
        text = _VULGAR_RE.sub(lambda m: (m.group(1) + " " if m.group(1) else "") + _VULGAR[m.group(2)], text)
        # NFKC also folds compatibility forms: full-width and Arabic-Indic digits, "m²" -> "m2", "Ⅻ" -> "XII"
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE_RE.sub("", text)
        text = _SPACES_RE.sub(" ", text)
        text = _OLD_TONE_RE.sub(_fix_tone, text)
        text = text.translate(_QUOTES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _WRAPPED_RE.sub(_unwrap, text)
    text = _END_MARK_RE.sub(". ", text)
    text = _MARKUP_RE.sub("", text)
    return _BULLET_RE.sub("", text)


def join_hyphens(text: str) -> str:
    """After the addresses (where a hyphen is read "gạch ngang"): a hyphen inside a word before a lower-case
    letter joins syllables ("vắc-xin" -> "vắc xin"); before a capital it stays a pause ("Đảng ủy-HĐND")."""
    if "-" not in text:
        return text
    return _WORD_HYPHEN_RE.sub(lambda m: " " if m.group(1).islower() else "-", text)


class Protected:
    """Spans already read aloud (e-mail and web addresses): replaced by a placeholder of private-use
    characters that no rule matches, put back just before `tidy`."""

    _RE = re.compile("\ue000([\ue100-\ue8ff])\ue001")

    def __init__(self) -> None:
        self.spans: list[str] = []

    def hold(self, spoken: str) -> str:
        self.spans.append(spoken)
        return f" \ue000{chr(0xE100 + len(self.spans) - 1)}\ue001 "

    def restore(self, text: str) -> str:
        if not self.spans:
            return text
        return self._RE.sub(lambda m: self.spans[ord(m.group(1)) - 0xE100], text)


_SYMBOL_WORDS = (("&", " và "), ("%", " phần trăm"), ("@", " a còng "), ("+", " cộng "), ("=", " bằng "))
_PAUSE_RE = re.compile(r"[()\[\]{}]|\s*[-–—]+\s*|\.{2,}")
# anything else that is not a letter or a pause mark (stray combining marks, superscripts, emoji) is dropped
_DROP_RE = re.compile(r"[^\w\s.,;:!?]|[_\d]")
_PUNCT_SPACE_RE = re.compile(r"\s+([,.;:!?])")
_REPEATED_RE = re.compile(r"([,;:])(?:\s*[,;:])+")
_WEAK_BEFORE_STRONG_RE = re.compile(r"[,;:]\s*([.!?])")
_SPACE_AFTER_RE = re.compile(r"([,;:!?])(?=[^\s\d])")
_MULTISPACE_RE = re.compile(r"[ ]{2,}")
_STOPS_RE = re.compile(r"([.!?])(?:\s*[.,;:!?])+")


def tidy(text: str) -> str:
    """Symbols in words, brackets and dashes as pauses, stray symbols dropped, punctuation spaced once; a
    heading or list line gets a full stop so the engine pauses before the next one."""
    for symbol, word in _SYMBOL_WORDS:
        if symbol in text:
            text = text.replace(symbol, word)
    text = _PAUSE_RE.sub(", ", text)
    text = _DROP_RE.sub(" ", text)
    text = _PUNCT_SPACE_RE.sub(r"\1", text)
    text = _REPEATED_RE.sub(r"\1", text)
    text = _WEAK_BEFORE_STRONG_RE.sub(r"\1", text)
    text = _STOPS_RE.sub(r"\1", text)
    text = _SPACE_AFTER_RE.sub(r"\1 ", text)
    text = _MULTISPACE_RE.sub(" ", text)
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip(" ,;:")
        if not line:
            continue
        lines.append(line)
    for i in range(len(lines) - 1):
        if lines[i][-1] not in ".!?":
            lines[i] += "."
    return "\n".join(lines)
