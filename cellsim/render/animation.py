"""Cramp and spasm animations (MP4, GIF) and stills (PNG) from results folders.

One column per run, time-synchronised: the fibre segment, the sarcomere, then
time-series panels (free Ca, troponin occupancy by Ca vs Mg, force, and a
raster of nerve spikes when the results have ``spike_times_ms``) with a cursor.
The figure is built once; each frame only updates artists (``set_data``) and
is then handed to matplotlib's writer.  Reads results folders only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from cellsim.errors import CellsimError
from cellsim.render import PANEL_NAMES, fibre_view
from cellsim.render.fibre_view import CA, EMPTY, MG, OPEN, FibreView, SarcomereView
from cellsim.render.runs import RunData, common_window, frame_count, frame_times, load_runs

PANELS = PANEL_NAMES
HEIGHTS = {
    "fibre": 2.4,
    "sarcomere": 0.9,
    "calcium": 0.9,
    "occupancy": 0.9,
    "force": 0.9,
    "spikes": 0.6,
}
FORMATS = {".mp4": "MP4 video (H.264)", ".gif": "GIF animation", ".png": "one still frame"}
COLUMN_WIDTH_IN = 6.4
MAX_FRAMES = 20_000


@dataclass
class AnimationInfo:
    """What was written: for the command line's report and for tests."""

    path: Path
    frames: int
    width_px: int
    height_px: int
    fps: float
    ms_per_s: float
    window_ms: tuple[float, float]
    wall_s: float


def check_output(out) -> Path:
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        choices = ", ".join(f"{k} ({v})" for k, v in FORMATS.items())
        raise CellsimError(
            f"{out}: cannot write '{out.suffix or '(no extension)'}' files; end the "
            f"output name with one of {choices}."
        )
    return out


def _check_number(name, value, lo, hi):
    if value is None:
        return
    if not (np.isfinite(value) and lo < value <= hi):
        raise CellsimError(
            f"animate: {name} = {value:g} is out of range; use a value in ({lo:g}, {hi:g}]."
        )


def choose_panels(runs: list[RunData], panels=None) -> list[str]:
    """The requested panels in display order, or every panel the runs have data for."""
    has_spikes = any("spike_times_ms" in r.events for r in runs)
    has_series = all(r.series for r in runs)
    if panels is None:
        chosen = [p for p in PANELS if p != "spikes" or has_spikes]
        return [p for p in chosen if has_series or p in ("fibre", "sarcomere", "spikes")]
    unknown = [p for p in panels if p not in PANELS]
    if unknown or not panels:
        raise CellsimError(
            f"animate: unknown panel(s) {unknown or panels}; choose from {', '.join(PANELS)}."
        )
    if "spikes" in panels and not has_spikes:
        raise CellsimError(
            "animate: panel 'spikes' needs nerve spike times (events spike_times_ms), which "
            "these results do not have; run a scenario that includes the nerve scale."
        )
    return [p for p in PANELS if p in panels]


