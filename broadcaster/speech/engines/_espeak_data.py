"""The eSpeak NG data folder the station speaks with: the espeakng-loader wheel's data plus broadcaster's own
voice variant (broadcaster/data/espeak/variants/*), assembled at first use in a cache folder.

libespeak-ng reads voice variants only from `<data>/voices/!v/`, and the wheel's folder must stay untouched
(it belongs to pip), so the private folder is made of symbolic links to every file of the wheel's data (19 MB,
nothing copied) with our variant files added under `voices/!v/`. Its name carries a digest of the wheel's path
and of our files, so a changed variant or a reinstalled wheel gets a new folder; one is built in a temporary
folder and renamed into place, so two processes starting at once never see half a folder.

Where: `$BROADCASTER_ESPEAK_DATA_DIR`, else `$XDG_CACHE_HOME/broadcaster`, else `~/.cache/broadcaster`, else
the system's temporary folder (a read-only home must not silence the offline voice).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["private_data_path", "VARIANTS_DIR"]

VARIANTS_DIR = Path(__file__).resolve().parents[2] / "data" / "espeak" / "variants"


def _roots() -> list[Path]:
    roots = []
    if os.environ.get("BROADCASTER_ESPEAK_DATA_DIR"):
        roots.append(Path(os.environ["BROADCASTER_ESPEAK_DATA_DIR"]))
    xdg = os.environ.get("XDG_CACHE_HOME")
    roots.append(Path(xdg) / "broadcaster" if xdg else Path.home() / ".cache" / "broadcaster")
    roots.append(Path(tempfile.gettempdir()) / f"broadcaster-{os.getuid()}")
    return roots


def _digest(wheel_data: Path, variants: list[Path]) -> str:
    h = hashlib.sha256(str(wheel_data.resolve()).encode())
    for path in variants:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _link_tree(src: Path, dst: Path, variants: list[Path]) -> None:
    """`dst` mirrors `src` with symbolic links; `voices/` and `voices/!v/` are real folders holding our variants."""
    dst.mkdir()
    for entry in src.iterdir():
        if entry.name != "voices":
            (dst / entry.name).symlink_to(entry)
    voices = dst / "voices"
    voices.mkdir()
    for entry in (src / "voices").iterdir():
        if entry.name != "!v":
            (voices / entry.name).symlink_to(entry)
    own = voices / "!v"
    own.mkdir()
    for entry in (src / "voices" / "!v").iterdir():
        (own / entry.name).symlink_to(entry)
    for path in variants:
        if (own / path.name).exists() or (own / path.name).is_symlink():
            (own / path.name).unlink()
        shutil.copyfile(path, own / path.name)


def private_data_path(wheel_data: Path) -> Path:
    """The folder to hand to espeak_Initialize: made on first use, reused after. Raises OSError when no
    cache folder can be written (the caller then says so and falls back to the wheel's own data)."""
    variants = sorted(p for p in VARIANTS_DIR.iterdir() if p.is_file()) if VARIANTS_DIR.is_dir() else []
    name = f"espeak-ng-data-{_digest(wheel_data, variants)}"
    last_error: OSError | None = None
    for root in _roots():
        target = root / name
        if (target / "voices" / "!v").is_dir() and all((target / "voices" / "!v" / p.name).is_file()
                                                         for p in variants):
            return target
        try:
            root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
            tmp.rmdir()
            _link_tree(wheel_data, tmp, variants)
            try:
                tmp.rename(target)
            except OSError:  # another process renamed its copy first: use that one
                shutil.rmtree(tmp, ignore_errors=True)
            if (target / "voices" / "!v").is_dir():
                return target
        except OSError as exc:
            last_error = exc
    raise last_error or OSError("no cache folder for eSpeak NG's data")
