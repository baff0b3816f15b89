"""Performance benchmarks: fibre kernel, engines, memory, compilation, scenarios.

Run from the repository root::

    python benchmarks/bench_kernel.py            # quick set (about 3 minutes)
    python benchmarks/bench_kernel.py --full     # adds 1e7 ions and every bundled scenario

Prints one table and appends the figures to ``benchmarks/results/kernel.jsonl``; each
figure is shown beside the one of the previous stored run, so a change can be judged.
Throughputs are medians of several repeats, and ratios (2 threads vs 1, kernel vs
reference) are measured in the same run.

The benchmark problem is the one of the performance issue: Ca and Mg ions (1:100)
diffusing in a box with reflecting walls (D 0.3 and 0.2 µm²/ms, dt 1 µs), competing for
fixed troponin sites (one ion per site, first-order unbinding), at constant density; no
release, pumps or parvalbumin, and every ion moves every step (``mg_substeps = 1``).
A "particle-step" is one ion (free or bound) advanced by one step.  The same problem in
other tools (a numba loop, Smoldyn, Mesa agents): ``benchmarks/bench_peers.py``.
"""

from __future__ import annotations

import argparse
import hashlib
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

from cellsim.environment import Environment
from cellsim.fibre import FibreModel, Protocol, RunSettings, get_parameter_set
from cellsim.schema import with_overrides

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "kernel.jsonl"
#: ions per µm³ of the benchmark problem: 2 mM Mg + 20 µM Ca (1:100)
MG_MM, CA_UM = 2.0, 20.0
QUICK_SCENARIOS = ("twitch", "nerve_spasm_low_ca", "body_baseline_rda")


def problem(n_ions: int, dt_us: float = 1.0, seed: int = 1) -> FibreModel:
    """A closed box holding about ``n_ions`` free ions at the benchmark density."""
    density = (MG_MM * 1000 + CA_UM) * 602.214  # ions per µm³
    side = (n_ions / density) ** (1 / 3)
    params = with_overrides(
        get_parameter_set("mouse_fast_16C"),
        {
            "length_x_um": side,
            "width_y_um": side,
            "width_z_um": side,
            "voxel_um": min(0.1, side),
            "ca_rest_uM": CA_UM,
            "d_mg_um2_per_ms": 0.2,
            "ca_sr_free_rest_uM": 0.0,
            "atp_total_uM": 0.0,
            "pv_sites_uM": 0.0,
            "serca_uM": 0.0,
            "ryr_count": 0,
            "sr_leak_per_ms": 0.0,
            "mg_substeps": 1,
            "pv_substeps": 1,
        },
    )
    settings = RunSettings(duration_ms=1.0, dt_us=dt_us, seed=seed, record_every_ms=1e9)
    env = Environment(mg_free_intracellular_mM=MG_MM)
    return FibreModel.from_setup(params, Protocol("none"), settings, env)


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _digest(model: FibreModel) -> str:
    """A fingerprint of the ion and site state, to compare runs bit for bit."""
    s = model.state
    h = hashlib.sha256()
    for a in (s.ion_x, s.ion_y, s.ion_z, s.ion_state, s.ion_site, s.site_species):
        h.update(a.tobytes())
    return h.hexdigest()


def kernel_throughputs(n_ions: int, thread_counts, steps: int, repeats: int = 5) -> dict:
    """Particle-steps per second of the whole step (move, bind, resolve, filament).

    One model per thread count, all from the same state; their timings alternate
    (1, 2, 1, 2, ...) so that a burst of other work on the machine lowers both
    alike and the ratio measured in the run stays fair.  Medians of ``repeats``.
    """
    models = {}
    for t in thread_counts:
        models[t] = problem(n_ions)
        models[t].threads = t  # 1: the serial kernel, as one-thread runs use
        models[t].advance(1)  # compile / warm caches
    times = {t: [] for t in thread_counts}
    for _ in range(repeats):
        for t, model in models.items():
            start = time.perf_counter()
            model.advance(steps)
            times[t].append(time.perf_counter() - start)
    out = {}
    for t, model in models.items():
        seconds = statistics.median(times[t])
        out[t] = {
            "n_ions": model.state.n_ions,
            "steps": steps,
            "seconds": seconds,
            "particle_steps_per_s": model.state.n_ions * steps / seconds,
            "digest": _digest(model),  # same steps in every model: must agree
        }
    return out