class Scene:
    """The whole figure: one column per run, every artist that changes per frame."""

    def __init__(self, runs, window, panels, title=None, dpi=100, ms_per_s=None):
        self.runs, self.window, self.panels = runs, window, panels
        ratios = [HEIGHTS[p] for p in panels]
        height = 1.4 + sum(ratios)
        width = COLUMN_WIDTH_IN * len(runs)
        self.fig = fig = plt.figure(figsize=(width, height), dpi=dpi)
        gs = fig.add_gridspec(
            len(panels),
            len(runs),
            height_ratios=ratios,
            left=0.085 / len(runs) ** 0.5,
            right=0.985,
            top=1 - 0.72 / height,
            bottom=(0.75 if len(runs) > 1 else 0.9) / height,
            hspace=0.55,
            wspace=0.16,
        )
        self.fibres, self.sarcomeres, self.traces = [], [], []
        self.cursors, self.veils = [], []
        limits = self._limits()
        for c, run in enumerate(runs):
            for r, panel in enumerate(panels):
                ax = fig.add_subplot(gs[r, c])
                self._build(panel, ax, run, c, limits)
                if r == 0:
                    ax.set_title(run.label, fontsize=11, fontweight="bold", pad=13)
                    ax.text(
                        0.5,
                        1.02,
                        run.sublabel,
                        transform=ax.transAxes,
                        ha="center",
                        va="bottom",
                        fontsize=7.5,
                        color="0.3",
                    )
        if title is None:
            title = runs[0].results.summary.get("title") if len(runs) == 1 else None
            title = title or "Calcium and magnesium in a muscle fibre"
        fig.text(0.01, 1 - 0.12 / height, title, fontsize=12, fontweight="bold", va="top")
        clock_y = 0.1 if len(runs) > 1 else 0.36  # one column: under the title
        self.clock = fig.text(
            0.99, 1 - clock_y / height, "", fontsize=12, ha="right", va="top", family="monospace"
        )
        if ms_per_s:
            fig.text(
                0.01,
                1 - 0.4 / height,
                f"slow motion: 1 s of video = {ms_per_s:.3g} ms of simulated time",
                fontsize=7,
                va="top",
                color="0.35",
            )
        self._legend(height)

    # ---- building ---------------------------------------------------------
    def _limits(self):
        lo, hi = self.window
        out = {}
        for col in ("ca_free_uM", "force_fraction"):
            peaks = [
                np.max(
                    r.series[col][(r.series["time_ms"] >= lo) & (r.series["time_ms"] <= hi)],
                    initial=0.0,
                )
                for r in self.runs
                if col in r.series
            ]
            out[col] = 1.08 * max(peaks, default=1.0) or 1.0
        return out

    def _build(self, panel, ax, run, c, limits):
        lo, hi = self.window
        if panel == "fibre":
            self.fibres.append(FibreView(ax, run))
            return
        if panel == "sarcomere":
            self.sarcomeres.append(SarcomereView(ax))
            return
        ax.set_xlim(lo, hi)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        if panel == "spikes":
            self._raster(ax, run)
        else:
            self._series(panel, ax, run, limits)
        if panel == self.panels[-1]:
            ax.set_xlabel("simulated time (ms)", fontsize=8)
        cursor = ax.axvline(lo, color="0.2", lw=1.0, zorder=5)
        self.cursors.append(cursor)

    def _series(self, panel, ax, run, limits):
        ts = run.series
        lo, hi = self.window
        keep = (ts["time_ms"] >= lo - 1e-9) & (ts["time_ms"] <= hi + 1e-9)
        t = ts["time_ms"][keep]
        specs = {
            "calcium": [("ca_free_uM", CA, "-", "free Ca")],
            "occupancy": [
                ("tn_reg_ca_fraction", CA, "-", "troponin: Ca"),
                ("tn_reg_mg_fraction", MG, "-", "troponin: Mg"),
            ],
            "force": [("force_fraction", "black", "-", "force")],
        }[panel]
        if panel == "occupancy" and np.max(ts.get("pv_ca_fraction", [0]), initial=0) > 0:
            specs += [
                ("pv_ca_fraction", CA, "--", "parvalbumin: Ca"),
                ("pv_mg_fraction", MG, "--", "parvalbumin: Mg"),
            ]
        for col, colour, ls, label in specs:
            if col not in ts:
                continue
            y = ts[col][keep]
            ax.plot(t, y, color=colour, ls=ls, lw=1.0, alpha=0.22)
            (past,) = ax.plot([], [], color=colour, ls=ls, lw=1.6, label=label)
            (dot,) = ax.plot([], [], "o", color=colour, ms=4, zorder=6)
            self.traces.append((run, t, y, past, dot))
        ylabel = {
            "calcium": "free Ca (µM)",
            "occupancy": "sites occupied",
            "force": "force (of max)",
        }[panel]
        ax.set_ylabel(ylabel, fontsize=7.5)
        if panel == "calcium":
            ax.set_ylim(0, limits["ca_free_uM"])
            stim = run.events.get("stimulus_times_ms", np.zeros(0))
            for s in stim[(stim >= lo) & (stim <= self.window[1])]:
                ax.axvline(s, color=OPEN, ls=":", lw=0.9)
                ax.text(
                    s, 0.97 * limits["ca_free_uM"], " stimulus", fontsize=6.5, color=OPEN, va="top"
                )
        elif panel == "occupancy":
            ax.set_ylim(0, 1.02)
            ax.legend(fontsize=6.5, loc="upper right", frameon=False, ncol=2)
        else:
            ax.set_ylim(0, max(limits["force_fraction"], 0.05))

    def _raster(self, ax, run):
        lo, hi = self.window
        rows = (("spike_times_ms", "motor-axon spikes"), ("muscle_ap_times_ms", "muscle APs"))
        for y, (key, _label) in enumerate(reversed(rows)):
            times = np.asarray(run.events.get(key, np.zeros(0)), float)
            times = times[(times >= lo) & (times <= hi)]
            ax.vlines(times, y + 0.12, y + 0.88, color="black" if y else "0.4", lw=1.0)
        ax.set_ylim(0, 2)
        ax.set_yticks([0.5, 1.5])
        ax.set_yticklabels(["muscle AP", "nerve spike"], fontsize=7)
        veil = Rectangle((lo, 0), hi - lo, 2, fc="white", alpha=0.7, ec="none", zorder=4)
        ax.add_patch(veil)
        self.veils.append(veil)

    def _legend(self, height):
        def mark(marker, colour, hollow=False, ms=6):
            return Line2D(
                [],
                [],
                ls="none",
                marker=marker,
                ms=ms,
                mec=colour,
                mfc="none" if hollow else colour,
            )

        handles = [
            (mark("o", CA), "free Ca²⁺"),
            (mark("o", MG), "Mg²⁺ free (sample)"),
            (mark("o", MG, hollow=True), "Mg²⁺ bound"),
            (mark("s", EMPTY, ms=5), "troponin site: empty"),
            (mark("s", CA, ms=5), "… with Ca"),
            (mark("s", MG, ms=5), "… with Mg"),
            (mark("^", OPEN), "RyR open"),
            (mark("^", "0.35", hollow=True), "RyR closed"),
        ]
        if any(f.has_pv for f in self.fibres):
            handles.append((mark("D", CA, ms=5), "parvalbumin (Ca / Mg / ◇ empty)"))
        self.fig.legend(
            [h for h, _ in handles],
            [s for _, s in handles],
            loc="lower center",
            ncol=len(handles) if len(self.runs) > 1 else (len(handles) + 1) // 2,
            fontsize=7,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
            handletextpad=0.2,
            columnspacing=0.9,
        )

    # ---- per frame --------------------------------------------------------
    def update(self, t_ms: float) -> None:
        for view in self.fibres:
            view.update(view.run.index_at(t_ms), t_ms)
        for run, view in zip(self.runs, self.sarcomeres, strict=False):
            k = run.index_at(t_ms)
            view.update(
                float(run.snap["sarcomere_length_um"][k]), float(run.snap["force_fraction"][k])
            )
        for _run, t, y, past, dot in self.traces:
            n = int(np.searchsorted(t, t_ms, side="right"))
            past.set_data(t[:n], y[:n])
            if n:
                dot.set_data([t[n - 1]], [y[n - 1]])
        for cursor in self.cursors:
            cursor.set_xdata([t_ms, t_ms])
        hi = self.window[1]
        for veil in self.veils:
            veil.set_x(t_ms)
            veil.set_width(max(hi - t_ms, 0.0))
        self.clock.set_text(f"t = {t_ms:6.1f} ms")

    # ---- fast frames: static background once, changing artists on top ----
    def dynamic_artists(self) -> list:
        arts = [a for v in (*self.fibres, *self.sarcomeres) for a in v.artists]
        arts += [a for tr in self.traces for a in tr[3:]]
        arts += [*self.veils, *self.cursors, self.clock]
        return arts

    def start_blit(self) -> None:
        """Draw the static figure once; later frames redraw only changing artists."""
        self._dynamic = self.dynamic_artists()
        for a in self._dynamic:
            a.set_animated(True)
        canvas = self.fig.canvas
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.fig.bbox)

    def render(self) -> memoryview:
        """The current frame as RGBA bytes (after :meth:`start_blit` and :meth:`update`)."""
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for a in self._dynamic:
            self.fig.draw_artist(a)
        return canvas.buffer_rgba()

    def frame_size(self, dpi) -> tuple[int, int]:
        w, h = self.fig.get_size_inches()
        return int(w * dpi + 1e-8), int(h * dpi + 1e-8)


