"""Checking the airing log: its hash chain (see `_schema` for how rows enter it) and the station's signed
checkpoints (`_checkpoints`), which find what the chain alone cannot: a cut tail, a chain recomputed with the
project's own hash function, a log copied from another station.

Every problem is (kind, order, row id, message); the first one is reported, with how many more there are, and
one attack is one problem: a deleted row is named once (not again as the broken link after it), an edited row
once (the chain finds it; the checkpoints still hold its stored hash), a recomputed chain once (the first row
whose hash no longer matches what a checkpoint signed).

Speed (`scripts/bench_reports`, a million rows): rows are streamed in chain order, never held; SQLite writes
each row's canonical JSON itself (`json_object` with the keys in order), and only a row whose hash does not
match that is hashed again the exact way (`row_hash`) before it is called changed, so the check is the same.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from broadcaster.airlog._checkpoints import (
    CHECKPOINT_FILE,
    PREFIX,
    PUBLIC_KEY_FILE,
    Checkpoint,
    fingerprint,
    load_public_key,
    parse,
    read_checkpoint_file,
    signature_ok,
    station_key,
)
from broadcaster.airlog._schema import _LATER, COLUMNS, GENESIS, row_hash
from broadcaster.words import fmt_date, fmt_time

__all__ = ["VerifyResult", "verify_database", "verify_log", "verify_rows"]

Problem = tuple[int, int, int, str]  # (kind: 0 deleted, 1 edited, 2 link, 3 checkpoint; order; row id; message)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking the log; `message` is Vietnamese, for the officer."""

    ok: bool
    checked: int
    first_broken_id: int | None  # the first changed row, or the first deleted id
    message: str
    head_hash: str = ""  # row_hash of the last chained row: note it down to detect a rewritten chain later
    checkpoints: int = 0  # signed checkpoints checked
    key: str = ""  # fingerprint of the public key they were checked against
    last_checkpoint: Checkpoint | None = None
    problems: tuple[str, ...] = ()  # every problem found, first one first


def _span(first: int, last: int) -> str:
    return f"số {first}" if first == last else f"từ số {first} đến {last}"


def _when(c: Checkpoint) -> str:
    return f"điểm kiểm tra có chữ ký số {c.n} lúc {fmt_time(c.at)} {fmt_date(c.at.date())}"


def _gaps(ids: Iterable[int], last_id: int) -> list[Problem]:
    problems: list[Problem] = []
    expected = 1
    for row_id in ids:
        if row_id != expected:
            problems.append((0, expected, expected, f"thiếu bản ghi {_span(expected, row_id - 1)} (đã bị xóa)"))
        expected = row_id + 1
    if last_id >= expected:
        problems.append((0, expected, expected, f"thiếu bản ghi cuối {_span(expected, last_id)} (đã bị xóa)"))
    return problems


def _unchained(row_id: int) -> Problem:
    return (1, row_id, row_id, f"bản ghi số {row_id} đã bị sửa: mất mã kiểm tra của chuỗi")


class _Signed:
    """What the valid checkpoints signed, by chain position: the hash prefix of each row, the full head hash."""

    def __init__(self, checkpoints: list[Checkpoint]):
        self.segments = sorted((c.since, c.rows, c) for c in checkpoints if len(c.hashes) == PREFIX * (c.rows - c.since))
        self.heads = {c.rows: c for c in checkpoints}
        self.first: tuple[int, int, Checkpoint] | None = None  # (position, row id, checkpoint): first mismatch
        self._at = 0

    def check(self, position: int, row_id: int, stored: str) -> None:
        if self.first is not None or not self.segments:
            return
        while self._at < len(self.segments) and self.segments[self._at][1] < position:
            self._at += 1
        for since, rows, c in self.segments[self._at:]:
            if since >= position:
                break
            start = (position - since - 1) * PREFIX
            if stored[:PREFIX] != c.hashes[start:start + PREFIX]:
                self.first = (position, row_id, c)
                return
        head = self.heads.get(position)
        if head is not None and stored != head.head_hash:
            self.first = (position, row_id, head)


