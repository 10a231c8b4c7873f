"""Things the officer names on the command line or in the desk: a date, a village, a session."""

from __future__ import annotations

import re
from datetime import date

from broadcaster.config._values import MAX_YEAR, MIN_YEAR, fold
from broadcaster.errors import InputError
from broadcaster.models import Slot, Station, Zone

__all__ = ["parse_day", "resolve_slot", "resolve_zone"]

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_VN = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_day(text: str, what: str = "ngày") -> date:
    """'2026-03-02' or '02/03/2026' -> date; anything else is an error the officer can fix."""
    s = text.strip()
    try:
        if _ISO.match(s):
            y, m, d = (int(x) for x in s.split("-"))
            return _in_range(date(y, m, d), text, what)
        if _VN.match(s):
            d, m, y = (int(x) for x in s.split("/"))
            return _in_range(date(y, m, d), text, what)
    except ValueError:
        raise InputError(f"{what} '{text}' không có thật trên lịch") from None
    raise InputError(f"{what} '{text}' không đúng dạng: viết NNNN-TT-NN (2026-03-02) hoặc NN/TT/NNNN (02/03/2026)")


def _in_range(day: date, text: str, what: str) -> date:
    """The years a station plans in: '9999-12-31' is a typing mistake, and a week after it does not exist."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InputError(f"{what} '{text}': năm {day.year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR} mà đài lập lịch")
    return day


def resolve_zone(station: Station, text: str) -> Zone:
    """A village by id ('thon-dong') or by name ('Thôn Đông', any case); unknown -> error listing them."""
    wanted = text.strip().casefold()
    for z in station.zones:
        if z.id.casefold() == wanted or z.name.casefold() == wanted:
            return z
    known = ", ".join(f"{z.id} ({z.name})" for z in station.zones) or "không có"
    raise InputError(f"không có thôn '{text}' trong station.yaml; các thôn: {known}")


def resolve_slot(station: Station, text: str) -> Slot:
    """A session by id ('sang') or by name ('Buổi sáng'), with or without diacritics ('sáng' = 'sang'); unknown ->
    the one error that lists the sessions."""
    wanted = fold(text)
    for s in station.slots:
        if fold(s.id) == wanted or fold(s.name) == wanted:
            return s
    known = ", ".join(f"{s.id} ({s.name})" for s in station.slots) or "không có"
    raise InputError(f"không có buổi phát '{text}' trong station.yaml; các buổi: {known}")
