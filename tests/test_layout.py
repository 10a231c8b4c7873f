"""The layout stays true as the project grows: layers import only downward, private modules stay private, no
module or function grows past what a reader can hold, imports are honest. Read from the source (ast), so a
violation fails here with the file and line, whatever the tests exercise."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "broadcaster"

# Lowest first; a module may import its own layer and any lower one. `plan` is pure and sits above audio only in
# the order of the pipeline: it imports neither speech nor audio (checked separately below).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "models", "settings", "clock", "words", "wav", "ffmpeg", "streams", "processes", "files"),
    ("config", "airlog", "outputs", "zones"),
    ("speech",),
    ("audio",),
    ("plan",),
    ("build", "archive"),
    ("playout",),
    ("station",),
    ("services", "reports"),
    ("cli", "commands", "web", "__main__"),
)
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}
PURE = {"plan": {"errors", "models", "words", "plan"}}  # the planner reads no clock, no files, no audio
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted (for `from a import b`, `a.b` when b is a module)
    line: int
    nested: bool  # inside a function
    type_only: bool  # under `if TYPE_CHECKING:`
    path: Path


def _modules() -> list[tuple[str, Path, ast.Module]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"), str(path))))
    return out


MODULES = _modules()
KNOWN = {name for name, _, _ in MODULES}


def _imports() -> list[Import]:
    found: list[Import] = []
    for name, path, tree in MODULES:
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]

        def visit(node: ast.AST, nested: bool, type_only: bool) -> None:
            for child in ast.iter_child_nodes(node):
                inner = nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
                guarded = type_only or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
                if isinstance(child, ast.Import):
                    for alias in child.names:
                        found.append(Import(name, alias.name, child.lineno, nested, type_only, path))
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + [base])
                    for alias in child.names:
                        sub = f"{base}.{alias.name}"
                        found.append(Import(name, sub if sub in KNOWN else base, child.lineno, nested, type_only,
                                            path))
                visit(child, inner, guarded)

        visit(tree, False, False)
    return [i for i in found if i.target.split(".")[0] == "broadcaster"]


IMPORTS = _imports()


def _top(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "broadcaster"


def _where(i: Import) -> str:
    return f"{i.path.relative_to(ROOT)}:{i.line}"


def test_every_package_has_a_layer() -> None:
    unknown = sorted({_top(n) for n, _, _ in MODULES} - set(LAYER_OF) - {"broadcaster"})
    assert not unknown, f"add these to LAYERS in tests/test_layout.py (and docs/internals.md): {unknown}"


def test_lower_layers_never_import_higher_ones() -> None:
    bad = [
        f"{_where(i)}: {i.module} ({_top(i.module)}, layer {LAYER_OF[_top(i.module)]}) imports {i.target} "
        f"({_top(i.target)}, layer {LAYER_OF[_top(i.target)]})"
        for i in IMPORTS
        if _top(i.module) in LAYER_OF and _top(i.target) in LAYER_OF
        and LAYER_OF[_top(i.target)] > LAYER_OF[_top(i.module)]
    ]
    assert not bad, "\n".join(bad)


def test_the_planner_stays_pure() -> None:
    bad = [f"{_where(i)}: {i.target}" for i in IMPORTS
           if _top(i.module) in PURE and _top(i.target) not in PURE[_top(i.module)]]
    assert not bad, "the planner imports beyond models/errors/words:\n" + "\n".join(bad)


def test_private_modules_are_imported_only_by_their_own_package() -> None:
    bad = []
    for i in IMPORTS:
        parts = i.target.split(".")
        for depth, part in enumerate(parts):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(parts[:depth])
                if not (i.module == owner or i.module.startswith(owner + ".")):
                    bad.append(f"{_where(i)}: {i.module} imports private {i.target}")
                break
    assert not bad, "\n".join(bad)


def test_lazy_imports_say_why() -> None:
    """An import inside a function is allowed where start-up cost matters; a `# lazy:` comment says so."""
    bad = []
    for i in IMPORTS:
        if not i.nested or i.type_only:
            continue
        lines = i.path.read_text(encoding="utf-8").splitlines()
        before = [lines[n].strip() for n in range(max(0, i.line - 4), i.line - 1)]
        if not any(line.startswith("# lazy:") for line in before) and "# lazy:" not in lines[i.line - 1]:
            bad.append(f"{_where(i)}: {i.target}")
    assert not bad, "imports inside functions without a '# lazy: why' comment:\n" + "\n".join(bad)


def test_no_broad_except_around_imports() -> None:
    bad = []
    for _, path, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in node.body):
                for handler in node.handlers:
                    if handler.type is None or ast.unparse(handler.type) in ("Exception", "BaseException"):
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, "an import inside try/except Exception hides a broken install:\n" + "\n".join(bad)


def test_no_module_is_too_long() -> None:
    bad = [f"{p.relative_to(ROOT)}: {n} lines" for _, p, _ in MODULES
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not bad, f"modules over {MAX_MODULE_LINES} lines (split by responsibility):\n" + "\n".join(bad)


def test_long_functions_say_why() -> None:
    bad = []
    for _, path, tree in MODULES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                body = lines[node.lineno - 1 : node.end_lineno]
                if length > MAX_FUNCTION_LINES and not any("# long:" in line for line in body):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} ({length} lines)")
    assert not bad, "functions over 80 lines without a '# long: why' comment:\n" + "\n".join(bad)


def test_every_command_is_listed_in_the_cli() -> None:
    from broadcaster import cli

    listed = {m.__name__.rpartition(".")[2] for m in cli.COMMANDS}
    present = {p.stem for p in (PACKAGE / "commands").glob("*.py") if not p.stem.startswith("_")}
    assert listed == present, f"commands on disk {sorted(present)} vs listed in cli.COMMANDS {sorted(listed)}"


@pytest.mark.parametrize("module", ["broadcaster.station", "broadcaster.cli"])
def test_the_always_on_station_and_the_cli_start_without_the_audio_stack(module: str) -> None:
    """The station keeps ~50 MB resident because building (numpy/scipy DSP) happens in a child process; the CLI
    parser starts fast. A fresh interpreter shows what a plain import really loads."""
    code = (f"import sys, {module}; heavy = [m for m in ('scipy', 'broadcaster.audio.loudness', "
            "'broadcaster.build.programmes') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "", f"importing {module} loads {out.stdout.strip()}"
