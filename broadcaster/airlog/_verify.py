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

import contextlib
import hashlib
import itertools
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

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
    """Ids never reused (AUTOINCREMENT): every hole in 1..last_id is a deleted row. `ids`: the ids right after
    a hole, ascending, each with the id before it (0 for the first row)."""
    problems: list[Problem] = []
    expected = 1
    for row_id, before in ids:
        expected = before + 1
        problems.append((0, expected, expected, f"thiếu bản ghi {_span(expected, row_id - 1)} (đã bị xóa)"))
    return problems


def _tail_gap(last: int, last_id: int) -> list[Problem]:
    return [(0, last + 1, last + 1, f"thiếu bản ghi cuối {_span(last + 1, last_id)} (đã bị xóa)")]


def _unchained(row_id: int) -> Problem:
    return (1, row_id, row_id, f"bản ghi số {row_id} đã bị sửa: mất mã kiểm tra của chuỗi")


class _Signed:
    """What the valid checkpoints signed, compared as the chain streams by in seq order: the stored hash prefixes
    of the positions a checkpoint covers, joined and compared once when the chain reaches its last position
    (then its head hash too); only a checkpoint that differs is searched for its first differing position."""

    def __init__(self, checkpoints: list[Checkpoint]):
        self.segments = sorted(((c.since, c.rows, c) for c in checkpoints
                                if len(c.hashes) == PREFIX * (c.rows - c.since)), key=lambda s: (s[0], s[1]))
        self.first: tuple[int, Checkpoint] | None = None  # (position, checkpoint) of the first mismatch
        self.buffer: list[str] = []  # prefixes of positions base+1, base+2, ... ("" where nothing to compare)
        self.base = 0
        self.next_end = self.segments[0][1] if self.segments else _NEVER
        self._i = 0

    def settle(self, position: int, stored: str) -> None:
        """The chain reached (or passed) `next_end`: compare every checkpoint that ends by `position`."""
        while self._i < len(self.segments) and self.segments[self._i][1] <= position:
            since, rows, c = self.segments[self._i]
            self._i += 1
            if self.first is None:
                self._compare(since, rows, c, stored if rows == position else "")
        if self._i < len(self.segments):
            drop = max(0, min(self.segments[self._i][0], position) - self.base)
            del self.buffer[:drop]
            self.base += drop
            self.next_end = self.segments[self._i][1]
        else:
            self.buffer.clear()
            self.base, self.next_end = position, _NEVER

    def finish(self) -> None:
        """After the last row: checkpoints that reach past it are compared as far as the chain goes (the rows
        they signed beyond it are the cut tail, reported on their own)."""
        for since, rows, c in self.segments[self._i:]:
            if self.first is None:
                self._compare(since, rows, c, "")

    def _compare(self, since: int, rows: int, c: Checkpoint, head: str) -> None:
        got = self.buffer[max(0, since - self.base):rows - self.base]
        if "".join(got) == c.hashes and (not head or head == c.head_hash):
            return
        for i, prefix in enumerate(got):
            if prefix and prefix != c.hashes[i * PREFIX:(i + 1) * PREFIX]:
                self.first = (since + i + 1, c)
                return
        if head and head != c.head_hash:
            self.first = (rows, c)


_NEVER = 1 << 62


def _walk(batches: Iterable[tuple[list[Any], list[bool]]], deleted_ids: bool, signed: _Signed,
          problems: list[Problem]) -> tuple[int, int, str]:
    """The chain in seq order, in batches: rows (id, seq, prev_hash, row_hash, ...) and for each whether its
    content still matches its hash. Returns how many rows are chained, the head's position and its hash."""
    previous, expected_seq, count = GENESIS, 1, 0
    append, buffer = signed.buffer.append, signed.buffer
    for rows, oks in batches:
        for (row_id, seq, prev_hash, stored, *_), content_ok in zip(rows, oks, strict=True):
            count += 1
            if content_ok and seq == expected_seq and prev_hash == previous:  # the usual row: nothing to say
                append(stored[:PREFIX])
            else:
                if seq > expected_seq:  # chained rows missing: nothing of theirs to compare with a checkpoint
                    buffer.extend([""] * (seq - expected_seq))
                if not content_ok:
                    problems.append((1, row_id, row_id, f"bản ghi số {row_id} đã bị sửa sau khi ghi"))
                elif seq != expected_seq:
                    # chained rows missing before this one: one deletion is one problem (the id gap already
                    # names it; the broken link right after it is the same deletion, not reported again)
                    if not deleted_ids:
                        problems.append((2, count, row_id,
                                         f"chuỗi bị đứt ngay trước bản ghi số {row_id}: một bản ghi đã bị xóa"))
                else:
                    problems.append((2, count, row_id, f"chuỗi bị đứt ngay trước bản ghi số {row_id}: "
                                                       "bản ghi trước nó đã bị sửa hoặc xóa"))
                append(stored[:PREFIX] if content_ok else "")  # an edited row is the chain's problem, named once
            if seq >= signed.next_end:
                signed.settle(seq, stored)
                append, buffer = signed.buffer.append, signed.buffer
            previous, expected_seq = stored, seq + 1
    signed.finish()
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
    ids = [r["id"] for r in rows]
    holes = [(i, before) for i, before in zip(ids, [0, *ids], strict=False) if i != before + 1]
    problems = _gaps(holes, last_id)
    if last_id > (ids[-1] if ids else 0):
        problems += _tail_gap(ids[-1] if ids else 0, last_id)
    for row in rows:
        if row["seq"] is None and (row["status"] != "started" or row["row_hash"] or row["prev_hash"]):
            problems.append(_unchained(row["id"]))
    chained = sorted((r for r in rows if r["seq"] is not None), key=lambda r: r["seq"])
    walked = [(r["id"], r["seq"], r["prev_hash"], r["row_hash"]) for r in chained]
    count, _, head = _walk([(walked, [row_hash(r) == r["row_hash"] for r in chained])], bool(problems), _Signed([]),
                           problems)
    return _result(problems, len(rows), head, len(rows) - count, [], "")


