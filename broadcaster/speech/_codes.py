"""Things read by rule rather than as words: document codes and legal citations, phone numbers.

Document codes are read by their meaning, as announcers do: "Kế hoạch số 09/KH-UBND" -> "Kế hoạch số chín của
ủy ban nhân dân"; "61/2018/NĐ-CP" -> "nghị định số sáu mươi mốt năm hai nghìn không trăm mười tám của Chính phủ".
"""

from __future__ import annotations

import re

from broadcaster.speech._context import Ctx, sub
from broadcaster.speech._numbers import read_digits, read_int, read_numeral

__all__ = ["replace_codes", "replace_identifiers", "replace_phones"]

# --- document codes -----------------------------------------------------------------------------------------

_CODE_RE = re.compile(
    r"(?P<pre>(?<!\w)[Ss]ố\s*:?\s*)?(?<![\w/.,])(?P<num>\d{1,5})(?:/(?P<year>(?:19|20)\d{2}))?[/-]"
    r"(?P<rest>[A-ZĐ][A-Za-zĐđ0-9]*(?:[-/][A-ZĐ][A-Za-zĐđ0-9]*)*)(?![\w])"
    # a signing date right after the code is kept before "của ...": "số 5 ngày 12/7/2023 của ủy ban nhân dân"
    r"(?P<date>,?\s+(?i:ngày)\s+\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}(?!\d))?"
)
# the issuer is not repeated when the sentence names it right after: "... ngày 12/01/2024 của UBND xã ..."
_OWNER_FOLLOWS = re.compile(r"\s*,?\s*(?:\(?ngày\b[^,;.()]{0,30}?\)?\s*)?,?\s*(?:của|do)\b", re.IGNORECASE)
_ROMAN_ONLY = re.compile(r"[IVX]{1,4}")
_NUMBERED_ISSUER = re.compile(r"([A-Za-zĐđ]+?)(\d+)")


def _issuer(part: str, c: Ctx) -> str:
    d = c.d
    if part in d.issuers:
        c.use("issuers", part)
        return d.issuers[part]
    m = _NUMBERED_ISSUER.fullmatch(part)
    if m:
        letters, n = m.group(1), int(m.group(2))
        base = d.issuers.get(letters) or d.abbreviations.get(letters) or d.spell(letters)
        c.use("issuers" if letters in d.issuers else "abbreviations", letters)
        # QH13 = the 13th National Assembly (Quốc hội khóa XIII)
        return f"{base} khóa {read_int(n, c.r)}" if letters == "QH" else f"{base} {read_int(n, c.r)}"
    if part in d.abbreviations:
        c.use("abbreviations", part)
        return d.abbreviations[part]
    return d.spell(part)


def _read_code(m: re.Match[str], c: Ctx) -> str:
    if _ROMAN_ONLY.fullmatch(m.group("rest")):
        return m.group(0)  # "RON 95-III": a level, not a document code
    parts = re.split(r"[-/]", m.group("rest"))
    type_name = c.d.doc_types.get(parts[0])
    if type_name:
        c.use("doc_types", parts[0])
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
    out = f"{head} {read_numeral(m.group('num'), c.r)}"
    if m.group("year"):
        out += f" năm {read_int(int(m.group('year')), c.r)}"
    out += m.group("date") or ""
    if issuers and not _OWNER_FOLLOWS.match(m.string, m.end()):
        out += " của " + " và ".join(_issuer(p, c) for p in issuers)
    return out


# a citation without its code: "Nghị định 100/2019", "Luật số 45/2019" -> "... số một trăm năm hai nghìn ..."
_CITATION_RE = re.compile(
    r"(?P<w>\b(?i:nghị định|thông tư|quyết định|nghị quyết|chỉ thị|luật|pháp lệnh|công văn|kế hoạch|thông báo)"
    r"|(?<!\w)(?:NĐ|QĐ|NQ|TT|CT))\s+(?:(?i:số)\s*)?(?P<n>\d{1,5})/(?P<y>(?:19|20)\d{2})(?![\d/\w-])"
)
# identifiers are read digit by digit, however long: account, citizen-ID, tax and file numbers
_ID_RE = re.compile(
    r"(?P<w>\b(?i:số tài khoản|tài khoản|số thẻ|mã số thuế|mã số|mã hồ sơ|số hồ sơ|số định danh|mã định danh|"
    r"mã bưu chính|mã)|(?<!\w)(?:STK|MST|CCCD|CMND|CCCD số|CMND số))(?P<gap>\s*(?::|số|là)?\s*)"
    r"(?P<n>\d[\d .]{4,22}\d)(?!\d|[,.]\d)"
)


def _citation(m: re.Match[str], c: Ctx) -> str:
    word = m.group("w")
    if word in c.d.abbreviations:
        c.use("abbreviations", word)
        word = c.d.abbreviations[word]
    return f"{word} số {read_numeral(m.group('n'), c.r)} năm {read_int(int(m.group('y')), c.r)}"


def _identifier(m: re.Match[str], c: Ctx) -> str:
    groups = [g for g in re.split(r"[ .]", m.group("n")) if g]
    return m.group("w") + m.group("gap") + ", ".join(read_digits(g) for g in groups)


def replace_codes(text: str, c: Ctx) -> str:
    """Document codes by meaning: type, number, year, "của" issuer (dropped when the sentence names it);
    citations without a code ("Nghị định 100/2019")."""
    if "/" not in text and "-" not in text:
        return text
    text = sub(c, "document code", _CODE_RE, _read_code, text)
    return sub(c, "citation", _CITATION_RE, _citation, text)


def replace_identifiers(text: str, c: Ctx) -> str:
    """Account, citizen-ID, tax and file numbers after their cue word, digit by digit in their groups."""
    return sub(c, "identifier", _ID_RE, _identifier, text)


# --- phone numbers ------------------------------------------------------------------------------------------

_PHONE_RE = re.compile(r"(?<![\d,.])(?P<cc>\+84[ .]?|0)(?P<body>\d{2,3}(?:[ .]?\d){6,8})(?![\d])")
# 1900/1800 service numbers: 1900 1234, 1900 561 563, 1900.561.563, 19001234, 1900561563 (8 or 10 digits)
_SERVICE_RE = re.compile(r"(?<![\d,.])1[89]00(?:[ .]?\d{2,4}){1,2}(?![\d])")
_SHORT_NUM = r"\d{3,5}(?![\d.,]\d)"
_SHORT_PHONE_RE = re.compile(
    r"(?P<key>(?i:\bhotline|\bđường dây nóng|\btổng đài|\bđiện thoại|\bgọi(?: số)?|\bsố máy|\bcấp cứu|\bkhẩn cấp)|\bSĐT|\bĐT)"
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


def replace_phones(text: str, c: Ctx) -> str:
    """Phone numbers digit by digit, grouped as written: "0912 345 678" -> "không chín một hai, ba bốn năm, ..."."""
    text = sub(c, "phone number", _PHONE_RE, lambda m, c: _read_phone(m), text)
    text = sub(c, "phone number", _SERVICE_RE, lambda m, c: _read_service(m), text)
    return sub(c, "phone number", _SHORT_PHONE_RE, lambda m, c: _read_short_list(m), text)
