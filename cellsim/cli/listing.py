"""``cellsim list``: the bundled scenarios (or those of a folder), one line each."""

from __future__ import annotations

from pathlib import Path

HELP = "list bundled scenarios with their purpose"


def add_parser(sub):
    p = sub.add_parser("list", help=HELP, description=HELP)
    p.add_argument("folder", nargs="?", help="a folder of scenarios (default: bundled)")
    p.set_defaults(func=main)
    return p


def main(args) -> int:
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
