"""Vietnamese number reading, northern standard (the Hưng Yên announcer's): nghìn, linh, mốt, lăm, tư.

`read_int(105)` -> "một trăm linh năm"; `read_int(24)` -> "hai mươi tư"; `read_int(2018)` -> "hai nghìn không
trăm mười tám". Pure functions, no regexes: the callers find the numbers.
"""

from __future__ import annotations

__all__ = [
    "DIGITS",
    "read_int",
    "read_numeral",
    "read_decimal",
    "read_digits",
    "read_ordinal",
    "read_month",
    "roman_to_int",
]

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")


def _triplet(n: int, full: bool) -> list[str]:
    """Words for 0..999; `full` reads the hundreds even when zero ("không trăm") inside a larger number."""
    h, t, u = n // 100, (n // 10) % 10, n % 10
    out: list[str] = []
    if h or full:
        out += [DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if h or full:
                out.append("linh")
            out.append(DIGITS[u])
    elif t == 1:
        out.append("mười")
        if u:
            out.append("lăm" if u == 5 else DIGITS[u])
    else:
        out += [DIGITS[t], "mươi"]
        if u:
            out.append({1: "mốt", 4: "tư", 5: "lăm"}.get(u, DIGITS[u]))
    return out


def _words(n: int) -> list[str]:
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        out = _words(high) + ["tỷ"]
        if low:
            out += _below_billion(low, full=True)
        return out
    return _below_billion(n, full=False)


def _below_billion(n: int, full: bool) -> list[str]:
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    out: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        out += _triplet(g, full=full)
        if _SCALES[i]:
            out.append(_SCALES[i])
        full = True  # every later group says its hundreds: 1.005 = một nghìn không trăm linh năm
    return out


def read_int(n: int) -> str:
    """Cardinal number in words: 0 -> "không", 21 -> "hai mươi mốt", 1500 -> "một nghìn năm trăm"."""
    if n == 0:
        return DIGITS[0]
    if n < 0:
        return "âm " + read_int(-n)
    return " ".join(_words(n))


def read_digits(s: str) -> str:
    """Digit by digit, as phone numbers and serials are read: "1022" -> "một không hai hai"."""
    return " ".join(DIGITS[int(c)] for c in s if c in "0123456789")


def read_numeral(s: str) -> str:
    """An integer as written: leading zeros dropped for short numbers ("09" -> "chín"), long zero-led strings
    (serials, codes) read digit by digit."""
    digits = s.replace(".", "")
    if len(digits) >= 4 and digits.startswith("0"):
        return read_digits(digits)
    return read_int(int(digits))


def read_decimal(whole: str, frac: str) -> str:
    """Decimal with the Vietnamese comma: "2,5" -> "hai phẩy năm", "1,25" -> "một phẩy hai mươi lăm",
    "0,05" -> "không phẩy không năm" (zero-led or long fractions are read digit by digit)."""
    head = read_numeral(whole) if whole else DIGITS[0]
    if frac.startswith("0") or len(frac) > 3:
        tail = read_digits(frac)
    else:
        tail = read_int(int(frac))
    return f"{head} phẩy {tail}"


def read_ordinal(n: int) -> str:
    """After "thứ": 1 -> "nhất", 4 -> "tư", otherwise the cardinal ("thứ mười bốn")."""
    return {1: "nhất", 4: "tư"}.get(n, read_int(n))


def read_month(n: int) -> str:
    """Month number after "tháng": 4 -> "tư" (tháng tư), otherwise the cardinal (tháng một, tháng mười hai)."""
    return "tư" if n == 4 else read_int(n)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(s: str) -> int | None:
    """Value of a well-formed Roman numeral up to 399 (I..CCCXCIX), else None ("IIII", "VX" are rejected)."""
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        if i + 1 < len(s) and _ROMAN[s[i + 1]] > v:
            total -= v
        else:
            total += v
    if not 0 < total < 400 or _to_roman(total) != s:
        return None
    return total


def _to_roman(n: int) -> str:
    out = []
    for v, sym in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(sym)
            n -= v
    return "".join(out)
