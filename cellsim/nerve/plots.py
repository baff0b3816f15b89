"""Overview figure of a nerve run, made from a RunOutput (never re-runs the model).

Panels, each shown only if the run has data for it: axon voltage with the
spike raster (axon spikes, muscle APs), transmitter release (cumulative quanta
and terminal voltage), end-plate potential with the muscle-AP threshold, and
the NMDA neuron (voltage, unblocked fraction).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def _has(ts: dict, key: str) -> bool:
    return key in ts and np.any(np.asarray(ts[key]) != 0)


def figure(run_output):
    """Matplotlib figure: voltage trace, spike raster, release, EPP, NMDA."""
    ts, ev, summ = run_output.timeseries, run_output.events, run_output.summary
    t = np.asarray(ts["time_ms"])
    parts = summ.get("parts", ["axon", "junction", "nmda"])
    panels = [p for p in ("axon", "junction", "nmda") if p in parts]
    rows = len(panels) + (1 if "junction" in panels else 0)
    fig, axes = plt.subplots(
        max(rows, 1), 1, figsize=(9, 2.3 * max(rows, 1)), sharex=True, squeeze=False
    )
    axes = list(axes[:, 0])
    bottom = axes[-1]
    title = (
        f"{summ.get('scenario', '')}  Ca {summ.get('ca_o_mM', '?')} mM, "
        f"Mg {summ.get('mg_o_mM', '?')} mM"
    )
    axes[0].set_title(title.strip())
    if "axon" in panels:
        ax = axes.pop(0)
        ax.plot(t, ts["v_mV"], lw=0.7, color="k")
        top = np.nanmax(ts["v_mV"]) if t.size else 0.0
        for name, y, color in (
            ("spike_times_ms", top + 8, "tab:blue"),
            ("muscle_ap_times_ms", top + 16, "tab:red"),
        ):
            times = np.asarray(ev.get(name, []))
            ax.plot(
                times,
                np.full(times.size, y),
                "|",
                color=color,
                ms=8,
                label=name.replace("_times_ms", "").replace("_", " "),
            )
        ax.set_ylabel("axon V (mV)")
        ax.legend(loc="upper right", fontsize=7, frameon=False)
    if "junction" in panels:
        ax = axes.pop(0)
        ax.plot(t, ts["quanta_total"], color="tab:green", lw=1)
        ax.set_ylabel("quanta (cumulative)")
        ax2 = ax.twinx()
        ax2.plot(t, ts["terminal_v_mV"], color="0.6", lw=0.5)
        ax2.set_ylabel("terminal V (mV)", color="0.5")
        ax = axes.pop(0)
        ax.plot(t, ts["epp_mV"], color="tab:purple", lw=0.8)
        ax.set_ylabel("EPP (mV)")
        muscle = np.asarray(ev.get("muscle_ap_times_ms", []))
        ax.plot(muscle, np.zeros(muscle.size), "^", color="tab:red", ms=4)
    if "nmda" in panels:
        ax = axes.pop(0)
        ax.plot(t, ts["nmda_v_mV"], color="tab:orange", lw=0.7)
        ax.set_ylabel("NMDA cell V (mV)")
        ax2 = ax.twinx()
        ax2.plot(t, ts["nmda_unblocked_fraction"], color="tab:cyan", lw=0.7)
        ax2.set_ylabel("unblocked", color="tab:cyan")
        ax2.set_ylim(0, 1)
    for ax in fig.axes:
        ax.tick_params(labelsize=7)
    bottom.set_xlabel("time (ms)")
    fig.tight_layout()
    return fig