def adaptive_under_load(n_ions: int, steps: int, calls: int = 60) -> dict:
    """The automatic thread policy vs one thread while another process holds a core.

    A busy-looping process runs beside the benchmark; one model always uses one thread,
    the other may use every thread and lets the thread chooser pick by timing (what an
    automatic ``threads = 0`` run does).  Their calls alternate.  Ratio >= 1: the policy
    never made things slower than one thread.
    """
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        serial, adaptive = problem(n_ions), problem(n_ions)
        serial.threads = 1
        adaptive.threads = numba.config.NUMBA_NUM_THREADS
        adaptive.adaptive_threads = True
        per = max(1, steps // calls)
        for m in (serial, adaptive):
            m.advance(1)
        times = {"serial": 0.0, "adaptive": 0.0}
        for _ in range(calls):
            for label, m in (("serial", serial), ("adaptive", adaptive)):
                start = time.perf_counter()
                m.advance(per)
                times[label] += time.perf_counter() - start
    finally:
        burner.kill()
        burner.wait()
    return {"ratio": times["serial"] / times["adaptive"], **times}


def reference_throughput(n_ions: int, steps: int) -> float:
    model = problem(n_ions)
    model.engine = "reference"
    model.advance(1)  # make the agent views
    seconds = _median_time(lambda: model.advance(steps), 3)
    return model.state.n_ions * steps / seconds


def engine_ratio_on_scenario(path: Path, steps: int) -> dict:
    """numba vs reference engine on the first ``steps`` steps of a bundled scenario."""
    from cellsim.fibre.scale import FIBRE
    from cellsim.scenario import load

    out = {}
    for engine in ("numba", "reference"):
        scenario = load(path, [f"run.engine={engine!r}", "output.snapshots=false"])
        model = FIBRE.build(scenario.setups["fibre"], scenario.environment)
        model.advance(1)  # compile / make agent views
        out[engine] = _median_time(lambda m=model: m.advance(steps), 3 if engine == "numba" else 1)
    out["ratio"] = out["reference"] / out["numba"]
    return out


def array_bytes_per_ion(n_ions: int) -> float:
    """Bytes of the fibre's arrays per ion (ion rows, their sites, scratch)."""
    s = problem(n_ions).state
    total = sum(a.nbytes for a in vars(s).values() if isinstance(a, np.ndarray))
    return total / s.n_ions


_RSS_CODE = """
import os, sys, time
import numba
from benchmarks.bench_kernel import problem

def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

small = problem(2000)  # load both kernels and start the threads first: numba's footprint
small.advance(1)
small.threads = numba.config.NUMBA_NUM_THREADS
small.advance(1)
before = resident()
m = problem({n})
m.threads = numba.config.NUMBA_NUM_THREADS
m.advance(1)
t = time.perf_counter(); m.advance({steps}); t = time.perf_counter() - t
print(m.state.n_ions, resident() - before, t)
"""


def resident_bytes_per_ion(n_ions: int, steps: int = 3) -> dict:
    """Resident memory a model of ``n_ions`` adds to a process, per ion, measured in
    a fresh process after numba has loaded the compiled kernels (Linux)."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_CODE.format(n=n_ions, steps=steps)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    n, added, seconds = int(out[0]), int(out[1]), float(out[2])
    return {"n_ions": n, "bytes_per_ion": added / n, "seconds_per_step": seconds / steps}


def compile_times() -> dict:
    """Cold compilation (empty cache dir) and cache load, each in a fresh process."""
    code = (
        "import time; t=time.perf_counter(); "
        "from benchmarks.bench_kernel import problem; m=problem(2000); m.advance(1); "
        "print(time.perf_counter()-t)"
    )
    out = {}
    for label, env in (
        ("cold_compile_s", {"NUMBA_CACHE_DIR": f"/tmp/cellsim-cold-{os.getpid()}"}),
        ("cache_load_s", {}),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            cwd=ROOT,
            check=True,
        )
        out[label] = float(result.stdout.strip().splitlines()[-1])
    return out


def scenario_times(names) -> dict:
    """Wall time of ``cellsim run`` on bundled scenarios, end to end (warm cache)."""
    out = {}
    for name in names:
        start = time.perf_counter()
        folder = f"/tmp/cellsim-bench/{name}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cellsim",
                "run",
                f"scenarios/{name}.toml",
                "-q",
                "-o",
                folder,
                "--overwrite",
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        out[name] = time.perf_counter() - start
    return out


class Table:
    """Rows of (what, figure, previous figure) printed as they come."""

    def __init__(self, previous: dict | None):
        self.previous = previous or {}
        self.figures: dict[str, float] = {}
        print(f"{'':56} {'now':>10} {'previous':>10}")

    def add(self, key: str, label: str, value: float, fmt: str = ".1f") -> None:
        self.figures[key] = value
        old = self.previous.get(key)
        old_text = "" if old is None else format(old, fmt)
        print(f"{label:56} {format(value, fmt):>10} {old_text:>10}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="add 1e7 ions and all scenarios")
    args = parser.parse_args(argv)
    previous = None
    if RESULTS.exists():
        lines = RESULTS.read_text().strip().splitlines()
        previous = json.loads(lines[-1]).get("figures") if lines else None
    record = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "python": platform.python_version(),
        "numba": numba.__version__,
        "full": args.full,
    }
    print(
        f"cellsim benchmarks: {record['cpus']} cpus, numba {record['numba']}, "
        f"load average {record['load_average']:.2f} (other work lowers every figure)"
    )
    table = Table(previous)
    max_threads = numba.config.NUMBA_NUM_THREADS
    sizes = [10_000, 100_000, 1_000_000] + ([10_000_000] if args.full else [])
    per_step = {}
    for n in sizes:
        steps = max(3, int(2e7 // n))
        rows = kernel_throughputs(n, sorted({1, max_threads}), steps)
        one = rows[1]
        per_step[n] = one["seconds"] / steps
        table.add(
            f"mps_{n}_1",
            f"kernel, {n:.0e} ions, 1 thread (M steps/s)",
            one["particle_steps_per_s"] / 1e6,
        )
        if max_threads > 1:
            many = rows[max_threads]
            table.add(
                f"mps_{n}_{max_threads}",
                f"kernel, {n:.0e} ions, {max_threads} threads (M steps/s)",
                many["particle_steps_per_s"] / 1e6,
            )
            table.add(
                f"speedup_{n}",
                f"  {max_threads} threads / 1 thread",
                many["particle_steps_per_s"] / one["particle_steps_per_s"],
                ".2f",
            )
            if many["digest"] != one["digest"]:
                print(f"  ERROR: {max_threads} threads gave a different state than 1 thread")
                record["threads_differ"] = True
    if max_threads > 1:
        loaded = adaptive_under_load(1_000_000, 120)
        table.add(
            "adaptive_over_serial_loaded",
            "1e6 ions, other core busy: automatic threads / 1 thread (speed)",
            loaded["ratio"],
            ".2f",
        )
    first, last = sizes[0], sizes[-1]
    exponent = np.log(per_step[last] / per_step[first]) / np.log(last / first)
    table.add("scaling_exponent", f"time per step ~ N^x, {first:.0e}..{last:.0e}", exponent, ".3f")
    ref = reference_throughput(2_000, 3)
    table.add("reference_mps", "reference engine, 2e3 ions (M steps/s)", ref / 1e6, ".3f")
    ratio = table.figures["mps_10000_1"] * 1e6 / ref
    table.add("kernel_over_reference", "  kernel (1e4, 1 thread) / reference", ratio, ".0f")
    same = engine_ratio_on_scenario(ROOT / "scenarios" / "twitch.toml", steps=40)
    table.add(
        "twitch_engine_ratio", "twitch.toml, 40 steps: numba / reference", same["ratio"], ".0f"
    )
    table.add("array_bytes_per_ion", "fibre arrays, bytes per ion", array_bytes_per_ion(100_000))
    rss = resident_bytes_per_ion(sizes[-1])
    table.add(
        "resident_bytes_per_ion",
        f"resident memory, {rss['n_ions']:.0e} ions, bytes/ion",
        rss["bytes_per_ion"],
    )
    table.add(
        f"resident_s_per_step_{rss['n_ions']}",
        f"  and seconds per step (1 process, {max_threads} threads)",
        rss["seconds_per_step"],
        ".3f",
    )
    for label, seconds in compile_times().items():
        table.add(label, label.replace("_s", "").replace("_", " ") + " (s)", seconds)
    names = QUICK_SCENARIOS
    if args.full:
        names = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    for name, seconds in scenario_times(names).items():
        table.add(f"scenario_{name}_s", f"cellsim run {name} (s)", seconds)
    record["figures"] = table.figures
    RESULTS.parent.mkdir(exist_ok=True)
    with open(RESULTS, "a") as fh:
        fh.write(json.dumps(record) + "\n")
    print(f"stored in {RESULTS.relative_to(ROOT)}")
    return 1 if record.get("threads_differ") else 0


if __name__ == "__main__":
    sys.exit(main())
