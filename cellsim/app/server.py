"""Start the app: Solara, offline, on 127.0.0.1 unless a classroom host is given.

``serve`` sets Solara's settings (assets from the package, no CDN, no telemetry) in the
environment *before* solara is imported, then runs ``solara run cellsim.app.pages`` in
this process.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from cellsim.app import offline
from cellsim.errors import CellsimError

#: The app module Solara serves.
APP = "cellsim.app.pages"
DEFAULT_PORT = 8765

#: What the [app] extra installs, by import name.
NEEDS = ("solara", "ipyvuetify", "ipyvue")


def check_installed() -> None:
    """A clear message when the optional app dependencies are missing."""
    absent = [name for name in NEEDS if find_spec(name) is None]
    if absent:
        raise CellsimError(
            f"the app needs {', '.join(absent)}: install them with "
            'pip install "cellsim[app]" (once, with a network), then run cellsim app again.'
        )
    from importlib.metadata import version

    major = int(version("ipyvue").split(".")[0])
    if major >= 2:
        raise CellsimError(
            f"the app needs ipyvue 1.x (Vue 2) but ipyvue {version('ipyvue')} is installed; "
            'pip install "ipyvue>=1.9,<2" "ipyvuetify>=1.6.10,<2".'
        )


def environment(results: Path) -> dict[str, str]:
    """Every setting the server process needs (offline assets and the results folder)."""
    return {**offline.environment(), "CELLSIM_APP_RESULTS": str(Path(results).resolve())}


def solara_arguments(host: str, port: int, open_browser: bool) -> list[str]:
    # --theme-loader plain: no "Made with Solara" splash
    args = [
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--theme-loader",
        "plain",
    ]
    if not open_browser:
        args.append("--no-open")
    return args


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    results: Path = Path("results"),
    open_browser: bool = False,
) -> None:
    """Run the app's server until interrupted."""
    check_installed()
    offline.check()
    os.environ.update(environment(results))
    from solara.__main__ import cli  # after the environment is set

    cli(solara_arguments(host, port, open_browser), standalone_mode=False)