def _walk(chained: Iterable[tuple[int, int, str, str, bool]], deleted_ids: bool, signed: _Signed,
          problems: list[Problem]) -> tuple[int, int, str]:
    """The chain in seq order: (id, seq, prev_hash, row_hash, content matches its hash). Returns how many rows
    are chained, the head's position and its hash."""
    previous, expected_seq, count, edited = GENESIS, 1, 0, set()
    for position, (row_id, seq, prev_hash, stored, content_ok) in enumerate(chained, start=1):
        count = position
        if not content_ok:
            edited.add(row_id)
            problems.append((1, row_id, row_id, f"bản ghi số {row_id} đã bị sửa sau khi ghi"))
        elif seq != expected_seq:
            # chained rows missing before this one: one deletion is one problem (the id gap already names it;
            # the broken link right after it is the same deletion, so it is not reported again)
            if not deleted_ids:
                problems.append((2, position, row_id,
                                 f"chuỗi bị đứt ngay trước bản ghi số {row_id}: một bản ghi đã bị xóa"))
        elif prev_hash != previous:
            problems.append((2, position, row_id, f"chuỗi bị đứt ngay trước bản ghi số {row_id}: "
                                                  "bản ghi trước nó đã bị sửa hoặc xóa"))
        if row_id not in edited:
            signed.check(seq, row_id, stored)
        previous, expected_seq = stored, seq + 1
    return count, expected_seq - 1, previous if count else ""


def _result(problems: list[Problem], checked: int, head: str, started: int, signed: list[Checkpoint],
            key: str) -> VerifyResult:
    last = signed[-1] if signed else None
    if problems:
        problems.sort()
        _, _, first_id, message = problems[0]
        more = f" (và {len(problems) - 1} chỗ khác)" if len(problems) > 1 else ""
        return VerifyResult(False, checked, first_id, f"nhật ký phát sóng đã bị can thiệp: {message}{more}", head,
                            len(signed), key, last, tuple(p[3] for p in problems))
    tail = f", {started} bản ghi đang phát chưa vào chuỗi" if started else ""
    marks = (f" và {len(signed)} điểm kiểm tra có chữ ký của đài (khóa {key})" if signed
             else " (chưa có điểm kiểm tra có chữ ký)")
    return VerifyResult(True, checked, None, f"nhật ký toàn vẹn: đã kiểm tra {checked} bản ghi{marks}{tail}", head,
                        len(signed), key, last)


def verify_rows(rows: list[dict[str, Any]], last_id: int) -> VerifyResult:
    """The chain alone. `rows`: every airings row ordered by id; `last_id`: the highest id ever given
    (sqlite_sequence). Used for a set-aside file, whose checkpoints are not looked at."""
    problems = _gaps((r["id"] for r in rows), last_id)
    for row in rows:
        if row["seq"] is None and (row["status"] != "started" or row["row_hash"] or row["prev_hash"]):
            problems.append(_unchained(row["id"]))
    chained = sorted((r for r in rows if r["seq"] is not None), key=lambda r: r["seq"])
    walked = ((r["id"], r["seq"], r["prev_hash"], r["row_hash"], row_hash(r) == r["row_hash"]) for r in chained)
    count, _, head = _walk(walked, bool(problems), _Signed([]), problems)
    return _result(problems, len(rows), head, len(rows) - count, [], "")


# the canonical JSON of `row_hash`, written by SQLite: every key in sorted order, then the later columns dropped
# when empty (`_LATER`: approval_hash and approved_by sort first, output_kind in the middle; a quote inside a value
# is always escaped, so these patterns only ever match keys)
_KEYS = sorted(("id", "seq", "prev_hash", *COLUMNS))
assert {"approval_hash", "approved_by"} == set(_KEYS[:2]) and _LATER == {"approval_hash", "approved_by", "output_kind"}
_CANONICAL = (
    "replace(replace(replace(json_object(" + ", ".join(f"'{k}', {k}" for k in _KEYS) + "), "
    """'{"approval_hash":"",', '{'), '{"approved_by":"",', '{'), '"output_kind":"",', '')"""
)


