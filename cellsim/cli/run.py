"""``cellsim run``: run a scenario and write a results folder.

Output: the progress bar (or, when numba must compile the kernels first, one line saying
so and how long it takes, instead of a bar whose estimate would count the compiling), a
one-line header, the summary, a "What you are looking at" paragraph from each scale, and
where the results are.  ``-q`` prints one line: what ran, how long, where the results are.
"""

from __future__ import annotations

import textwrap
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
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print one line (what ran, how long, where the results are): no progress, no summary",
    )
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


def compile_notice(scale_names, engine: str | None = None) -> str:
    """The "compiling kernels" line for scales whose kernels are not compiled yet, or "".

    ``scale_names`` may name a scale's kernel variant (``fibre-clamp``, as
    :func:`cellsim.chain.compiled_scales` gives them).
    """
    from cellsim import jit, scales

    if engine == "reference":
        return ""

    def compile_s(key: str) -> float:  # optional: a scale without kernels has none
        return float(getattr(scales.get(key.split("-")[0]), "compile_s", 0.0))

    cold_keys = [k for k in scale_names if compile_s(k) > 0 and not jit.is_warm(k)]
    if not cold_keys:
        return ""
    cold = list(dict.fromkeys(k.split("-")[0] for k in cold_keys))
    seconds = sum(compile_s(n) for n in cold)
    return (
        f"compiling kernels for {', '.join(cold)} (first run only, about {seconds:.0f} s; "
        "later runs load them from the cache) ..."
    )


def what_you_see(out) -> str:
    """The scales' paragraphs for a run (chains: every scale that ran), or ""."""
    from cellsim import scales

    def names(o):
        yield from o.scale.split("+")
        for child in o.children.values():
            yield from names(child)

    texts = []
    for name in dict.fromkeys(names(out)):
        if name in scales.REGISTRY:
            summary = out.summary if name in out.scale.split("+") else _child_summary(out, name)
            describe = getattr(scales.get(name), "what_you_see", None)  # optional
            text = describe(summary) if describe else ""
            if text:
                texts.append(text)
    return "\n".join(textwrap.fill(t, 92, initial_indent="  ", subsequent_indent="  ")
                     for t in texts)  # fmt: skip


def _child_summary(out, name: str) -> dict:
    for child in out.children.values():
        if name in child.scale.split("+"):
            return child.summary
        found = _child_summary(child, name)
        if found:
            return found
    return {}


def main(args) -> int:
    import sys

    import cellsim
    from cellsim.chain import check_cost, compiled_scales
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
        notice = compile_notice(compiled_scales(scenario.setups), args.engine)
        if notice and not args.quiet:
            print(notice, flush=True)
        start = time.perf_counter()
        # while numba compiles, a progress bar would estimate hours: show the notice instead
        progress = not (args.quiet or notice)
        out = cellsim.run(scenario, progress=progress, allow_large=args.allow_large)
        wall = time.perf_counter() - start  # (the run marks its compiled scales warm)
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
    if args.quiet:
        print(f"{scenario.name}: {out.scale}, seed {out.seed}, {wall:.1f} s -> {out_dir}")
    else:
        print(f"{scenario.name}: {out.scale}, seed {out.seed}, {out.engine} engine, {wall:.1f} s")
        print_summary(out.summary)
        text = what_you_see(out)
        if text:
            print("What you are looking at:")
            print(text)
        print(f"results: {out_dir}")
    if args.animate:
        from cellsim.cli.animate import RUN_ANIMATION_NAME, animate_run_folder

        record_file(out_dir, RUN_ANIMATION_NAME)  # cellsim's own file: replaceable later
        return animate_run_folder(out_dir, quiet=args.quiet)
    return 0
