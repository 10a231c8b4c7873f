"""The station's own Ed25519 key and the signed checkpoints it writes into its log (docs/reports.md).

The key is created the first time the station (or a report) needs it, in the state directory beside the log:
`station-key.pem` (private, PKCS#8, mode 0600: only the station's user reads it) and `station-key.pub` (the
public key, SubjectPublicKeyInfo PEM: hand it to the province once; `log verify --public-key` takes it).

A checkpoint is a signed statement "the chain had `rows` rows and its head hash was `head_hash` at `at`", with
the 16-hex prefix of every row hash chained since the checkpoint before it (so `verify` can name the first row
that no longer matches), the chain's first row hash (`origin`, which log this is), and the hash of the checkpoint
before it (`prev`: checkpoints form their own chain). Each one goes into the `checkpoints` table and, as one line,
into `checkpoints.jsonl` beside the log: someone who edits the database and drops the newest checkpoints with
the rows they covered must also edit that file (the report's printed head hash and the province's copy of the
public key are the anchors outside the machine).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from broadcaster.errors import InputError, LogError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from broadcaster.airlog._log import AirLog

__all__ = [
    "CHECKPOINT_EVERY",
    "CHECKPOINT_FILE",
    "PREFIX",
    "PRIVATE_KEY_FILE",
    "PUBLIC_KEY_FILE",
    "Checkpoint",
    "StationKey",
    "checkpoint_if_due",
    "fingerprint",
    "latest_checkpoint",
    "load_public_key",
    "read_checkpoint_file",
    "read_checkpoints",
    "station_key",
    "write_checkpoint",
]

PRIVATE_KEY_FILE = "station-key.pem"
PUBLIC_KEY_FILE = "station-key.pub"
CHECKPOINT_FILE = "checkpoints.jsonl"
CHECKPOINT_EVERY = timedelta(days=1)
PREFIX = 16  # hex digits of each row hash a checkpoint keeps (8 bytes: enough to locate a change)


@dataclass(frozen=True)
class StationKey:
    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    fingerprint: str


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint as stored: its fields (from the signed payload) and the signature."""

    n: int
    at: datetime
    station: str
    key: str  # fingerprint of the key that signed it
    rows: int  # chained rows at that moment (the head's position in the chain)
    head_id: int
    head_hash: str
    since: int  # rows covered by the checkpoint before it; `hashes` covers positions since+1 .. rows
    hashes: str  # PREFIX hex digits per row hash, in chain order
    origin: str  # row hash of the chain's first row ("" for an empty log)
    prev: str  # sha256 of the previous checkpoint's signature ("" for the first)
    payload: str
    signature: str

    @property
    def key_fingerprint(self) -> str:
        return self.key

    @property
    def digest(self) -> str:
        """What the next checkpoint's `prev` holds."""
        return hashlib.sha256(self.signature.encode("ascii")).hexdigest()

    def line(self) -> str:
        return json.dumps({"payload": self.payload, "signature": self.signature}, ensure_ascii=False)


def _crypto() -> SimpleNamespace:
    """cryptography's PEM serialization, Ed25519 and its signature error, imported on first use."""
    # lazy: cryptography adds ~9 MB to a process; the desk and most commands load it only to sign or verify
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return SimpleNamespace(serialization=serialization, ed25519=ed25519, InvalidSignature=InvalidSignature)


def fingerprint(public: Ed25519PublicKey) -> str:
    """16 hex digits in groups of four, printed on reports: 'ab12 cd34 ef56 7890'."""
    serialization = _crypto().serialization
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digits = hashlib.sha256(raw).hexdigest()[:16]
    return " ".join(digits[i:i + 4] for i in range(0, 16, 4))


def station_key(state_dir: Path, *, create: bool = True) -> StationKey | None:
    """The station's key (created with `create` when there is none; None when there is none and not `create`).
    A private key file others can read is narrowed back to 0600 (the station's user only)."""
    private_path, public_path = state_dir / PRIVATE_KEY_FILE, state_dir / PUBLIC_KEY_FILE
    if not private_path.exists():
        if not create:
            return None
        if state_dir.exists() and state_dir.stat().st_uid != os.geteuid():
            # another user (root running a report) would create a key the station's own user cannot read
            raise LogError(f"khóa của đài chưa có: chỉ người dùng chạy đài (chủ của {state_dir}) mới tạo được")
        _create(private_path, public_path)
    crypto = _crypto()
    try:
        if private_path.stat().st_mode & 0o077:
            os.chmod(private_path, 0o600)
        private = crypto.serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise LogError(f"không đọc được khóa của đài {private_path}: {exc}") from exc
    if not isinstance(private, crypto.ed25519.Ed25519PrivateKey):
        raise LogError(f"{private_path} không phải khóa Ed25519 của đài")
    public = private.public_key()
    if not public_path.exists():  # exported again when someone removed it
        _write_public(public_path, public)
    return StationKey(private, public, fingerprint(public))


def _create(private_path: Path, public_path: Path) -> None:
    private_path.parent.mkdir(parents=True, exist_ok=True)
    crypto = _crypto()
    serialization = crypto.serialization
    private = crypto.ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    tmp = private_path.with_name(f".{private_path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(tmp, private_path)  # two processes creating at once: the first one's key wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    loaded = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    assert isinstance(loaded, crypto.ed25519.Ed25519PrivateKey)
    _write_public(public_path, loaded.public_key())


def _write_public(path: Path, public: Ed25519PublicKey) -> None:
    serialization = _crypto().serialization
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pem)
    os.replace(tmp, path)


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    """A public key file (`station-key.pub`, PEM) given to `log verify --public-key`."""
    crypto = _crypto()
    try:
        public = crypto.serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: không đọc được khóa công khai của đài ({exc})") from exc
    if not isinstance(public, crypto.ed25519.Ed25519PublicKey):
        raise InputError(f"{path}: không phải khóa công khai Ed25519 của đài (station-key.pub)")
    return public


