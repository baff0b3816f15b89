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
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from cellsim.errors import CellsimError
from cellsim.render import PANEL_NAMES, fibre_view, style
from cellsim.render.fibre_view import CA, EMPTY, MG, OPEN, CountsView, FibreView, SarcomereView
from cellsim.render.runs import RunData, common_window, frame_count, frame_times, load_runs

NO_DITHER = Image.Dither.NONE
PANELS = PANEL_NAMES
#: Shown unless --panels asks otherwise (the counts beside the fibre show troponin's state;
#: "occupancy" adds its time course).
DEFAULT_PANELS = ("fibre", "sarcomere", "calcium", "force", "spikes")
HEIGHTS = {
    "fibre": 2.6,
    "sarcomere": 0.75,
    "calcium": 0.85,
    "occupancy": 0.85,
    "force": 0.85,
    "spikes": 0.6,
}
FORMATS = {".mp4": "MP4 video (H.264)", ".gif": "GIF animation", ".png": "one still frame"}
#: One column is 6.4 in wide; the frame is 7.2 in high, so two columns are 16:9
#: (1280 x 720 px at the default 100 dpi, 1920 x 1080 at --dpi 150).
COLUMN_WIDTH_IN = 6.4
HEIGHT_IN = 7.2
#: Font sizes (pt) before scaling so that text is >= style.MIN_FONT_PT on a 1080p screen.
SMALL_PT, LABEL_PT, TITLE_PT = 11.5, 12.0, 14.0
MAX_FRAMES = 20_000
#: Frames per second when none is given: GIFs play at 10 (half the frames of a video, and
#: half the bytes), videos at 20.
DEFAULT_FPS = {".gif": 10.0, ".mp4": 20.0}


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
        chosen = [p for p in DEFAULT_PANELS if p != "spikes" or has_spikes]
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
        height = HEIGHT_IN
        width = COLUMN_WIDTH_IN * len(runs)
        with plt.rc_context(style.rc()):
            self.fig = fig = plt.figure(figsize=(width, height), dpi=dpi)
        # text at least style.MIN_FONT_PT when the frame fills a 1080p screen
        k = max(1.0, style.MIN_FONT_PT / (SMALL_PT * style.screen_scale(fig)))
        self.small, self.label, self.big = SMALL_PT * k, LABEL_PT * k, TITLE_PT * k
        # inches from the top: title 0.3, column label to 0.6, its subtitle to 0.88
        top_in = 0.95 + 0.2 * k
        bottom_in = 0.78 + 0.2 * k  # legend, tick labels and the time axis label
        gs = fig.add_gridspec(
            len(panels),
            len(runs),
            height_ratios=ratios,
            left=0.1 / len(runs) ** 0.5,
            right=0.99,
            top=1 - top_in / height,
            bottom=bottom_in / height,
            hspace=0.45 + 0.1 * k,
            wspace=0.2,
        )
        self.fibres, self.sarcomeres, self.traces, self.counts = [], [], [], []
        self.cursors, self.veils = [], []
        limits = self._limits()
        for c, run in enumerate(runs):
            for r, panel in enumerate(panels):
                if panel == "fibre":
                    inner = gs[r, c].subgridspec(1, 2, width_ratios=[3.0, 1.0], wspace=0.06)
                    ax = fig.add_subplot(inner[0, 0])
                    view = FibreView(ax, run, font_pt=self.small)
                    self.fibres.append(view)
                    counts_ax = fig.add_subplot(inner[0, 1])
                    self.counts.append(
                        CountsView(counts_ax, view, limits["counts"], font_pt=self.small)
                    )
                else:
                    ax = fig.add_subplot(gs[r, c])
                    self._build(panel, ax, run, c, limits)
                if r == 0:
                    fig.text(
                        (c + 0.5) / len(runs),
                        1 - 0.6 * k / height,
                        run.label,
                        fontsize=self.big,
                        fontweight="bold",
                        ha="center",
                        va="bottom",
                    )
                    fig.text(
                        (c + 0.5) / len(runs),
                        1 - 0.88 * k / height,
                        run.sublabel,
                        ha="center",
                        va="bottom",
                        fontsize=self.small,
                        color="0.25",
                    )
        if title is None:
            title = runs[0].results.summary.get("title") if len(runs) == 1 else None
            title = title or "Calcium and magnesium in a muscle fibre"
        self.title = fig.text(
            0.01, 1 - 0.06 / height, title, fontsize=self.big, fontweight="bold", va="top"
        )
        self.clock = fig.text(
            0.99,
            1 - 0.06 / height,
            "",
            fontsize=self.big,
            ha="right",
            va="top",
            family="monospace",
        )
        if ms_per_s:
            self.clock_note = f"  (1 s of video = {ms_per_s:.3g} ms)"
        else:
            self.clock_note = ""
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
        # one scale for the counts bars of every column: the most particles any bar holds
        most = 1
        for r in self.runs:
            s = r.snap
            most = max(
                most,
                int(np.max(np.diff(s["ca_offsets"]), initial=0)),
                int(np.max(np.count_nonzero(s["reg_species"] > 0, axis=1), initial=0)),
                int(np.max(np.count_nonzero(s["serca_species"] == 1, axis=1), initial=0)),
            )
        out["counts"] = 1.3 * most
        return out

    def _build(self, panel, ax, run, c, limits):
        lo, hi = self.window
        if panel == "sarcomere":
            self.sarcomeres.append(SarcomereView(ax, font_pt=self.small))
            return
        ax.set_xlim(lo, hi)
        ax.tick_params(labelsize=self.small)
        ax.spines[["top", "right"]].set_visible(False)
        if panel == "spikes":
            self._raster(ax, run)
        else:
            self._series(panel, ax, run, limits)
        if panel == self.panels[-1]:
            ax.set_xlabel("simulated time (ms)", fontsize=self.label)
        else:
            ax.tick_params(labelbottom=False)
        cursor = ax.axvline(lo, color="0.2", lw=1.2, zorder=5)
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
            ax.plot(t, y, color=colour, ls=ls, lw=1.5, alpha=0.22)
            (past,) = ax.plot([], [], color=colour, ls=ls, lw=2.4, label=label)
            (dot,) = ax.plot([], [], "o", color=colour, ms=6, zorder=6)
            self.traces.append((run, t, y, past, dot))
        ylabel = {
            "calcium": "free Ca\n(µM)",
            "occupancy": "troponin\nsites",
            "force": "force\n(% max)",
        }[panel]
        ax.set_ylabel(ylabel, fontsize=self.small)
        if panel == "calcium":
            ax.set_ylim(0, limits["ca_free_uM"])
            stim = run.events.get("stimulus_times_ms", np.zeros(0))
            for s in stim[(stim >= lo) & (stim <= self.window[1])]:
                ax.axvline(s, color=OPEN, ls=":", lw=1.2)
            shown = stim[(stim >= lo) & (stim <= self.window[1])]
            if shown.size:  # a fibre driven by a nerve is stimulated by muscle APs
                word = "muscle AP" if "muscle_ap_times_ms" in run.events else "stimulus"
                ax.text(shown[0], 0.97 * limits["ca_free_uM"], f" {word}", fontsize=self.small,
                        color=OPEN, va="top")  # fmt: skip
        elif panel == "occupancy":
            ax.set_ylim(0, 1.02)
            ax.legend(fontsize=self.small, loc="upper right", frameon=False, ncol=2)
        else:
            top = max(limits["force_fraction"], 0.05)
            ax.set_ylim(0, top)
            ticks = [v for v in (0.0, 0.5, 1.0) if v <= top]
            ax.set_yticks(ticks, [f"{100 * v:.0f}" for v in ticks])

    def _raster(self, ax, run):
        lo, hi = self.window
        rows = (("spike_times_ms", "motor-axon spikes"), ("muscle_ap_times_ms", "muscle APs"))
        for y, (key, _label) in enumerate(reversed(rows)):
            times = np.asarray(run.events.get(key, np.zeros(0)), float)
            times = times[(times >= lo) & (times <= hi)]
            ax.vlines(times, y + 0.12, y + 0.88, color="black" if y else "0.4", lw=1.0)
        ax.set_ylim(0, 2)
        ax.set_yticks([0.5, 1.5])
        ax.set_yticklabels(["muscle", "axon"], fontsize=self.small)
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
            (mark("s", EMPTY, ms=8), "troponin: empty"),
            (mark("s", CA, ms=8), "… holds Ca"),
            (mark("s", MG, ms=8), "… holds Mg"),
            (mark("o", MG), "Mg²⁺ (sample)"),
            (mark("^", OPEN), "RyR open"),
        ]
        if any(f.has_pv for f in self.fibres):
            handles.append((mark("D", CA, ms=7), "parvalbumin"))
        self.fig.legend(
            [h for h, _ in handles],
            [s for _, s in handles],
            loc="lower center",
            ncol=len(handles) if len(self.runs) > 1 else (len(handles) + 1) // 2,
            fontsize=self.small,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
            handletextpad=0.1,
            columnspacing=0.8,
        )

    # ---- per frame --------------------------------------------------------
    def update(self, t_ms: float) -> None:
        for view in self.fibres:
            view.update(view.run.index_at(t_ms), t_ms)
        for view in self.counts:
            view.update(view.fibre.run.index_at(t_ms))
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
        self.clock.set_text(f"t = {t_ms:6.1f} ms{self.clock_note}")

    # ---- fast frames: static background once, changing artists on top ----
    def dynamic_artists(self) -> list:
        arts = [a for v in (*self.fibres, *self.counts, *self.sarcomeres) for a in v.artists]
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

    palette = gif_palette()

    class BlitPillowWriter(animation.PillowWriter):
        def grab_frame(self, **savefig_kwargs):
            if blit_ok(self):
                rgba = scene.render()
            else:  # full redraw
                scene.fig.canvas.draw()
                rgba = scene.fig.canvas.buffer_rgba()
            im = Image.frombuffer("RGBA", self.frame_size, rgba, "raw", "RGBA", 0, 1)
            # One fixed palette for every frame and no dithering: what did not change is
            # byte-identical from frame to frame (see finish()).
            self._frames.append(im.convert("RGB").quantize(palette=palette, dither=NO_DITHER))

        def finish(self):
            save_gif(self._frames, self.outfile, self.fps)

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


