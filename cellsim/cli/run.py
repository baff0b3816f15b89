"""``cellsim run``: run a scenario and write a results folder."""

from __future__ import annotations

import time
from pathlib import Path

from cellsim.cli.common import add_set_option, print_summary

HELP = "run a scenario and write a results folder"


def add_parser(sub):
    p = sub.add_parser("run", help=HELP, description=HELP)
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "-o", "--output", help="results folder (default: [output] directory, or results/<name>)"
    )
    p.add_argument("--seed", type=int, help="random seed (overrides [run] seed)")
    add_set_option(p)
    p.add_argument(
        "--engine",
        choices=("numba", "reference"),
        help="numba (default) or the plain-Python reference engine (every scale that has one)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--animate", action="store_true", help="then write animation.mp4 into the results folder"
    )
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    import cellsim
    from cellsim.results import write_results
    from cellsim.scenario import engine_overrides, load

    overrides = list(args.set)
    scenario = load(args.scenario, overrides)
    extra = []
    if args.seed is not None:
        extra.append(f"run.seed={args.seed}")
    if args.engine:
        extra += engine_overrides(scenario, args.engine)
    if extra:
        scenario = load(args.scenario, overrides + extra)
    out_dir = Path(args.output or scenario.output["directory"] or f"results/{scenario.name}")
    start = time.perf_counter()
    out = cellsim.run(scenario, progress=not args.quiet)
    wall = time.perf_counter() - start
    write_results(
        out,
        out_dir,
        scenario=scenario.data,
        name=scenario.name,
        wall_time_s=wall,
        figure=scenario.output["figure"],
    )
    print(f"{scenario.name}: {out.scale}, seed {out.seed}, {out.engine} engine, {wall:.1f} s")
    print_summary(out.summary)
    print(f"results: {out_dir}")
    if args.animate:
        from cellsim.cli.animate import animate_run_folder

        return animate_run_folder(out_dir, quiet=args.quiet)
    return 0
