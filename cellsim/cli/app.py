"""``cellsim app``: the teaching app in the browser (needs ``pip install "cellsim[app]"``).

Serves on 127.0.0.1 (this computer only) unless ``--host`` names an address to share the
app on a classroom network, which is then deliberate.  Works with no internet: the
browser assets ship with cellsim.
"""

from __future__ import annotations

from pathlib import Path

HELP = "the teaching app in the browser (Fibre, Nerve, Body pages)"


def add_parser(sub):
    p = sub.add_parser("app", help=HELP, description=HELP)
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1: this computer only); give this "
        "computer's classroom address, or 0.0.0.0, to let students' browsers connect",
    )
    p.add_argument(
        "--results",
        default="results",
        metavar="DIR",
        help="the folder where the app saves and opens results folders (default results/)",
    )
    p.add_argument("--open", action="store_true", help="open a browser window as well")
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    from cellsim.app.server import serve
    from cellsim.errors import CellsimError

    if not 0 < args.port < 65536:
        raise CellsimError(f"--port {args.port}: choose a port between 1 and 65535.")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"cellsim app: serving on {args.host}: any computer that can reach this address "
            "can use the app and save into its results folder."
        )
    print(f"cellsim app: http://{_shown(args.host)}:{args.port}/  (Ctrl-C to stop)")
    serve(args.host, args.port, results=Path(args.results), open_browser=args.open)
    return 0


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
