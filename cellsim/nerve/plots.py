"""Overview figure of a nerve run, made from a RunOutput (never re-runs the model).

Panels on a 1920 x 1080 classroom canvas (:mod:`cellsim.render.style`), each shown only
if the run has data for it: axon voltage with the spike raster (axon spikes, muscle APs),
transmitter release (quanta released) and the end-plate potential with the muscle-AP
threshold, and the NMDA neuron (voltage, unblocked fraction).  Stimuli are marked; the
run's message is one line at the bottom.
"""

from __future__ import annotations

import numpy as np

from cellsim.render import style

SPIKE = style.BLACK
MUSCLE = style.VERMILLION
RELEASE = style.GREEN
NMDA = style.PINK


def _has(ts: dict, key: str) -> bool:
    return key in ts and np.any(np.asarray(ts[key]) != 0)


def figure(run_output):
    """Matplotlib figure: voltage trace, spike raster, release, EPP, NMDA."""
    ts, ev, summ = run_output.timeseries, run_output.events, run_output.summary
    t = np.asarray(ts["time_ms"])
    parts = summ.get("parts", ["axon", "junction", "nmda"])
    panels = [p for p in ("axon", "junction", "nmda") if p in parts]
    rows = len(panels) + (1 if "junction" in panels else 0)
    stimuli = np.asarray(ev.get("stimulus_onsets_ms", []), dtype=float)
    with style.classroom():
        fig = style.new_figure()
        axes = fig.subplots(max(rows, 1), 1, sharex=True, squeeze=False)
        fig.subplots_adjust(left=0.09, right=0.86, top=0.9, bottom=0.19, hspace=0.3)
        axes = list(axes[:, 0])
        if t.size:
            axes[0].set_xlim(t[0], t[-1])
        bottom = axes[-1]
        first = axes[0]
        if "axon" in panels:
            _axon(axes.pop(0), t, ts, ev)
        if "junction" in panels:
            _junction(axes.pop(0), axes.pop(0), t, ts, ev)
        if "nmda" in panels:
            _nmda(axes.pop(0), t, ts)
        for ax in fig.axes:
            if ax.get_label() != "twin":
                style.mark_stimuli(ax, stimuli, label="stimulus" if ax is first else None)
        bottom.set_xlabel("time (ms)")
        title = fig.suptitle(summ.get("title") or "nerve", x=0.01, ha="left")
        style.fit_width(fig, title)  # a chain's hand-off names both scales' conditions
        style.takeaway(fig, takeaway(summ))
    return fig


def _axon(ax, t, ts, ev) -> None:
    v = np.asarray(ts["v_mV"], dtype=float)
    ax.plot(t, v, lw=1.5, color="0.35")
    top = float(np.nanmax(v)) if v.size else 0.0
    for name, y, colour, label in (
        ("spike_times_ms", top + 10, SPIKE, "axon spike"),
        ("muscle_ap_times_ms", top + 36, MUSCLE, "muscle AP"),
    ):
        times = np.asarray(ev.get(name, []), dtype=float)
        ax.plot(times, np.full(times.size, y), "|", color=colour, ms=18, mew=3)
        ax.annotate(f" {times.size} {label}s", xy=(1.0, y), xycoords=("axes fraction", "data"),
                    va="center", color=colour, fontsize=style.NOTE_PT)  # fmt: skip
    ax.set_ylim(None, top + 48)
    ax.set_ylabel("axon (mV)")


def _junction(ax_q, ax_epp, t, ts, ev) -> None:
    ax_q.plot(t, ts["quanta_total"], color=RELEASE)
    ax_q.set_ylabel("quanta\nreleased")
    ax_epp.plot(t, ts["epp_mV"], color=style.BLUE, lw=2)
    ax_epp.set_ylabel("end plate\n(mV)")
    muscle = np.asarray(ev.get("muscle_ap_times_ms", []), dtype=float)
    ax_epp.plot(muscle, np.zeros(muscle.size), "^", color=MUSCLE, ms=12, label="muscle AP")
    if muscle.size:
        ax_epp.legend(loc="upper right")


def _nmda(ax, t, ts) -> None:
    ax.plot(t, ts["nmda_v_mV"], color=NMDA, lw=2)
    ax.set_ylabel("NMDA cell (mV)")
    ax2 = ax.twinx()
    ax2.set_label("twin")
    ax2.spines["right"].set_visible(True)
    ax2.plot(t, 100 * np.asarray(ts["nmda_unblocked_fraction"]), color=style.SKY, lw=2)
    ax2.set_ylabel("unblocked (%)", color=style.BLUE)
    ax2.set_ylim(0, 100)


def takeaway(s: dict) -> str:
    """The run's message in one line, from its summary."""
    ca, mg = s.get("ca_o_mM"), s.get("mg_o_mM")
    where = f"Ca {ca:g} mM, Mg {mg:g} mM" if ca is not None and mg is not None else ""
    pulses = s.get("stimulus_pulses") or 0
    spikes = s.get("spike_count") or 0
    parts = s.get("parts") or []
    if "axon" in parts and not pulses:
        rate = s.get("spontaneous_rate_hz") or 0.0
        if spikes:
            muscle = s.get("muscle_ap_count") or 0
            return (
                f"{where}: the axon fires {spikes} times by itself ({rate:.1f} Hz) and "
                f"the muscle {muscle} times: tetany"
            )
        return f"{where}: without a stimulus the axon stays quiet"
    if "junction" in parts and s.get("terminal_ap_count"):
        share = s.get("transmission_fraction")
        quanta = s.get("release_quanta_mean")
        text = f"{where}: {quanta:.3g} quanta per impulse" if quanta is not None else where
        if share is not None:
            text += f"; {100 * share:.0f} % of impulses fire the muscle"
        return text
    if "nmda" in parts:
        curve = s.get("nmda_block_curve")
        if curve:
            return (
                f"{where}: Mg blocks NMDA channels at rest and lets go on depolarisation "
                f"({100 * min(curve['unblocked_fraction']):.0f}-"
                f"{100 * max(curve['unblocked_fraction']):.0f} % unblocked)"
            )
        return f"{where}: {s.get('nmda_spike_count', 0)} NMDA-driven spikes"
    return f"{where}: {spikes} axon spikes for {pulses} stimuli"


def what_you_see(s: dict) -> str:
    """A short paragraph for a teacher: what the run and its figure show."""
    parts = s.get("parts") or []
    bits = []
    if "axon" in parts:
        bits.append(
            "a motor axon whose Na and K channels open and close at random; Ca and Mg "
            "outside screen the membrane's surface charge, so with little Ca the Na "
            "channels open more easily (top: voltage, with a tick for every spike)"
        )
    if "junction" in parts:
        bits.append(
            "its nerve terminal, where each impulse lets Ca in through channels that Mg "
            "competes for, and release sites need several Ca ions to release transmitter "
            "(quanta released; the end-plate potential fires a muscle action potential)"
        )
    if "nmda" in parts:
        bits.append(
            "a neuron with NMDA receptors, which Mg blocks from outside unless the cell "
            "is depolarised (voltage and unblocked fraction)"
        )
    text = "This run simulates " + "; ".join(bits) + "." if bits else "A nerve run."
    return text + " Stimuli are the dotted lines; a run without any shows spontaneous firing."
