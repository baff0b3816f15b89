"""Overview figure of a fibre run (made from a RunOutput or a results folder)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

# Colour-blind-safe (Okabe–Ito): Ca orange, Mg blue, force black.
CA_COLOUR = "#E69F00"
MG_COLOUR = "#0072B2"


def figure(out):
    """Stacked panels: free Ca, site occupancy, force and sarcomere length."""
    ts = out.timeseries
    t = ts["time_ms"]
    fig, axes = plt.subplots(4, 1, figsize=(7, 8), sharex=True)
    axes[0].plot(t, ts["ca_free_uM"], color=CA_COLOUR)
    axes[0].set_ylabel("free Ca (µM)")
    ax = axes[1]
    ax.plot(t, ts["tn_reg_ca_fraction"], color=CA_COLOUR, label="troponin reg. Ca")
    ax.plot(t, ts["tn_reg_mg_fraction"], color=MG_COLOUR, label="troponin reg. Mg")
    if max(ts["pv_ca_fraction"]) > 0 or max(ts["pv_mg_fraction"]) > 0:
        ax.plot(t, ts["pv_ca_fraction"], color=CA_COLOUR, ls="--", label="parvalbumin Ca")
        ax.plot(t, ts["pv_mg_fraction"], color=MG_COLOUR, ls="--", label="parvalbumin Mg")
    ax.set_ylabel("occupancy")
    ax.legend(fontsize=7, loc="upper right")
    axes[2].plot(t, ts["force_fraction"], color="black")
    axes[2].set_ylabel("force (fraction)")
    axes[3].plot(t, ts["sarcomere_length_um"], color="0.3")
    axes[3].set_ylabel("sarcomere (µm)")
    axes[3].set_xlabel("time (ms)")
    s = out.summary
    title = s.get("title") or ""
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
