"""Things read by rule rather than as words: document codes, phone numbers, web and e-mail addresses, spelling.

Document codes are read by their meaning, as announcers do: "Kế hoạch số 09/KH-UBND" -> "Kế hoạch số chín của
ủy ban nhân dân"; "61/2018/NĐ-CP" -> "nghị định số sáu mươi mốt năm hai nghìn không trăm mười tám của Chính phủ".
"""

from __future__ import annotations

import re
import unicodedata

from broadcaster.speech._dictionary import Dictionary
from broadcaster.speech._numbers import read_digits, read_int, read_numeral

__all__ = ["replace_codes", "replace_phones", "replace_addresses", "is_syllable", "read_caps_token"]

# --- document codes -----------------------------------------------------------------------------------------

_CODE_RE = re.compile(
    r"(?P<pre>(?<!\w)[Ss]ố\s*:?\s*)?(?<![\w/.,])(?P<num>\d{1,5})(?:/(?P<year>(?:19|20)\d{2}))?[/-]"
    r"(?P<rest>[A-ZĐ][A-Za-zĐđ0-9]*(?:[-/][A-ZĐ][A-Za-zĐđ0-9]*)*)(?![\w])"
    # a signing date right after the code is kept before "của ...": "số 5 ngày 12/7/2023 của ủy ban nhân dân"
    r"(?P<date>,?\s+(?i:ngày)\s+\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}(?!\d))?"
)
# the issuer is not repeated when the sentence names it right after: "... ngày 12/01/2024 của UBND xã ..."
_OWNER_FOLLOWS = re.compile(r"\s*,?\s*(?:\(?ngày\b[^,;.()]{0,30}?\)?\s*)?,?\s*(?:của|do)\b", re.IGNORECASE)
_NUMBERED_ISSUER = re.compile(r"([A-Za-zĐđ]+?)(\d+)")


def _issuer(part: str, d: Dictionary) -> str:
    if part in d.issuers:
        return d.issuers[part]
    m = _NUMBERED_ISSUER.fullmatch(part)
    if m:
        letters, n = m.group(1), int(m.group(2))
        base = d.issuers.get(letters) or d.abbreviations.get(letters) or d.spell(letters)
        # QH13 = the 13th National Assembly (Quốc hội khóa XIII)
        return f"{base} khóa {read_int(n)}" if letters == "QH" else f"{base} {read_int(n)}"
    return d.abbreviations.get(part) or d.spell(part)


def _read_code(m: re.Match[str], d: Dictionary) -> str:
    parts = re.split(r"[-/]", m.group("rest"))
    type_name = d.doc_types.get(parts[0])
    # no type (công văn "125/UBND-VP"): the first part signs, the rest names the drafting unit, not read
    issuers = parts[1:] if type_name else parts[:1]
    pre = m.group("pre") or ""
    before = m.string[max(0, m.start() - 40) : m.start()].rstrip().lower()
    capital = pre[:1].isupper()
    # the sentence already names the type, in words or abbreviated: "Kế hoạch số 09/KH-UBND", "QĐ số 12/QĐ-UBND"
    named = type_name and (before.endswith((type_name.lower(), "văn bản"))
                           or re.search(rf"(?<!\w){re.escape(parts[0].lower())}$", before))
    if type_name and not named:
        head = (type_name[:1].upper() + type_name[1:] if capital else type_name) + " số"
    else:
        head = "Số" if capital else "số"
    out = f"{head} {read_numeral(m.group('num'))}"
    if m.group("year"):
        out += f" năm {read_int(int(m.group('year')))}"
    out += m.group("date") or ""
    if issuers and not _OWNER_FOLLOWS.match(m.string, m.end()):
        out += " của " + " và ".join(_issuer(p, d) for p in issuers)
    return out


def replace_codes(text: str, d: Dictionary) -> str:
    """Document codes by meaning: type, number, year, "của" issuer (dropped when the sentence names it)."""
    return _CODE_RE.sub(lambda m: _read_code(m, d), text)


# --- phone numbers ------------------------------------------------------------------------------------------

_PHONE_RE = re.compile(r"(?<![\d,.])(?P<cc>\+84[ .]?|0)(?P<body>\d{2,3}(?:[ .]?\d){6,8})(?![\d])")
# 1900/1800 service numbers: 1900 1234, 1900 561 563, 1900.561.563, 19001234, 1900561563 (8 or 10 digits)
_SERVICE_RE = re.compile(r"(?<![\d,.])1[89]00(?:[ .]?\d{2,4}){1,2}(?![\d])")
_SHORT_NUM = r"\d{3,5}(?![\d.,]\d)"
_SHORT_PHONE_RE = re.compile(
    r"(?P<key>(?i:\bhotline|\bđường dây nóng|\btổng đài|\bđiện thoại|\bgọi(?: số)?|\bsố máy)|\bSĐT|\bĐT)"
    rf"(?P<gap>\s*:?\s*(?:số\s*)?)(?P<num>{_SHORT_NUM}(?:(?:\s*,\s*|\s+(?:hoặc|và)\s+){_SHORT_NUM})*)"
)
_SHORT_SEP_RE = re.compile(r"(\s*,\s*|\s+(?:hoặc|và)\s+)")


