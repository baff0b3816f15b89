"""The body of ``cellsim sweep`` (the arguments are declared in :mod:`cellsim.cli`)."""

from __future__ import annotations

import os
from pathlib import Path

from cellsim.errors import ScenarioError


def _overrides(assignments: list[str]) -> dict:
    from cellsim.scenario import parse_assignment

    out = {}
    for text in assignments:
        _, value = parse_assignment(text)  # checks the form, reads the value as TOML
        out[text.split("=", 1)[0].strip()] = value
    return out


def main(args) -> int:
    """Run, resume or dry-run a sweep file; print where the results are."""
    from cellsim.sweep.runner import read_records, run_sweep
    from cellsim.sweep.spec import load_sweep

    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: give 1 or more worker processes.")
    spec = load_sweep(args.sweep, max_runs=args.max_runs)
    directory = Path(args.output or f"results/sweeps/{spec.name}")
    overrides = _overrides(args.set)
    workers = args.workers or os.cpu_count() or 1
    if args.dry_run:
        from cellsim.sweep.plan import dry_run_text
        from cellsim.sweep.tasks import build_tasks

        tasks = build_tasks(spec, overrides)
        shown = workers if args.scheduler is None else 1
        text = dry_run_text(spec, tasks, read_records(directory), workers=shown, timed=args.time)
        print(text)
        if args.scheduler is not None:
            print(f"(on {args.scheduler}: divide by the number of its workers)")
        return 0
    where = args.scheduler or f"{workers} lanes (this process and a local Dask cluster)"
    if args.scheduler is None and workers == 1:
        where = "this process (serial)"
    print(f"sweep {spec.name}: {spec.n_runs} runs on {where}; results: {directory}")
    result = run_sweep(
        spec,
        directory,
        workers=workers,
        scheduler=args.scheduler,
        limit=args.limit,
        retry_failed=args.retry_failed,
        keep_runs=True if args.keep_runs else None,
        overrides=overrides,
        progress=not args.quiet,
    )
    pending = (result.table["status"] == "pending").sum()
    print(
        f"{len(result.executed)} run(s) now, {result.skipped} already done, "
        f"{result.failed} failed, {pending} still to run"
    )
    print(f"table: {directory / 'table.csv'} (and .parquet); report: {directory / 'report.md'}")
    if result.interrupted:
        print("interrupted: finished runs are saved; run the same command again to resume.")
        return 130
    if pending:
        print("run the same command again to continue.")
    return 0
