"""CPU seconds of every bundled scenario, end to end, warm numba cache.

Each scenario runs as ``cellsim run NAME -q --overwrite`` in a fresh process, several times
(alternating scenarios, so a burst of other load hits them alike); the figure reported is
the median of the process's CPU time (user + system), which load on the other core
affects far less than wall time.  Figures are appended to ``benchmarks/results/
scenarios.jsonl`` and shown beside the previous stored run.

    python benchmarks/bench_scenarios.py                 # every bundled scenario, 3 runs
    python benchmarks/bench_scenarios.py twitch tetanus -n 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "benchmarks" / "results" / "scenarios.jsonl"


def cpu_seconds(name: str, out: Path) -> tuple[float, float]:
    """(CPU s, wall s) of one ``cellsim run`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cellsim", "run", name, "-q", "--overwrite", "-o", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def bundled() -> list[str]:
    return sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))


def previous() -> dict:
    """The latest stored figure of each scenario (a run may have measured only some)."""
    latest: dict[str, float] = {}
    if STORE.exists():
        for line in STORE.read_text().strip().splitlines():
            latest.update(json.loads(line)["cpu_s"])
    return latest


def target_s(name: str) -> float:
    """The performance issue's target, CPU seconds warm: ``twitch`` 1.5, body scenarios 1,
    every other fibre, nerve and chain scenario 5 (docs/performance.md says why some are
    longer)."""
    if name == "twitch":
        return 1.5
    return 1.0 if name.startswith("body_") else 5.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="scenarios (default: every bundled one)")
    parser.add_argument("-n", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args(argv)
    names = args.names or bundled()
    load_before = os.getloadavg()[0]
    cpu: dict[str, list[float]] = {n: [] for n in names}
    wall: dict[str, list[float]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:  # warm-up: compile once, fill numba's cache
            cpu_seconds(name, Path(tmp) / name)
        for _ in range(args.n):
            for name in names:
                c, w = cpu_seconds(name, Path(tmp) / name)
                cpu[name].append(c)
                wall[name].append(w)
    before = previous()
    width = max(len(n) for n in names)
    print(
        f"{'scenario':<{width}}  CPU s median (min-max)   wall s median   previous CPU s"
        "   target CPU s"
    )
    medians = {}
    for name in names:
        m = statistics.median(cpu[name])
        medians[name] = round(m, 3)
        prev = before.get(name)
        print(
            f"{name:<{width}}  {m:6.2f} ({min(cpu[name]):.2f}-{max(cpu[name]):.2f})"
            f"        {statistics.median(wall[name]):6.2f}"
            f"          {'' if prev is None else f'{prev:6.2f}'}"
            f"        {target_s(name):4.1f}{'' if m <= target_s(name) else '  over'}"
        )
    record = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "runs": args.n,
        "load_average_before": round(load_before, 2),  # other work on the machine
        "cpu_s": medians,
    }
    STORE.parent.mkdir(exist_ok=True)
    with STORE.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
