"""``cellsim list``: the bundled scenarios and sweeps (or those of a folder), one line each."""

from __future__ import annotations

from pathlib import Path

HELP = "list bundled scenarios and sweeps with their purpose"


def add_parser(sub):
    p = sub.add_parser("list", help=HELP, description=HELP)
    p.add_argument("folder", nargs="?", help="a folder of scenarios (default: bundled)")
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    from cellsim.errors import UsageError
    from cellsim.scenario import bundled_dir

    folder = Path(args.folder) if args.folder else bundled_dir()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        raise UsageError(f"{folder}: {what}; `cellsim list` alone lists the bundled scenarios.")
    files = sorted(folder.glob("*.toml"))
    sweeps = sorted((folder / "sweeps").glob("*.toml"))
    if not files and not sweeps:
        raise UsageError(f"{folder}: no scenario files (*.toml) here.")
    where = "bundled scenarios" if not args.folder else "scenarios"
    print(f"{where} in {folder.resolve()} (run one by name: cellsim run twitch)")
    _print(files)
    if sweeps:
        print(f"\nsweeps in {(folder / 'sweeps').resolve()} (by name: cellsim sweep tetany_map)")
        _print(sweeps, table="sweep")
    return 0


def _print(files: list[Path], table: str = "scenario") -> None:
    from cellsim.scenario import read_toml

    width = max((len(f.name) for f in files), default=0)
    for f in files:
        try:
            description = read_toml(f).get(table, {}).get("description", "")
        except Exception as err:  # a broken file should not hide the others
            description = f"(unreadable: {err})"
        print(f"{f.name:<{width}}  {description}")
