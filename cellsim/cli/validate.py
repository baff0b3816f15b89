"""``cellsim validate``: check scenario files without running them."""

from __future__ import annotations

from cellsim.cli.common import add_set_option

HELP = "check scenario files without running them"


def add_parser(sub):
    p = sub.add_parser("validate", help=HELP, description=HELP)
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    add_set_option(p)
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    from cellsim.scenario import load

    for path in args.scenarios:
        scenario = load(path, args.set)
        print(f"{path}: ok ({scenario.scale}; {scenario.description or scenario.name})")
    return 0
