"""The ``cellsim`` command line: list, validate, run, compare, animate, sweep, check, app,
warmup.

One module per subcommand, each with ``add_parser(sub)`` beside ``main(args)``.  Imports
are lazy so ``cellsim --help`` and ``cellsim validate`` stay fast.  A user mistake (any
:class:`~cellsim.errors.CellsimError`) prints one message and exits with status 2;
``--debug`` shows the traceback too.
"""

from __future__ import annotations

import argparse
import sys

from cellsim.cli import animate, app, check, compare, listing, run, sweep, validate, warmup

#: Subcommands in the order ``cellsim --help`` lists them.
SUBCOMMANDS = (listing, validate, run, compare, animate, sweep, check, app, warmup)


def version_text() -> str:
    """``cellsim --version``: the version and the name it is installed under."""
    from cellsim import DISTRIBUTION, __version__

    return f"cellsim {__version__} (install: pip install {DISTRIBUTION})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cellsim",
        description="Calcium and magnesium from the pill to the twitch: agent-based "
        "simulations of muscle fibre, nerve and body.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cellsim`` and ``python -m cellsim``."""
    from cellsim.errors import CellsimError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CellsimError as err:
        if args.debug:
            raise
        print(f"cellsim: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("cellsim: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
