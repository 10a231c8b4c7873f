"""A corpus of malformed station, bulletin and dictionary files, generated from a small good station.

Each `Variant` writes a good station into a folder and then breaks one file of it: syntax, wrong types, values
out of range (taken from the schema's own limits), encodings, sizes, aliases, nesting, control characters,
symlinks to devices or out of the station, FIFOs, huge and empty files, duplicate keys and ids, dates. The good
bulletin `tin-tot` is never touched, so a plan of any variant whose station.yaml still loads must air it.
Used by tests/config/test_corpus.py.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from broadcaster.config._schema import BULLETIN_FIELDS, STATION_FIELDS, walk
from broadcaster.config._sections import MapOf, Section
from broadcaster.config._calendar import DateTimeValue, DateValue, TimeOfDay
from broadcaster.config._values import Float, Int
from broadcaster.config import approval_key
from broadcaster.models import Bulletin, RepeatRule

GOOD = "tin-tot"  # the bulletin every plan must still air
BAD = "tin-xau"  # the bulletin variants break
IDS = {"zones": "thon-a", "slots": "sang", "outputs": "main", "topics": "papi"}
PLACEHOLDER = "@@VALUE@@"
COUNT_LINES: list[str] = []  # filled by test_corpus, printed by conftest at the end of the run

STATION: dict[str, Any] = {
    "name": "Đài truyền thanh xã Thử",
    "commune": "Thử",
    "district": "Ân Thi",
    "province": "Hưng Yên",
    "timezone": "Asia/Ho_Chi_Minh",
    "state_dir": "",  # set per corpus run: one shared state (generated jingles are made once)
    "outputs": {"main": {"kind": "null", "zone_switch": {"kind": "none", "warmup_seconds": 0}}},
    "zones": {"thon-a": {"name": "Thôn A"}, "thon-b": {"name": "Thôn B", "relay": 2}},
    "slots": {"sang": {"name": "Buổi sáng", "start": "06:30", "max_minutes": 30, "days": "hằng ngày"}},
    "window": {"start": "06:00", "end": "21:00"},
    "caps": {"max_sessions_per_day": 3, "max_minutes_per_session": 45},
    "days_off": ["2026-09-02"],
    "speech": {"engines": ["espeak"], "pronunciations": "pronunciations.yaml"},
    "audio": {"loudness_lufs": -16, "pause_seconds": 1.0},
    "playout": {"grace_minutes": 5, "emergency_repeat": 2},
}


TEXT = "Ủy ban nhân dân xã thông báo lịch tiêm chủng ngày 05/12/2026 tại trạm y tế."
# the approval bound to the content below (the title is not part of it, so one key serves both bulletins)
APPROVED_HASH = approval_key(Bulletin(id=GOOD, title="", topic="thu", text=TEXT, valid_from=date(2026, 11, 1),
                                      valid_until=date(2026, 12, 31), zones=("thon-a",), repeat=RepeatRule(per_day=1)))


def bulletin(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "topic": "thu",
        "priority": "thường",
        "text": TEXT,
        "valid_from": "2026-11-01",
        "valid_until": "2026-12-31",
        "zones": ["thon-a"],
        "repeat": {"per_day": 1},
        "status": "đã duyệt",
        "approved_by": "Nguyễn Văn Lý",
        "approved_at": "2026-11-20 08:00",
        "approved_hash": APPROVED_HASH,
    }


DICTIONARY: dict[str, Any] = {
    "abbreviations": {"HTX": "hợp tác xã", "BQL": "ban quản lý"},
    "words": {"zalo": "da lô"},
    "context": {"TT": [{"after": r"\s*(?:xã|huyện)", "read": "thị trấn"}]},
}


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


@dataclass(frozen=True)
class Variant:
    """One malformed station: `family` for the count, `target` the file broken ("station", "bulletin",
    "dictionary"), `make(root)` writes it into an empty folder."""

    name: str
    family: str
    target: str
    make: Callable[[Path], None]


def write_good(root: Path, state_dir: Path) -> None:
    (root / "bulletins").mkdir(parents=True, exist_ok=True)
    station = copy.deepcopy(STATION)
    station["state_dir"] = str(state_dir)
    (root / "station.yaml").write_text(dump(station), encoding="utf-8")
    (root / "bulletins" / f"{GOOD}.yaml").write_text(dump(bulletin("Tin tốt")), encoding="utf-8")
    (root / "bulletins" / f"{BAD}.yaml").write_text(dump(bulletin("Tin sẽ hỏng")), encoding="utf-8")
    (root / "pronunciations.yaml").write_text(dump(DICTIONARY), encoding="utf-8")


TARGET_FILES = {"station": "station.yaml", "bulletin": f"bulletins/{BAD}.yaml", "dictionary": "pronunciations.yaml"}


class Corpus:
    """Builds the variants against one shared state directory."""

    def __init__(self, state_dir: Path):
        self.state_dir = state_dir

    def _station_data(self) -> dict[str, Any]:
        station = copy.deepcopy(STATION)
        station["state_dir"] = str(self.state_dir)
        return station

    def _data(self, target: str) -> Any:
        if target == "station":
            return self._station_data()
        return copy.deepcopy(bulletin("Tin sẽ hỏng") if target == "bulletin" else DICTIONARY)

    def raw(self, name: str, family: str, target: str, data: bytes | str) -> Variant:
        """The target file replaced by these bytes."""
        payload = data.encode("utf-8") if isinstance(data, str) else data

        def make(root: Path) -> None:
            write_good(root, self.state_dir)
            (root / TARGET_FILES[target]).write_bytes(payload)

        return Variant(name, family, target, make)

    def edited(self, name: str, family: str, target: str, edit: Callable[[str], str]) -> Variant:
        """The target file's good text, edited."""
        return self.raw(name, family, target, edit(dump(self._data(target))))

    def with_value(self, name: str, family: str, target: str, path: list[str], literal: str) -> Variant:
        """The good file with the value at `path` written as this literal YAML text (unquoted)."""
        data = self._data(target)
        node = data
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = PLACEHOLDER
        text = dump(data).replace(f"'{PLACEHOLDER}'", literal).replace(PLACEHOLDER, literal)
        return self.raw(name, family, target, text)

    def special(self, name: str, family: str, target: str, make_file: Callable[[Path, Path], None]) -> Variant:
        """The target path replaced by something that is not a plain file: `make_file(path, root)`."""

        def make(root: Path) -> None:
            write_good(root, self.state_dir)
            path = root / TARGET_FILES[target]
            path.unlink()
            make_file(path, root)

        return Variant(name, family, target, make)

    def extra(self, name: str, family: str, files: dict[str, bytes | str]) -> Variant:
        """The good station plus more files in bulletins/ (duplicates, odd names)."""

        def make(root: Path) -> None:
            write_good(root, self.state_dir)
            for rel, data in files.items():
                payload = data.encode("utf-8") if isinstance(data, str) else data
                (root / rel).write_bytes(payload)

        return Variant(name, family, "bulletin", make)

    # -- families -----------------------------------------------------------------------------------------------
    def variants(self) -> list[Variant]:
        out: list[Variant] = []
        for family in (self.syntax, self.types_and_ranges, self.encodings, self.sizes, self.aliases,
                       self.nesting, self.control_characters, self.special_files, self.duplicates, self.dates,
                       self.dictionary_entries):
            out.extend(family())
        names = [v.name for v in out]
        assert len(names) == len(set(names)), "variant names must be unique"
        return out

    def syntax(self) -> Iterator[Variant]:
        broken = {
            "unclosed-list": "zones: [thon-a, thon-b\n",
            "unclosed-map": "a: {b: 1\n",
            "unclosed-quote": 'title: "Tin\n',
            "tab-indent": "title: x\n\ttopic: y\n",
            "bad-indent": "title: x\n  topic: y\n topic2: z\n",
            "colon-no-space": "title:x\ntopic:y\n",
            "two-documents": "title: a\n---\ntitle: b\n",
            "only-list": "- a\n- b\n",
            "only-scalar": "just some words\n",
            "key-is-list": "[a, b]: c\n",
            "key-is-map": "{a: b}: c\n",
            "undefined-tag": "title: !mytag x\n",
            "python-tag": "title: !!python/object/apply:os.system ['true']\n",
            "binary-tag": "title: !!binary aGVsbG8=\n",
            "directive": "%YAML 1.3\n---\ntitle: x\n",
            "stray-bracket": "title: ]\n",
            "stray-brace": "}\n",
            "percent": "%\n",
            "at-start": "@title: x\n",
            "backtick": "`title`: x\n",
            "anchor-only": "&a\n",
            "question-key": "? title\n: x\n",
            "block-scalar-bad": "text: |\nnot indented\n",
            "folded-empty": "text: >\n",
            "trailing-garbage": "title: x\n... garbage\n",
            "unicode-key": "tiêu đề: x\n",
            "null-key": "~: x\n",
            "empty-key": '"": x\n',
            "merge-key": "base: &b {topic: t}\n<<: *b\ntitle: x\n",
            "windows-crlf": "title: Tin\r\ntopic: t\r\ntext: Nội dung\r\n",
        }
        for target in TARGET_FILES:
            for name, text in broken.items():
                yield self.raw(f"syntax/{target}/{name}", "syntax", target, text)

    def types_and_ranges(self) -> Iterator[Variant]:
        always = {"list": "[1, 2]", "null": "null"}
        rotating = [("map", "{a: 1}"), ("empty", ""), ("tilde", "~"), ("long-text", "x" * 700)]
        for target, fields in (("station", STATION_FIELDS), ("bulletin", BULLETIN_FIELDS)):
            for i, (key_path, field) in enumerate(walk(fields)):
                if isinstance(field.type, (Section, MapOf)):
                    continue
                path = _resolve_ids(key_path.split("."))
                wrong = {**always, **dict([rotating[i % len(rotating)]])}
                for label, literal in wrong.items():
                    yield self.with_value(f"type/{target}/{key_path}/{label}", "types", target, path, literal)
                for label, literal in _range_literals(field.type).items():
                    yield self.with_value(f"range/{target}/{key_path}/{label}", "ranges", target, path, literal)

    def encodings(self) -> Iterator[Variant]:
        text = dump(bulletin("Tin có dấu tiếng Việt"))
        cases: dict[str, bytes] = {
            "latin1": text.encode("utf-8").decode("utf-8").encode("latin-1", errors="replace"),
            "utf16-bom": text.encode("utf-16"),
            "utf16le-nobom": text.encode("utf-16-le"),
            "utf32": text.encode("utf-32"),
            "utf8-bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
            "cp1258": text.encode("cp1258", errors="replace"),
            "invalid-middle": text.encode("utf-8")[:40] + b"\xff\xfe\xc3" + text.encode("utf-8")[40:],
            "truncated-utf8": text.encode("utf-8")[:-1] + "ế".encode()[:2],
            "nul-bytes": text.encode("utf-8").replace(b"\n", b"\x00\n", 3),
            "overlong": b"title: \xc0\xaf\n",
            "surrogate-bytes": b"title: \xed\xa0\x80\n",
        }
        for target in TARGET_FILES:
            for name, data in cases.items():
                yield self.raw(f"encoding/{target}/{name}", "encodings", target, data)

    def sizes(self) -> Iterator[Variant]:
        cases: dict[str, bytes] = {
            "empty": b"",
            "blank": b"\n\n   \n",
            "comments-only": "# chỉ có ghi chú\n# không có gì\n".encode(),
            "huge-2mb": b"title: x\n" + b"# " + b"a" * 2_000_000 + b"\n",
            "just-under-limit": b"title: x\ntopic: t\ntext: ok\n" + (b"# " + b"a" * 98 + b"\n") * 9_900,
            "long-line": b"title: " + b"a" * 900_000 + b"\n",
            "many-keys": b"".join(b"k%d: v\n" % i for i in range(60_000)),
            "many-items": b"zones:\n" + b"".join(b"  - z%d\n" % i for i in range(90_000)),
            "long-text": ("text: " + "Bà con chú ý. " * 3000 + "\n").encode(),
        }
        for target in TARGET_FILES:
            for name, data in cases.items():
                yield self.raw(f"size/{target}/{name}", "sizes", target, data)

    def aliases(self) -> Iterator[Variant]:
        laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
        )
        cases = {
            "billion-laughs": laughs,
            "laughs-in-map": "a: &a {x: 1, y: 2}\n" + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} {{{', '.join(f'k{j}: *{chr(97 + i)}' for j in range(9))}}}\n"
                for i in range(8)
            ),
            "long-string-laughs": "a: &a " + "x" * 5000 + "\n" + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(6)
            ),
            "self-reference": "a: &a [*a]\n",
            "self-reference-map": "a: &a {b: *a}\n",
            "undefined": "title: *nothing\n",
            "many-aliases": "x: &x v\nl: [" + ", ".join(["*x"] * 500) + "]\n",
            "alias-as-key": "a: &k title\n*k : x\n",
            "deep-through-alias": "a: &a " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 10 + "*a" + "]" * 10 + "\n",
            "fine-anchor": None,  # a reasonable anchor: still loads
        }
        for target in TARGET_FILES:
            for name, text in cases.items():
                if text is None:
                    if target != "station":
                        continue
                    data = self._station_data()
                    text = dump(data).replace("zones:\n", "zones: &villages\n", 1)
                yield self.raw(f"alias/{target}/{name}", "aliases", target, text)

    def nesting(self) -> Iterator[Variant]:
        cases = {
            "lists-30": "a: " + "[" * 30 + "]" * 30 + "\n",
            "lists-1000": "a: " + "[" * 1000 + "]" * 1000 + "\n",
            "lists-100000": "a: " + "[" * 100_000 + "\n",
            "maps-50": "a: " + "{b: " * 50 + "1" + "}" * 50 + "\n",
            "maps-5000": "a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n",
            "block-60": "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n",
            "mixed-40": "a: " + "[{b: " * 40 + "1" + "}]" * 40 + "\n",
        }
        for target in TARGET_FILES:
            for name, text in cases.items():
                yield self.raw(f"nesting/{target}/{name}", "nesting", target, text)

    def control_characters(self) -> Iterator[Variant]:
        chars = [c for c in range(32) if c not in (9, 10, 13)] + [0x7F, 0x85, 0x9B, 0xFFFE]
        for code in chars:
            ch = chr(code)
            yield self.edited(f"control/bulletin/raw-{code:04x}", "control", "bulletin",
                              lambda t, ch=ch: t.replace("Tin sẽ hỏng", f"Tin{ch}sẽ hỏng"))
            yield self.edited(f"control/station/escaped-{code:04x}", "control", "station",
                              lambda t, code=code: t.replace("name: Đài truyền thanh xã Thử",
                                                             f'name: "Đài\\u{code:04x}thử"'))
        yield self.edited("control/bulletin/escaped-nul-text", "control", "bulletin",
                          lambda t: t.replace("text: ", 'text: "a\\0b"\nx_old_text: ', 1))
        yield self.edited("control/dictionary/escaped-bell", "control", "dictionary",
                          lambda t: t.replace("hợp tác xã", '"hợp\\atác xã"'))
        yield self.edited("control/bulletin/lone-surrogate", "control", "bulletin",
                          lambda t: t.replace("title: Tin sẽ hỏng", 'title: "a\\ud800b"'))

    def special_files(self) -> Iterator[Variant]:
        def fifo(path: Path, root: Path) -> None:
            os.mkfifo(path)

        def link(target: str) -> Callable[[Path, Path], None]:
            return lambda path, root: path.symlink_to(target)

        def outside(path: Path, root: Path) -> None:
            elsewhere = root.parent / f"{root.name}-elsewhere.yaml"
            elsewhere.write_text(dump(bulletin("Ở ngoài")), encoding="utf-8")
            path.symlink_to(elsewhere)

        def loop(path: Path, root: Path) -> None:
            other = path.with_name("vong.yml.txt")
            other.symlink_to(path)
            path.symlink_to(other)

        def directory(path: Path, root: Path) -> None:
            path.mkdir()

        def unreadable(path: Path, root: Path) -> None:
            path.write_text("title: x\n", encoding="utf-8")
            path.chmod(0)

        cases = {
            "fifo": fifo, "dev-zero": link("/dev/zero"), "dev-null": link("/dev/null"),
            "dev-urandom": link("/dev/urandom"), "etc-passwd": link("/etc/passwd"), "proc-self": link("/proc/self/environ"),
            "dangling": link("/nonexistent/file.yaml"), "loop": loop, "directory": directory, "outside": outside,
            "unreadable": unreadable,
        }
        for target in TARGET_FILES:
            for name, make_file in cases.items():
                yield self.special(f"special/{target}/{name}", "special files", target, make_file)
        # inside the station: a symlink to one of its own files is fine
        yield self.special("special/bulletin/inside-link", "special files", "bulletin",
                           lambda path, root: path.symlink_to(root / "bulletins" / f"{GOOD}.yaml"))

    def duplicates(self) -> Iterator[Variant]:
        yield self.extra("duplicate/id-yml", "duplicates", {f"bulletins/{GOOD}.yml": dump(bulletin("Bản sao"))})
        yield self.extra("duplicate/id-yml-bad", "duplicates", {f"bulletins/{BAD}.yml": "title: [\n"})
        yield self.extra("duplicate/bad-filename", "duplicates", {"bulletins/Tin Mới.yaml": dump(bulletin("X"))})
        yield self.extra("duplicate/hidden-and-backup", "duplicates",
                         {"bulletins/.an.yaml": "title: [", "bulletins/~luu.yaml": "title: ["})
        for target in TARGET_FILES:
            first = {"station": "name", "bulletin": "title", "dictionary": "abbreviations"}[target]
            yield self.edited(f"duplicate/{target}/top-key", "duplicates", target,
                              lambda t, k=first: t + f"{k}: lần hai\n")
        yield self.edited("duplicate/station/zone-id", "duplicates", "station",
                          lambda t: t.replace("  thon-b:\n", "  thon-a:\n", 1))
        yield self.edited("duplicate/station/slot-key", "duplicates", "station",
                          lambda t: t.replace("    max_minutes: 30\n", "    max_minutes: 30\n    max_minutes: 20\n"))
        yield self.edited("duplicate/station/relay", "duplicates", "station",
                          lambda t: t.replace("    name: Thôn A\n", "    name: Thôn A\n    relay: 2\n"))
        yield self.edited("duplicate/dictionary/entry", "duplicates", "dictionary",
                          lambda t: t.replace("  BQL: ban quản lý\n", "  BQL: ban quản lý\n  BQL: bờ qu\n"))

    def dates(self) -> Iterator[Variant]:
        values = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01", "2026-02-30", "2026-13-01",
                  "31/12/9999", "00/00/0000", "2026-11-20T25:61", "99999999999999999999-01-01", "'2026-1-1'"]
        for i, value in enumerate(values):
            for key in ("valid_from", "valid_until", "approved_at"):
                yield self.with_value(f"date/bulletin/{key}/{i}", "dates", "bulletin", [key], value)
            yield self.with_value(f"date/station/days_off/{i}", "dates", "station", ["days_off"], f"[{value}]")
        yield self.with_value("date/station/days_off/range-century", "dates", "station", ["days_off"],
                              "['2000-01-01..2026-11-30']")
        yield self.with_value("date/bulletin/repeat-dates", "dates", "bulletin", ["repeat"],
                              "{dates: [9999-12-31, 2026-12-01]}")

    def dictionary_entries(self) -> Iterator[Variant]:
        readings = {"digit": "quốc lộ 1", "percent": "mười %", "slash": "a/b", "ampersand": "a & b",
                    "caps-code": "x@y", "emoji": "vui 😀", "empty": "''", "list": "[a, b]", "map": "{a: b}"}
        for name, value in readings.items():
            yield self.with_value(f"dictionary/reading/{name}", "dictionary", "dictionary",
                                  ["abbreviations", "HTX"], value)
        patterns = {"redos": "'(a+)+$'", "redos-word": "'(\\w*)*x'", "too-long": "'" + "a" * 300 + "'",
                    "invalid": "'(('", "backref": "'(a)\\2'"}
        for name, value in patterns.items():
            yield self.with_value(f"dictionary/pattern/{name}", "dictionary", "dictionary",
                                  ["context", "TT"], f"[{{after: {value}, read: thị trấn}}]")
        yield self.with_value("dictionary/unknown-section", "dictionary", "dictionary", ["abbreviation"], "{A: a}")
        yield self.with_value("dictionary/section-is-list", "dictionary", "dictionary", ["words"], "[a, b]")
        yield self.with_value("dictionary/rule-unknown-key", "dictionary", "dictionary", ["context", "TT"],
                              "[{after: x, read: y, sau: z}]")


