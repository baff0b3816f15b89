"""The overview figure of a body run, drawn from a RunOutput (never re-runs the model).

Made for a classroom in the shared style (:mod:`cellsim.render.style`: 1920 x 1080 px,
fonts of 14 pt and more): every normal range named in the legends, legends above the
axes (never on the data), the protocol as a timeline and its changes marked on every time
axis (dose switches and hand-offs as lines, infusions and clamps as shaded spans), axes
that do not magnify noise, and a one-line takeaway computed from the run at the bottom.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cellsim.render import style

# Okabe-Ito, colour-blind safe; Ca orange, Mg blue as in every cellsim figure
CA, MG, P, PTH, D, CELL, CSF = (
    style.CA,
    style.MG,
    style.GREEN,
    style.VERMILLION,
    style.PINK,
    style.SKY,
    style.BLACK,
)

#: Normal ranges drawn as labelled bands (clinical references; PTH: intact assay).
NORMAL = {
    "ica": (1.1, 1.3),
    "mg": (0.7, 1.0),
    "p": (0.8, 1.45),
    "pth": (1.6, 6.9),
    "cell_mg": (0.39, 0.56),  # human muscle, 31P-MRS (Ryschon et al. 1996)
}


def figure(run_output):
    """Six panels: plasma, cell and CSF Mg, hormones, absorption per dose, urine, stores.

    Parameters
    ----------
    run_output
        A :class:`cellsim.output.RunOutput` of scale ``"body"`` (live, or read back from a
        results folder).

    Returns
    -------
    matplotlib.figure.Figure
        Made on an Agg canvas without pyplot (whose import cost a results folder a sixth
        of a second), so it is in no figure manager: ``fig.savefig`` writes it, a notebook
        shows it when it is returned, ``plt.show`` does not know it.
    """
    ts, summary = run_output.timeseries, run_output.summary
    days = np.asarray(ts["time_h"], dtype=float) / 24.0
    with style.classroom():
        fig = Figure(layout="constrained")
        FigureCanvasAgg(fig)  # draws off screen: text is measured while the figure is built
        fig.get_layout_engine().set(rect=(0.0, 0.06, 1.0, 0.94))  # room for the takeaway
        # the timeline is a sub-figure, so its row labels do not narrow the panels below
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 6.2])
        timeline = top.subplots()
        axes = bottom.subplots(2, 3)
        _timeline(timeline, summary, days)
        _plasma(axes[0, 0], days, ts)
        _cells(axes[0, 1], days, ts)
        _hormones(axes[0, 2], days, ts)
        _absorbed(axes[1, 0], summary)
        _urine(axes[1, 1], summary)
        _stores(axes[1, 2], days, ts)
        for ax in (axes[0, 0], axes[0, 1], axes[0, 2], axes[1, 2]):
            _mark_protocol(ax, summary)
            ax.set_xlabel("time (days)")
            ax.set_xlim(days[0], days[-1])
        title = summary.get("scenario", "body")
        preset = summary.get("preset", "healthy")
        if preset and preset != "healthy" and preset not in title:
            title += f"  [preset: {preset.replace('_', ' ')}]"
        fig.suptitle(title)
        style.takeaway(fig, summary.get("takeaway", ""))
    return fig


def _legend_above(ax, ncol: int = 2, handles=None) -> None:
    """The legend above the axes, never on the data."""
    handles = handles if handles is not None else ax.get_legend_handles_labels()[0]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncol=ncol,
        frameon=False,
        borderaxespad=0.0,
        handlelength=1.4,
        columnspacing=0.8,
    )


def _band(ax, lo: float, hi: float, colour: str, text: str) -> None:
    """A normal range: a light band, named with its numbers in the legend (off the data)."""
    ax.axhspan(lo, hi, color=colour, alpha=0.15, lw=0, zorder=0, label=text)


def _plasma(ax, days, ts) -> None:
    ax.plot(days, ts["plasma_ica_mM"], color=CA, label="ionised Ca")
    ax.plot(days, ts["plasma_mg_mM"], color=MG, label="total Mg")
    if "plasma_phosphate_mM" in ts:
        ax.plot(days, ts["plasma_phosphate_mM"], color=P, lw=1.6, label="phosphate")
    _band(ax, *NORMAL["ica"], CA, "normal 1.1-1.3")
    _band(ax, *NORMAL["mg"], MG, "normal 0.7-1.0")
    values = np.concatenate([np.asarray(ts[k]) for k in ("plasma_ica_mM", "plasma_mg_mM")])
    ax.set_ylim(min(0.5, values.min() - 0.05), max(1.6, values.max() + 0.05))
    ax.set_ylabel("plasma (mM)")
    _legend_above(ax, ncol=2)


def _cells(ax, days, ts) -> None:
    free = np.asarray(ts["mg_icf_free_mM"], dtype=float)
    ax.plot(days, free, color=CELL, label="cell free Mg")
    shown = [free]
    if "mg_csf_mM" in ts:
        csf = np.asarray(ts["mg_csf_mM"], dtype=float)
        ax.plot(days, csf, color=CSF, lw=1.8, label="CSF Mg")
        shown.append(csf)
    ax.plot(days, ts["plasma_img_mM"], color=MG, lw=1.4, ls="--", label="plasma iMg")
    shown.append(np.asarray(ts["plasma_img_mM"], dtype=float))
    _band(ax, *NORMAL["cell_mg"], CELL, "muscle 0.39-0.56")
    # at least 0.5 mM of axis: a flat line must look flat, not magnify solver noise
    style.sensible_limits(ax, np.concatenate([*shown, NORMAL["cell_mg"]]), least_span=0.5)
    ax.set_ylabel("free / ionised Mg (mM)")
    _legend_above(ax, ncol=2)


def _hormones(ax, days, ts) -> None:
    ax.plot(days, ts["pth_pmol_L"], color=PTH, label="PTH")
    _band(ax, *NORMAL["pth"], PTH, "normal 1.6-6.9")
    ax.set_ylabel("PTH (pmol/L)")
    ax.set_ylim(0.0, max(8.0, 1.1 * float(np.max(ts["pth_pmol_L"]))))
    twin = ax.twinx()
    twin.plot(days, ts["calcitriol_pmol_L"], color=D, label="calcitriol (right axis)")
    twin.set_ylabel("calcitriol (pmol/L)")
    twin.set_ylim(0.0, max(180.0, 1.1 * float(np.max(ts["calcitriol_pmol_L"]))))
    _legend_above(ax, ncol=1, handles=ax.get_legend_handles_labels()[0] + twin.get_lines())


def _absorbed(ax, summary) -> None:
    """Marginal absorption per dose regimen (mean per protocol entry); the other
    competition variant beside it when it was run; daily absorption without doses."""
    entries = [
        e
        for e in summary.get("dose_entries", [])
        if "mean_ca_absorbed_mg" in e or "mean_mg_absorbed_mg" in e
    ]
    if not entries:
        ca = summary.get("ca_absorbed_mg_per_day", [])
        mg = summary.get("mg_absorbed_mg_per_day", [])
        day = np.arange(1, len(ca) + 1)
        if len(day) > 21:  # months: lines read better than a forest of bars
            ax.plot(day, ca, color=CA, label="Ca")
            ax.plot(day, mg, color=MG, label="Mg")
        else:
            ax.bar(day - 0.2, ca, 0.4, color=CA, label="Ca")
            ax.bar(day + 0.2, mg, 0.4, color=MG, label="Mg")
        ax.set_ylim(bottom=0.0)
        ax.set_xlabel("day")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("absorbed (mg/day)")
        _legend_above(ax, ncol=2)
        return
    x = np.arange(len(entries))
    compared = summary.get("competition_comparison") or {}
    mine = summary.get("competition", "default")
    other = next((v for v in compared if v != mine), None)
    width = 0.38 if other is None else 0.2
    for k, (ion, colour) in enumerate((("ca", CA), ("mg", MG))):
        values = [e.get(f"mean_{ion}_absorbed_mg", 0.0) or 0.0 for e in entries]
        offset = (k - 0.5) * (width if other is None else 2 * width)
        name = ion.capitalize() if other is None else f"{ion.capitalize()} ({mine})"
        ax.bar(x + offset, values, width, color=colour, label=name)
        if other is not None:
            per_dose = compared[other].get(f"{ion}_absorbed_mg_per_dose") or []
            means = _entry_means(summary.get("doses", []), per_dose, entries)
            ax.bar(
                x + offset + width,
                means,
                width,
                color=colour,
                alpha=0.45,
                hatch="//",
                edgecolor="white",
                label=f"{ion.capitalize()} ({other})",
            )
    ax.set_xticks(x, [f"{e['time']}\n{_days_text(e['days'])}" for e in entries])
    ax.axhline(0.0, color="0.5", lw=1)
    ax.set_ylabel("absorbed per dose (mg)\n(run with it - without it)")
    _legend_above(ax, ncol=2)


def _entry_means(doses, per_dose, entries) -> list[float]:
    out = []
    for entry in entries:
        values = [
            v
            for d, v in zip(doses, per_dose, strict=False)
            if d.get("dose_index") == entry["dose_index"] and v is not None
        ]
        out.append(float(np.mean(values)) if values else 0.0)
    return out


def _days_text(days) -> str:
    return f"d {days[0]}" if len(days) == 1 else f"d {days[0]}-{days[-1]}"


def _urine(ax, summary) -> None:
    ca = summary.get("urine_ca_mg_per_day", [])
    mg = summary.get("urine_mg_mg_per_day", [])
    day = np.arange(1, len(ca) + 1)
    ax.plot(day, ca, "o-", color=CA, label="Ca")
    ax.plot(day, mg, "s-", color=MG, label="Mg")
    _band(ax, 100.0, 150.0, MG, "usual Mg 100-150")
    ax.set_xlabel("day")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("urine (mg/day)")
    ax.set_ylim(0.0, max(300.0, 1.15 * max([*ca, *mg, 1.0])))
    _legend_above(ax, ncol=2)


def _stores(ax, days, ts) -> None:
    bone = np.asarray(ts["ca_bone_slow_change_mmol"]) * 40.08
    fast = (np.asarray(ts["ca_bone_fast_mmol"]) - ts["ca_bone_fast_mmol"][0]) * 40.08
    cells = (np.asarray(ts["mg_icf_mmol"]) - ts["mg_icf_mmol"][0]) * 24.305
    ax.plot(days, bone, color=CA, label="bone Ca")
    ax.plot(days, fast, color=CA, ls="--", lw=1.8, label="exchangeable Ca")
    ax.plot(days, cells, color=MG, label="cell Mg")
    ax.axhline(0.0, color="0.5", lw=1)
    ax.set_ylabel("store change (mg)")
    span = max(50.0, 1.1 * float(np.max(np.abs(np.concatenate([bone, fast, cells])))))
    ax.set_ylim(-span, span)
    _legend_above(ax, ncol=2)


def _mark_protocol(ax, summary) -> None:
    """Dose switches and hand-offs as vertical lines, infusions and clamps as spans."""
    for span in summary.get("protocol_spans", []):
        colour = CA if span.get("ion") == "ca" else MG
        ax.axvspan(
            span["start_h"] / 24.0,
            span["end_h"] / 24.0,
            color=colour,
            alpha=0.12,
            hatch=None if span["kind"] == "infusion" else "xx",
            lw=0,
        )
    for time_h in sorted({e["time_h"] for e in summary.get("protocol_events", [])}):
        ax.axvline(time_h / 24.0, color="0.35", ls="--", lw=1.4)


def _timeline(ax, summary, days) -> None:
    """The protocol as a timeline: one row per dose regimen, infusion, clamp; hand-offs."""
    rows = []
    for entry in summary.get("dose_entries", []):
        times = [
            d["time_h"] / 24.0
            for d in summary.get("doses", [])
            if d.get("dose_index") == entry["dose_index"]
        ]
        what = " + ".join(
            f"{entry[k]:g} mg {n}" for k, n in (("ca_mg", "Ca"), ("mg_mg", "Mg")) if entry[k]
        )
        colour = CA if entry["ca_mg"] and not entry["mg_mg"] else MG
        rows.append((f"{what} at {entry['time']}", times, colour))
    for k, row in enumerate(rows):
        ax.plot(row[1], [k] * len(row[1]), "|", ms=16, mew=3, color=row[2])
    labels = [r[0] for r in rows]
    for span in summary.get("protocol_spans", []):
        k = len(labels)
        colour = CA if span.get("ion") == "ca" else MG
        ax.barh(
            k,
            (span["end_h"] - span["start_h"]) / 24.0,
            left=span["start_h"] / 24.0,
            height=0.6,
            color=colour,
            alpha=0.6,
        )
        labels.append(span["label"])
    for event in summary.get("protocol_events", []):
        if event["kind"] == "handoff":
            ax.axvline(event["time_h"] / 24.0, color="0.2", ls=":", lw=2)
            ax.text(
                event["time_h"] / 24.0,
                1.0,
                " hand-off",
                transform=ax.get_xaxis_transform(),
                va="bottom",
                ha="center",
                fontsize=style.NOTE_PT,
            )
    if not labels:
        labels = ["diet only: no doses, infusions or clamps"]
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.invert_yaxis()
    ax.set_xlim(days[0], days[-1])
    ax.tick_params(axis="x", labelbottom=False)
    ax.grid(axis="x", color="0.85")
