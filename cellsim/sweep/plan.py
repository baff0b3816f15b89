"""``cellsim sweep --dry-run``: the runs, their count, and an estimated time.

The estimate is either a rough per-scale cost (no model is run; the default)
or, with ``--time``, measured by running the first run here (which also warms
numba's cache).  The report says which.
"""

from __future__ import annotations

import time

from cellsim.sweep.spec import SweepSpec
from cellsim.sweep.tasks import Task, execute

# Seconds of one core per unit of simulated time, measured on the development machine
# (2 cores) for the bundled scenarios; a run's cost also depends on the fibre's size.
FIBRE_S_PER_MS_AT_5US = 0.02  # human twitch: ~3 s for 150 ms at dt 5 us
FIBRE_CLAMP_S_PER_MS = 0.065  # skinned-fibre clamp: ~55 s for force_pca.toml (800 ms)
NERVE_S_PER_MS_AT_10US = 0.007
BODY_S_PER_DAY = 0.04
STARTUP_S = 1.0  # imports and setup per run


def rough_seconds(task: Task) -> float:
    """A rough single-core cost of one run from its scale and duration."""
    run, scale = task.data.get("run", {}), task.scale
    if "fibre" in scale:
        protocol = task.data.get("protocol", {})
        if protocol.get("kind") == "clamp":
            ms = protocol["clamp_hold_ms"] * len(protocol["clamp_pca"])
            return STARTUP_S + FIBRE_CLAMP_S_PER_MS * ms
        cost = FIBRE_S_PER_MS_AT_5US * run.get("duration_ms", 100.0) * 5.0 / run.get("dt_us", 5.0)
        if scale == "nerve+fibre":
            cost *= 1.5
        return STARTUP_S + cost
    if scale == "nerve":
        sweep_points = 1 + len(task.data.get("nerve", {}).get("sweep", []) or [])
        ms = run.get("duration_ms", 1000.0) * sweep_points
        return STARTUP_S + NERVE_S_PER_MS_AT_10US * ms * 10.0 / run.get("dt_us", 10.0)
    if scale == "body":
        return STARTUP_S * 0.2 + BODY_S_PER_DAY * run.get("duration_days", 7.0)
    return STARTUP_S


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def dry_run_text(
    spec: SweepSpec,
    tasks: list[Task],
    records: dict,
    *,
    workers: int,
    timed: bool = False,
    show: int = 40,
) -> str:
    """The listing printed by ``--dry-run``."""
    names = [p.name for p in spec.parameters]
    lines = [f"sweep {spec.name}: base {spec.base} ({tasks[0].scale if tasks else '?'})"]
    lines.append(f"{'run':>5} {'rep':>3} {'seed':>10}  " + "  ".join(names) + "  status  hash")
    for i, t in enumerate(tasks):
        if len(tasks) > show and show - 5 <= i < len(tasks) - 5:
            if i == show - 5:
                lines.append(f"  ... {len(tasks) - show} more runs ...")
            continue
        rec = records.get(t.run_hash)
        status = rec["status"] if rec else "pending"
        vals = "  ".join(f"{t.params[n]!r}" for n in names)
        lines.append(f"{t.index:>5} {t.replicate:>3} {t.seed:>10}  {vals}  {status}  {t.run_hash}")
    pending = [t for t in tasks if t.run_hash not in records]
    unique = {t.run_hash: t for t in pending}
    lines.append(
        f"{spec.n_points} points x {spec.replicates} replicates = {len(tasks)} runs "
        f"(cap {spec.max_runs}); {len(tasks) - len(pending)} finished, {len(unique)} to run"
    )
    if not unique:
        return "\n".join(lines)
    if timed:
        first = next(iter(unique.values()))
        start = time.perf_counter()
        res = execute(first.scale, first.data)
        per_run = time.perf_counter() - start
        how = (
            f"measured: run {first.index} took {per_run:.1f} s here "
            f"({res['status']}; includes any numba compilation)"
        )
        total = per_run * len(unique)
    else:
        costs = [rough_seconds(t) for t in unique.values()]
        total, per_run = sum(costs), sum(costs) / len(costs)
        how = (
            f"rough per-scale cost, about {per_run:.1f} s per run on one core; "
            "--time measures one run instead"
        )
    wall = total / max(1, workers) * (1.0 if workers == 1 else 1.1)
    lines.append(
        f"estimated time: {_duration(wall)} on {workers} worker(s), "
        f"{_duration(total)} of compute ({how})"
    )
    if workers > len(unique):
        lines.append(f"(only {len(unique)} runs: at most {len(unique)} workers are busy)")
    return "\n".join(lines)
