"""Overview figure of a body run, drawn from a RunOutput (never re-runs the model)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; the CLI and tests have no display

import matplotlib.pyplot as plt
import numpy as np


def figure(run_output):
    """Six panels: plasma iCa and Mg, PTH, calcitriol, absorption per dose, urine per day.

    Parameters
    ----------
    run_output
        A :class:`cellsim.output.RunOutput` of scale ``"body"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ts, summary = run_output.timeseries, run_output.summary
    days = np.asarray(ts["time_h"]) / 24.0
    fig, axes = plt.subplots(3, 2, figsize=(11, 9), constrained_layout=True)
    _plasma(axes[0, 0], days, ts)
    _line(axes[0, 1], days, ts["mg_icf_free_mM"], "intracellular free Mg (mM)", "tab:purple")
    _line(axes[1, 0], days, ts["pth_pmol_L"], "PTH (pmol/L)", "tab:red")
    _line(axes[1, 1], days, ts["calcitriol_pmol_L"], "calcitriol (pmol/L)", "tab:orange")
    _doses(axes[2, 0], summary.get("doses", []))
    _urine(axes[2, 1], summary)
    for ax in (axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]):
        ax.set_xlabel("time (days)")
    fig.suptitle(summary.get("scenario", "body"))
    return fig


def _plasma(ax, days, ts):
    ax.plot(days, ts["plasma_ica_mM"], color="tab:blue", label="ionised Ca")
    ax.plot(days, ts["plasma_mg_mM"], color="tab:green", label="total Mg")
    ax.axhspan(1.1, 1.3, color="tab:blue", alpha=0.08)
    ax.axhspan(0.7, 1.0, color="tab:green", alpha=0.08)
    ax.set_ylabel("plasma (mM)")
    ax.legend(loc="best", fontsize=8)


def _line(ax, days, values, label, color):
    ax.plot(days, values, color=color)
    ax.set_ylabel(label)


def _doses(ax, doses):
    if not doses:
        ax.text(0.5, 0.5, "no supplement doses", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    x = np.arange(len(doses))
    ax.bar(x - 0.2, [d["ca_absorbed_mg"] for d in doses], 0.4, label="Ca", color="tab:blue")
    ax.bar(x + 0.2, [d["mg_absorbed_mg"] for d in doses], 0.4, label="Mg", color="tab:green")
    step = max(1, len(doses) // 12)
    ax.set_xticks(
        x[::step], [f"d{d['day']} {d['time']}" for d in doses][::step], rotation=45, fontsize=7
    )
    ax.set_ylabel("absorbed per dose (mg)")
    ax.legend(fontsize=8)


def _urine(ax, summary):
    ca = summary.get("urine_ca_mg_per_day", [])
    mg = summary.get("urine_mg_mg_per_day", [])
    day = np.arange(1, len(ca) + 1)
    ax.plot(day, ca, "o-", color="tab:blue", label="Ca")
    ax.plot(day, mg, "s-", color="tab:green", label="Mg")
    ax.set_xlabel("day")
    ax.set_ylabel("urine (mg/day)")
    ax.legend(fontsize=8)