#: Palette index that marks "unchanged since the previous frame" (transparent).
KEEP = 255


def save_gif(frames, path, fps: float) -> None:
    """Write palette frames as a GIF that stores only what changed from frame to frame.

    Pixels equal to the previous frame's are set to a transparent index, and frames are
    drawn over the previous one (disposal 1): long runs of one index, which LZW packs
    into almost nothing (the classic GIF optimisation).  The decoded frames are exactly
    the rendered ones.
    """
    from PIL import Image

    palette = frames[0].getpalette()
    out = [frames[0]]
    prev = np.asarray(frames[0])
    for frame in frames[1:]:
        cur = np.asarray(frame)
        delta = np.where(cur == prev, KEEP, cur).astype(np.uint8)
        im = Image.fromarray(delta, mode="P")
        im.putpalette(palette)
        out.append(im)
        prev = cur
    out[0].save(
        path,
        save_all=True,
        append_images=out[1:],
        duration=round(1000 / fps),
        loop=0,
        transparency=KEEP,
        disposal=1,  # keep the previous frame under the next
        optimize=False,  # keep the shared palette
    )


def gif_palette():
    """The one palette of every GIF frame: greys, and each figure colour faded to white.

    Frames are drawn with a handful of colours (the Okabe–Ito set, greys, pale fills) and
    their anti-aliased blends with the white background; 256 entries cover them.
    """
    from PIL import Image

    colours = [
        style.ORANGE, style.SKY, style.GREEN, style.YELLOW, style.BLUE, style.VERMILLION,
        style.PINK, fibre_view.SR_FILL, fibre_view.EMPTY, "#F5CF80",
    ]  # fmt: skip
    entries = [(g, g, g) for g in np.linspace(0, 255, 40).round().astype(int)]
    for hex_colour in colours:
        rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
        for a in np.linspace(0.08, 1.0, 14):  # faded towards white
            entries.append(tuple((a * rgb + (1 - a) * 255).round().astype(int)))
        for a in (0.85, 0.7, 0.55, 0.4):  # shaded towards black (edges on grey, text)
            entries.append(tuple((a * rgb).round().astype(int)))
    # pure white first, and no near-whites that the nearest-colour lookup could pick for it
    entries = [(255, 255, 255)] + [e for e in entries if min(e) < 244]
    entries = list(dict.fromkeys(entries))[:KEEP]  # index 255 is "unchanged"
    flat = [v for rgb in entries for v in rgb]
    flat += [255] * (768 - len(flat))
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat)
    return pal


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.stem}.partial{out.suffix}")


def animate(
    paths,
    out,
    *,
    fps: float | None = None,
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
    without it the whole time window lasts ``seconds`` (default 10 s).  ``fps`` defaults
    to 20 for an MP4 and 10 for a GIF (:data:`DEFAULT_FPS`).
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
    if fps is None:
        fps = DEFAULT_FPS.get(out.suffix.lower(), 20.0)
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
