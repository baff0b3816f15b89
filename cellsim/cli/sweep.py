"""``cellsim sweep``: run a parameter sweep on Dask (a local cluster by default)."""

from __future__ import annotations

import os
from pathlib import Path

from cellsim.cli.common import add_set_option
from cellsim.errors import ScenarioError

HELP = "run a parameter sweep on Dask (local cluster by default)"


def add_parser(sub):
    p = sub.add_parser("sweep", help=HELP, description=HELP)
    p.add_argument("sweep", metavar="SWEEP", help="a sweep file, e.g. scenarios/sweeps/*.toml")
    p.add_argument("-o", "--output", help="output folder (default: results/sweeps/<name>)")
    p.add_argument(
        "--workers",
        type=int,
        help="parallel runs here: this process and N-1 local Dask workers (default: all cores)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="use a running Dask scheduler")
    p.add_argument("--dry-run", action="store_true", help="list runs, count and estimate")
    p.add_argument("--time", action="store_true", help="with --dry-run: time one real run")
    p.add_argument("--max-runs", type=int, help="raise the cap on the number of runs")
    p.add_argument("--limit", type=int, help="run at most N pending runs now (resume later)")
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    p.add_argument("--keep-runs", action="store_true", help="keep each run's results folder")
    add_set_option(p, " in every run, e.g. run.duration_ms=20")
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print one line (where the report is)"
    )
    p.set_defaults(func=main)
    return p


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
    if not args.quiet:
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
    if args.quiet:
        print(f"{directory / 'report.md'} ({result.failed} failed, {pending} still to run)")
    else:
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