def _writer(out: Path, fps: float, scene: Scene):
    """matplotlib's writer for ``out``, fed blitted frames instead of full redraws.

    ``grab_frame`` is the only override: the writers still set up and run ffmpeg
    (FFMpegWriter, imageio-ffmpeg's binary) or assemble the GIF (PillowWriter).
    If the canvas and the writer disagree on the frame size, the normal
    full-redraw ``grab_frame`` is used.
    """
    from matplotlib import animation
    from PIL import Image

    def blit_ok(writer) -> bool:
        return tuple(scene.fig.canvas.get_width_height(physical=True)) == writer.frame_size

    class BlitPillowWriter(animation.PillowWriter):
        def grab_frame(self, **savefig_kwargs):
            if not blit_ok(self):
                return super().grab_frame(**savefig_kwargs)
            im = Image.frombuffer("RGBA", self.frame_size, scene.render(), "raw", "RGBA", 0, 1)
            # palette frames: a third of the memory of RGB, and what a GIF holds anyway
            self._frames.append(im.convert("RGB").quantize(256, Image.Quantize.FASTOCTREE))

    class BlitFFMpegWriter(animation.FFMpegWriter):
        def grab_frame(self, **savefig_kwargs):
            if not blit_ok(self):
                return super().grab_frame(**savefig_kwargs)
            self._proc.stdin.write(scene.render())

    if out.suffix.lower() == ".gif":
        return BlitPillowWriter(fps=fps)
    import imageio_ffmpeg

    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    return BlitFFMpegWriter(fps=fps, codec="h264", extra_args=["-preset", "veryfast", "-crf", "23"])


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.stem}.partial{out.suffix}")


