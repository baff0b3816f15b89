"""``cellsim compare``: overlay results folders on shared axes, with a one-line takeaway.

Only argparse at import time; matplotlib is loaded when the figure is drawn.
"""

from __future__ import annotations

HELP = "overlay results folders on shared axes (figure and one-line takeaway)"


def add_parser(sub):
    p = sub.add_parser(
        "compare",
        help=HELP,
        description=HELP + ". The first folder is the reference the others are compared "
        "with; what is drawn follows what the folders hold (twitch, plasma curves, spikes; "
        "a chain's hand-off sub-folders).",
    )
    p.add_argument("results", nargs="+", metavar="RESULTS_DIR", help="results folders")
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="FILE.png (1920 x 1080), .pdf, .svg"
    )
    p.add_argument(
        "--label",
        action="append",
        metavar="TEXT",
        help="legend text, once per folder in order (default: what differs between the runs)",
    )
    p.add_argument("--handoff", metavar="LABEL", help="for chains: which hand-off to compare")
    p.add_argument("--title", help="title over the figure")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the file written")
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    from cellsim.render.compare import compare

    info = compare(
        args.results, args.output, labels_=args.label, handoff=args.handoff, title=args.title
    )
    if args.quiet:
        print(info.path)
        return 0
    print(f"{info.takeaway}")
    print(
        f"figure: {info.path} ({info.width_px}x{info.height_px} px, {info.kind}, "
        f"{len(info.labels)} runs; drawn in {info.wall_s:.1f} s)"
    )
    return 0
