"""kill -9 at random points of a session, then a restart (issue 9): 20 trials, each a real station process with a
real serial relay board (a pty pair) and the null output (a silent sound card: real timing). After each trial:
nothing aired twice, the relays and amplifier are off, `log verify` is intact, and every bulletin of the session
is accounted for by exactly one row with a true status."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from broadcaster.airlog import AirLog
from broadcaster.models import AiringStatus
from broadcaster.services.approval import migrate_approvals
from tests import factories as make
from tests.e2e.conftest import AMP, BULLETIN, STATION_YAML, TZ, Board

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 20
PARALLEL = 4  # trials at once: each is mostly waiting on its session's clock
SESSION_SECONDS = 9.0  # about: opening, spoken ident, two short bulletins with chimes, spoken closing


@dataclass
class Trial:
    n: int
    killed_after: float
    rows: list  # type: ignore[type-arg]
    board_after_restart: list[tuple[float, int, bool]]
    verify_ok: bool
    restart_at: float
    output: str


def _template(tmp: Path) -> Path:
    """A station with its speech and clips rendered once; every trial copies it (fresh log, warm caches)."""
    project = tmp / "template"
    sdir = make.station_dir(project, STATION_YAML.format(port="/dev/null", amp=AMP), {
        name: BULLETIN.format(title=name, text=text, zone=zone)
        for name, text, zone in (("tin-mot", "Xã thông báo lịch tiếp dân.", "thon-dong"),
                                 ("tin-hai", "Bà con nộp hồ sơ trực tuyến.", "thon-tay"))
    })
    make.write_jingles(project / "audio", opening=0.6, closing=0.6, chime=0.4, attention=0.8)
    migrate_approvals(sdir)  # approvals bound to the content written above
    subprocess.run([sys.executable, "-m", "broadcaster", "render", "--station", str(sdir)], check=True, cwd=ROOT,
                   capture_output=True, timeout=300)
    return project


def _run_trial(template: Path, tmp: Path, n: int, killed_after: float) -> Trial:
    project = tmp / f"trial-{n:02d}"
    shutil.copytree(template, project)
    board = Board()
    sdir = project / "schedules"
    text = (sdir / "station.yaml").read_text(encoding="utf-8").replace('port: "/dev/null"', f'port: "{board.port}"')
    (sdir / "station.yaml").write_text(text, encoding="utf-8")
    start = (datetime.now(TZ) + timedelta(seconds=6)).replace(microsecond=0)
    spec = f"s1={start:%H:%M:%S},s2=23:59:00"

    out_file = project / "station-output.txt"

    def launch() -> subprocess.Popen[bytes]:
        # output to a file, not a pipe: a killed station's render-ahead child may hold a pipe open for a while
        with open(out_file, "ab") as out:
            return subprocess.Popen(
                [sys.executable, str(ROOT / "tests" / "e2e" / "slot_times.py"), spec, "run", "--station",
                 str(sdir), "--output", "null"],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, stdin=subprocess.DEVNULL)

    first = launch()
    time.sleep(max(0.0, start.timestamp() - time.time()) + killed_after)
    first.send_signal(signal.SIGKILL)  # the power cut
    first.wait(30)
    restart_at = time.time()
    second = launch()
    key = f"{start:%Y-%m-%d}/s1/main"
    db = project / "var" / "broadcaster.sqlite3"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # settled: running again, and the session's status is final
        if "Nhấn Ctrl+C" not in out_file.read_text(encoding="utf-8", errors="replace").split("tắt đột ngột")[-1]:
            time.sleep(0.2)
            continue
        if db.exists():
            with AirLog(db) as log:
                if log.session_status(key) in ("completed", "incomplete", "missed", "failed"):
                    break
        time.sleep(0.2)
    time.sleep(0.5)
    second.send_signal(signal.SIGTERM)
    try:
        second.wait(30)
    finally:
        if second.poll() is None:
            second.kill()
    board.close()
    out = out_file.read_text(encoding="utf-8", errors="replace")
    with AirLog(db) as log:
        rows = [r for r in log.history() if r.session_key.startswith(key)]
        ok = log.verify().ok
    return Trial(n, killed_after, rows, [e for e in board.events if e[0] >= restart_at], ok, restart_at, out)


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> list[Trial]:
    tmp = tmp_path_factory.mktemp("kill")
    template = _template(tmp)
    rnd = random.Random(20261130)
    points = [rnd.uniform(0.0, SESSION_SECONDS) for _ in range(TRIALS)]
    with ThreadPoolExecutor(PARALLEL) as pool:
        done = list(pool.map(lambda a: _run_trial(template, tmp, *a), enumerate(points)))
    aired_twice = sum(any(sum(r.bulletin_id == b and r.status is AiringStatus.COMPLETED for r in t.rows) > 1
                          for b in ("tin-mot", "tin-hai")) for t in done)
    print(f"\nkill -9 trials: {len(done)}, aired twice: {aired_twice}, "
          f"log intact: {sum(t.verify_ok for t in done)}/{len(done)}")
    return done


def test_nothing_airs_twice_after_a_kill_and_restart(trials: list[Trial]) -> None:
    """A session that had begun before the power cut is never aired again (its unaired rest is logged); one that
    had not begun airs after the restart, within the grace time, once."""
    for t in trials:
        before = [r for r in t.rows if r.started_at and r.started_at.timestamp() < t.restart_at]
        after = [r for r in t.rows if r.started_at and r.started_at.timestamp() >= t.restart_at]
        assert not (before and after), f"trial {t.n} (killed {t.killed_after:.1f} s in): aired again after restart"
        completed = [r.bulletin_id for r in t.rows if r.status is AiringStatus.COMPLETED]
        assert len(completed) == len(set(completed)), f"trial {t.n}: {completed}"


def test_every_bulletin_is_accounted_for_once_with_a_true_status(trials: list[Trial]) -> None:
    for t in trials:
        final = {r.bulletin_id: r.status for r in t.rows}
        assert sorted(final) == ["tin-hai", "tin-mot"], f"trial {t.n}: {[(r.bulletin_id, r.status) for r in t.rows]}"
        assert all(r.status is not AiringStatus.STARTED for r in t.rows), f"trial {t.n}: a row left 'started'"
        assert len(t.rows) == 2, f"trial {t.n}: {[(r.bulletin_id, r.status.value) for r in t.rows]}"
        for r in t.rows:
            if r.status in (AiringStatus.INTERRUPTED, AiringStatus.MISSED):
                assert r.reason, f"trial {t.n}: {r.status.value} without a reason"


def test_relays_and_amplifier_are_off_after_the_restart(trials: list[Trial]) -> None:
    for t in trials:
        events = t.board_after_restart
        assert events and events[0][1:] == (AMP, False), f"trial {t.n}: the restart did not switch off first"
        on: set[int] = set()
        for _, relay, state in events:
            (on.add if state else on.discard)(relay)
        assert on == set(), f"trial {t.n}: left on {sorted(on)}"


def test_the_log_chain_stays_intact(trials: list[Trial]) -> None:
    bad = [t.n for t in trials if not t.verify_ok]
    assert not bad, f"log verify failed after trials {bad}"
