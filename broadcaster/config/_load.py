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
from broadcaster.config._approval import approval_key
from broadcaster.config._schema import BULLETIN_FIELDS, STATION_FIELDS
from broadcaster.config._sections import parse_fields
from broadcaster.config._crosschecks import line_of
from broadcaster.config._values import Context, Invalid, Notice, check_identifier
from broadcaster.config._yaml import YNode, read_bytes_bounded, read_yaml
from broadcaster.errors import ConfigError, Problem
from broadcaster.models import Bulletin, SourceRef, Station
from broadcaster.words import stale_reason

__all__ = [
    "BULLETIN_DIR",
    "STATION_FILE",
    "Notice",
    "bulletin_files",
    "check_bulletin_file",
    "check_station",
    "display_path",
    "is_error",
    "load_bulletins",
    "load_station",
    "outside_station",
    "read_station_yaml",
]

STATION_FILE = "station.yaml"
BULLETIN_DIR = "bulletins"


def is_error(problem: Problem) -> bool:
    return not isinstance(problem, Notice)


def display_path(path: Path) -> str:
    """The path as the officer typed it: relative to the current directory when it is below it."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def outside_station(path: Path, root: Path) -> bool:
    """True when `path` is a symlink whose target lies outside the station directory `root`."""
    if not path.is_symlink():
        return False
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return True
    return False


def read_station_yaml(
    path: Path, file: str, root: Path | None = None, *, empty_ok: bool = False
) -> tuple[YNode | None, list[Problem]]:
    """Read one of the station's YAML files within the limits of `_yaml` (size, depth, aliases, control
    characters), refusing symlinks that leave the station directory `root`. Problems name `file` and, when
    the file has lines, the line. The one loader for station.yaml, bulletins and pronunciations.yaml."""
    if root is not None and outside_station(path, root):
        return None, [Problem(file, None, "", "tệp là liên kết (symlink) trỏ ra ngoài thư mục đài: chép tệp "
                                              "thật vào đây thay cho liên kết")]
    data, why = read_bytes_bounded(path)
    if data is None:
        return None, [Problem(file, None, "", why)]
    node, problems = read_yaml(data)
    out = [Problem(file, p.line, p.key, p.message) for p in problems]
    if node is None and not out and not empty_ok:
        line = 1 if data.strip() else None  # only comments: line 1; truly empty: no line to name
        out.append(Problem(file, line, "", "tệp trống: cần các dòng 'tên: giá trị'"))
    return node, out


def _read(path: Path, ctx: Context, root: Path | None = None) -> YNode | None:
    """Read and parse one file into ctx; None when there is nothing usable."""
    node, problems = read_station_yaml(path, ctx.file, root)
    ctx.problems.extend(problems)
    if node is None:
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
    root = station.root if station else path.parent.parent
    node = _read(path, ctx, root)
    if node is None:
        return None
    values, ok = parse_fields(BULLETIN_FIELDS, node, "", ctx)
    try:
        check_identifier(path.stem)
    except Invalid:
        ctx.add(
            1,
            "",
            f"tên tệp '{path.name}' dùng làm mã bản tin: đổi tên thành chữ thường không dấu, "
            "chữ số và dấu '-' (ví dụ: 2026-papi-gioi-thieu.yaml)",
        )
        ok = False
    if values.get("audio"):
        values["audio"] = Path(os.path.normpath(root / values["audio"]))
    _rules.check_bulletin_rules(values, node, known, ctx, today=today, decode_audio=decode_audio)
    if not ok:
        return None
    bulletin = Bulletin(id=path.stem, **values, source=SourceRef(ctx.file, 1))
    bulletin = replace(bulletin, content_key=approval_key(bulletin))
    if bulletin.approval_stale:
        key = "approved_hash" if "approved_hash" in node.value else "status"
        ctx.note(line_of(node, key), "approved_hash", stale_reason(bulletin))
    return bulletin


def bulletin_files(station_root: Path) -> list[Path]:
    """The bulletin files of a station, in name order (hidden and editor backup files skipped). Entries that
    are not regular files (a FIFO, a device, a directory named *.yaml) are listed too: loading reports them."""
    folder = station_root / BULLETIN_DIR
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return []
    return sorted(p for p in entries if p.suffix in (".yaml", ".yml") and not p.name.startswith((".", "~")))


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
                1,
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


def check_bulletin_file(
    station: Station, path: Path, *, today: date | None = None, decode_audio: bool = False
) -> tuple[Bulletin | None, list[Problem]]:
    """One bulletin file on its own (the desk's list and save): the bulletin when it has no error, and every
    problem and notice of it. Its id is the file name's stem, whatever folder it is read from."""
    ctx = Context(display_path(path), tz=ZoneInfo(station.timezone))
    bulletin = _bulletin_from(
        path, station, _rules.Known.of(station), ctx, today=today, decode_audio=decode_audio
    )
    return (bulletin if not ctx.problems else None), [*ctx.problems, *ctx.notices]


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
