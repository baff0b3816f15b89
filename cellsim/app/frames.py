"""The app's pictures: animated fibre frames, comparisons on shared axes, overview figures.

A *player* figure is drawn once and then only its changing artists are redrawn for each
frame (matplotlib blitting, as the animations do), so a frame costs ~20 ms instead of a
full redraw (~100 ms); frames travel to the browser as PNG.  The fibre view is the one of
``cellsim animate`` (:class:`cellsim.render.animation.Scene`): the fibre segment, the
sarcomere, free Ca, troponin occupancy and force with a cursor, one column per run.
"""

from __future__ import annotations

import io
import itertools
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # server threads have no display

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from cellsim.output import RunOutput
from cellsim.render.animation import Scene, choose_panels
from cellsim.render.fibre_view import CA, MG
from cellsim.render.runs import FIBRE_KEYS, RunData
from cellsim.results import Results

DPI = 80
#: Resolution of a single fibre column (two side by side use DPI).
DPI_ONE = 100


def has_fibre_view(out: RunOutput) -> bool:
    """Whether a run has the snapshots the fibre view draws."""
    snap = out.snapshots
    return all(k in snap for k in FIBRE_KEYS) and len(snap["time_ms"]) > 0


def peak_force_time(out: RunOutput) -> float | None:
    """When force peaks (the frame a fibre view opens at), or None without a force trace."""
    ts = out.timeseries
    if "force_fraction" not in ts or not len(ts["force_fraction"]):
        return None
    return float(np.asarray(ts["time_ms"])[int(np.argmax(ts["force_fraction"]))])


def fibre_child(out: RunOutput) -> tuple[str, RunOutput] | None:
    """The first run of a chain's hand-offs that has a fibre view (label, output)."""
    for label, child in out.children.items():
        if has_fibre_view(child):
            return label, child
    return None


def _png(rgba, size) -> bytes:
    image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)  # fast: frames are short-lived
    return buffer.getvalue()


def figure_png(fig: Figure, dpi: float = DPI) -> bytes:
    """A whole figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Player:
    """A figure with a time cursor: ``png(t_ms)`` is the frame at simulated time ``t_ms``.

    Subclasses build ``self.fig`` and the list of changing artists, and ``update(t_ms)``.
    """

    window: tuple[float, float]
    times: np.ndarray  # frame times a "step" moves between (the snapshots')
    _serials = itertools.count()

    def _start(self, fig: Figure, artists: list) -> None:
        #: tells players apart for the page (``id()`` may be reused once one is freed)
        self.serial = next(Player._serials)
        self.fig = fig
        FigureCanvasAgg(fig)  # a canvas of its own: no pyplot, nothing global
        self._lock = threading.Lock()
        self._artists = artists
        for a in artists:
            a.set_animated(True)
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)

    def update(self, t_ms: float) -> None:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def png(self, t_ms: float) -> bytes:
        t_ms = float(min(max(t_ms, self.window[0]), self.window[1]))
        with self._lock:  # one session may ask from its render and its ticker threads
            self.update(t_ms)
            canvas = self.fig.canvas
            canvas.restore_region(self._background)
            for a in self._artists:
                self.fig.draw_artist(a)
            return _png(canvas.buffer_rgba(), canvas.get_width_height(physical=True))

    def next_time(self, t_ms: float) -> float:
        """The next frame time after ``t_ms`` (for the Step button)."""
        k = int(np.searchsorted(self.times, t_ms + 1e-9, side="right"))
        return float(self.times[min(k, len(self.times) - 1)])


def run_data(out: RunOutput, label: str, sublabel: str = "") -> RunData:
    """A run on screen in the shape the animation's scene reads (no folder needed)."""
    summary = dict(out.summary)
    results = Results(Path(label), {"name": label}, summary, dict(out.timeseries), "")
    if not sublabel and summary.get("cramp") is not None:
        sublabel = "does not relax (cramp)" if summary["cramp"] else "relaxes"
    return RunData(
        Path(label), results, out.snapshots, label, sublabel, dict(out.timeseries), dict(out.events)
    )


