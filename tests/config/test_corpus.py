"""The malformed-file corpus (tests/config/corpus.py) against `check`, `plan --json` and the loaders.

Every variant runs in-process (fast); a sample also runs through real `broadcaster check` and `plan --json`
subprocesses with a time limit and a memory reading. For each one: no traceback, no hang, memory bounded,
every error with its file and line (unless the file has no lines to name: empty, not a regular file, too big
to read, or a link out of the station), the good bulletin still planned whenever station.yaml loads, and
`--json` output that is valid JSON. The count line is printed at the end of the test run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from corpus import COUNT_LINES, GOOD, TARGET_FILES, Corpus, Variant, write_good

from broadcaster.commands.check import _dictionary_problems
from broadcaster.config import MAX_FILE_BYTES, check_station, is_error, outside_station
from broadcaster.config._schema import BULLETIN_FIELDS, STATION_FIELDS, walk
from broadcaster.errors import BroadcasterError, ConfigError, Problem
from broadcaster.services.plan import plan_json, plan_station

TODAY = date(2026, 11, 28)
START, END = date(2026, 12, 1), date(2026, 12, 7)
HANG_SECONDS = 10.0  # one variant through check and plan, in-process; the good station takes ~0.02 s
MEMORY_LIMIT = 64 * 1024 * 1024  # Python allocations while one variant is checked and planned
CHILD_MEMORY_LIMIT = 400 * 1024 * 1024  # peak RSS of one `broadcaster` subprocess
SUBPROCESS_SAMPLE = (
    "alias/station/billion-laughs",
    "alias/dictionary/billion-laughs",
    "nesting/bulletin/lists-100000",
    "range/station/audio.pause_seconds/nan",
    "special/bulletin/fifo",
    "encoding/station/utf16-bom",
)
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    variant: Variant
    seconds: float = 0.0
    peak_bytes: int = 0
    crash: str = ""
    lineless: list[Problem] = field(default_factory=list)
    not_planned: str = ""
    problems: list[Problem] = field(default_factory=list)


def _lines_to_name(root: Path, problem: Problem) -> bool:
    """Whether the problem's file has lines an error could name: a readable regular file within the size limit,
    with something in it, inside the station."""
    path = Path(problem.file)
    path = path if path.is_absolute() else Path.cwd() / path
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES or outside_station(path, root):
        return False
    try:
        return bool(path.read_bytes().strip())
    except OSError:
        return False


def run_variant(variant: Variant, where: Path) -> Outcome:
    """check + dictionary check + plan (JSON) of one variant, in this process."""
    root = where / variant.name.replace("/", "__")
    variant.make(root)
    out = Outcome(variant)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        out.problems = check_station(root, today=TODAY, decode_audio=False) + _dictionary_problems(str(root))
        try:
            sp = plan_station(root, START, END)
        except ConfigError as exc:  # station.yaml unusable: a clean error, every problem named
            out.problems += list(exc.problems)
            sp = None
        if sp is not None:
            doc = json.loads(json.dumps(plan_json(sp), allow_nan=False))
            planned = {i["bulletin_id"] for s in doc["sessions"] for i in s["items"]}
            if GOOD not in planned:
                out.not_planned = f"{GOOD} not planned; warnings: {doc['warnings']}"
    except BroadcasterError:
        out.crash = traceback.format_exc()  # every config problem must come back as a Problem, not raise
    except Exception:  # noqa: BLE001 - the point of the corpus: count every crash, then show them
        out.crash = traceback.format_exc()
    finally:
        out.seconds = time.perf_counter() - started
        out.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    out.lineless = [p for p in out.problems if is_error(p) and not p.line and _lines_to_name(root, p)]
    return out


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    where = tmp_path_factory.mktemp("corpus")
    corpus = Corpus(where / "state")
    # imports and the generated jingles are paid once, by the good station: not a variant's cost
    warm = run_variant(Variant("warm-up", "", "bulletin", lambda root: write_good(root, where / "state")), where)
    assert not warm.crash, warm.crash
    results = [run_variant(v, where) for v in corpus.variants()]
    crashes = sum(1 for o in results if o.crash)
    hangs = sum(1 for o in results if o.seconds > HANG_SECONDS)
    lineless = sum(1 for o in results if o.lineless)
    families = Counter(o.variant.family for o in results)
    slowest = max(results, key=lambda o: o.seconds)
    COUNT_LINES.append(
        f"corpus (tests/config/test_corpus.py): {len(results)} variants, {crashes} crashes, {hangs} hangs, {lineless} errors without a line "
        f"(slowest {slowest.seconds:.2f} s: {slowest.variant.name}; peak memory "
        f"{max(o.peak_bytes for o in results) / 2**20:.1f} MB)"
    )
    COUNT_LINES.append("corpus families: " + ", ".join(f"{k} {v}" for k, v in sorted(families.items())))
    return results


def test_corpus_is_large_enough(outcomes: list[Outcome]) -> None:
    assert len(outcomes) >= 300
    assert {o.variant.target for o in outcomes} == set(TARGET_FILES)


def test_no_variant_crashes(outcomes: list[Outcome]) -> None:
    crashed = [f"{o.variant.name}:\n{o.crash}" for o in outcomes if o.crash]
    assert not crashed, "\n".join(crashed[:5])


def test_no_variant_hangs_or_takes_much_memory(outcomes: list[Outcome]) -> None:
    slow = [f"{o.variant.name}: {o.seconds:.1f} s" for o in outcomes if o.seconds > HANG_SECONDS]
    big = [f"{o.variant.name}: {o.peak_bytes / 2**20:.0f} MB" for o in outcomes if o.peak_bytes > MEMORY_LIMIT]
    assert not slow and not big, slow + big


def test_every_error_names_its_file_and_line(outcomes: list[Outcome]) -> None:
    missing = [f"{o.variant.name}: {p}" for o in outcomes for p in o.lineless]
    assert not missing, "\n".join(missing[:20])
    assert all(p.file for o in outcomes for p in o.problems)


def test_broken_files_are_reported(outcomes: list[Outcome]) -> None:
    """Every variant that cannot be read as a good file says so (a mistake is never silently accepted)."""
    quiet = [o.variant.name for o in outcomes if not any(is_error(p) for p in o.problems)]
    assert [name for name in quiet if not _valid_after_all(name)] == []


def test_good_bulletin_is_still_planned(outcomes: list[Outcome]) -> None:
    lost = [f"{o.variant.name}: {o.not_planned}" for o in outcomes if o.not_planned]
    assert not lost, "\n".join(lost[:10])


# variants that are good files after all: other line endings or a BOM, an anchor used once, a link inside the
# station, a date written another valid way, a dictionary with nothing in it, hidden and editor backup files
VALID = {
    "syntax/bulletin/windows-crlf", "encoding/bulletin/utf8-bom", "size/bulletin/just-under-limit",
    "size/dictionary/empty", "size/dictionary/blank", "size/dictionary/comments-only", "alias/station/fine-anchor",
    "special/bulletin/inside-link", "duplicate/hidden-and-backup", "date/bulletin/valid_from/10",
    "date/bulletin/approved_at/10", "date/station/days_off/10", "date/station/days_off/range-century",
    "type/station/report.recipients/list",  # [1, 2]: two recipients named "1" and "2" (text may be digits)
}
FIELDS = {"station": dict(walk(STATION_FIELDS)), "bulletin": dict(walk(BULLETIN_FIELDS))}


def _valid_after_all(name: str) -> bool:
    """An empty value where the schema allows one (`relay:` empty = always on) is no mistake either."""
    parts = name.split("/")
    if parts[0] == "type" and parts[-1] in ("null", "empty", "tilde"):
        f = FIELDS[parts[1]][parts[2]]
        return f.nullable or f.default in ("", ())
    return name in VALID


# Runs the command and reports its peak RSS. The measurement must come from a small parent: Linux keeps a process's
# peak RSS across fork and exec, so a child forked straight from this (by then large) test process would report
# the test process's size, not its own.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "sys.stderr.write(f'\\nPEAK_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def _run_child(args: list[str], cwd: Path) -> tuple[int, str, str, float, int]:
    """A `broadcaster` subprocess: exit code, stdout, stderr, seconds, peak RSS (bytes) of that child alone."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _MEASURE, sys.executable, "-m", "broadcaster", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return -9, out.decode(), err.decode(), time.perf_counter() - started, 0
    text = err.decode()
    match = re.search(r"\nPEAK_RSS_KB=(\d+)\n$", text)
    assert match, text[-500:]
    return proc.returncode, out.decode(), text[: match.start()], time.perf_counter() - started, int(match.group(1)) * 1024


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_sample_through_the_real_commands(name: str, tmp_path: Path) -> None:
    variant = next(v for v in Corpus(tmp_path / "state").variants() if v.name == name)
    root = tmp_path / "station"
    variant.make(root)
    code, out, err, seconds, peak = _run_child(["check", "--no-audio", "--station", str(root)], tmp_path)
    assert code in (0, 1) and "Traceback" not in out + err, out + err
    errors = [line for line in out.splitlines() if line and not line.startswith(("  ", "Lưu ý", "Có ", "Mọi"))]
    # file:line: ...; a FIFO or a device has no lines to name
    pattern = r"station/\S+?:(\d+:)? " if variant.family == "special files" else r"station/\S+?:\d+: "
    assert errors and all(re.match(pattern, line) for line in errors), errors
    assert seconds < 30 and peak < CHILD_MEMORY_LIMIT, (seconds, peak)
    code, out, err, seconds, peak = _run_child(
        ["plan", "--json", "--station", str(root), "--from", START.isoformat(), "--to", END.isoformat()], tmp_path)
    assert code in (0, 1) and "Traceback" not in err, err
    doc = json.loads(out)  # valid JSON whatever happened (NaN is not JSON: json.loads would take it, so look)
    assert "NaN" not in out and "Infinity" not in out
    if code == 0:
        assert GOOD in {i["bulletin_id"] for s in doc["sessions"] for i in s["items"]}
    else:
        assert doc["error"] and all(p["line"] for p in doc["problems"] if p["file"].endswith("station.yaml")), doc
    assert seconds < 30 and peak < CHILD_MEMORY_LIMIT, (seconds, peak)