def parse(payload: str, signature: str) -> Checkpoint:
    """A stored checkpoint; ValueError when its payload is not one (the signature is checked by `verify`)."""
    p = json.loads(payload)
    return Checkpoint(int(p["n"]), datetime.fromisoformat(p["at"]), str(p["station"]), str(p["key"]),
                      int(p["rows"]), int(p["head_id"]), str(p["head_hash"]), int(p["since"]), str(p["hashes"]),
                      str(p["origin"]), str(p["prev"]), payload, signature)


def signature_ok(public: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        public.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.payload.encode("utf-8"))
    except (_crypto().InvalidSignature, ValueError):
        return False
    return True


def read_checkpoints(db: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """Every checkpoint row (n, payload, signature), in order."""
    return [tuple(r) for r in db.execute("SELECT n, payload, signature FROM checkpoints ORDER BY n")]


def read_checkpoint_file(path: Path) -> list[tuple[str, str]]:
    """The (payload, signature) of every line of `checkpoints.jsonl` ([] when there is none); a line that is not
    JSON is returned as ("", line) so `verify` reports it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LogError(f"không đọc được {path}: {exc}") from exc
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            out.append((str(entry["payload"]), str(entry["signature"])))
        except (ValueError, KeyError, TypeError):
            out.append(("", line))
    return out


def latest_checkpoint(log: AirLog) -> Checkpoint | None:
    with log._read() as db:  # noqa: SLF001 - the airlog package's own read snapshot
        row = db.execute("SELECT payload, signature FROM checkpoints ORDER BY n DESC LIMIT 1").fetchone()
    return parse(row[0], row[1]) if row else None


def write_checkpoint(log: AirLog, key: StationKey, station: str, now: datetime, *,
                     reuse: bool = False) -> Checkpoint:
    """Sign the chain as it stands and store the checkpoint (table + `checkpoints.jsonl`). `reuse`: when the
    chain has not grown since the last checkpoint, return that one instead of writing another (a report
    previewed ten times writes one checkpoint)."""
    with log._write() as db:  # noqa: SLF001 - the airlog package's own write transaction
        last_row = db.execute("SELECT payload, signature FROM checkpoints ORDER BY n DESC LIMIT 1").fetchone()
        last = parse(last_row[0], last_row[1]) if last_row else None
        head = db.execute("SELECT seq, id, row_hash FROM airings WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
        seq, head_id, head_hash = head.fetchone() or (0, 0, "")
        if reuse and last is not None and (last.rows, last.head_hash) == (seq, head_hash):
            return last
        since = last.rows if last is not None else 0
        if last is not None:  # never sign over a chain that no longer holds what the last checkpoint signed
            at = db.execute("SELECT row_hash FROM airings WHERE seq = ?", (last.rows,)).fetchone()
            if last.rows and (at is None or at[0] != last.head_hash):
                raise LogError("nhật ký phát sóng đã bị can thiệp (chuỗi không còn khớp điểm kiểm tra số "
                               f"{last.n}): không ký điểm kiểm tra mới; chạy 'broadcaster log verify'")
        hashes = "".join(h[:PREFIX] for (h,) in db.execute(
            "SELECT row_hash FROM airings WHERE seq > ? AND seq IS NOT NULL ORDER BY seq", (since,)))
        first = db.execute("SELECT row_hash FROM airings WHERE seq = 1").fetchone()
        fields: dict[str, Any] = {
            "v": 1, "n": (last.n if last else 0) + 1, "at": now.astimezone(log.tz).isoformat(), "station": station,
            "key": key.fingerprint, "rows": seq, "head_id": head_id, "head_hash": head_hash, "since": since,
            "hashes": hashes, "origin": first[0] if first else "", "prev": last.digest if last else "",
        }
        payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        signature = base64.b64encode(key.private.sign(payload.encode("utf-8"))).decode("ascii")
        db.execute("INSERT INTO checkpoints (n, payload, signature) VALUES (?, ?, ?)",
                   (fields["n"], payload, signature))
    checkpoint = parse(payload, signature)
    _append(log.path.parent / CHECKPOINT_FILE, checkpoint.line())
    return checkpoint


def _append(path: Path, line: str) -> None:
    """One line, fsynced. A failure (disk full) loses only this outside copy: the table keeps the checkpoint."""
    with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


def checkpoint_if_due(log: AirLog, state_dir: Path, station: str, now: datetime) -> Checkpoint | None:
    """The running station's daily checkpoint: written when the last one is older than `CHECKPOINT_EVERY` (or
    there is none) and the chain grew since; None when none was due. Creates the station's key the first time.
    Raises LogError when the log or the key cannot be used now (the caller tries again later)."""
    last = latest_checkpoint(log)
    if last is not None and now - last.at < CHECKPOINT_EVERY:
        return None
    key = station_key(state_dir)
    assert key is not None  # created when missing
    written = write_checkpoint(log, key, station, now, reuse=True)
    return None if last is not None and written.n == last.n else written