def _resolve_ids(parts: list[str]) -> list[str]:
    out: list[str] = []
    for i, p in enumerate(parts):
        out.append(IDS[parts[i - 1]] if p == "<id>" else p)
    return out


def _range_literals(ftype: Any) -> dict[str, str]:
    """Values just out of the type's own limits, and the numbers that used to slip through."""
    if isinstance(ftype, Int):
        out = {"text": "abc", "float": "1.5", "huge": "9" * 5000, "negative-huge": "-" + "9" * 5000,
               "hex": "0x10", "underscore": "1_000"}
        if ftype.min is not None:
            out["below-min"] = str(ftype.min - 1)
        if ftype.max is not None:
            out["above-max"] = str(ftype.max + 1)
        return out
    if isinstance(ftype, Float):
        out = {"nan": "nan", "yaml-nan": ".nan", "inf": "inf", "yaml-inf": ".inf", "neg-inf": "-.inf",
               "exp": "1e999", "huge": "9" * 5000, "text": "abc"}
        if ftype.min is not None:
            out["below-min"] = repr(ftype.min - 0.5)
        if ftype.max is not None:
            out["above-max"] = repr(ftype.max + 0.5)
        return out
    if isinstance(ftype, (DateValue, DateTimeValue)):
        return {"year-9999": "9999-12-31", "year-1": "0001-01-01", "impossible": "2026-02-30"}
    if isinstance(ftype, TimeOfDay):
        return {"hour-25": "'25:00'", "minute-61": "'06:61'", "number": "390", "huge": "9" * 5000}
    return {}