class FibrePlayer(Player):
    """The fibre view of one or more runs side by side (``cellsim animate``'s scene)."""

    def __init__(self, runs: list[tuple[RunOutput, str]], title: str, panels=None, dpi=None):
        data = [run_data(out, label) for out, label in runs]
        lo = max(float(r.times[0]) for r in data)
        hi = min(float(r.times[-1]) for r in data)
        self.window = (lo, hi)
        self.times = data[-1].times
        dpi = dpi or (DPI_ONE if len(data) == 1 else DPI)
        self.scene = Scene(data, self.window, choose_panels(data, panels), title, dpi)
        self._start(self.scene.fig, self.scene.dynamic_artists())

    def update(self, t_ms: float) -> None:
        self.scene.update(t_ms)


class OverlayPlayer(Player):
    """Two runs on shared axes (free Ca, troponin occupancy, force), with a cursor."""

    def __init__(
        self, current: tuple[RunOutput, str], pinned: tuple[RunOutput, str], title: str, dpi=DPI_ONE
    ):
        fig = Figure(figsize=(7.0, 6.0), dpi=dpi, layout="constrained")
        axes = fig.subplots(3, 1, sharex=True)
        runs = [(pinned, "--", 0.75), (current, "-", 1.0)]
        ends = [float(o.timeseries["time_ms"][-1]) for (o, _), _, _ in runs]
        starts = [float(o.timeseries["time_ms"][0]) for (o, _), _, _ in runs]
        self.window = (max(starts), min(ends))
        self.times = np.asarray(current[0].timeseries["time_ms"])[::5]
        rows = [
            ("ca_free_uM", "free Ca (µM)", [("ca_free_uM", CA)]),
            (
                "occupancy",
                "troponin sites",
                [("tn_reg_ca_fraction", CA), ("tn_reg_mg_fraction", MG)],
            ),
            ("force_fraction", "force (of max)", [("force_fraction", "black")]),
        ]
        for ax, (_key, ylabel, columns) in zip(axes, rows, strict=True):
            for (out, label), style, alpha in runs:
                ts = out.timeseries
                for column, colour in columns:
                    if column in ts:
                        name = (
                            label
                            if column in ("ca_free_uM", "force_fraction")
                            else (f"{'Ca' if colour == CA else 'Mg'}: {label}")
                        )
                        ax.plot(
                            ts["time_ms"],
                            ts[column],
                            ls=style,
                            color=colour,
                            lw=1.3,
                            alpha=alpha,
                            label=name,
                        )
            ax.set_ylabel(ylabel, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].legend(
            fontsize=7,
            frameon=False,
            loc="upper right",
            title="-- pinned, — current",
            title_fontsize=7,
        )
        axes[1].legend(fontsize=6.5, frameon=False, loc="upper right", ncol=2)
        axes[-1].set_xlabel("simulated time (ms)", fontsize=8)
        axes[-1].set_xlim(*self.window)
        fig.suptitle(title, fontsize=10)
        self.cursors = [ax.axvline(self.window[0], color="0.3", lw=1.0) for ax in axes]
        self.clock = fig.text(0.99, 0.99, "", ha="right", va="top", fontsize=9, family="monospace")
        self._start(fig, [*self.cursors, self.clock])

    def update(self, t_ms: float) -> None:
        for cursor in self.cursors:
            cursor.set_xdata([t_ms, t_ms])
        self.clock.set_text(f"t = {t_ms:6.1f} ms")


