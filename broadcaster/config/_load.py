"""Station and bulletin files -> frozen models, with every problem reported at once as `file:line: key: ...`.

The schema lives in `_schema.py` (one table of keys); cross-field and cross-file rules in `_rules.py`. A bad
bulletin never stops the others from loading; `check_station` gathers everything, including notices
(`Notice`: drafts, expired bulletins) that are worth telling the officer but are not errors.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.clock import DEFAULT_TIMEZONE
from broadcaster.config import _crosschecks as _rules
from broadcaster.config._schema import BULLETIN_FIELDS, STATION_FIELDS
from broadcaster.config._sections import parse_fields
from broadcaster.config._values import Context, Invalid, Notice, check_identifier
from broadcaster.config._yaml import YNode, read_yaml
from broadcaster.errors import ConfigError, Problem
from broadcaster.models import Bulletin, SourceRef, Station

__all__ = [
    "BULLETIN_DIR",
    "STATION_FILE",
    "Notice",
    "bulletin_files",
    "check_station",
    "display_path",
    "is_error",
    "load_bulletins",
    "load_station",
]

STATION_FILE = "station.yaml"
BULLETIN_DIR = "bulletins"
_MAX_FILE_BYTES = 1_000_000  # a bulletin or station file this large is a mistake (a pasted document)


def is_error(problem: Problem) -> bool:
    return not isinstance(problem, Notice)


def display_path(path: Path) -> str:
    """The path as the officer typed it: relative to the current directory when it is below it."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(path: Path, ctx: Context) -> YNode | None:
    """Read and parse one file into ctx; None when there is nothing usable."""
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            ctx.add(
                None, "", f"tệp quá lớn ({path.stat().st_size // 1024} KB): mỗi tệp chỉ chứa một bản tin ngắn"
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        ctx.add(None, "", f"không đọc được tệp: {exc.strerror or exc}")
        return None
    node, problems = read_yaml(data)
    for p in problems:
        ctx.add(p.line, p.key, p.message)
    if node is None:
        if not problems:
            ctx.add(None, "", "tệp trống: cần các dòng 'tên: giá trị'")
        return None
    if node.kind != "map":
        ctx.add(node.line, "", "tệp phải gồm các dòng 'tên: giá trị' (ví dụ 'title: Thông báo ...')")
        return None
    return node


def _station_from(root: Path, node: YNode, ctx: Context) -> Station:
    values, _ok = parse_fields(STATION_FIELDS, node, "", ctx)
    # Missing required values are already problems; placeholders let the other rules still run.
    values.setdefault("name", "")
    values.setdefault("commune", "")
    values.setdefault("zones", ())
    values.setdefault("slots", ())
    values["slots"] = tuple(
        replace(s, source=SourceRef(ctx.file, s.source.line if s.source else None)) for s in values["slots"]
    )
    state = values.pop("state_dir") or "../var"
    return Station(**values, root=root, state_dir=Path(os.path.normpath(root / state)))


def _load_station(station_dir: str | Path) -> tuple[Station | None, YNode | None, Context]:
    root = Path(station_dir).absolute()
    path = root / STATION_FILE
    ctx = Context(display_path(path))
    if not path.is_file():
        where = display_path(root)
        hint = "" if root.is_dir() else f" (thư mục {where} không tồn tại)"
        ctx.add(
            None,
            "",
            f"không tìm thấy tệp cấu hình đài{hint}: dùng --station để chỉ đúng thư mục chứa {STATION_FILE}",
        )
        return None, None, ctx
    node = _read(path, ctx)
    if node is None:
        return None, None, ctx
    station = _station_from(root, node, ctx)
    _rules.check_station_rules(station, node, ctx)
    return station, node, ctx


def load_station(station_dir: str | Path) -> Station:
    """Load `station.yaml` from a station directory; raise ConfigError listing every problem."""
    station, _node, ctx = _load_station(station_dir)
    if ctx.problems or station is None:
        raise ConfigError(ctx.problems)
    return station


def _bulletin_from(
    path: Path,
    station: Station | None,
    known: _rules.Known,
    ctx: Context,
    *,
    today: date | None,
    decode_audio: bool,
) -> Bulletin | None:
    node = _read(path, ctx)
    if node is None:
        return None
    values, ok = parse_fields(BULLETIN_FIELDS, node, "", ctx)
    try:
        check_identifier(path.stem)
    except Invalid:
        ctx.add(
            None,
            "",
            f"tên tệp '{path.name}' dùng làm mã bản tin: đổi tên thành chữ thường không dấu, "
            "chữ số và dấu '-' (ví dụ: 2026-papi-gioi-thieu.yaml)",
        )
        ok = False
    root = station.root if station else path.parent.parent
    if values.get("audio"):
        values["audio"] = Path(os.path.normpath(root / values["audio"]))
    _rules.check_bulletin_rules(values, node, known, ctx, today=today, decode_audio=decode_audio)
    if not ok:
        return None
    return Bulletin(id=path.stem, **values, source=SourceRef(ctx.file, 1))


def bulletin_files(station_root: Path) -> list[Path]:
    """The bulletin files of a station, in name order (hidden and editor backup files skipped)."""
    folder = station_root / BULLETIN_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and not p.name.startswith((".", "~")) and p.is_file()
    )


def _load_bulletins(
    station: Station | None,
    root: Path,
    known: _rules.Known,
    *,
    today: date | None = None,
    decode_audio: bool = False,
    notices: bool = False,
) -> tuple[list[Bulletin], list[Problem]]:
    tz = ZoneInfo(station.timezone) if station else ZoneInfo(DEFAULT_TIMEZONE)
    bulletins: list[Bulletin] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in bulletin_files(root):
        ctx = Context(display_path(path), tz=tz)
        if path.stem in seen:
            ctx.add(
                None,
                "",
                f"trùng mã bản tin '{path.stem}' với tệp {display_path(seen[path.stem])}: đổi tên "
                "một trong hai tệp",
            )
        else:
            seen[path.stem] = path
            bulletin = _bulletin_from(path, station, known, ctx, today=today, decode_audio=decode_audio)
            if bulletin is not None and not ctx.problems:
                bulletins.append(bulletin)
        problems.extend(ctx.problems)
        if notices:
            problems.extend(ctx.notices)
    return bulletins, problems


def load_bulletins(station: Station) -> tuple[list[Bulletin], list[Problem]]:
    """Every bulletin in `<station>/bulletins/`: the good ones, and the problems of the bad ones."""
    return _load_bulletins(station, station.root, _rules.Known.of(station))


def check_station(
    station_dir: str | Path, *, today: date | None = None, decode_audio: bool = True
) -> list[Problem]:
    """Everything wrong with a station at once: station.yaml, every bulletin, the rules, the audio files.

    Includes `Notice`s (drafts, expired bulletins when `today` is given); only other problems are errors.
    """
    station, node, ctx = _load_station(station_dir)
    problems: list[Problem] = list(ctx.problems)
    known = _rules.Known.of(station, ctx.declared)
    root = station.root if station else Path(station_dir).absolute()
    if station is not None and node is not None and decode_audio:
        problems.extend(_rules.check_station_audio(station, node, ctx.file))
    _bulletins, bulletin_problems = _load_bulletins(
        station, root, known, today=today, decode_audio=decode_audio, notices=True
    )
    problems.extend(bulletin_problems)
    return problems
