"""The classroom style: fonts, lines, colours and sizes of every cellsim figure, in one place.

Figures are made to be projected: a figure is laid out on a 16 × 9 in canvas and saved
at 120 dpi, which is 1920 × 1080 px, with fonts of at least 14 pt.  At that size a
14 pt letter is 23 px high, about 1/46 of the screen height, which the back row of a
classroom can read.  Lines are thick (3 pt) and colours come from the Okabe–Ito set,
which stays distinguishable with the common colour-vision deficiencies and in
greyscale print; Ca is always orange and Mg always blue.

Use it as a context while a figure is built (rcParams are read when artists are made)::

    from cellsim.render import style

    with style.classroom():
        fig, ax = plt.subplots()          # 16 x 9 in at 120 dpi, large fonts
        ax.plot(t, y)
        style.mark_stimuli(ax, [5.0])
        style.takeaway(fig, "relaxation half-time +14 ms at 0.15 mM Mg")
    fig.savefig("figure.png")             # 1920 x 1080 px

Helpers every overview figure uses the same way: :func:`mark_stimuli` (dotted lines at
stimuli), :func:`mark_change` (a protocol change, "week 2: 4 h apart"),
:func:`normal_range` (a labelled band, "normal ionised Ca 1.1–1.3 mM"), :func:`takeaway`
(the message in one line at the bottom; leave ``bottom=0.15`` or so free),
:func:`note` (a short corner note), :func:`sensible_limits` (no zooming into noise) and
:func:`tidy_log_axis`; colours :data:`CA`, :data:`MG`, :data:`SERIES`.

``style.classroom("projector")`` lays the same figure out at 4:3 (1024 × 768 px), the
native size of many classroom projectors.  :func:`smallest_font_pt` measures how large
a figure's smallest text appears when the figure fills a 1920 × 1080 screen; tests hold
every figure to :data:`MIN_FONT_PT`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")  # files only: the command line and the tests have no display
from cycler import cycler

# ---------------------------------------------------------------- colours
#: Okabe & Ito (2008) colour-blind-safe palette.
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PINK = "#CC79A7"
BLACK = "#000000"
GREY = "#7F7F7F"

CA = ORANGE  # calcium, everywhere
MG = BLUE  # magnesium, everywhere
STIMULUS = VERMILLION  # stimulus and protocol-change markers
#: Line colours in order, for runs overlaid on one axes (the first is the reference).
SERIES = (BLACK, VERMILLION, BLUE, GREEN, PINK, ORANGE, SKY)
#: Line styles that go with :data:`SERIES`, so that runs differ in greyscale too.
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))

# ---------------------------------------------------------------- sizes
#: Pixels per inch of saved figures: 16 x 9 in -> 1920 x 1080 px.
DPI = 120
#: Named screens: pixels (width, height).
SCREENS = {"1080p": (1920, 1080), "projector": (1024, 768)}
#: The size every check of legibility refers to.
REFERENCE_SCREEN = "1080p"
#: No text smaller than this (pt, on the 1920 x 1080 reference screen).
MIN_FONT_PT = 14.0

FONT_PT = 18.0  # axis labels, body text
TICK_PT = 15.0
LEGEND_PT = 15.0
TITLE_PT = 20.0
SUPTITLE_PT = 22.0
NOTE_PT = 14.0  # the smallest text: notes in a corner, annotations
LINE_PT = 3.0


def canvas_in(screen: str = REFERENCE_SCREEN) -> tuple[float, float]:
    """Figure size (inches) of a full-screen figure on ``screen`` at :data:`DPI`."""
    w, h = _screen(screen)
    if screen == REFERENCE_SCREEN:
        return w / DPI, h / DPI
    # other screens keep the reference height in inches (so fonts keep their size
    # relative to the screen) and take their own aspect ratio
    ref_h = SCREENS[REFERENCE_SCREEN][1] / DPI
    return ref_h * w / h, ref_h


def _screen(screen: str) -> tuple[int, int]:
    try:
        return SCREENS[screen]
    except KeyError:
        raise ValueError(f"unknown screen {screen!r}; choose from {', '.join(SCREENS)}") from None


def rc(screen: str = REFERENCE_SCREEN) -> dict:
    """The rcParams of the classroom style for ``screen``."""
    w_in, h_in = canvas_in(screen)
    w_px = _screen(screen)[0]
    return {
        "figure.figsize": (w_in, h_in),
        "figure.dpi": w_px / w_in,
        "savefig.dpi": "figure",
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "figure.titlesize": SUPTITLE_PT,
        "figure.titleweight": "bold",
        "font.size": FONT_PT,
        "axes.titlesize": TITLE_PT,
        "axes.titleweight": "bold",
        "axes.labelsize": FONT_PT,
        "axes.linewidth": 1.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=SERIES),
        "axes.titlepad": 10.0,
        "xtick.labelsize": TICK_PT,
        "ytick.labelsize": TICK_PT,
        "xtick.major.width": 1.5,
        "ytick.major.width": 1.5,
        "xtick.major.size": 6.0,
        "ytick.major.size": 6.0,
        "xtick.minor.visible": False,
        "ytick.minor.visible": False,
        "legend.fontsize": LEGEND_PT,
        "legend.title_fontsize": LEGEND_PT,
        "legend.frameon": False,
        "legend.handlelength": 2.5,
        "lines.linewidth": LINE_PT,
        "lines.markersize": 9.0,
        "patch.linewidth": 1.5,
        "grid.linewidth": 1.0,
        "grid.alpha": 0.35,
        "image.cmap": "viridis",  # perceptually uniform, colour-blind safe
        "axes.formatter.useoffset": False,  # "2.5" rather than "+2.497" offsets
        "axes.formatter.limits": (-4, 5),
    }


@contextmanager
def classroom(screen: str = REFERENCE_SCREEN) -> Iterator[None]:
    """Context in which new figures take the classroom style (see the module notes)."""
    import matplotlib  # not pyplot: a figure written to a file needs no figure manager

    with matplotlib.rc_context(rc(screen)):
        yield


# ---------------------------------------------------------------- legibility
def screen_scale(fig, screen: str = REFERENCE_SCREEN) -> float:
    """How much larger than its own points a figure's text appears on ``screen``.

    A figure shown full-screen is scaled to fit; a font of ``f`` pt then appears as
    ``f * screen_scale`` pt of the style's own canvas for that screen (16 x 9 in for
    1080p).  1.0 for a figure made at the style's size, whatever its dpi.
    """
    w, h = fig.get_size_inches()
    cw, ch = canvas_in(screen)
    return min(cw / w, ch / h)


def text_sizes(fig) -> list[tuple[float, str]]:
    """Every visible, non-empty text of a drawn figure: (font size in pt, text)."""
    from matplotlib.text import Text

    fig.canvas.draw()  # tick labels exist only once drawn
    out = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and _shown(t):
            out.append((float(t.get_fontsize()), t.get_text()))
    return out


def _shown(artist) -> bool:
    """An artist inside a visible axes (tick labels of hidden axes are not drawn)."""
    ax = artist.axes
    return ax is None or (ax.get_visible() and ax.axison)


def smallest_font_pt(fig, screen: str = REFERENCE_SCREEN) -> float:
    """The smallest text of ``fig`` in pt as it appears full-screen on ``screen``."""
    sizes = [s for s, _ in text_sizes(fig)]
    return min(sizes, default=float("inf")) * screen_scale(fig, screen)


def too_small(fig, screen: str = REFERENCE_SCREEN, minimum: float = MIN_FONT_PT) -> list[str]:
    """Texts that appear smaller than ``minimum`` pt on ``screen`` (for tests)."""
    k = screen_scale(fig, screen)
    return [f"{s * k:.1f} pt: {text!r}" for s, text in text_sizes(fig) if s * k < minimum - 1e-6]


# ---------------------------------------------------------------- common marks
def mark_stimuli(
    ax, times: Iterable[float], *, label: str | None = "stimulus", colour: str = STIMULUS
) -> None:
    """Dotted vertical lines at stimulus times; the first labelled at the top of ``ax``.

    Many stimuli (a train) are labelled once, with their count ("10 stimuli").
    """
    times = [float(t) for t in times]
    lo, hi = ax.get_xlim()
    shown = [t for t in times if lo <= t <= hi]
    for t in shown:
        ax.axvline(t, color=colour, ls=":", lw=2.0, zorder=1)
    if label and shown:
        plural = label if label.endswith("s") else f"{label}s"
        plural = plural.replace("stimuluss", "stimuli").replace("stimulus", "stimuli")
        text = label if len(shown) == 1 else f"{len(shown)} {plural}"
        ax.annotate(
            f" {text}",
            xy=(shown[0], 1.0),
            xycoords=("data", "axes fraction"),
            ha="left",
            va="top",
            color=colour,
            fontsize=NOTE_PT,
        )


def mark_change(ax, x: float, label: str, *, colour: str = STIMULUS) -> None:
    """A protocol change (e.g. "week 2: supplement with food") as a dashed line and label."""
    ax.axvline(x, color=colour, ls="--", lw=2.0, zorder=1)
    ax.annotate(
        f" {label}",
        xy=(x, 1.0),
        xycoords=("data", "axes fraction"),
        ha="left",
        va="top",
        color=colour,
        fontsize=NOTE_PT,
    )


def normal_range(ax, lo: float, hi: float, label: str, *, colour: str = GREY) -> None:
    """A labelled band of a normal range (e.g. "normal ionised Ca 1.1–1.3 mM")."""
    ax.axhspan(lo, hi, color=colour, alpha=0.15, lw=0, zorder=0)
    ax.annotate(
        label,
        xy=(1.0, hi),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        color=colour if colour != GREY else "0.3",
        fontsize=NOTE_PT,
    )


def takeaway(fig, text: str, *, y: float = 0.012):
    """The one-line message of a figure, bold, at its bottom edge (leave room for it).

    A message wider than the figure is set smaller (down to :data:`MIN_FONT_PT`), then
    broken into two lines.
    """
    if not text:
        return None
    label = fig.text(
        0.5,
        y,
        text,
        ha="center",
        va="bottom",
        fontsize=FONT_PT,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.35", "fc": "#FFF6D6", "ec": ORANGE, "lw": 1.5},
    )
    fit_width(fig, label)
    return label


def fit_width(fig, label, *, share: float = 0.96) -> None:
    """Shrink a figure text to fit ``share`` of the figure's width, then wrap it."""
    import textwrap

    renderer = fig.canvas.get_renderer()
    limit = share * fig.bbox.width
    size = label.get_fontsize()
    while label.get_window_extent(renderer).width > limit and size > MIN_FONT_PT:
        size = max(MIN_FONT_PT, size - 1.0)
        label.set_fontsize(size)
    width = label.get_window_extent(renderer).width
    if width > limit:
        text = label.get_text()
        chars = int(len(text) * limit / width)
        label.set_text("\n".join(textwrap.wrap(text, max(chars, 20))))