def nerve_figure(out: RunOutput, dpi: float = DPI) -> Figure:
    """Axon voltage with its spikes, the end-plate potential and the fibre's force.

    Reads a nerve → fibre run (the nerve's columns carry a ``nerve_`` prefix) or a nerve
    run alone; panels without data are left out.
    """
    ts, ev = out.timeseries, out.events
    t = np.asarray(ts["time_ms"])

    def column(name):
        for key in (f"nerve_{name}", name):
            if key in ts:
                return np.asarray(ts[key])
        return None

    v, epp, force = column("v_mV"), column("epp_mV"), ts.get("force_fraction")
    panels = [p for p, data in (("v", v), ("epp", epp), ("force", force)) if data is not None]
    fig = Figure(figsize=(7.5, 1.2 + 1.6 * len(panels)), dpi=dpi, layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True))
    spikes = np.asarray(ev.get("spike_times_ms", []))
    muscle = np.asarray(ev.get("muscle_ap_times_ms", []))
    for ax, panel in zip(axes, panels, strict=True):
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        if panel == "v":
            ax.plot(t, v, color="black", lw=0.6)
            top = float(np.nanmax(v)) if v.size else 0.0
            ax.plot(
                spikes,
                np.full(spikes.size, top + 10),
                "|",
                color="tab:blue",
                ms=9,
                label=f"axon spikes ({spikes.size})",
            )
            ax.plot(
                muscle,
                np.full(muscle.size, top + 22),
                "|",
                color="tab:red",
                ms=9,
                label=f"muscle APs ({muscle.size})",
            )
            ax.set_ylabel("axon V (mV)", fontsize=8)
            ax.legend(fontsize=7, frameon=False, loc="upper right", ncol=2)
        elif panel == "epp":
            ax.plot(t, epp, color="tab:purple", lw=0.7)
            ax.set_ylabel("end plate (mV)", fontsize=8)
        else:
            ax.plot(t, force, color="black", lw=1.0)
            ax.set_ylabel("fibre force (of max)", fontsize=8)
            ax.set_ylim(0, max(0.05, float(np.max(force)) * 1.1))
    axes[-1].set_xlabel("time (ms)", fontsize=8)
    s = out.summary
    rate = s.get("spontaneous_rate_hz")
    fig.suptitle(
        f"ionised Ca {s.get('ca_o_mM', '?')} mM, Mg {s.get('mg_o_mM', '?')} mM"
        + (f": axon fires at {rate:.1f} Hz by itself" if rate else ""),
        fontsize=10,
    )
    return fig


def body_twitch_figure(children: dict[str, RunOutput], dpi: float = DPI) -> Figure | None:
    """Free Ca and force of the fibre runs a body run handed off to (None if none)."""
    fibres = {k: c for k, c in children.items() if "force_fraction" in c.timeseries}
    if not fibres:
        return None
    fig = Figure(figsize=(6.4, 3.6), dpi=dpi, layout="constrained")
    ax_ca, ax_f = fig.subplots(2, 1, sharex=True)
    for label, child in fibres.items():
        ts = child.timeseries
        ax_ca.plot(ts["time_ms"], ts["ca_free_uM"], color=CA, lw=1.2)
        mg = child.summary.get("mg_free_mM")
        ax_f.plot(
            ts["time_ms"],
            ts["force_fraction"],
            color="black",
            lw=1.3,
            label=f"{label}: free Mg {mg:.3g} mM" if mg is not None else label,
        )
    ax_ca.set_ylabel("free Ca (µM)", fontsize=8)
    ax_f.set_ylabel("force (of max)", fontsize=8)
    ax_f.set_xlabel("time (ms)", fontsize=8)
    ax_f.legend(fontsize=7, frameon=False)
    for ax in (ax_ca, ax_f):
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("the twitch at the hand-off, in the body's environment", fontsize=10)
    return fig


def overview_png(out: RunOutput, saved: bytes | None = None) -> bytes | None:
    """A run's own overview figure (that of ``cellsim run``'s figure.png) as PNG."""
    if out.figure is None:
        return saved
    fig = out.figure(out)
    try:
        return figure_png(fig, dpi=DPI)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)  # fibre and nerve figures are made with pyplot (a no-op for the body's)
