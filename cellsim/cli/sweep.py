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
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="use a running Dask scheduler (tls://host:8786, or tcp:// on a trusted network)",
    )
    p.add_argument("--tls-ca-file", metavar="FILE", help="with a tls:// --scheduler: its CA")
    p.add_argument("--tls-cert", metavar="FILE", help="with a tls:// --scheduler: this client's")
    p.add_argument("--tls-key", metavar="FILE", help="... certificate and key (PEM files)")
    p.add_argument("--dry-run", action="store_true", help="list runs, count and estimate")
    p.add_argument("--time", action="store_true", help="with --dry-run: time one real run")
    p.add_argument("--max-runs", type=int, help="raise the cap on the number of runs")
    p.add_argument("--limit", type=int, help="run at most N pending runs now (resume later)")
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    p.add_argument("--keep-runs", action="store_true", help="keep each run's results folder")
    p.add_argument(
        "--allow-large",
        action="store_true",
        help="run even runs past the size limits of one run (README: Limits)",
    )
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
    if args.limit is not None and args.limit < 1:
        raise ScenarioError(f"--limit {args.limit}: give 1 or more runs to run now.")
    security = _security(args)
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
        allow_large=args.allow_large,
        security=security,
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
    statuses = [result.records[h]["status"] for h in {t.run_hash for t in result.tasks}
                if h in result.records]  # fmt: skip
    if statuses and all(status != "ok" for status in statuses):
        print(
            "every run failed: see the error column of the table (cellsim validate the base "
            "scenario with one run's values to see why)."
        )
        return 1
    return 0


def _security(args):
    """TLS credentials for ``--scheduler`` from the --tls-* options (or Dask's config)."""
    given = [args.tls_ca_file, args.tls_cert, args.tls_key]
    if not any(given):
        return None
    if args.scheduler is None:
        raise ScenarioError(
            "--tls-ca-file/--tls-cert/--tls-key are for --scheduler; a local cluster makes "
            "its own temporary credentials."
        )
    if not all(given):
        raise ScenarioError("give all three of --tls-ca-file, --tls-cert and --tls-key.")
    for name, value in zip(("--tls-ca-file", "--tls-cert", "--tls-key"), given, strict=True):
        if not Path(value).is_file():
            raise ScenarioError(f"{name} {value}: no such file.")
    from distributed.security import Security

    return Security(
        tls_ca_file=args.tls_ca_file,
        tls_client_cert=args.tls_cert,
        tls_client_key=args.tls_key,
        require_encryption=True,
    )
