"""``cellsim sweep --dry-run``: the runs, their count, and an estimated time.

The estimate is either each scale's own rough cost (``Scale.estimate``: no model is run;
the default) or, with ``--time``, measured by running the first run here (which also
warms numba's cache).  The report says which.
"""

from __future__ import annotations

import os
import time

from cellsim.sweep.spec import SweepSpec
from cellsim.sweep.tasks import Task, estimate, execute


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _cell(value) -> str:
    """A parameter value as the table shows it: numbers to 4 significant digits."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    return str(value)


def table(header: list[str], rows: list, *, right: int, more: int = 0) -> list[str]:
    """Aligned columns: the first ``right`` right-aligned (numbers), the rest left.

    A row of ``None`` is the "... N more runs ..." line.
    """
    cells = [header] + [r for r in rows if r is not None]
    widths = [max(len(r[k]) for r in cells) for k in range(len(header))]

    def line(row):
        parts = [
            c.rjust(w) if k < right else c.ljust(w)
            for k, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(r) if r is not None else f"  ... {more} more runs ..." for r in [header, *rows]]


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
    base = os.path.normpath(spec.base)  # scenarios/sweeps/../x.toml -> scenarios/x.toml
    if os.path.isabs(base) and not os.path.relpath(base).startswith(".."):
        base = os.path.relpath(base)
    lines = [f"sweep {spec.name}: base {base} ({tasks[0].scale if tasks else '?'})"]
    shown = []
    for i, t in enumerate(tasks):
        if len(tasks) > show and show - 5 <= i < len(tasks) - 5:
            if i == show - 5:
                shown.append(None)  # the "... more runs ..." line
            continue
        rec = records.get(t.run_hash)
        status = rec["status"] if rec else "pending"
        shown.append(
            [str(t.index), str(t.replicate), str(t.seed)]
            + [_cell(t.params[n]) for n in names]
            + [status, t.run_hash]
        )
    lines += table(["run", "rep", "seed", *names, "status", "hash"], shown,
                   right=3 + len(names), more=len(tasks) - show)  # fmt: skip
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
