"""Web and e-mail addresses, read part by part so a listener can type them: dots are "chấm", "@" is "a còng",
"/" is "gạch chéo". Inside an address nothing is expanded: "ubnd@…" is spelled "u bê nờ dê", never "ủy ban
nhân dân" (a listener would type the expansion). Only `url_words` (how a part sounds, not what it means) and
Vietnamese-looking syllables are read as words; the spoken address is protected from every later rule.
"""

from __future__ import annotations

import re
import unicodedata

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._numbers import read_digits
from broadcaster.speech._text import Protected

__all__ = ["replace_addresses", "is_syllable", "read_caps_token"]

_TLD = r"vn|com|net|org|gov|edu|info|io|biz|int|asia|me|app|online|site|xyz"
_EMAIL_RE = re.compile(r"(?<![\w.])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_RE = re.compile(
    rf"(?<![\w@.])(?:https?://)?(?:[a-z0-9-]+\.)+(?:{_TLD})(?![\w-])(?::\d{{2,5}})?(?:/[\w\-./?=&%#~]*[\w/])?",
    re.IGNORECASE,
)
_SYLLABLE = r"(?:ngh|ng|nh|ch|tr|th|kh|ph|gh|gi|qu|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?"
_SYLLABLE_RE = re.compile(_SYLLABLE)
_SYLLABLES_RE = re.compile(f"(?:{_SYLLABLE})+")
_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_SEPARATORS = {"-": "gạch ngang", "_": "gạch dưới", "~": "dấu ngã"}


def _toneless(word: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))


def is_syllable(word: str) -> bool:
    """True when `word` (any case, any tone) has the shape of one Vietnamese syllable: "KẾ", "HOẠCH", not "PAPI"."""
    return _SYLLABLE_RE.fullmatch(_toneless(word)) is not None


def _spell_or_syllables(letters: str, c: Ctx) -> str:
    if len(letters) <= 24 and _SYLLABLES_RE.fullmatch(letters):  # bounded: the pattern can backtrack
        return " ".join(_SYLLABLE_RE.findall(letters))
    c.use("letters", letters)
    return c.d.spell(letters)


def _read_letters(piece: str, c: Ctx) -> str:
    """A run of letters: known `url_words` wherever they start ("tienphong", "hungyen"), the letters between
    them as Vietnamese-looking syllables ("xaphung" -> "xa phung"), else letter by letter ("ubnd")."""
    words = c.d.url_words
    if piece in words:
        c.use("url_words", piece)
        return words[piece]
    keys = sorted((k for k in words if len(k) >= 3 and k in piece), key=len, reverse=True)
    out: list[str] = []
    pending, i = "", 0
    while i < len(piece):
        key = next((k for k in keys if piece.startswith(k, i)), None)
        if key is None:
            pending += piece[i]
            i += 1
            continue
        if pending:
            out.append(_spell_or_syllables(pending, c))
            pending = ""
        c.use("url_words", key)
        out.append(words[key])
        i += len(key)
    if pending:
        out.append(_spell_or_syllables(pending, c))
    return " ".join(out)


def _read_label(label: str, c: Ctx) -> str:
    out = []
    for piece in re.findall(r"[a-z]+|\d+|[-_~]", label.lower()):
        if piece.isdigit():
            out.append(read_digits(piece))
        elif piece in _SEPARATORS:
            out.append(_SEPARATORS[piece])
        else:
            out.append(_read_letters(piece, c))
    return " ".join(out)


def _read_host_path(addr: str, c: Ctx) -> str:
    addr = re.sub(r"(?i)^https?://", "", addr)
    host, _, path = addr.partition("/")
    host, _, port = host.partition(":")
    spoken = " chấm ".join(_read_label(lab, c) for lab in host.split(".") if lab)
    if port:
        spoken += " hai chấm " + read_digits(port)
    for seg in (s for s in path.split("/") if s):
        spoken += " gạch chéo " + " chấm ".join(_read_label(lab, c) for lab in re.split(r"[.?=&%#]", seg) if lab)
    return spoken


def replace_addresses(text: str, c: Ctx, held: Protected) -> str:
    """E-mail and web addresses: "dichvucong.gov.vn" -> "dịch vụ công chấm gờ o vê chấm vê en", held out of
    reach of the later rules."""
    if "." not in text:
        return text

    def email(m: re.Match[str], c: Ctx) -> str:
        user, _, host = m.group(0).partition("@")
        user_spoken = " chấm ".join(_read_label(p, c) for p in user.split(".") if p)
        return held.hold(f"{user_spoken} a còng {_read_host_path(host, c)}")

    if "@" in text:
        text = sub(c, "email", _EMAIL_RE, email, text)
    return sub(c, "web", _URL_RE, lambda m, c: held.hold(_read_host_path(m.group(0), c)), text)


def read_caps_token(token: str, c: Ctx) -> str:
    """An ALL-CAPS token nobody defined: a Vietnamese syllable ("KẾ") is lower-cased, anything else spelled."""
    if is_syllable(token):
        return token.lower()
    c.use("letters", token)
    return c.d.spell(token)