def _chained(db: sqlite3.Connection) -> Iterator[tuple[int, int, str, str, bool]]:
    sha = hashlib.sha256
    cursor = db.execute(f"SELECT id, seq, prev_hash, row_hash, prev_hash || {_CANONICAL} FROM airings "
                        "WHERE seq IS NOT NULL ORDER BY seq")
    while batch := cursor.fetchmany(20_000):
        for row_id, seq, prev_hash, stored, canonical in batch:
            ok = canonical is not None and sha(canonical.encode("utf-8")).hexdigest() == stored
            if not ok:  # SQLite writes some floats differently (1e+20 as 1.0e+20): the exact way decides
                exact = db.execute("SELECT * FROM airings WHERE id = ?", (row_id,))
                names = [d[0] for d in exact.description]
                ok = row_hash(dict(zip(names, exact.fetchone(), strict=True))) == stored
            yield row_id, seq, prev_hash, stored, ok


def _checkpoint_problems(stored: list[tuple[int, str, str]], outside: list[tuple[str, str]],
                         public: Ed25519PublicKey | None, origin: str, other_logs: bool,
                         outside_name: str) -> tuple[list[Problem], list[Checkpoint]]:
    """Each checkpoint's signature, key, number and link; the outside copy against the table. Returns the
    problems and the checkpoints that hold (signed by the key, in the table or only outside)."""
    problems: list[Problem] = []
    if public is None:
        if stored:
            problems.append((3, 0, 0, f"có {len(stored)} điểm kiểm tra có chữ ký nhưng không có khóa công khai "
                                      "của đài để kiểm tra (thiếu station-key.pub: dùng --public-key TỆP)"))
        return problems, []
    key = fingerprint(public)
    good: dict[int, Checkpoint] = {}
    previous: Checkpoint | None = None
    for n, payload, signature in stored:
        try:
            c = parse(payload, signature)
        except (ValueError, KeyError, TypeError):
            problems.append((3, n, 0, f"điểm kiểm tra số {n} đã bị sửa (không đọc được)"))
            continue
        if c.key != key:
            problems.append((3, n, 0, f"{_when(c)} được ký bằng khóa của đài khác ({c.key}, của "
                                      f"{c.station}), không phải khóa {key}: nhật ký này không phải của đài này "
                                      "hoặc điểm kiểm tra đã bị thay"))
        elif c.n != n or not signature_ok(public, c):
            problems.append((3, n, 0, f"điểm kiểm tra số {n} đã bị sửa hoặc giả mạo: chữ ký không khớp"))
        elif previous is not None and c.n == previous.n + 1 and c.prev != previous.digest:
            problems.append((3, n, 0, f"{_when(c)} không nối tiếp điểm kiểm tra trước nó: đã bị thay"))
        else:
            if c.n != (previous.n + 1 if previous else 1):
                problems.append((3, c.n, 0, f"thiếu điểm kiểm tra {_span((previous.n + 1) if previous else 1, c.n - 1)}"
                                            " (đã bị xóa)"))
            good[c.n] = c
        previous = c if c.n == n else previous
    foreign = 0
    for payload, signature in outside:
        try:
            c = parse(payload, signature)
        except (ValueError, KeyError, TypeError):
            problems.append((3, 0, 0, f"{outside_name} có một dòng đã bị sửa (không đọc được)"))
            continue
        if c.key != key or not signature_ok(public, c):
            problems.append((3, c.n, 0, f"điểm kiểm tra số {c.n} trong {outside_name} đã bị sửa hoặc giả mạo"))
        elif c.origin != origin and c.rows:
            foreign += 1
        elif c.n in good and good[c.n].signature != signature:
            problems.append((3, c.n, 0, f"{_when(c)} trong nhật ký khác bản trong {outside_name}: đã bị thay"))
        elif c.n not in good:
            problems.append((3, c.n, 0, f"{_when(c)} (còn trong {outside_name}) đã bị xóa khỏi nhật ký"))
            good[c.n] = c
    if foreign and not other_logs:
        problems.append((3, 0, 0, f"{outside_name} có {foreign} điểm kiểm tra của một chuỗi khác mà không có tệp "
                                  "nhật ký cũ nào được để riêng: chuỗi đã bị tính lại từ bản ghi đầu tiên"))
    return problems, [good[n] for n in sorted(good)]


