"""``cellsim validate``: check scenario and sweep files without running them."""

from __future__ import annotations

from cellsim.cli.common import add_set_option

HELP = "check scenario and sweep files without running them"


def add_parser(sub):
    p = sub.add_parser("validate", help=HELP, description=HELP)
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    add_set_option(p)
    p.add_argument(
        "--allow-large",
        action="store_true",
        help="accept runs past the size limits (README: Limits)",
    )
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    from cellsim.chain import check_cost, describe_cost
    from cellsim.scenario import find, load, read_toml
    from cellsim.sweep.spec import find_sweep

    for path in args.scenarios:
        target = find(path)
        if not target.exists() and find_sweep(path).exists():
            target = find_sweep(path)
        if "sweep" in read_toml(target):
            _validate_sweep(path, args)
            continue
        scenario = load(path, args.set)
        cost = check_cost(scenario, allow_large=args.allow_large)
        print(f"{path}: ok ({scenario.scale}; {scenario.description or scenario.name})")
        print(f"  estimated cost: {describe_cost(cost)}")
    return 0


def _validate_sweep(path, args) -> None:
    """A sweep file: its table, every run's scenario, and every run's cost."""
    from cellsim.chain import describe_cost
    from cellsim.cli.sweep import _overrides
    from cellsim.scales import Cost
    from cellsim.sweep.spec import load_sweep
    from cellsim.sweep.tasks import build_tasks, check_costs, estimate

    spec = load_sweep(path)
    tasks = build_tasks(spec, _overrides(args.set))
    check_costs(spec, tasks, allow_large=args.allow_large)
    unique = {t.run_hash: t for t in tasks}
    costs = [estimate(t) for t in unique.values()]
    total = Cost(
        steps=sum(c.steps for c in costs),
        memory_bytes=max(c.memory_bytes for c in costs),
        seconds=sum(c.seconds for c in costs),
    )
    kind = tasks[0].scale if tasks else "?"
    print(f"{path}: ok (sweep of {len(tasks)} runs of {spec.base.name}, {kind})")
    print(f"  estimated cost, all runs: {describe_cost(total)} (memory: the largest run)")
