"""Vietnamese number reading. Northern standard by default (the Hưng Yên announcer's): nghìn, linh, mốt, lăm,
tư; a station may choose the other regional words (`ngàn`, `lẻ`) with `speech.number_reading`.

`read_int(105)` -> "một trăm linh năm"; `read_int(24)` -> "hai mươi tư"; `read_int(2018)` -> "hai nghìn không
trăm mười tám"; `read_int(105, SOUTH)` -> "một trăm lẻ năm". Pure functions, no regexes: the callers find the
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DIGITS",
    "NORTH",
    "READINGS",
    "Reading",
    "reading_named",
    "read_int",
    "read_numeral",
    "read_decimal",
    "read_digits",
    "read_ordinal",
    "read_month",
    "read_fraction",
    "roman_to_int",
    "MAX_READABLE",
]

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
MAX_READABLE = 10**15  # beyond a thousand trillion a number is an identifier: read digit by digit


@dataclass(frozen=True)
class Reading:
    """The regional words of number reading: the thousand (nghìn/ngàn) and the zero ten (linh/lẻ: 105)."""

    thousand: str = "nghìn"
    zero_ten: str = "linh"

    @property
    def name(self) -> str:
        return f"{self.thousand} {self.zero_ten}"


NORTH = Reading()
READINGS = {r.name: r for r in (NORTH, Reading("ngàn", "lẻ"), Reading("nghìn", "lẻ"), Reading("ngàn", "linh"))}


def reading_named(name: str) -> Reading:
    """"nghìn linh" (default), "ngàn lẻ", "nghìn lẻ", "ngàn linh" -> the Reading; unknown names read northern."""
    return READINGS.get(name, NORTH)


def _triplet(n: int, full: bool, r: Reading) -> list[str]:
    """Words for 0..999; `full` reads the hundreds even when zero ("không trăm") inside a larger number."""
    h, t, u = n // 100, (n // 10) % 10, n % 10
    out: list[str] = []
    if h or full:
        out += [DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if h or full:
                out.append(r.zero_ten)
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


def _words(n: int, r: Reading) -> list[str]:
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        out = _words(high, r) + ["tỷ"]
        if low:
            out += _below_billion(low, True, r)
        return out
    return _below_billion(n, False, r)


def _below_billion(n: int, full: bool, r: Reading) -> list[str]:
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    out: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        out += _triplet(g, full, r)
        if i == 1:
            out.append(r.thousand)
        elif i == 2:
            out.append("triệu")
        full = True  # every later group says its hundreds: 1.005 = một nghìn không trăm linh năm
    return out


def read_int(n: int, r: Reading = NORTH) -> str:
    """Cardinal number in words: 0 -> "không", 21 -> "hai mươi mốt", 1500 -> "một nghìn năm trăm"."""
    if n == 0:
        return DIGITS[0]
    if n < 0:
        return "âm " + read_int(-n, r)
    if n > MAX_READABLE:
        return read_digits(str(n))
    return " ".join(_words(n, r))


def read_digits(s: str) -> str:
    """Digit by digit, as phone numbers and serials are read: "1022" -> "một không hai hai"."""
    return " ".join(DIGITS[ord(c) - 48] for c in s if "0" <= c <= "9")


def read_numeral(s: str, r: Reading = NORTH) -> str:
    """An integer as written: leading zeros dropped for short numbers ("09" -> "chín"), long zero-led strings
    (serials, codes) and numbers past a thousand trillion read digit by digit."""
    digits = s.replace(".", "")
    if (len(digits) >= 4 and digits.startswith("0")) or len(digits) > 16:
        return read_digits(digits)
    return read_int(int(digits), r)


def read_decimal(whole: str, frac: str, r: Reading = NORTH) -> str:
    """Decimal with the Vietnamese comma: "2,5" -> "hai phẩy năm", "1,25" -> "một phẩy hai mươi lăm",
    "0,05" -> "không phẩy không năm" (zero-led or long fractions are read digit by digit)."""
    head = read_numeral(whole, r) if whole else DIGITS[0]
    if frac.startswith("0") or len(frac) > 3:
        tail = read_digits(frac)
    else:
        tail = read_int(int(frac), r)
    return f"{head} phẩy {tail}"


def read_ordinal(n: int, r: Reading = NORTH) -> str:
    """After "thứ": 1 -> "nhất", 4 -> "tư", otherwise the cardinal ("thứ mười bốn")."""
    return {1: "nhất", 4: "tư"}.get(n) or read_int(n, r)


def read_month(n: int, r: Reading = NORTH) -> str:
    """Month number after "tháng": 4 -> "tư" (tháng tư), otherwise the cardinal (tháng một, tháng mười hai)."""
    return "tư" if n == 4 else read_int(n, r)


def read_fraction(num: int, den: int, r: Reading = NORTH) -> str:
    """A fraction: 1/2 -> "một phần hai", 3/4 -> "ba phần tư" (a quarter is "tư", as in tháng tư)."""
    return f"{read_int(num, r)} phần {'tư' if den == 4 else read_int(den, r)}"


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_STEPS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman_to_int(s: str) -> int | None:
    """Value of a well-formed Roman numeral I..MMMCMXCIX, any case, else None ("IIII", "VX" are rejected)."""
    s = s.upper()
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        if i + 1 < len(s) and _ROMAN[s[i + 1]] > v:
            total -= v
        else:
            total += v
    if not 0 < total < 4000 or _to_roman(total) != s:
        return None
    return total


def _to_roman(n: int) -> str:
    out = []
    for v, sym in _ROMAN_STEPS:
        while n >= v:
            out.append(sym)
            n -= v
    return "".join(out)