def animate(
    paths,
    out,
    *,
    fps: float = 20.0,
    ms_per_s: float | None = None,
    seconds: float | None = None,
    start_ms: float | None = None,
    end_ms: float | None = None,
    dpi: float = 100.0,
    title: str | None = None,
    panels=None,
    labels=None,
    at_ms: float | None = None,
    progress: bool = False,
) -> AnimationInfo:
    """Render results folder(s) ``paths`` to ``out`` (.mp4, .gif; .png gives a still).

    ``ms_per_s`` is the slow-motion factor (simulated ms per second of video);
    without it the whole time window lasts ``seconds`` (default 10 s).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out = check_output(out)
    if out.suffix.lower() == ".png":
        return render_still(
            paths,
            out,
            at_ms=at_ms,
            dpi=dpi,
            title=title,
            panels=panels,
            labels=labels,
            start_ms=start_ms,
            end_ms=end_ms,
        )
    _check_number("--fps", fps, 0, 120)
    _check_number("--ms-per-s", ms_per_s, 0, 1e9)
    _check_number("--seconds", seconds, 0, 3600)
    _check_number("--dpi", dpi, 10, 600)
    if ms_per_s is not None and seconds is not None:
        raise CellsimError("animate: give either --ms-per-s or --seconds, not both.")
    runs = load_runs(paths, labels)
    window = common_window(runs, start_ms, end_ms)
    if ms_per_s is None:
        ms_per_s = (window[1] - window[0]) / (seconds or 10.0)
    n_frames = frame_count(window, fps, ms_per_s)
    if n_frames > MAX_FRAMES:
        raise CellsimError(
            f"animate: {n_frames} frames is too many (limit {MAX_FRAMES}); raise "
            "--ms-per-s, lower --fps or narrow the window with --start-ms/--end-ms."
        )
    times = frame_times(window, fps, ms_per_s)
    scene = Scene(runs, window, choose_panels(runs, panels), title, dpi, ms_per_s)
    writer = _writer(out, fps, scene)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _partial(out)
    start = time.perf_counter()
    from tqdm import tqdm

    try:
        with writer.saving(scene.fig, str(tmp), dpi):
            scene.start_blit()  # after setup, which may round the size for H.264
            for t in tqdm(
                times, desc=f"rendering {out.name}", unit="frame", disable=not progress, leave=False
            ):
                scene.update(float(t))
                writer.grab_frame()
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        width, height = scene.frame_size(dpi)
        plt.close(scene.fig)
    return AnimationInfo(
        out, len(times), width, height, fps, ms_per_s, window, time.perf_counter() - start
    )


def render_still(
    paths,
    out,
    *,
    at_ms=None,
    dpi: float = 100.0,
    title=None,
    panels=None,
    labels=None,
    start_ms=None,
    end_ms=None,
) -> AnimationInfo:
    """One frame as a PNG, at ``at_ms`` or (default) at the first run's peak force."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out = Path(out)
    _check_number("--dpi", dpi, 10, 600)
    start = time.perf_counter()
    runs = load_runs(paths, labels)
    window = common_window(runs, start_ms, end_ms)
    if at_ms is None:
        at_ms = min(max(runs[0].peak_force_time(), window[0]), window[1])
    if not window[0] <= at_ms <= window[1]:
        raise CellsimError(
            f"animate: --at-ms {at_ms:g} is outside the runs' common time window "
            f"{window[0]:g}-{window[1]:g} ms."
        )
    scene = Scene(runs, window, choose_panels(runs, panels), title, dpi)
    scene.update(float(at_ms))
    out.parent.mkdir(parents=True, exist_ok=True)
    scene.fig.savefig(out, dpi=dpi)
    width, height = scene.frame_size(dpi)
    plt.close(scene.fig)
    return AnimationInfo(out, 1, width, height, 0.0, 0.0, window, time.perf_counter() - start)


__all__ = ["PANELS", "AnimationInfo", "Scene", "animate", "fibre_view", "render_still"]
