"""What a user reads off nerve runs, and the emergent-law experiments.

Two kinds of function live here:

* plain measurements on results (spike counts, spontaneous rate, mean
  quanta, log–log slopes, interpolated midpoints), which never run a model;
* small *experiments* that build :class:`~cellsim.nerve.model.NerveModel`
  instances the way a physiologist would set up a preparation (voltage-clamp
  the axon, shock the terminal at several [Ca]ₒ, step the NMDA neuron's
  voltage) and measure the curve that emerges from the agents.  The
  validation tests compare these curves with the published laws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from cellsim.nerve.params import NerveParams


# ---- measurements ------------------------------------------------------------------------
def spike_count(spike_times_ms: np.ndarray) -> int:
    """Number of spikes."""
    return int(np.asarray(spike_times_ms).size)


def spontaneous_spikes(
    spike_times_ms: np.ndarray, stim_onsets_ms: np.ndarray, window_ms: float = 10.0
) -> np.ndarray:
    """Spikes not within ``window_ms`` after a stimulus onset (i.e. not evoked)."""
    spikes = np.asarray(spike_times_ms, dtype=float)
    onsets = np.asarray(stim_onsets_ms, dtype=float)
    if onsets.size == 0 or spikes.size == 0:
        return spikes
    idx = np.searchsorted(onsets, spikes, side="right") - 1
    evoked = (idx >= 0) & (spikes - onsets[np.maximum(idx, 0)] <= window_ms)
    return spikes[~evoked]


def spontaneous_rate_hz(
    spike_times_ms: np.ndarray,
    stim_onsets_ms: np.ndarray,
    duration_ms: float,
    window_ms: float = 10.0,
) -> float:
    """Rate of spikes not evoked by the stimulus, per second of run."""
    n = spontaneous_spikes(spike_times_ms, stim_onsets_ms, window_ms).size
    return 1000.0 * n / duration_ms if duration_ms > 0 else 0.0


def release_quanta_mean(quanta_per_ap: np.ndarray) -> float:
    """Mean quanta per terminal action potential (0 if the terminal never fired)."""
    q = np.asarray(quanta_per_ap)
    return float(q.mean()) if q.size else 0.0


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def crossing(x: Sequence[float], y: Sequence[float], level: float = 0.5) -> float:
    """x where y (monotonic increasing in x) crosses ``level``, by linear interpolation."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    above = np.nonzero(y >= level)[0]
    if above.size == 0 or above[0] == 0:
        return float("nan")
    i = above[0]
    return float(x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


def block_curve(timeseries: dict, voltages_mV: Sequence[float], step_ms: float) -> np.ndarray:
    """Unblocked NMDA fraction at each clamp step (mean over each step's second half)."""
    t = np.asarray(timeseries["time_ms"])
    u = np.asarray(timeseries["nmda_unblocked_fraction"])
    out = []
    for i, _ in enumerate(voltages_mV):
        sel = (t > (i + 0.5) * step_ms) & (t <= (i + 1) * step_ms)
        out.append(float(u[sel].mean()) if sel.any() else float("nan"))
    return np.asarray(out)


# ---- emergent-law experiments --------------------------------------------------------------
def _model(params, **kw):
    from cellsim.nerve.model import NerveModel  # lazy: metrics stays light to import

    kw.setdefault("agents", kw.get("engine", "numba") == "reference")
    return NerveModel(params, **kw)


def release_vs_ca(
    params: NerveParams,
    ca_mM: Sequence[float],
    mg_mM: float,
    *,
    n_sites: int = 2000,
    n_aps: int = 20,
    interval_ms: float = 6.0,
    seed: int = 1,
    engine: str = "numba",
) -> np.ndarray:
    """Mean quanta per site and AP at each [Ca]ₒ: the Dodge–Rahamimoff experiment.

    The terminal alone is shocked ``n_aps`` times (no axon), with many release
    sites so that low release probabilities are measured from counts.
    """
    pr = dataclasses.replace(params, n_release_sites=n_sites)
    onsets = [1.0 + interval_ms * i for i in range(n_aps)]
    out = []
    for ca in ca_mM:
        m = _model(
            pr,
            ca_o_mM=ca,
            mg_o_mM=mg_mM,
            duration_ms=onsets[-1] + interval_ms,
            seed=seed,
            parts=("junction",),
            terminal_onsets_ms=onsets,
            record_every_steps=100,
            snapshot_every_steps=10**9,
            engine=engine,
        )
        m.run()
        out.append(m.quanta_per_terminal_ap.sum() / (n_sites * n_aps))
    return np.asarray(out)


def na_activation(
    params: NerveParams,
    ca_mM: float,
    mg_mM: float,
    voltages_mV: Sequence[float],
    *,
    area_um2: float = 200.0,
    hold_ms: float = 2.0,
    seed: int = 1,
) -> np.ndarray:
    """Fraction of activated Na m-gates at steady state under voltage clamp.

    Counted from the channel agents' states after ``hold_ms`` at each voltage
    (m-gates relax in < 0.5 ms).
    """
    pr = dataclasses.replace(params, area_um2=area_um2)
    out = []
    for v in voltages_mV:
        n = round(hold_ms / 0.01)
        m = _model(
            pr,
            ca_o_mM=ca_mM,
            mg_o_mM=mg_mM,
            duration_ms=hold_ms,
            seed=seed,
            parts=("axon",),
            clamp_mV=np.full(n, float(v)),
            clamped=("axon",),
            record_every_steps=n,
            snapshot_every_steps=10**9,
        )
        m.run()
        out.append(float((m.na % 4).mean() / 3.0))
    return np.asarray(out)


def activation_midpoint_mV(
    params: NerveParams,
    ca_mM: float,
    mg_mM: float,
    voltages_mV: Sequence[float] = tuple(range(-70, 21, 2)),
) -> float:
    """Voltage of half activation of the Na m-gates (emergent, interpolated)."""
    frac = na_activation(params, ca_mM, mg_mM, voltages_mV)
    return crossing(voltages_mV, frac, 0.5)


def spontaneous_rates(
    params: NerveParams,
    ca_mM: Sequence[float],
    mg_mM: float,
    *,
    duration_ms: float = 1000.0,
    seed: int = 1,
) -> np.ndarray:
    """Spontaneous firing rate (Hz) of the unstimulated axon at each [Ca]ₒ."""
    out = []
    for ca in ca_mM:
        m = _model(
            params,
            ca_o_mM=ca,
            mg_o_mM=mg_mM,
            duration_ms=duration_ms,
            seed=seed,
            parts=("axon",),
            record_every_steps=100,
            snapshot_every_steps=10**9,
        )
        m.run()
        out.append(1000.0 * m.spike_times_ms.size / duration_ms)
    return np.asarray(out)


def nmda_block_curve(
    params: NerveParams,
    mg_mM: float,
    voltages_mV: Sequence[float],
    *,
    step_ms: float = 20.0,
    seed: int = 1,
    engine: str = "numba",
) -> np.ndarray:
    """Unblocked fraction of NMDA receptor agents at each clamp voltage (emergent B(V))."""
    n_per = round(step_ms / 0.01)
    clamp = np.repeat(np.asarray(voltages_mV, float), n_per)
    m = _model(
        params,
        ca_o_mM=1.2,
        mg_o_mM=mg_mM,
        duration_ms=step_ms * len(voltages_mV),
        seed=seed,
        parts=("nmda",),
        clamp_mV=clamp,
        clamped=("nmda",),
        record_every_steps=10,
        snapshot_every_steps=10**9,
        engine=engine,
    )
    m.run()
    return block_curve(m.timeseries(), voltages_mV, step_ms)
