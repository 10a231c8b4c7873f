"""The desk's SQLite schema (its own file beside the airing log: `var/desk.sqlite3`) and its migrations.

A file of its own, so the station's log writes never wait behind the desk's and each schema versions on its
own (`PRAGMA user_version`). Every record carries the station id and a globally unique id (DESIGN.md: a
province may later gather many stations' accounts and approvals).
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

_V1 = """
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,               -- global id (uuid4)
    station TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,              -- login name, lower case
    display_name TEXT NOT NULL,             -- what approvals and the log show: "Nguyễn Văn Lý - Chủ tịch UBND xã"
    role TEXT NOT NULL CHECK (role IN ('bien-tap', 'duyet', 'quan-tri', 'xem')),
    password_hash TEXT NOT NULL,            -- argon2id, PHC string
    disabled INTEGER NOT NULL DEFAULT 0,    -- accounts are disabled, never deleted: their history stays
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,            -- sha256 of the cookie's token: a copy of the database logs no one in
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE setup_tokens (                 -- the first-run link: one use, 24 hours
    token_hash TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,                      -- "account:<name>" or "address:<ip>"
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE edits (                        -- who wrote and last edited a bulletin in the desk (four eyes)
    bulletin_id TEXT PRIMARY KEY,
    created_by INTEGER REFERENCES accounts (id),
    edited_by INTEGER REFERENCES accounts (id),
    edited_at TEXT NOT NULL,
    content_key TEXT NOT NULL               -- the content key that edit produced
);

CREATE TABLE decisions (                    -- approvals and returns, never updated
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    station TEXT NOT NULL,
    bulletin_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'return')),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    at TEXT NOT NULL,
    content_key TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    four_eyes INTEGER NOT NULL              -- whether the four-eyes rule was on when it was decided
);
CREATE INDEX decisions_bulletin ON decisions (bulletin_id, id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    station TEXT NOT NULL,
    at TEXT NOT NULL,
    who TEXT NOT NULL DEFAULT '',           -- account name, '' for the system, "cli" for the command line
    action TEXT NOT NULL,                   -- login, login_failed, save, approve, return, user_add, ...
    target TEXT NOT NULL DEFAULT '',        -- bulletin id or account name
    hash_before TEXT NOT NULL DEFAULT '',   -- content key before / after, for bulletin actions
    hash_after TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}'      -- JSON object
);
CREATE INDEX audit_at ON audit (at);

CREATE TABLE settings_seen (                -- last value of a station setting the desk audits when it changes
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# MIGRATIONS[n] takes a database at user_version n to n + 1.
MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)
