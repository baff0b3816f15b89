"""Sweep scaling: a 48-run sweep of a short fibre twitch on 2 workers vs 1 worker.

    python benchmarks/bench_sweep.py [--runs 48] [--duration-ms 20] [--workers 2] [--rounds 3]

1 worker runs serially in this process (no cluster: the cheapest baseline);
N workers are this process and a local Dask cluster of N-1, and their time
includes starting it.  numba's on-disk cache is filled by a separate process and
the kernels are loaded here before anything is timed, so neither side pays for
imports or kernel loading.  The two are timed in alternation (Dask, serial,
Dask, ...) so that a burst of other load hits both; the speed-up is the median
over the rounds (target >= 1.7x on 2 idle cores).  The machine's load average is
printed too: other processes on the same cores lower the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cellsim.sweep import load_sweep, run_sweep
from cellsim.sweep.tasks import build_tasks, execute

TWITCH = Path(__file__).resolve().parents[1] / "scenarios" / "twitch.toml"


def sweep_file(folder: Path, runs: int, duration_ms: float) -> Path:
    points, replicates = runs // 3, 3
    path = folder / "bench.toml"
    path.write_text(f"""
[sweep]
name = "bench"
base = "{TWITCH.as_posix()}"
replicates = {replicates}
seed = 1
metrics = ["peak_delta_ca_uM", "peak_force_fraction"]
[fixed]
"run.duration_ms" = {duration_ms}
"protocol.times_ms" = [1.0]
"output.snapshots" = false
[[parameter]]
key = "environment.mg_free_intracellular_mM"
range = [0.2, 2.0]
steps = {points}
""")
    return path


def timed(spec, out: Path, workers: int) -> tuple[float, float]:
    """Wall time of the sweep, and the mean time of one run as measured where it ran."""
    start = time.perf_counter()
    res = run_sweep(spec, out, workers=workers, progress=False)
    wall = time.perf_counter() - start
    assert len(res.executed) == spec.n_runs and res.failed == 0, "benchmark runs failed"
    return wall, float(res.table["wall_time_s"].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=48)
    parser.add_argument("--duration-ms", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternating pairs to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = load_sweep(sweep_file(folder, args.runs, args.duration_ms))
        fill_cache = (
            "import sys; from cellsim.sweep import load_sweep, run_sweep; "
            "run_sweep(load_sweep(sys.argv[1]), sys.argv[2], workers=1, limit=1, "
            "progress=False, finish=False)"
        )
        subprocess.run(
            [sys.executable, "-c", fill_cache, str(spec.path), str(folder / "warm")], check=True
        )
        # imports and loading the kernels are not timed (both would pay them once);
        # a one-thread run does not start numba's thread pool, so workers still fork
        first = build_tasks(spec, None)[0]
        execute(first.scale, first.data)
        print(
            f"{spec.n_runs} fibre runs of {args.duration_ms:g} ms; cores: {os.cpu_count()}; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        speedups, slowdowns = [], []
        for r in range(args.rounds):
            many, many_run = timed(spec, folder / f"dask{r}", args.workers)
            one, one_run = timed(spec, folder / f"serial{r}", 1)
            speedups.append(one / many)
            slowdowns.append(many_run / one_run)
            print(
                f"round {r + 1}: {args.workers} workers {many:5.1f} s, 1 worker {one:5.1f} s, "
                f"speed-up {one / many:.2f}x; a run took {many_run / one_run:.2f}x as long "
                "beside another as alone"
            )
        print(
            f"speed-up: median {statistics.median(speedups):.2f}x over {args.rounds} rounds "
            f"(range {min(speedups):.2f}-{max(speedups):.2f}; target >= 1.7x for 2 workers); "
            f"load average after: {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