def verify_database(db: sqlite3.Connection, *, public: Ed25519PublicKey | None,
                    outside: list[tuple[str, str]], outside_name: str, other_logs: bool) -> VerifyResult:
    """The whole log inside one read snapshot: ids, chain, checkpoints. `public`: the key the checkpoints must
    be signed with (None: there is none); `outside`: the lines of the checkpoint file beside the log;
    `other_logs`: an older log was set aside beside it (its checkpoints are in the file too)."""
    last = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'airings'").fetchone()
    ids = (row_id for (row_id,) in db.execute("SELECT id FROM airings ORDER BY id"))
    problems = _gaps(ids, last[0] if last else 0)
    checked = db.execute("SELECT count(*) FROM airings").fetchone()[0]
    for (row_id,) in db.execute("SELECT id FROM airings WHERE seq IS NULL AND (status != 'started' "
                                "OR row_hash IS NOT NULL OR prev_hash IS NOT NULL)"):
        problems.append(_unchained(row_id))
    first = db.execute("SELECT row_hash FROM airings WHERE seq = 1").fetchone()
    stored = [tuple(r) for r in db.execute("SELECT n, payload, signature FROM checkpoints ORDER BY n")]
    found, signed = _checkpoint_problems(stored, outside, public, first[0] if first else "", other_logs,
                                         outside_name)  # type: ignore[arg-type]
    marks = _Signed(signed)
    count, top, head = _walk(_chained(db), bool(problems), marks, problems)
    problems += found
    if marks.first is not None:
        position, row_id, c = marks.first
        problems.append((1, row_id, row_id, f"bản ghi số {row_id} (thứ {position} trong chuỗi) không còn khớp "
                                            f"{_when(c)}: chuỗi đã bị sửa rồi tính lại từ bản ghi này"))
    cut = max((c for c in signed if c.rows > top), key=lambda c: c.rows, default=None)
    if cut is not None:
        head_id = db.execute("SELECT id FROM airings WHERE seq = ?", (top,)).fetchone() if top else None
        first_gone = (head_id[0] if head_id else 0) + 1
        problems.append((0, first_gone, first_gone, f"thiếu {cut.rows - top} bản ghi cuối của chuỗi (đã bị xóa): "
                                                    f"{_when(cut)} ghi {cut.rows} bản ghi (bản ghi cuối là số "
                                                    f"{cut.head_id}), nay chuỗi chỉ còn {top}"))
    return _result(problems, checked, head, checked - count, signed, fingerprint(public) if public else "")


def verify_log(db: sqlite3.Connection, path: Path, public_key: Ed25519PublicKey | None = None) -> VerifyResult:
    """The log at `path` (open as `db`, inside a read snapshot) checked against `public_key`, or by default the
    station's own key beside it; with the checkpoint file beside it, if any."""
    state = path.parent
    public = public_key
    if public is None:
        own = station_key(state, create=False)
        public = own.public if own else (load_public_key(state / PUBLIC_KEY_FILE)
                                         if (state / PUBLIC_KEY_FILE).exists() else None)
    other_logs = any(state.glob(f"{path.name}.*-*"))  # set aside by `_recovery`
    return verify_database(db, public=public, outside=read_checkpoint_file(state / CHECKPOINT_FILE),
                           outside_name=CHECKPOINT_FILE, other_logs=other_logs)
