"""The fibre segment and the sarcomere drawn for one run: built once, updated per frame.

Fibre panel (x along the fibre, y across it; z is dropped): the cytosolic column
from the triad (x = 0) to the M-line (x = 1 µm), the SR terminal cisterna with
its RyR channels to the left (drawn as an 8 × 8 grid: y across, z as depth),
the longitudinal SR with its SERCA pump slots along the top wall.  Free Ca
ions are orange, the Mg sample small and pale blue (it is the background),
troponin regulatory sites large squares coloured by what they hold (grey empty,
orange Ca, blue Mg), so that a fibre that does not relax stays orange.  Beside
it, bars count the Ca particles free, on troponin and in the pumps, and the Mg
on troponin, on one scale for every column: the difference between two runs
is read at a glance.

Sarcomere panel: a schematic full sarcomere (Z-disc, thin filaments, thick
filaments around the M-line, Z-disc) drawn to scale in µm, whose width is the
run's sarcomere length; crossbridges in the overlap fade in with force.
Markers are Line2D artists updated with ``set_data`` (Agg stamps one marker
many times, far faster than a per-point coloured collection).
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

# Okabe–Ito, as in cellsim.fibre.plots
CA = "#E69F00"
MG = "#0072B2"
OPEN = "#D55E00"  # vermillion: an open RyR channel
EMPTY = "#B0B0B0"
SR_FILL = "#E8EEF3"

CISTERNA_W = 0.12  # µm drawn left of x = 0 for the terminal cisterna
SR_BAND = 0.05  # µm drawn above y = width for the longitudinal SR
REST_SL_UM = 2.5
THIN_UM = 1.0
THICK_UM = 1.6


def _markers(ax, marker, size, colour, hollow=False, zorder=3, alpha=1.0, mew=0.6):
    (line,) = ax.plot(
        [],
        [],
        ls="none",
        marker=marker,
        ms=size,
        mfc="none" if hollow else colour,
        mec=colour,
        mew=mew if hollow else 0.0,
        alpha=alpha,
        zorder=zorder,
    )
    return line


class FibreView:
    """Artists of the fibre panel of one run."""

    def __init__(self, ax, run, scale: float = 1.0, font_pt: float = 11.5):
        s = run.snap
        self.run = run
        lx, ly, lz = (float(v) for v in s["box_um"])
        self.lx, self.ly, self.lz = lx, ly, lz
        ax.set_xlim(-CISTERNA_W - 0.01, lx + 0.01)
        ax.set_ylim(-0.01, ly + SR_BAND + 0.01)
        ax.set_xticks([0, lx])  # the middle is left free for the sarcomere's caption below
        ax.set_xticklabels(["triad", f"M-line ({lx:g} µm)"], fontsize=font_pt)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.add_patch(Rectangle((0, 0), lx, ly, fc="white", ec="0.4", lw=0.8, zorder=0))
        ax.add_patch(Rectangle((0, ly), lx, SR_BAND, fc=SR_FILL, ec="0.4", lw=0.8, zorder=0))
        self.cisterna = Rectangle(
            (-CISTERNA_W, 0), CISTERNA_W, ly + SR_BAND, fc=CA, ec="0.4", lw=0.8, zorder=0
        )
        ax.add_patch(self.cisterna)
        self.sr_label = ax.text(
            0.01,
            ly + SR_BAND / 2,
            "SR: SERCA pumps (orange = carrying Ca)",
            va="center",
            fontsize=font_pt,
            color="0.2",
            zorder=6,
            bbox={"fc": "white", "alpha": 0.75, "ec": "none", "pad": 0.6},
        )
        ax.text(
            -CISTERNA_W / 2,
            ly + SR_BAND + 0.004,
            "SR",
            ha="center",
            va="bottom",
            fontsize=font_pt,
            color="0.35",
        )
        ax.axvline(lx, color="0.4", ls="--", lw=0.8, zorder=0)
        self.sr0 = None
        if "sr_ca_uM" in run.series and len(run.series["sr_ca_uM"]):
            self.sr0 = max(float(np.max(run.series["sr_ca_uM"])), 1e-9)
        ms = 2.2 * scale
        # static positions
        reg = s["reg_xyz_um"]
        self.reg_xy = reg[:, :2]
        serca = s["serca_xyz_um"]
        self.serca_xy = np.column_stack(
            [serca[:, 0], ly + 0.004 + 0.8 * SR_BAND * serca[:, 2] / lz]
        )
        ryr = s["ryr_yz_um"]
        self.ryr_xy = np.column_stack([-0.012 - 0.09 * ryr[:, 1] / lz, ryr[:, 0]])
        # artists, back to front
        self.reg = [_markers(ax, "s", ms * 1.6, c, zorder=4.5) for c in (EMPTY, CA, MG)]
        self.serca = [_markers(ax, "s", ms * 0.8, c, zorder=2) for c in (EMPTY, CA)]
        self.ryr_closed = _markers(ax, "^", ms * 1.3, "0.35", hollow=True, zorder=2)
        self.ryr_open = _markers(ax, "^", ms * 1.5, OPEN, zorder=3)
        self.pv = [
            _markers(ax, "D", ms * 0.9, c, hollow=h, zorder=3)
            for c, h in ((EMPTY, True), (CA, False), (MG, False))
        ]
        self.mg_bound = _markers(ax, "o", ms * 0.6, MG, hollow=True, zorder=3, alpha=0.2)
        self.mg_free = _markers(ax, "o", ms * 0.6, MG, zorder=3, alpha=0.3)
        self.ca = _markers(ax, "o", ms * 1.1, CA, zorder=5)
        self.has_pv = s.get("pv_xyz_um") is not None and s["pv_xyz_um"].shape[1] > 0
        self.artists = [
            self.cisterna,
            *self.reg,
            *self.serca,
            self.ryr_closed,
            self.ryr_open,
            *self.pv,
            self.mg_bound,
            self.mg_free,
            self.ca,
            self.sr_label,
        ]

    def counts(self, k: int) -> dict[str, int]:
        """Particles at snapshot ``k``: Ca free, Ca and Mg on troponin, Ca in pumps."""
        s = self.run.snap
        reg = s["reg_species"][k]
        return {
            "free Ca": int(s["ca_offsets"][k + 1] - s["ca_offsets"][k]),
            "Ca on troponin": int(np.count_nonzero(reg == 1)),
            "Mg on troponin": int(np.count_nonzero(reg == 2)),
            "Ca in pumps": int(np.count_nonzero(s["serca_species"][k] == 1)),
        }

    def update(self, k: int, t_ms: float) -> None:
        s, run = self.run.snap, self.run
        ca = run.ca_at(k)
        self.ca.set_data(ca[:, 0], ca[:, 1])
        mg, state = s["mg_xyz_um"][k], s["mg_state"][k]
        free, bound = mg[state == 0], mg[state == 1]
        self.mg_free.set_data(free[:, 0], free[:, 1])
        self.mg_bound.set_data(bound[:, 0], bound[:, 1])
        sp = s["reg_species"][k]
        for code, line in enumerate(self.reg):
            xy = self.reg_xy[sp == code]
            line.set_data(xy[:, 0], xy[:, 1])
        sp = s["serca_species"][k]
        for code, line in enumerate(self.serca):
            xy = self.serca_xy[sp == code]
            line.set_data(xy[:, 0], xy[:, 1])
        is_open = s["ryr_open"][k].astype(bool)
        self.ryr_open.set_data(self.ryr_xy[is_open, 0], self.ryr_xy[is_open, 1])
        self.ryr_closed.set_data(self.ryr_xy[~is_open, 0], self.ryr_xy[~is_open, 1])
        if self.has_pv:
            pv, sp = s["pv_xyz_um"][k], s["pv_species"][k]
            for code, line in enumerate(self.pv):
                xy = pv[sp == code]
                line.set_data(xy[:, 0], xy[:, 1])
        if self.sr0:
            level = run.value_at("sr_ca_uM", t_ms) / self.sr0
            self.cisterna.set_alpha(0.08 + 0.5 * min(max(level, 0.0), 1.0))


#: Bar colours of the counts panel, in :meth:`FibreView.counts` order.
COUNT_COLOURS = (CA, CA, MG, "#F5CF80")


class CountsView:
    """Horizontal bars: how many Ca particles are free, on troponin, in pumps; Mg on troponin.

    ``limit`` is the same for every column, so bars of two runs compare directly.
    """

    def __init__(self, ax, fibre: FibreView, limit: float, font_pt: float = 11.5):
        self.fibre = fibre
        names = list(fibre.counts(0))
        y = np.arange(len(names))[::-1]
        edges = ["none", "black", "black", "none"]
        self.bars = ax.barh(y, np.zeros(len(names)), height=0.55, color=COUNT_COLOURS,
                            edgecolor=edges, linewidth=1.2)  # fmt: skip
        ax.set_xlim(0, limit)
        ax.set_ylim(-0.6, len(names) - 0.1)
        ax.set_yticks([])
        ax.set_xticks([])
        for side in ("left", "right", "top", "bottom"):
            ax.spines[side].set_visible(False)
        self.labels = [
            ax.text(0, yi + 0.33, name, fontsize=font_pt, va="bottom", ha="left", color="0.15")
            for yi, name in zip(y, names, strict=True)
        ]
        self.values = [
            ax.text(0, yi, "", fontsize=font_pt, va="center", ha="left", color="0.1") for yi in y
        ]
        self.limit = limit
        self.artists = [*self.bars, *self.values]

    def update(self, k: int) -> None:
        for bar, text, value in zip(self.bars, self.values, self.fibre.counts(k).values(),
                                    strict=True):  # fmt: skip
            bar.set_width(value)
            text.set_x(value + 0.02 * self.limit)
            text.set_text(f"{value}")


class SarcomereView:
    """A schematic full sarcomere whose width is the sarcomere length."""

    ROWS_THIN = (0.15, 0.5, 0.85)
    ROWS_THICK = (0.325, 0.675)

    def __init__(self, ax, font_pt: float = 11.5):
        half = REST_SL_UM / 2 + 0.1
        ax.set_xlim(-half, half)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_xticks([-REST_SL_UM / 2, 0, REST_SL_UM / 2])
        ax.set_xticklabels(["", "M-line", ""], fontsize=font_pt)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        for x in (-REST_SL_UM / 2, REST_SL_UM / 2):
            ax.axvline(x, color="0.6", ls=":", lw=0.8)
        self.z = [ax.plot([], [], color="0.15", lw=3, solid_capstyle="butt")[0] for _ in range(2)]
        self.thin = [ax.plot([], [], color="#009E73", lw=1.6)[0] for _ in range(6)]
        for y in self.ROWS_THICK:
            ax.plot(
                [-THICK_UM / 2, THICK_UM / 2],
                [y, y],
                color="#CC79A7",
                lw=4.5,
                solid_capstyle="butt",
                zorder=1,
            )
        (self.bridges,) = ax.plot([], [], color="0.2", lw=0.8, zorder=2)
        self.text = ax.text(0, 1.0, "", ha="center", va="bottom", fontsize=font_pt)
        self.artists = [*self.z, *self.thin, self.bridges, self.text]

    def update(self, sl_um: float, force: float) -> None:
        half = sl_um / 2
        for sign, line in zip((-1, 1), self.z, strict=True):
            line.set_data([sign * half, sign * half], [0.02, 0.98])
        for i, y in enumerate(self.ROWS_THIN):
            self.thin[2 * i].set_data([-half, -half + THIN_UM], [y, y])
            self.thin[2 * i + 1].set_data([half, half - THIN_UM], [y, y])
        # crossbridges: ticks between thick and thin filaments where they overlap
        xs, ys = [], []
        n = round(12 * min(max(force, 0.0), 1.0))
        lo, hi = max(-half, -THICK_UM / 2), min(-half + THIN_UM, THICK_UM / 2)
        if n and hi > lo:
            for x in np.linspace(lo + 0.03, hi - 0.03, n):
                for y0, y1 in ((0.185, 0.3), (0.35, 0.465), (0.535, 0.65), (0.7, 0.815)):
                    xs += [x, x + 0.04, np.nan, -x, -x - 0.04, np.nan]
                    ys += [y0, y1, np.nan, y0, y1, np.nan]
        self.bridges.set_data(xs, ys)
        change = round(100 * (sl_um / REST_SL_UM - 1))  # an int: never "-0 %"
        self.text.set_text(f"sarcomere {sl_um:.2f} µm ({change:+d} %)")

    def width_px(self) -> float:
        """Distance between the two Z-discs in display pixels (for tests)."""
        ax = self.z[0].axes
        x0 = ax.transData.transform((self.z[0].get_xdata()[0], 0.5))[0]
        x1 = ax.transData.transform((self.z[1].get_xdata()[0], 0.5))[0]
        return float(x1 - x0)
