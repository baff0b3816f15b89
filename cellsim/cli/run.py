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
        "--overwrite",
        action="store_true",
        help="replace the results of an earlier run in the output folder (a folder holding "
        "files cellsim did not write is never replaced)",
    )
    p.add_argument(
        "--allow-large",
        action="store_true",
        help="run even if the estimated cost is past the limits (README: Limits)",
    )
    p.add_argument(
        "--animate", action="store_true", help="then write animation.mp4 into the results folder"
    )
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    import sys

    import cellsim
    from cellsim.chain import check_cost
    from cellsim.output_folder import OutputFolder, record_file
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
    check_cost(scenario, allow_large=args.allow_large)  # before the folder is touched
    out_dir = Path(args.output or scenario.output["directory"] or f"results/{scenario.name}")
    with OutputFolder(out_dir, overwrite=args.overwrite) as slot:  # checked and locked
        start = time.perf_counter()
        out = cellsim.run(scenario, progress=not args.quiet, allow_large=args.allow_large)
        wall = time.perf_counter() - start
        out_dir = slot.write(
            out,
            scenario=scenario.data,
            name=scenario.name,
            wall_time_s=wall,
            figure=scenario.output["figure"],
        )
    for line in slot.cleaned:
        print(f"note: {line} (left by an interrupted run)", file=sys.stderr)
    if slot.note:
        print(f"note: {slot.note}", file=sys.stderr)
    print(f"{scenario.name}: {out.scale}, seed {out.seed}, {out.engine} engine, {wall:.1f} s")
    print_summary(out.summary)
    print(f"results: {out_dir}")
    if args.animate:
        from cellsim.cli.animate import RUN_ANIMATION_NAME, animate_run_folder

        record_file(out_dir, RUN_ANIMATION_NAME)  # cellsim's own file: replaceable later
        return animate_run_folder(out_dir, quiet=args.quiet)
    return 0
