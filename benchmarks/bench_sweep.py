"""Sweep scaling: a 48-run sweep of a short fibre twitch on 2 workers vs 1 worker.

    python benchmarks/bench_sweep.py [--runs 48] [--duration-ms 20] [--workers 2]

1 worker runs serially in this process (no cluster: the cheapest baseline);
N workers use a local Dask cluster, and their time includes starting it.  Both
start from an empty output folder, with cellsim imported and numba's on-disk
cache filled by a separate process, so each pays one load of the kernels from
that cache, as ``cellsim sweep`` does.  The Dask sweep runs first, as in a fresh
``cellsim sweep`` process (its workers are forked on Linux, which needs that no
kernel ran before).  Prints wall times and the speed-up (target >= 1.7x on 2
idle cores).  The machine's load average is printed too: other processes on the
same cores lower the figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cellsim.scenario import load_runner
from cellsim.sweep import load_sweep, run_sweep

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
"protocol.stimulus_times_ms" = [1.0]
"output.snapshots" = false
[[parameter]]
key = "fibre.mg_free_mM"
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
        load_runner("fibre")  # imports are not timed (both would pay them)
        print(
            f"{spec.n_runs} fibre runs of {args.duration_ms:g} ms; cores: {os.cpu_count()}; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        many, many_run = timed(spec, folder / "dask", args.workers)
        print(f"{args.workers} workers (local Dask):  {many:7.1f} s  (one run: {many_run:.2f} s)")
        one, one_run = timed(spec, folder / "serial", 1)
        print(f"1 worker (serial, in-process):  {one:7.1f} s  (one run: {one_run:.2f} s)")
        print(
            f"speed-up: {one / many:.2f}x (target >= 1.7x for 2 workers); a run took "
            f"{many_run / one_run:.2f}x as long inside a worker as alone (shared cores, memory); "
            f"load average after: {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
