"""Overview figure of a fibre run (made from a RunOutput or a results folder).

Four panels on a 1920 x 1080 classroom canvas (:mod:`cellsim.render.style`): free Ca,
troponin sites holding Ca or Mg, force as % of maximal force, and sarcomere length, with
the stimuli marked and the run's message in one line at the bottom.  The occupancy,
force and sarcomere axes have fixed ranges, so the figures of two runs (a twitch and a
cramp) can be put side by side and compared by eye; free Ca starts at zero.
A skinned-fibre clamp shows its force-pCa curve instead of the sarcomere.
"""

from __future__ import annotations

import math

import numpy as np

from cellsim.render import style

# Colour-blind-safe (Okabe–Ito): Ca orange, Mg blue, force black.
CA_COLOUR = style.CA
MG_COLOUR = style.MG

#: Fixed axis ranges, the same in every run's figure.
FORCE_PERCENT_RANGE = (0.0, 105.0)
OCCUPANCY_PERCENT_RANGE = (0.0, 100.0)
SARCOMERE_RANGE_UM = (2.0, 2.55)


def figure(out):
    """The overview figure of a fibre run (a RunOutput or a read-back results folder)."""
    ts, s = out.timeseries, out.summary
    t = np.asarray(ts["time_ms"], dtype=float)
    stimuli = list(s.get("stimulus_times_ms") or [])
    clamp = "pca" in s
    with style.classroom():
        fig = style.new_figure()
        axes = fig.subplots(2, 2, sharex=not clamp)
        fig.subplots_adjust(left=0.07, right=0.985, top=0.88, bottom=0.2, hspace=0.35, wspace=0.2)
        ax_ca, ax_occ, ax_force, ax_last = axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]
        ax_ca.plot(t, ts["ca_free_uM"], color=CA_COLOUR)
        ax_ca.set_ylabel("free Ca (µM)")
        ax_ca.set_ylim(0, None)
        _occupancy(ax_occ, t, ts)
        _force(ax_force, t, ts)
        if clamp:
            _force_pca(ax_last, s)
        else:
            ax_last.plot(t, ts["sarcomere_length_um"], color="0.3")
            ax_last.set_ylim(*SARCOMERE_RANGE_UM)
            ax_last.set_ylabel("sarcomere length (µm)")
            ax_last.axhline(2.5, color="0.6", ls=":", lw=2)
            ax_last.set_xlabel("time (ms)")
        ax_force.set_xlabel("time (ms)")
        for ax in (ax_ca, ax_occ, ax_force) if clamp else axes.flat:
            ax.set_xlim(t[0], t[-1])
            style.mark_stimuli(ax, stimuli, label="stimulus" if ax is ax_ca else None)
        title = fig.suptitle(s.get("title") or "muscle fibre", x=0.01, ha="left")
        style.fit_width(fig, title)  # a chain's hand-off names both scales' conditions
        style.takeaway(fig, takeaway(s))
    return fig


def _occupancy(ax, t, ts) -> None:
    ax.plot(t, 100 * np.asarray(ts["tn_reg_ca_fraction"]), color=CA_COLOUR, label="Ca")
    ax.plot(t, 100 * np.asarray(ts["tn_reg_mg_fraction"]), color=MG_COLOUR, label="Mg")
    has_pv = np.max(ts.get("pv_ca_fraction", [0]), initial=0) > 0
    if has_pv:
        ax.plot(t, 100 * np.asarray(ts["pv_ca_fraction"]), color=CA_COLOUR, ls="--",
                label="parvalbumin: Ca")  # fmt: skip
        ax.plot(t, 100 * np.asarray(ts["pv_mg_fraction"]), color=MG_COLOUR, ls="--",
                label="parvalbumin: Mg")  # fmt: skip
    ax.set_ylim(*OCCUPANCY_PERCENT_RANGE)
    ax.set_ylabel("troponin sites (%)")
    ax.legend(loc="upper right", ncol=2 if has_pv else 1, title="holding")


def _force(ax, t, ts) -> None:
    force = 100 * np.asarray(ts["force_fraction"], dtype=float)
    lo, hi = FORCE_PERCENT_RANGE
    ax.plot(t, np.clip(force, lo, hi), color="black")
    ax.set_ylim(lo, hi)
    ax.set_ylabel("force (% of maximum)")
    if force.size and force.max() > hi:  # particle noise can overshoot the maximum
        style.note(ax, f"clipped at {hi:g} %: peak {force.max():.0f} %", loc="lower right")


