"""Checking the airing log's hash chain (see `_airlog_schema` for how rows enter it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broadcaster.airlog._schema import GENESIS, row_hash

__all__ = ["VerifyResult", "verify_rows"]


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking the hash chain; `message` is Vietnamese, for the officer."""

    ok: bool
    checked: int
    first_broken_id: int | None  # the first changed row, or the first deleted id
    message: str
    head_hash: str = ""  # row_hash of the last chained row: note it down to detect a rewritten chain later


def _span(first: int, last: int) -> str:
    return f"số {first}" if first == last else f"từ số {first} đến {last}"


def verify_rows(rows: list[dict[str, Any]], last_id: int) -> VerifyResult:
    """`rows`: every airings row ordered by id; `last_id`: the highest id ever given (sqlite_sequence).

    The first problem reported is, in this order: a deleted id; a row whose own content no longer matches its
    hash (or a finished row taken out of the chain), earliest first; a broken link between two rows.
    """
    problems: list[tuple[int, int, int, str]] = []  # (kind, order, row id, message)
    expected = 1
    for row in rows:
        if row["id"] != expected:
            problems.append(
                (0, expected, expected, f"thiếu bản ghi {_span(expected, row['id'] - 1)} (đã bị xóa)")
            )
        expected = row["id"] + 1
    if last_id >= expected:
        problems.append((0, expected, expected, f"thiếu bản ghi cuối {_span(expected, last_id)} (đã bị xóa)"))

    for row in rows:
        if row["seq"] is None and (row["status"] != "started" or row["row_hash"] or row["prev_hash"]):
            problems.append(
                (1, row["id"], row["id"], f"bản ghi số {row['id']} đã bị sửa: mất mã kiểm tra của chuỗi")
            )

    deleted_ids = bool(problems)
    chained = sorted((r for r in rows if r["seq"] is not None), key=lambda r: r["seq"])
    previous, expected_seq = GENESIS, 1
    for position, row in enumerate(chained, start=1):
        if row_hash(row) != row["row_hash"]:
            problems.append((1, row["id"], row["id"], f"bản ghi số {row['id']} đã bị sửa sau khi ghi"))
        elif row["seq"] != expected_seq:
            # chained rows missing before this one: one deletion is one problem (the id gap already names it;
            # the broken link right after it is the same deletion, so it is not reported again)
            if not deleted_ids:
                problems.append(
                    (2, position, row["id"], f"chuỗi bị đứt ngay trước bản ghi số {row['id']}: một bản ghi đã bị xóa")
                )
        elif row["prev_hash"] != previous:
            problems.append(
                (
                    2,
                    position,
                    row["id"],
                    f"chuỗi bị đứt ngay trước bản ghi số {row['id']}: bản ghi trước nó đã bị sửa hoặc xóa",
                )
            )
        previous, expected_seq = row["row_hash"], row["seq"] + 1

    head = chained[-1]["row_hash"] if chained else ""
    if problems:
        _, _, first_id, message = min(problems)
        more = f" (và {len(problems) - 1} chỗ khác)" if len(problems) > 1 else ""
        return VerifyResult(
            False, len(rows), first_id, f"nhật ký phát sóng đã bị can thiệp: {message}{more}", head
        )
    started = len(rows) - len(chained)
    tail = f", {started} bản ghi đang phát chưa vào chuỗi" if started else ""
    return VerifyResult(
        True, len(rows), None, f"nhật ký toàn vẹn: đã kiểm tra {len(rows)} bản ghi{tail}", head
    )
