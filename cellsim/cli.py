"""The ``cellsim`` command line: list, validate, run, animate, sweep, check.

Imports are lazy so ``cellsim --help`` and ``cellsim validate`` stay fast.  A
user mistake (any :class:`~cellsim.errors.CellsimError`) prints one message and
exits with status 2; ``--debug`` shows the traceback too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _cmd_list(args) -> int:
    from cellsim.scenario import bundled_dir, read_toml

    folder = Path(args.folder) if args.folder else bundled_dir()
    files = sorted(folder.glob("*.toml"))
    if not files:
        print(f"no scenarios in {folder}")
        return 0
    width = max(len(f.name) for f in files)
    for f in files:
        try:
            description = read_toml(f).get("scenario", {}).get("description", "")
        except Exception as err:  # a broken bundled file should not hide the others
            description = f"(unreadable: {err})"
        print(f"{f.name:<{width}}  {description}")
    return 0


def _cmd_validate(args) -> int:
    from cellsim.scenario import load

    for path in args.scenarios:
        scenario = load(path, args.set)
        print(f"{path}: ok ({scenario.scale}; {scenario.description or scenario.name})")
    return 0


def _format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return (
            "["
            + ", ".join(_format_value(v) for v in value[:8])
            + (", ..." if len(value) > 8 else "")
            + "]"
        )
    return str(value)


def print_summary(summary: dict, keys=None) -> None:
    """Print the scalar summary keys, one per line."""
    for key, value in summary.items():
        if keys is not None and key not in keys:
            continue
        if isinstance(value, dict) or key in ("title", "cramp_criterion"):
            continue
        print(f"  {key:<28} {_format_value(value)}")


def _cmd_run(args) -> int:
    from cellsim.results import write_results
    from cellsim.scenario import load

    overrides = list(args.set)
    if args.seed is not None:
        overrides.append(f"run.seed={args.seed}")
    if args.engine:
        overrides.append(f"run.engine={args.engine!r}")
    scenario = load(args.scenario, overrides)
    out_dir = Path(
        args.output or scenario.data["output"]["directory"] or f"results/{scenario.name}"
    )
    runner = scenario.runner()
    start = time.perf_counter()
    out = runner.run(scenario.data, progress=not args.quiet)
    wall = time.perf_counter() - start
    write_results(
        out,
        out_dir,
        scenario=scenario.data,
        name=scenario.name,
        wall_time_s=wall,
        figure=scenario.data["output"]["figure"],
    )
    print(f"{scenario.name}: {scenario.scale}, seed {out.seed}, {out.engine} engine, {wall:.1f} s")
    print_summary(out.summary)
    print(f"results: {out_dir}")
    if args.animate:
        from cellsim.render.options import animate_run_folder

        return animate_run_folder(out_dir, quiet=args.quiet)
    return 0


def _cmd_animate(args) -> int:
    from cellsim.render.options import run_animate

    return run_animate(args)


def _cmd_sweep(args) -> int:
    from cellsim.sweep.command import main as sweep_main

    return sweep_main(args)


def _cmd_check(args) -> int:
    from cellsim.validation.command import main as check_main

    return check_main(args)


def _add_set_option(parser, example: str = ", e.g. fibre.mg_free_mM=0.15") -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"override a key{example} (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cellsim",
        description="Calcium and magnesium from the pill to the twitch: agent-based "
        "simulations of muscle fibre, nerve and body.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list bundled scenarios with their purpose")
    p.add_argument("folder", nargs="?", help="a folder of scenarios (default: bundled)")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    _add_set_option(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("run", help="run a scenario and write a results folder")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "-o", "--output", help="results folder (default: [output] directory, or results/<name>)"
    )
    p.add_argument("--seed", type=int, help="random seed (overrides [run] seed)")
    _add_set_option(p)
    p.add_argument(
        "--engine",
        choices=("numba", "reference"),
        help="numba (default) or the plain-Python reference engine",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--animate", action="store_true", help="then write animation.mp4 into the results folder"
    )
    p.set_defaults(func=_cmd_run)

    from cellsim.render.options import add_arguments as add_animate_arguments  # argparse only

    p = sub.add_parser("animate", help="MP4/GIF/PNG of results folder(s), side by side")
    add_animate_arguments(p)
    p.set_defaults(func=_cmd_animate)

    p = sub.add_parser("sweep", help="run a parameter sweep on Dask (local cluster by default)")
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
    _add_set_option(p, " in every run, e.g. run.duration_ms=20")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser(
        "check",
        help="run every literature check; exit 1 if any fails",
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
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=_cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cellsim`` and ``python -m cellsim``."""
    from cellsim.errors import CellsimError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CellsimError as err:
        if args.debug:
            raise
        print(f"cellsim: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("cellsim: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
