"""``cellsim list``: the bundled scenarios and sweeps (or those of a folder), one line each.

Each section starts with the folder it lists (so a user knows where the files are, also in
an installed package) and how to use its files; each line gives the file's path relative
to that folder and its one-line description.
"""

from __future__ import annotations

from pathlib import Path

HELP = "list bundled scenarios and sweeps with their purpose and where they are"


def add_parser(sub):
    p = sub.add_parser("list", help=HELP, description=HELP)
    p.add_argument("folder", nargs="?", help="a folder of scenarios (default: bundled)")
    p.set_defaults(func=main)
    return p


def _description(path: Path, table: str) -> str:
    from cellsim.scenario import read_toml

    try:
        return read_toml(path).get(table, {}).get("description", "")
    except Exception as err:  # a broken bundled file should not hide the others
        return f"(unreadable: {err})"


def section(title: str, folder: Path, files: list[Path], table: str, width: int) -> list[str]:
    """A header naming the folder, then one aligned line per file."""
    lines = [f"{title} in {folder}:"]
    for f in files:
        lines.append(f"  {f.relative_to(folder).as_posix():<{width}}  {_description(f, table)}")
    return lines


def main(args) -> int:
    from cellsim.errors import UsageError
    from cellsim.scenario import bundled_dir

    folder = Path(args.folder) if args.folder else bundled_dir()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        raise UsageError(f"{folder}: {what}; `cellsim list` alone lists the bundled scenarios.")
    folder = folder.resolve()
    scenarios = sorted(folder.glob("*.toml"))
    sweeps = sorted((folder / "sweeps").glob("*.toml"))
    if not scenarios and not sweeps:
        raise UsageError(f"{folder}: no scenario files (*.toml) here.")
    width = max(len(f.relative_to(folder).as_posix()) for f in scenarios + sweeps)
    by_name = "" if args.folder else ", or by name: cellsim run twitch"
    lines = []
    if scenarios:
        title = f"Scenarios (cellsim run FILE{by_name})"
        lines += section(title, folder, scenarios, "scenario", width)
    if sweeps:
        lines += [""] if lines else []
        title = f"Sweeps (cellsim sweep FILE{by_name.replace('run twitch', 'sweep tetany_map')})"
        lines += section(title, folder, sweeps, "sweep", width)
    print("\n".join(lines))
    return 0
