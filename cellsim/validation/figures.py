"""Drawing helpers shared by the checks' figures: one axes, literature against model.

Conventions, the same in every figure: the model in vermillion (points and
solid lines), published values in black (dashed lines, open markers), the
published range as a grey band and the accepted range (the check's tolerance)
as a light green band.

Figures are drawn in the classroom style (:mod:`cellsim.render.style`: thick lines,
Okabe–Ito colours) at 8 x 4.8 in and 150 dpi: 1200 x 720 px, with 12–14 pt text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

# Okabe–Ito, colour-blind safe.
MODEL = "#D55E00"
MODEL_2 = "#0072B2"
PUBLISHED = "black"
ACCEPTED = "#009E73"
CA_COLOUR = "#E69F00"  # as in the fibre's run figures
MG_COLOUR = "#0072B2"
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")

FIGSIZE_IN = (8.0, 4.8)
DPI = 150  # 1200 x 720 px
FONT_PT = 13.0
SMALL_PT = 12.0


def rc() -> dict:
    """The classroom style, sized for a report figure."""
    from cellsim.render import style

    return {
        **style.rc(),
        "figure.figsize": FIGSIZE_IN,
        "figure.dpi": DPI,
        "font.size": FONT_PT,
        "axes.titlesize": FONT_PT,
        "axes.labelsize": FONT_PT,
        "xtick.labelsize": SMALL_PT,
        "ytick.labelsize": SMALL_PT,
        "legend.fontsize": SMALL_PT,
        "lines.linewidth": 2.5,
        "lines.markersize": 8.0,
    }


def published_band(ax, lo: float, hi: float, *, vertical: bool = False, label="published"):
    """Grey band of the published range (horizontal unless ``vertical``)."""
    span = ax.axvspan if vertical else ax.axhspan
    span(lo, hi, color="0.55", alpha=0.3, lw=0, label=label)


def accepted_band(ax, lo: float, hi: float, *, vertical: bool = False, label="accepted"):
    """Light green band of the accepted range (the check's tolerance)."""
    span = ax.axvspan if vertical else ax.axhspan
    span(lo, hi, color=ACCEPTED, alpha=0.15, lw=0, label=label)


def scalar(ax, data: dict) -> None:
    """A single number against its published and accepted ranges.

    ``data`` keys: ``value``, ``label`` (axis label with unit), ``accepted``
    ``(lo, hi)`` (either may be None for a one-sided rule), optional
    ``published`` ``(lo, hi)``, ``log`` (log axis) and ``note``.
    """
    value = data["value"]
    lo, hi = data["accepted"]
    finite = [v for v in (value, lo, hi, *data.get("published", ())) if v is not None]
    finite = [v for v in finite if np.isfinite(v)]
    log = data.get("log", False)
    if log:
        positive = [v for v in finite if v > 0] or [1.0]
        left, right = min(positive) / 10.0, max(positive) * 10.0
    else:
        span = (max(finite) - min(finite)) or abs(max(finite)) or 1.0
        left, right = min(finite) - 0.4 * span, max(finite) + 0.4 * span
    accepted_band(ax, left if lo is None else lo, right if hi is None else hi, vertical=True)
    if "published" in data:
        published_band(ax, *data["published"], vertical=True)
    ax.plot([value], [0.5], "o", color=MODEL, ms=9, label="model", zorder=3)
    ax.set_xlim(left, right)
    if log:
        ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel(data["label"])
    if data.get("note"):
        ax.text(0.02, 0.92, data["note"], transform=ax.transAxes, fontsize=SMALL_PT, va="top")
    ax.legend(fontsize=SMALL_PT, loc="lower right")


def bars(
    ax,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    ylabel: str,
    colours: Sequence[str] | None = None,
    threshold: float | None = None,
    threshold_label: str = "",
) -> None:
    """Model values as bars (one per condition), optionally with a criterion line."""
    x = np.arange(len(labels))
    ax.bar(x, values, color=colours or MODEL, alpha=0.85, label="model")
    for xi, v in zip(x, values, strict=True):
        ax.text(xi, v, f"{v:.3g}", ha="center", va="bottom", fontsize=SMALL_PT)
    if threshold is not None:
        ax.axhline(threshold, color=PUBLISHED, ls="--", lw=2, label=threshold_label)
        ax.legend(fontsize=SMALL_PT)
    ax.set_xticks(x, labels, fontsize=SMALL_PT)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.3 * max(max(values), threshold or 0.0, 1e-12))  # room for labels


def note(ax, text: str, *, lower: bool = False) -> None:
    """A short explanation in the upper-left (or lower-left) corner of the axes."""
    y, va = (0.03, "bottom") if lower else (0.97, "top")
    ax.text(0.02, y, text, transform=ax.transAxes, fontsize=SMALL_PT, va=va, wrap=True)


def draw(result, path: Path, dpi: int = DPI) -> Path:
    """Write the figure of one :class:`~cellsim.validation.checks.CheckResult` as PNG.

    A check that raised gets a figure too, showing its error: a failing check
    is never left without its figure.
    """
    c = result.check
    with plt.rc_context(rc()):
        fig, ax = plt.subplots(figsize=FIGSIZE_IN)
        try:
            if result.outcome is not None:
                c.plot(ax, result.outcome.data)
            else:
                ax.axis("off")
                ax.text(0.5, 0.5, f"no result:\n{result.error}", ha="center", va="center",
                        wrap=True)  # fmt: skip
        except Exception as err:  # a broken figure must not hide the check's result
            ax.clear()
            ax.axis("off")
            ax.text(0.5, 0.5, f"figure failed: {err}", ha="center", va="center", wrap=True)
    verdict = "pass" if result.passed else "FAIL"
    if not c.counts:
        verdict = "known gap, now met" if result.passed else "known gap"
    colour = "red" if result.failing else "black"
    ax.set_title(f"{c.name}: {verdict}", fontsize=FONT_PT, color=colour)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
