"""Accounts of the officer's desk: add, log in (throttled), sessions, passwords, disabling, the first-run link.

Called by `broadcaster user add` and by the web desk. Passwords are argon2id hashes (argon2-cffi); session and
first-run tokens are random and stored only as their sha256, so a copy of the database logs no one in. Every
change is written to the desk's audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from broadcaster.config import fold
from broadcaster.airlog import ROLES, Account, DeskStore, Session
from broadcaster.errors import InputError
from broadcaster.words import ROLE_LABELS

__all__ = [
    "FIRST_RUN_HOURS",
    "PERMISSIONS",
    "SESSION_HOURS",
    "LoginResult",
    "add_account",
    "can",
    "change_password",
    "check_csrf",
    "create_first_run_link",
    "first_run_admin",
    "login",
    "logout",
    "parse_role",
    "reset_password",
    "session_for",
    "set_disabled",
    "token_hash",
]

SESSION_HOURS = 12  # a login lasts a working day
FIRST_RUN_HOURS = 24
MIN_PASSWORD = 8
THROTTLE_FREE = 5  # failures allowed before the delay starts
THROTTLE_WINDOW = timedelta(hours=1)
THROTTLE_FIRST_DELAY = 30  # seconds after the 5th failure; doubles with each further failure
THROTTLE_MAX_DELAY = 15 * 60

# What each role may do. An approver is a commune leader; the administrator manages accounts and may do all.
PERMISSIONS: dict[str, frozenset[str]] = {
    "xem": frozenset({"view"}),
    "bien-tap": frozenset({"view", "edit"}),
    "duyet": frozenset({"view", "edit", "approve", "air"}),
    "quan-tri": frozenset({"view", "edit", "approve", "air", "admin"}),
}
# "air": "Phát ngay" and emergencies from the desk; editors too when station.yaml says `desk.editors_may_air`

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY = _hasher.hash("không có tài khoản này")  # verified against when the name is unknown: same time taken


def can(account: Account, permission: str, *, editors_may_air: bool = False) -> bool:
    if permission == "air" and editors_may_air and "edit" in PERMISSIONS.get(account.role, frozenset()):
        return True
    return permission in PERMISSIONS.get(account.role, frozenset())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_role(text: str) -> str:
    """'quản-trị', 'Quản trị', 'quan tri', 'admin' -> 'quan-tri'."""
    folded = fold(text).replace("-", " ").replace("_", " ").strip()
    aliases = {"bien tap": "bien-tap", "editor": "bien-tap", "duyet": "duyet", "approver": "duyet",
               "quan tri": "quan-tri", "admin": "quan-tri", "xem": "xem", "viewer": "xem"}
    if folded in aliases:
        return aliases[folded]
    choices = ", ".join(ROLE_LABELS[r] for r in ROLES)
    raise InputError(f"vai trò '{text}' không có; chọn một trong: {choices}")


def _check_name(name: str) -> str:
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise InputError(f"tên đăng nhập '{name}' không hợp lệ: 2–32 chữ thường không dấu, chữ số, '.', '-' hoặc '_'")
    return name


def _check_password(password: str, name: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    if password.lower() == name.lower():
        raise InputError("mật khẩu không được trùng tên đăng nhập")


def add_account(store: DeskStore, name: str, display_name: str, role: str, password: str, *, who: str,
                now: datetime, address: str = "") -> Account:
    """A new account; `who` is the administrator's name (or 'cli' / 'first-run')."""
    name = _check_name(name)
    role = parse_role(role) if role not in ROLES else role
    _check_password(password, name)
    display = display_name.strip() or name
    if len(display) > 120:
        raise InputError("tên hiển thị quá dài (tối đa 120 ký tự)")
    account = store.add_account(name, display, role, _hasher.hash(password), now)
    store.audit(who, "account_add", now, target=name, address=address, details={"role": role})
    return account


@dataclass(frozen=True)
class LoginResult:
    account: Account | None = None
    token: str = ""
    error: str = ""  # Vietnamese, for the login page


def _wait_needed(store: DeskStore, key: str, now: datetime) -> int:
    count, last = store.failures(key, now - THROTTLE_WINDOW)
    if count < THROTTLE_FREE or last is None:
        return 0
    delay = min(THROTTLE_MAX_DELAY, THROTTLE_FIRST_DELAY * 2 ** (count - THROTTLE_FREE))
    return max(0, int((last + timedelta(seconds=delay) - now).total_seconds() + 0.999))