def _read_service(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if len(digits) not in (8, 10):
        return raw  # not a service number: left to the number reader
    groups = [g for g in re.split(r"[ .]", raw) if g]
    if len(groups) == 1:  # unseparated: 1900 1234 / 1900 561 563
        groups = [digits[:4], digits[4:]] if len(digits) == 8 else [digits[:4], digits[4:7], digits[7:]]
    return ", ".join(read_digits(g) for g in groups)


def _read_short_list(m: re.Match[str]) -> str:
    """"gọi 113, 114, 115" -> each number digit by digit, the separators kept."""
    parts = _SHORT_SEP_RE.split(m.group("num"))
    spoken = "".join(p if i % 2 else read_digits(p) for i, p in enumerate(parts))
    return f"{m.group('key')}{m.group('gap')}{spoken}"


def _read_phone(m: re.Match[str]) -> str:
    raw = m.group(0)
    lead = "cộng tám bốn, " if raw.startswith("+") else ""
    digits = ("0" if not lead else "") + re.sub(r"\D", "", m.group("body"))
    groups = [g for g in re.split(r"[ .]", m.group("body")) if g]
    if lead:
        parts = [read_digits(g) for g in groups]
    elif len(groups) > 1:
        parts = [read_digits("0" + groups[0])] + [read_digits(g) for g in groups[1:]]
    else:
        # unseparated: 4-3-3 for mobiles (0912 345 678), 4-3-4 for 11-digit landlines
        parts = [read_digits(digits[:4]), read_digits(digits[4:7]), read_digits(digits[7:])]
    return lead + ", ".join(parts)


def replace_phones(text: str) -> str:
    """Phone numbers digit by digit, grouped as written: "0912 345 678" -> "không chín một hai, ba bốn năm, ..."."""
    text = _PHONE_RE.sub(_read_phone, text)
    text = _SERVICE_RE.sub(_read_service, text)
    return _SHORT_PHONE_RE.sub(_read_short_list, text)


# --- web and e-mail addresses -------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_RE = re.compile(
    r"(?<![\w@.])(?:https?://)?(?:[a-z0-9-]+\.)+(?:vn|com|net|org|gov|edu|info)(?![\w-])(?:/[\w\-./?=&%#]*[\w/])?",
    re.IGNORECASE,
)
_SYLLABLE = r"(?:ngh|ng|nh|ch|tr|th|kh|ph|gh|gi|qu|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?"
_SYLLABLE_RE = re.compile(_SYLLABLE)
_SYLLABLES_RE = re.compile(f"(?:{_SYLLABLE})+")
_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))


def _toneless(word: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))


def is_syllable(word: str) -> bool:
    """True when `word` (any case, any tone) has the shape of one Vietnamese syllable: "KẾ", "HOẠCH", not "PAPI"."""
    return _SYLLABLE_RE.fullmatch(_toneless(word)) is not None


def _read_label(label: str, d: Dictionary) -> str:
    low = label.lower()
    if low in d.url_words:
        return d.url_words[low]
    out = []
    for piece in re.findall(r"[a-z]+|\d+|[-_]", low):
        if piece.isdigit():
            out.append(read_digits(piece))
        elif piece == "-":
            out.append("gạch ngang")
        elif piece == "_":
            out.append("gạch dưới")
        else:
            out.append(_read_letters(piece, d))
    return " ".join(out)


def _read_letters(piece: str, d: Dictionary) -> str:
    """A run of letters in an address: known words first ("ubndtienphong" -> "ủy ban nhân dân Tiền Phong"),
    then Vietnamese-looking syllables ("xaphung" -> "xa phung"), else letter by letter."""
    if not piece:
        return ""
    if piece in d.url_words:
        return d.url_words[piece]
    for key in sorted((k for k in d.url_words if len(k) >= 2 and piece.startswith(k)), key=len, reverse=True):
        return f"{d.url_words[key]} {_read_letters(piece[len(key):], d)}".strip()
    if len(piece) <= 24 and _SYLLABLES_RE.fullmatch(piece):  # bounded: the pattern can backtrack
        return " ".join(_SYLLABLE_RE.findall(piece))
    return d.spell(piece)


def _read_host_path(addr: str, d: Dictionary) -> str:
    addr = re.sub(r"(?i)^https?://", "", addr)
    host, _, path = addr.partition("/")
    spoken = " chấm ".join(_read_label(lab, d) for lab in host.split(".") if lab)
    for seg in (s for s in re.split(r"/", path) if s):
        spoken += " gạch chéo " + " chấm ".join(_read_label(lab, d) for lab in re.split(r"[.?=&%#]", seg) if lab)
    return spoken


def _read_email(m: re.Match[str], d: Dictionary) -> str:
    user, _, host = m.group(0).partition("@")
    user_spoken = " chấm ".join(_read_label(p, d) for p in user.split(".") if p)
    return f"{user_spoken} a còng {_read_host_path(host, d)}"


def replace_addresses(text: str, d: Dictionary) -> str:
    """E-mail and web addresses: "dichvucong.gov.vn" -> "dịch vụ công chấm gờ o vê chấm vê en"."""
    text = _EMAIL_RE.sub(lambda m: _read_email(m, d), text)
    return _URL_RE.sub(lambda m: _read_host_path(m.group(0), d), text)


def read_caps_token(token: str, d: Dictionary) -> str:
    """An ALL-CAPS token nobody defined: a Vietnamese syllable ("KẾ") is lower-cased, anything else spelled."""
    if is_syllable(token):
        return token.lower()
    return d.spell(token)
