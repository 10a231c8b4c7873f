"""Pieces shared by the numeric rules: how a number, a dash and a year are written, and reading a written
number with Vietnamese separators."""

from __future__ import annotations

from broadcaster.speech._numbers import NORTH, Reading, read_decimal, read_numeral

__all__ = ["NUM", "SNUM", "DASH", "YEAR", "read_number"]

NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
SNUM = rf"(?:âm )?(?:{NUM})"  # a number already marked negative by the sign rule
DASH = r"\s*[-–—]\s*"
YEAR = r"(?:1[5-9]\d{2}|20\d{2}|2100)"


def read_number(s: str, r: Reading = NORTH) -> str:
    """A written number with Vietnamese separators: "1.500" -> "một nghìn năm trăm", "2,5" -> "hai phẩy năm",
    "âm 3" -> "âm ba"."""
    if s.startswith("âm "):
        return "âm " + read_number(s[3:], r)
    whole, _, frac = s.partition(",")
    return read_decimal(whole.replace(".", ""), frac, r) if frac else read_numeral(whole, r)