def login(store: DeskStore, name: str, password: str, *, address: str, now: datetime) -> LoginResult:
    """Check a name and password, throttled per account and per address (5 failures, then a growing delay).

    On success a new session (new token: never one the browser brought) is stored and its token returned."""
    name = name.strip().lower()
    keys = [f"account:{name}", f"address:{address}"]
    wait = max(_wait_needed(store, k, now) for k in keys)
    if wait:
        store.audit(name, "login_throttled", now, target=name, address=address, details={"wait": wait})
        return LoginResult(error=f"Đăng nhập sai nhiều lần. Hãy thử lại sau {wait} giây.")
    account = store.account(name)
    try:
        _hasher.verify(account.password_hash if account else _DUMMY, password)
        ok = account is not None and not account.disabled
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or account is None:
        store.add_failure(keys, now)
        store.audit(name, "login_failed", now, target=name, address=address)
        return LoginResult(error="Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khoá.")
    for k in keys:
        store.clear_failures(k)
    if _hasher.check_needs_rehash(account.password_hash):
        store.set_password(account.id, _hasher.hash(password), now)
    token = _new_session(store, account, address, now)
    store.audit(name, "login", now, target=name, address=address)
    return LoginResult(account=account, token=token)


def _new_session(store: DeskStore, account: Account, address: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    store.add_session(token_hash(token), account.id, secrets.token_urlsafe(32), now,
                      now + timedelta(hours=SESSION_HOURS), address)
    return token


def session_for(store: DeskStore, token: str | None, now: datetime) -> Session | None:
    if not token or len(token) > 128:
        return None
    return store.session(token_hash(token), now)


def check_csrf(session_csrf: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session_csrf.encode(), (given or "").encode())


def logout(store: DeskStore, token: str, account: Account, *, address: str, now: datetime) -> None:
    store.end_session(token_hash(token))
    store.audit(account.name, "logout", now, target=account.name, address=address)


def change_password(store: DeskStore, account: Account, old: str, new: str, *, token: str, address: str,
                    now: datetime) -> None:
    """Change one's own password (the old one is asked again); the account's other sessions end."""
    try:
        _hasher.verify(account.password_hash, old)
    except (VerificationError, InvalidHashError):
        store.audit(account.name, "password_change_failed", now, target=account.name, address=address)
        raise InputError("mật khẩu hiện tại không đúng") from None
    _check_password(new, account.name)
    store.set_password(account.id, _hasher.hash(new), now)
    store.end_sessions(account.id, keep=token_hash(token))
    store.audit(account.name, "password_change", now, target=account.name, address=address)


def reset_password(store: DeskStore, account: Account, new: str, *, who: str, now: datetime) -> None:
    """Set a password without the old one (the administrator at the station's machine); sessions end."""
    _check_password(new, account.name)
    store.set_password(account.id, _hasher.hash(new), now)
    store.end_sessions(account.id)
    store.audit(who, "password_reset", now, target=account.name)


def set_disabled(store: DeskStore, admin: Account, name: str, disabled: bool, *, address: str,
                 now: datetime) -> None:
    """Disable (or enable again) an account: its sessions end; its history stays."""
    target = store.account(name)
    if target is None:
        raise InputError(f"không có tài khoản '{name}'")
    if target.id == admin.id and disabled:
        raise InputError("không thể tự khoá tài khoản của mình")
    store.set_disabled(target.id, disabled)
    store.audit(admin.name, "account_disable" if disabled else "account_enable", now, target=name, address=address)


def create_first_run_link(store: DeskStore, now: datetime) -> str | None:
    """With no account yet: a new one-time token for creating the administrator (24 h); None otherwise."""
    if store.count_accounts():
        return None
    token = secrets.token_urlsafe(24)
    store.add_setup_token(token_hash(token), now + timedelta(hours=FIRST_RUN_HOURS))
    store.audit("", "first_run_link", now)
    return token


def first_run_admin(store: DeskStore, token: str, name: str, display_name: str, password: str, *, address: str,
                    now: datetime) -> tuple[Account, str]:
    """Create the administrator through the first-run link (spent by this call); returns it and a session."""
    name = _check_name(name)
    _check_password(password, name)
    if store.count_accounts() or not store.use_setup_token(token_hash(token), now):
        raise InputError("liên kết thiết lập đã dùng hoặc đã hết hạn: chạy lại broadcaster serve hoặc dùng lệnh "
                         "broadcaster user add")
    account = add_account(store, name, display_name, "quan-tri", password, who="first-run", now=now,
                          address=address)
    return account, _new_session(store, account, address, now)
