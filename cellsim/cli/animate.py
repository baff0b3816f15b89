"""``cellsim animate``: MP4/GIF/PNG of results folders, side by side (and ``run --animate``).

Only argparse at import time: :mod:`cellsim.cli` imports this module while
building its parser, and matplotlib is loaded when a frame is rendered.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cellsim.errors import CellsimError
from cellsim.render import PANEL_NAMES

HELP = "MP4/GIF/PNG of results folder(s), side by side"
#: File written into the results folder by ``cellsim run --animate``.
RUN_ANIMATION_NAME = "animation.mp4"


def _panels(text: str) -> list[str]:
    names = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in names if p not in PANEL_NAMES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown panel(s) {bad or [text]}; choose from {','.join(PANEL_NAMES)}"
        )
    return names


def add_parser(sub) -> argparse.ArgumentParser:
    """Declare ``cellsim animate`` and its arguments."""
    p = sub.add_parser("animate", help=HELP, description=HELP)
    p.add_argument(
        "results",
        nargs="+",
        metavar="RESULTS_DIR",
        help="results folder(s); several are shown side by side, time-synchronised",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="FILE.mp4 (H.264), FILE.gif, or FILE.png (one still frame)",
    )
    p.add_argument("--fps", type=float, help="frames per second (default 20 for MP4, 10 for GIF)")
    speed = p.add_mutually_exclusive_group()
    speed.add_argument(
        "--ms-per-s", type=float, metavar="MS", help="slow motion: simulated ms per second of video"
    )
    speed.add_argument(
        "--seconds",
        type=float,
        help="length of the video; the default is 10 s for the whole window",
    )
    p.add_argument("--start-ms", type=float, help="start of the time window (simulated ms)")
    p.add_argument("--end-ms", type=float, help="end of the time window (simulated ms)")
    p.add_argument(
        "--at-ms", type=float, help="time of the still frame for a .png (default: peak force)"
    )
    p.add_argument(
        "--dpi",
        type=float,
        default=100.0,
        help="resolution: pixels per inch; one column is 6.4 x 7.2 in (default 100: two "
        "columns are 1280 x 720 px; 150 gives 1920 x 1080)",
    )
    p.add_argument("--title", help="title over the whole figure")
    p.add_argument(
        "--label",
        action="append",
        metavar="TEXT",
        help="column title, once per results folder in order (default from "
        "the run's summary, e.g. 'free Mg 0.5 mM')",
    )
    p.add_argument(
        "--panels",
        type=_panels,
        metavar="LIST",
        help=f"comma-separated panels to show, from {','.join(PANEL_NAMES)} "
        "(default: all the results have data for)",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print one line (the file written), no progress"
    )
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    """``cellsim animate``: render, then say what was written."""
    from cellsim.render.animation import animate

    if args.at_ms is not None and Path(args.output).suffix.lower() != ".png":
        raise CellsimError(
            "animate: --at-ms is for a .png still; for a video use --start-ms/--end-ms."
        )
    info = animate(
        args.results,
        args.output,
        fps=args.fps,
        ms_per_s=args.ms_per_s,
        seconds=args.seconds,
        start_ms=args.start_ms,
        end_ms=args.end_ms,
        dpi=args.dpi,
        title=args.title,
        panels=args.panels,
        labels=args.label,
        at_ms=args.at_ms,
        progress=not args.quiet,
    )
    report(info, quiet=args.quiet)
    return 0


def animate_run_folder(folder, quiet: bool = False) -> int:
    """``cellsim run --animate``: an MP4 of the fresh results folder, inside it."""
    from cellsim.render.animation import animate

    info = animate([folder], Path(folder) / RUN_ANIMATION_NAME, progress=not quiet)
    report(info, quiet=quiet)
    return 0


def report(info, quiet: bool = False) -> None:
    """What was written: one line (with -q only the file and its size)."""
    if quiet:
        print(f"{info.path} ({info.path.stat().st_size / 1e6:.1f} MB)")
        return
    lo, hi = info.window_ms
    if info.path.suffix.lower() == ".png":
        print(f"still: {info.path} ({info.width_px}x{info.height_px} px)")
        return
    print(
        f"animation: {info.path} ({info.frames} frames, {info.width_px}x{info.height_px} px, "
        f"{info.fps:g} fps, {lo:g}-{hi:g} ms at {info.ms_per_s:.3g} ms per second, "
        f"{info.path.stat().st_size / 1e6:.1f} MB; rendered in {info.wall_s:.1f} s)"
    )
