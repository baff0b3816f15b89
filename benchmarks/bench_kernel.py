"""Fibre kernel benchmarks: throughput vs N, threads, reference engine, memory, compile.

Run from the repository root::

    python benchmarks/bench_kernel.py            # quick set: 1e4, 1e5, 1e6 ions
    python benchmarks/bench_kernel.py --full     # adds 1e7 ions and the end-to-end scenarios

Prints a table and appends the figures to ``benchmarks/results/kernel.jsonl`` so a change
can be compared with the previous run (the last stored run is shown beside the new one).
Figures are medians of several repeats, measured in one process.

The benchmark problem is the one of the performance issue: Ca and Mg ions (1:100)
diffusing in a box with reflecting walls (D 0.3 and 0.2 µm²/ms, dt 1 µs), competing for
fixed troponin sites (one ion per site, first-order unbinding), at constant density; no
release, pumps or parvalbumin, and every ion moves every step (``mg_substeps = 1``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np

from cellsim.fibre import FibreModel, Protocol, RunSettings, get_parameter_set
from cellsim.fibre.state import FREE

RESULTS = Path(__file__).parent / "results" / "kernel.jsonl"
#: ions per µm³ of the benchmark problem: 2 mM Mg + 20 µM Ca (1:100)
MG_MM, CA_UM = 2.0, 20.0


def problem(n_ions: int, dt_us: float = 1.0, seed: int = 1) -> FibreModel:
    """A closed box holding about ``n_ions`` free ions at the benchmark density."""
    density = (MG_MM * 1000 + CA_UM) * 602.214  # ions per µm³
    volume = n_ions / density
    side = volume ** (1 / 3)
    params = get_parameter_set("human").with_overrides(
        {
            "length_x_um": side,
            "width_y_um": side,
            "width_z_um": side,
            "voxel_um": min(0.1, side),
            "ca_rest_uM": CA_UM,
            "mg_free_mM": MG_MM,
            "d_mg_um2_per_ms": 0.2,
            "sr_ca_total_uM": 0.0,
            "pv_sites_uM": 0.0,
            "serca_uM": 0.0,
            "ryr_count": 0,
            "sr_leak_per_ms": 0.0,
            "mg_substeps": 1,
            "pv_substeps": 1,
        }
    )
    settings = RunSettings(duration_ms=1.0, dt_us=dt_us, seed=seed, record_every_steps=10**9)
    return FibreModel(params, Protocol("none"), settings)


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kernel_throughput(n_ions: int, threads: int, steps: int, repeats: int = 5) -> dict:
    """Particle-steps per second of the whole step (move, bind, resolve, filament)."""
    model = problem(n_ions)
    numba.set_num_threads(threads)
    model.advance(2)  # compile / warm caches
    n_free = int(np.count_nonzero(model.state.ion_state == FREE))
    seconds = _median_time(lambda: model.advance(steps), repeats)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return {
        "n_ions": model.state.n_ions,
        "n_free": n_free,
        "threads": threads,
        "steps": steps,
        "seconds": seconds,
        "particle_steps_per_s": model.state.n_ions * steps / seconds,
    }


def reference_throughput(n_ions: int, steps: int) -> float:
    model = problem(n_ions)
    model.engine = "reference"
    seconds = _median_time(lambda: model.advance(steps), 3)
    return model.state.n_ions * steps / seconds


def engine_ratio_on_scenario(path: str, steps: int) -> dict:
    """numba vs reference engine on the first ``steps`` steps of a bundled scenario."""
    from cellsim.fibre import runner
    from cellsim.scenario import load

    out = {}
    for engine in ("numba", "reference"):
        scenario = load(path, [f"run.engine={engine!r}", "output.snapshots=false"])
        model = runner.build_model(scenario.data)
        model.advance(1)  # compile / warm
        out[engine] = _median_time(lambda m=model: m.advance(steps), 3 if engine == "numba" else 1)
    out["ratio"] = out["reference"] / out["numba"]
    return out


def memory_per_ion(n_ions: int) -> float:
    """Bytes of the fibre's arrays per ion (ion rows, their sites, scratch)."""
    model = problem(n_ions)
    s = model.state
    total = sum(a.nbytes for a in vars(s).values() if isinstance(a, np.ndarray))
    return total / s.n_ions


def compile_times() -> dict:
    """Cold compilation (empty cache dir) and cache load, each in a fresh process."""
    code = (
        "import time; t=time.perf_counter(); "
        "from benchmarks.bench_kernel import problem; m=problem(2000); m.advance(1); "
        "print(time.perf_counter()-t)"
    )
    out = {}
    for label, env in (
        ("cold_compile_s", {"NUMBA_CACHE_DIR": str(Path(f"/tmp/cellsim-cold-{os.getpid()}"))}),
        ("cache_load_s", {}),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            cwd=Path(__file__).parent.parent,
        )
        out[label] = float(result.stdout.strip().splitlines()[-1])
    return out


def scenario_times(names) -> dict:
    out = {}
    for name in names:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cellsim",
                "run",
                f"scenarios/{name}.toml",
                "-q",
                "-o",
                f"/tmp/cellsim-bench/{name}",
            ],
            check=True,
            capture_output=True,
            cwd=Path(__file__).parent.parent,
        )
        out[name] = time.perf_counter() - start
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="add 1e7 ions and scenarios")
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000, 1_000_000] + ([10_000_000] if args.full else [])
    record = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "rows": [],
    }
    print(f"{'ions':>10} {'threads':>7} {'M particle-steps/s':>20} {'s/step':>10}")
    for n in sizes:
        steps = max(5, int(2e7 // n))
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            row = kernel_throughput(n, threads, steps)
            record["rows"].append(row)
            print(
                f"{row['n_ions']:>10} {threads:>7} {row['particle_steps_per_s'] / 1e6:>20.2f} "
                f"{row['seconds'] / steps:>10.2e}"
            )
    ref = reference_throughput(2_000, 3)
    one = next(r for r in record["rows"] if r["threads"] == 1 and r["n_ions"] < 20_000)
    record["reference_particle_steps_per_s"] = ref
    record["kernel_over_reference"] = one["particle_steps_per_s"] / ref
    print(
        f"reference engine: {ref / 1e6:.3f} M particle-steps/s; kernel (1 thread, 1e4) is "
        f"{record['kernel_over_reference']:.0f}x faster"
    )
    same = engine_ratio_on_scenario("scenarios/twitch.toml", steps=40)
    record["twitch_engine_ratio"] = same["ratio"]
    print(
        f"twitch.toml, 40 steps: numba {same['numba']:.3f} s, reference "
        f"{same['reference']:.1f} s: {same['ratio']:.0f}x"
    )
    record["bytes_per_ion"] = memory_per_ion(100_000)
    print(f"memory: {record['bytes_per_ion']:.1f} bytes per ion (fibre arrays)")
    record.update(compile_times())
    print(
        f"compile: cold {record['cold_compile_s']:.1f} s, from cache {record['cache_load_s']:.1f} s"
    )
    if args.full:
        record["scenarios_s"] = scenario_times(["twitch", "twitch_mouse_fast", "cramp_low_mg"])
        for name, sec in record["scenarios_s"].items():
            print(f"scenario {name}: {sec:.1f} s end to end")
    previous = None
    if RESULTS.exists():
        lines = RESULTS.read_text().strip().splitlines()
        previous = json.loads(lines[-1]) if lines else None
    if previous:
        print(
            f"previous run ({previous['when']}): kernel/reference "
            f"{previous.get('kernel_over_reference', float('nan')):.0f}x"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    with open(RESULTS, "a") as fh:
        fh.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