def note(ax, text: str, *, loc: str = "upper left") -> None:
    """A short explanation inside ``ax`` at one of four corners."""
    x = 0.02 if "left" in loc else 0.98
    y = 0.96 if "upper" in loc else 0.04
    ax.text(
        x,
        y,
        text,
        transform=ax.transAxes,
        ha="left" if "left" in loc else "right",
        va="top" if "upper" in loc else "bottom",
        fontsize=NOTE_PT,
        color="0.25",
    )


def sensible_limits(ax, values, *, least_span: float, axis: str = "y") -> None:
    """Axis limits around ``values`` that span at least ``least_span`` (in data units).

    Matplotlib zooms into whatever range the data has, so a quantity that barely moves
    (intracellular Mg, 0.497–0.503 mM) looks like it swings wildly.  Give the smallest
    change worth seeing, e.g. ``least_span=0.1`` mM.
    """
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < least_span:
        mid = (lo + hi) / 2
        lo, hi = mid - least_span / 2, mid + least_span / 2
    pad = 0.08 * (hi - lo)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo - pad, hi + pad)


def tidy_log_axis(ax, values: Iterable[float], *, axis: str = "x", most: int = 10) -> None:
    """Log axis whose tick labels are the values themselves (at most ``most``), no minors.

    Matplotlib's default labels minor ticks of short log axes ("2×10⁻¹", "3×10⁻¹", ...),
    which collide; sweep points are few, so label them instead.
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    vals = sorted({float(v) for v in values if v and v > 0})
    if len(vals) > most:
        step = -(-len(vals) // most)
        vals = vals[::step] + ([vals[-1]] if (len(vals) - 1) % step else [])
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(FixedLocator(vals))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.3g}"))
    target.set_minor_locator(NullLocator())


__all__ = [
    "CA",
    "DASHES",
    "DPI",
    "MG",
    "MIN_FONT_PT",
    "SCREENS",
    "SERIES",
    "canvas_in",
    "classroom",
    "mark_change",
    "mark_stimuli",
    "normal_range",
    "note",
    "rc",
    "screen_scale",
    "sensible_limits",
    "smallest_font_pt",
    "takeaway",
    "text_sizes",
    "tidy_log_axis",
    "too_small",
]
