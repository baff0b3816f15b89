"""``cellsim sweep --dry-run``: the runs, their count, and an estimated time.

The estimate is either each scale's own rough cost (``Scale.estimate``: no model is run;
the default) or, with ``--time``, measured by running the first run here (which also
warms numba's cache).  The report says which.
"""

from __future__ import annotations

import time

from cellsim.sweep.spec import SweepSpec
from cellsim.sweep.tasks import Task, estimate, execute


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
        res = execute(first.data)
        per_run = time.perf_counter() - start
        how = (
            f"measured: run {first.index} took {per_run:.1f} s here "
            f"({res['status']}; includes any numba compilation)"
        )
        total = per_run * len(unique)
    else:
        costs = [estimate(t).seconds for t in unique.values()]
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