# the canonical JSON of `row_hash`, written by SQLite: `json_object` with every key in sorted order, the later
# columns (`_LATER`) left out when empty: one `json_object` per combination of them, chosen by CASE (SQLite builds
# only the one it picks)
_KEYS = sorted(("id", "seq", "prev_hash", *COLUMNS))
_OPTIONAL = sorted(_LATER)


def _canonical_sql() -> str:
    branches = []
    for present in itertools.product((True, False), repeat=len(_OPTIONAL)):
        keys = [k for k in _KEYS if k not in _LATER or present[_OPTIONAL.index(k)]]
        when = " AND ".join(f"{k} {'!=' if p else '='} ''" for k, p in zip(_OPTIONAL, present, strict=True))
        branches.append(f"WHEN {when} THEN json_object(" + ", ".join(f"'{k}', {k}" for k in keys) + ")")
    return "CASE " + " ".join(branches) + " END"


_CANONICAL = _canonical_sql()


def _chained(db: sqlite3.Connection, exact: Callable[[int], dict[str, Any]]
             ) -> Iterator[tuple[list[Any], list[bool]]]:
    """The chained rows in seq order, in batches, with whether each still matches its hash. SQLite reads (and
    writes the canonical JSON) in a second thread while this one hashes: sqlite3 lets go of the GIL while SQLite
    works."""
    sha = hashlib.sha256
    cursor = db.execute(f"SELECT id, seq, prev_hash, row_hash, prev_hash || {_CANONICAL} FROM airings "
                        "WHERE seq IS NOT NULL ORDER BY seq")
    batches: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=4)

    def read() -> None:
        try:
            while batch := cursor.fetchmany(10_000):
                batches.put(batch)
            batches.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the hashing thread, raised there
            batches.put(exc)

    reader = threading.Thread(target=read, name="verify-read", daemon=True)
    reader.start()
    while (batch := batches.get()) is not None:
        if isinstance(batch, BaseException):
            raise batch
        oks = [c is not None and sha(c.encode("utf-8")).hexdigest() == h for _, _, _, h, c in batch]
        if not all(oks):
            for i, ok in enumerate(oks):
                if not ok:  # SQLite writes some floats differently (1e+20 as 1.0e+20): the exact way decides
                    oks[i] = row_hash(exact(batch[i][0])) == batch[i][3]
        yield batch, oks
    reader.join()


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
                missing = _span(previous.n + 1 if previous else 1, c.n - 1)
                problems.append((3, c.n, 0, f"thiếu điểm kiểm tra {missing} (đã bị xóa)"))
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


def verify_database(db: sqlite3.Connection, path: Path, *, public: Ed25519PublicKey | None,
                    outside: list[tuple[str, str]], outside_name: str, other_logs: bool) -> VerifyResult:
    """The whole log inside one read snapshot of `db` (the database at `path`): ids, chain, checkpoints.
    `public`: the key the checkpoints must be signed with (None: there is none); `outside`: the lines of the
    checkpoint file beside the log; `other_logs`: an older log was set aside beside it (its checkpoints are in
    the file too)."""
    last = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'airings'").fetchone()
    last_id = last[0] if last else 0
    problems = _gaps(db.execute("SELECT id, before FROM (SELECT id, lag(id, 1, 0) OVER (ORDER BY id) AS before "
                                "FROM airings) WHERE id != before + 1"), last_id)
    checked, top_id = db.execute("SELECT count(*), coalesce(max(id), 0) FROM airings").fetchone()
    if last_id > top_id:
        problems += _tail_gap(top_id, last_id)
    for (row_id,) in db.execute("SELECT id FROM airings WHERE seq IS NULL AND (status != 'started' "
                                "OR row_hash IS NOT NULL OR prev_hash IS NOT NULL)"):
        problems.append(_unchained(row_id))
    first = db.execute("SELECT row_hash FROM airings WHERE seq = 1").fetchone()
    stored = [tuple(r) for r in db.execute("SELECT n, payload, signature FROM checkpoints ORDER BY n")]
    found, signed = _checkpoint_problems(stored, outside, public, first[0] if first else "", other_logs,
                                         outside_name)  # type: ignore[arg-type]
    marks = _Signed(signed)
    with contextlib.closing(_Exact(path)) as exact:
        count, top, head = _walk(_chained(db, exact.row), bool(problems), marks, problems)
    problems += found
    if marks.first is not None:
        position, c = marks.first
        row_id = db.execute("SELECT id FROM airings WHERE seq = ?", (position,)).fetchone()[0]
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


class _Exact:
    """Whole rows by id for the exact hash, through a connection of its own (the main one is streaming in the
    reading thread); opened only when a row needs it."""

    def __init__(self, path: Path):
        self.path, self._db = path, None

    def row(self, row_id: int) -> dict[str, Any]:
        if self._db is None:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        cursor = self._db.execute("SELECT * FROM airings WHERE id = ?", (row_id,))
        return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


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
    return verify_database(db, path, public=public, outside=read_checkpoint_file(state / CHECKPOINT_FILE),
                           outside_name=CHECKPOINT_FILE, other_logs=other_logs)
