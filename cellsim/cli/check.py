"""``cellsim check``: run the literature checks, print a table, write a report."""

from __future__ import annotations

import difflib
import sys
import time

from cellsim.errors import UsageError
from cellsim.validation.checks import SCALES, Check, CheckResult, Session, load, run_checks

HELP = "run every literature check; exit 1 if any fails"


def add_parser(sub):
    p = sub.add_parser(
        "check",
        help=HELP,
        description="Run the literature checks (published value, tolerance, simulated "
        "value) and print a table; exit status 1 if any check fails.",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SCALE",
        help="only these checks: fibre, nerve, body, or a check name (repeatable, or "
        "comma-separated)",
    )
    p.add_argument(
        "--report", metavar="DIR", help="also write DIR/report.md and one figure per check"
    )
    p.add_argument("--quick", action="store_true", help="the shortened versions the tests run")
    p.add_argument("--list", action="store_true", help="list the checks without running them")
    p.add_argument(
        "--register",
        metavar="FILE",
        help="write the calibration register (fitted constants and their checks) and stop",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=main)
    return p


def select(only: list[str]) -> tuple[list[str], list[Check]]:
    """The scales and checks that ``--only`` values (scales or check names) pick.

    Raises
    ------
    UsageError
        A value that is neither a scale nor a check name (with suggestions).
    """
    words = [w.strip() for value in only for w in value.split(",") if w.strip()]
    if not words:
        return list(SCALES), load(SCALES)
    every = {c.name: c for c in load(SCALES)}
    for word in words:
        if word not in SCALES and word not in every:
            close = difflib.get_close_matches(word, [*SCALES, *every], n=3, cutoff=0.6)
            hint = (" Did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
            raise UsageError(
                f"--only {word!r}: not a scale or a check name.{hint} Scales: "
                f"{', '.join(SCALES)}; `cellsim check --list` lists the checks."
            )
    chosen = [c for c in every.values() if c.scale in words or c.name in words]
    scales = [s for s in SCALES if any(c.scale == s for c in chosen)]
    return scales, chosen


def _progress(total: int):
    def show(index: int, check: Check, result: CheckResult | None) -> None:
        if result is None:
            print(f"[{index + 1:>2}/{total}] {check.name} ...", end="", file=sys.stderr, flush=True)
        else:
            verdict = ("pass" if result.passed else "FAIL") if check.counts else "gap"
            print(f" {verdict} ({result.elapsed_s:.1f} s)", file=sys.stderr, flush=True)

    return show


def _list(checks: list[Check]) -> int:
    width = max(len(c.name) for c in checks)
    for c in checks:
        print(f"{c.name:<{width}}  {c.kind:<11}  {c.title} [{c.source}]")
    return 0


def main(args) -> int:
    """Run the chosen checks; print a table; write a report if asked; 1 if any failed."""
    from cellsim.validation.report import summary_line, table, write_report

    scales, checks = select(args.only)
    if args.register:
        from pathlib import Path

        from cellsim.validation.register import markdown as register

        Path(args.register).write_text(register(load(SCALES)), encoding="utf-8")
        print(f"calibration register: {args.register}")
        return 0
    if args.list:
        return _list(checks)
    session = Session(quick=args.quick)
    start = time.perf_counter()
    results = run_checks(checks, session, progress=None if args.quiet else _progress(len(checks)))
    wall = time.perf_counter() - start
    if args.debug:
        for name, text in session.tracebacks.items():
            print(f"--- {name}\n{text}", file=sys.stderr)
    print(table(results))
    print(summary_line(results, wall, args.quick))
    if args.report:
        path = write_report(results, args.report, scales, wall_s=wall, quick=args.quick)
        print(f"report: {path} (figures in {path.parent / 'figures'})")
    return 1 if any(r.failing for r in results) else 0