def _force_pca(ax, s) -> None:
    from cellsim.fibre.metrics import hill_force

    pca = np.asarray(s["pca"], dtype=float)
    steady = 100 * np.asarray(s["steady_force_fraction"], dtype=float)
    ax.plot(pca, steady, "o", color="black", label="steady force")
    if all(math.isfinite(s.get(k) or math.nan) for k in ("fmax", "pca50", "hill_n")):
        x = np.linspace(pca.min(), pca.max(), 200)
        ax.plot(x, 100 * hill_force(x, s["fmax"], s["pca50"], s["hill_n"]), color=style.VERMILLION,
                label="Hill fit")  # fmt: skip
        ax.axvline(s["pca50"], color=style.VERMILLION, ls=":", lw=2)
    ax.invert_xaxis()  # high Ca (low pCa) on the right
    ax.set_xlabel("pCa (← less Ca · more Ca →)")
    ax.set_ylabel("force (% of maximum)")
    ax.set_ylim(*FORCE_PERCENT_RANGE)
    ax.legend(loc="upper left")


def _num(s: dict, key: str) -> float:
    v = s.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def takeaway(s: dict) -> str:
    """The run's message in one line, from its summary."""
    mg = s.get("mg_free_mM")
    at = f" at free Mg {mg:.3g} mM" if isinstance(mg, (int, float)) else ""
    if "pca" in s:
        if math.isfinite(_num(s, "pca50")):
            return (
                f"Half-maximal force at pCa {_num(s, 'pca50'):.2f} (Hill n "
                f"{_num(s, 'hill_n'):.1f}){at}: more Mg moves this to lower pCa (more Ca)"
            )
        return f"Force-pCa curve{at}: the Hill fit did not converge"
    peak = _num(s, "peak_force_fraction")
    if not peak > 0.05:
        return f"No twitch{at}: force stayed below 5 % of maximum"
    half = _num(s, "half_relaxation_ms")
    residual = _num(s, "residual_force_fraction")
    head = f"Peak force {100 * peak:.0f} % of maximum{at}"
    if s.get("cramp"):
        if math.isnan(half):
            return f"{head}; it never falls to half: the fibre does not relax (cramp)"
        return (
            f"{head}; {100 * residual:.0f} % of it is still there at the end: "
            "the fibre does not relax (cramp)"
        )
    if math.isnan(half):  # e.g. a train whose last stimulus comes shortly before the end
        stimuli = _num(s, "stimulus_count")
        over = f" over {stimuli:.0f} stimuli" if stimuli > 1 else ""
        return f"{head}{over}; the run ends before force falls to half of its peak"
    return f"{head}; relaxes to half in {half:.0f} ms"


def what_you_see(s: dict) -> str:
    """A short paragraph for a teacher: what the run and its figure show."""
    if "pca" in s:
        return (
            "A skinned fibre (its membrane removed) is bathed in fixed Ca levels, one after "
            "another; at each level the force settles. figure.png: free Ca, troponin sites "
            "holding Ca or Mg, force (% of the maximum), and the steady force against pCa "
            "(-log10 of Ca: right is more Ca) with a Hill fit. Mg competes with Ca at "
            "troponin, so more Mg needs more Ca for the same force."
        )
    text = (
        "A 1 µm stretch of a muscle fibre, from the triad to the middle of the sarcomere. "
        "At each stimulus (dotted line) RyR channels let Ca out of the SR: free Ca rises "
        "(top left), Ca takes troponin sites from Mg (top right), force rises (bottom left, "
        "% of maximal force) and the sarcomere shortens (bottom right). SERCA pumps, which "
        "run on Mg-ATP, take the Ca back, and the fibre relaxes."
    )
    mg = s.get("mg_free_mM")
    if s.get("cramp") and isinstance(mg, (int, float)) and mg < 0.3:
        text += (
            f" Here it does not: at free Mg {mg:.3g} mM (normal 0.5) the pumps are slow and "
            "the RyR channels leak, so force stays up (summary: cramp = true)."
        )
    elif s.get("cramp"):
        text += (
            " Here force is still up when the run ends (summary: cramp = true); if the run "
            "is short, a longer [run] duration_ms shows whether it relaxes."
        )
    return text + " Watch the ions with `cellsim animate RESULTS -o movie.mp4`."
