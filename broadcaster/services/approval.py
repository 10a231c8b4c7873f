"""Approval bound to content: approve or return a bulletin (four eyes), and migrate old hand-written approvals.

An approval writes into the bulletin file who approved it, when, with which desk account, and the content key
of exactly the version the approver was shown (`approved_hash`); the decision is also kept in the desk's
database and audit trail. The planner and the station air a bulletin only while its content key still equals
`approved_hash`, so any later change (in the desk or by hand) sends it back to "chờ duyệt lại" by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from broadcaster.config import (
    FileChanged,
    approval_key,
    bulletin_files,
    check_bulletin_file,
    file_sha,
    load_station,
    write_bulletin,
)
from broadcaster.airlog import Account, DeskStore
from broadcaster.errors import InputError
from broadcaster.models import Station, Status
from broadcaster.services.accounts import can
from broadcaster.services.bulletins import bulletin_path

__all__ = ["four_eyes_blocks", "decide", "migrate_approvals", "note_four_eyes_setting"]


def four_eyes_blocks(station: Station, store: DeskStore, account: Account, bulletin_id: str,
                     content_key: str) -> str:
    """Why this account may not approve this bulletin under the four-eyes rule ('' when it may)."""
    if not station.desk.four_eyes:
        return ""
    edit = store.edit(bulletin_id)
    if edit is None:
        return ""
    if edit.created_by == account.name:
        return "bạn là người viết bản tin này: cần một người duyệt khác (nguyên tắc bốn mắt)"
    if edit.edited_by == account.name and edit.content_key == content_key:
        return "bạn là người sửa bản tin này lần cuối: cần một người duyệt khác (nguyên tắc bốn mắt)"
    return ""


def note_four_eyes_setting(station: Station, store: DeskStore, now: datetime) -> None:
    """Audit a change of `desk.four_eyes` in station.yaml (seen when the desk starts and at each decision)."""
    value = "on" if station.desk.four_eyes else "off"
    previous = store.setting_seen("desk.four_eyes", value)
    if previous is not None:
        store.audit("", "setting_four_eyes", now, target="station.yaml",
                    details={"four_eyes": value, "was": previous or "(lần đầu)"})


@dataclass(frozen=True)
class DecisionResult:
    bulletin_id: str
    decision: str
    content_key: str


def decide(station: Station, store: DeskStore, account: Account, bulletin_id: str, decision: str, *,
           expected_sha: str, comment: str = "", now: datetime, address: str = "") -> DecisionResult:
    """Approve (`approve`) or return (`return`, with a comment) the version of the file the approver saw."""
    if not can(account, "approve"):
        raise InputError("tài khoản của bạn không có quyền duyệt")
    if decision not in ("approve", "return"):
        raise InputError("thao tác không hợp lệ")
    comment = comment.strip()[:1000]
    if decision == "return" and not comment:
        raise InputError("khi trả lại, hãy ghi lý do để người viết sửa")
    path = bulletin_path(station, bulletin_id)
    if file_sha(path) != expected_sha:
        raise InputError("bản tin vừa được sửa sau khi bạn mở: hãy xem lại nội dung mới rồi mới duyệt")
    bulletin, problems = check_bulletin_file(station, path)
    if bulletin is None:
        raise InputError("bản tin đang có lỗi nên chưa duyệt được: " + "; ".join(p.message for p in problems[:3]))
    note_four_eyes_setting(station, store, now)
    key = bulletin.content_key
    if decision == "approve":
        why = four_eyes_blocks(station, store, account, bulletin_id, key)
        if why:
            store.audit(account.name, "approve_refused", now, target=bulletin_id, before=key, address=address,
                        details={"reason": why})
            raise InputError(why)
        changes = {"status": "approved", "approved_by": account.display_name, "approved_at": now,
                   "approved_hash": key, "approved_account": account.name}
    else:
        changes = {"status": "draft", "approved_by": None, "approved_at": None, "approved_hash": None,
                   "approved_account": None}
    try:
        write_bulletin(path, changes, expected_sha=expected_sha)
    except FileChanged:
        raise InputError("bản tin vừa được sửa sau khi bạn mở: hãy xem lại nội dung mới rồi mới duyệt") from None
    store.add_decision(bulletin_id, decision, account.id, now, key, comment, station.desk.four_eyes)
    store.audit(account.name, decision, now, target=bulletin_id, before=bulletin.approved_hash or "", after=key,
                address=address, details={"comment": comment, "four_eyes": station.desk.four_eyes})
    return DecisionResult(bulletin_id, decision, key)


def migrate_approvals(station_dir: str | Path) -> list[str]:
    """Bind old approvals (`status: approved` with `approved_by`, but no `approved_hash`) to the content the
    files hold now, as if each was approved as it stands. For upgrading a station once, by its administrator
    (scripts/migrate-approvals); returns the ids stamped."""
    station = load_station(station_dir)
    stamped = []
    for path in bulletin_files(station.root):
        bulletin, _problems = check_bulletin_file(station, path)
        if bulletin is None or bulletin.status is not Status.APPROVED or bulletin.approved_hash:
            continue
        if not bulletin.approved_by:
            continue
        write_bulletin(path, {"approved_hash": approval_key(bulletin)}, expected_sha=file_sha(path))
        stamped.append(bulletin.id)
    return stamped
