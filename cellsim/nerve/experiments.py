"""Experiments on the nerve: models built the way a physiologist sets up a preparation.

Threshold tracking at the node (strength–duration), an unstimulated axon watched for
spontaneous firing, the terminal shocked at several [Ca]o and [Mg]o (Dodge & Rahamimoff),
single shocks across the junction, the NMDA neuron under voltage clamp: each function
builds :class:`~cellsim.nerve.model.NerveModel` instances and measures the curve that
emerges from the agents.  The literature checks compare these curves with published ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cellsim.nerve import metrics
from cellsim.nerve.params import NerveParams
from cellsim.nerve.protocol import square_pulses

#: The node's time step of every experiment (the run setting's default).
AXON_DT_US = 2.5
DT_US = 5.0
DT_MS = DT_US / 1000.0
#: The node settles this long before a measurement: its slow K gates relax in ~30 ms.
SETTLE_MS = 150.0


def _model(params, **kw):
    from cellsim.nerve.model import NerveModel  # lazy: metrics stays light to import

    kw.setdefault("agents", kw.get("engine", "numba") == "reference")
    kw.setdefault("snapshot_every_steps", 10**9)
    kw.setdefault("axon_dt_us", AXON_DT_US)
    kw.setdefault("dt_us", DT_US)
    return NerveModel.from_arrays(params, **kw)


# ---- the node: threshold and strength-duration -----------------------------------------------
def settled_node(
    params: NerveParams, ca_mM: float, mg_mM: float, seed: int, settle_ms: float = SETTLE_MS
):
    """The state of an unstimulated node after ``settle_ms`` (to start trials from)."""
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=settle_ms,
        seed=seed,
        parts=("axon",),
        record_every_steps=10**6,
    )
    m.run()
    return m.state()


def fires(
    params: NerveParams,
    state: dict,
    ca_mM: float,
    mg_mM: float,
    seed: int,
    pulse_ms: float,
    amplitude_nA: float,
    after_ms: float = 3.0,
) -> bool:
    """Does one current pulse from a settled state fire the node (a spike within
    ``after_ms`` of the pulse's end)?  The noise is that of the settled run's stream, so
    repeated trials from one state differ only by the stimulus."""
    start = state["step_index"] * DT_MS
    duration = start + 0.1 + pulse_ms + after_ms
    n = round(duration / DT_MS)
    stim = square_pulses(np.array([start + 0.1]), pulse_ms, amplitude_nA, n, DT_MS)
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=duration,
        seed=seed,
        parts=("axon",),
        stim_nA=stim,
        record_every_steps=10**6,
    )
    m.set_state(state)
    m.advance(m.n_steps - m.step_index)
    return m.spike_times_ms.size > 0


def threshold_nA(
    params: NerveParams,
    state: dict,
    ca_mM: float,
    mg_mM: float,
    seed: int,
    pulse_ms: float,
    rel_tol: float = 0.005,
) -> float:
    """Threshold current of a pulse, by bisection (to ``rel_tol``) from a settled state."""
    lo, hi = 0.0, 0.05
    while not fires(params, state, ca_mM, mg_mM, seed, pulse_ms, hi):
        lo, hi = hi, 2.0 * hi
        if hi > 200.0:
            return float("nan")
    while hi - lo > rel_tol * hi:
        mid = 0.5 * (lo + hi)
        if fires(params, state, ca_mM, mg_mM, seed, pulse_ms, mid):
            hi = mid
        else:
            lo = mid
    return hi


#: Pulse widths of Mogyoros, Kiernan & Burke (1996): 0.02-1 ms.
SD_DURATIONS_MS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


@dataclass
class StrengthDuration:
    """Thresholds at each pulse width for one seed, and the Weiss fit."""

    durations_ms: tuple[float, ...]
    thresholds_nA: np.ndarray
    rheobase_nA: float
    tau_sd_ms: float
    rest_mV: float


def strength_duration(
    params: NerveParams,
    ca_mM: float = 1.2,
    mg_mM: float = 0.5,
    seed: int = 1,
    durations_ms: Sequence[float] = SD_DURATIONS_MS,
) -> StrengthDuration:
    """Threshold against pulse width, and rheobase and τ_SD by Weiss' law (one seed)."""
    state = settled_node(params, ca_mM, mg_mM, seed)
    from cellsim.nerve import rules

    rest = float(state["sv"][rules.SV_V])
    th = np.array([threshold_nA(params, state, ca_mM, mg_mM, seed, d) for d in durations_ms])
    rheobase, tau = metrics.weiss_fit(durations_ms, th)
    return StrengthDuration(tuple(durations_ms), th, rheobase, tau, rest)


def action_potential(
    params: NerveParams, ca_mM: float = 1.2, mg_mM: float = 0.5, seed: int = 1
) -> dict[str, float]:
    """Rest, peak, amplitude and half-width of one AP (a 0.1 ms pulse at 2x threshold)."""
    state = settled_node(params, ca_mM, mg_mM, seed)
    th = threshold_nA(params, state, ca_mM, mg_mM, seed, 0.1, rel_tol=0.05)
    start = state["step_index"] * DT_MS
    duration = start + 3.0
    n = round(duration / DT_MS)
    stim = square_pulses(np.array([start + 0.5]), 0.1, 2.0 * th, n, DT_MS)
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=duration,
        seed=seed,
        parts=("axon",),
        stim_nA=stim,
        record_every_steps=1,
    )
    m.set_state(state)
    m.advance(m.n_steps - m.step_index)
    ts = m.timeseries()
    sel = ts["time_ms"] >= start + 0.1
    t, v = ts["time_ms"][sel], ts["v_mV"][sel]
    after = t >= start + 0.6  # after the pulse: the AP, not the stimulus artefact
    shape = metrics.ap_shape(t[after], v[after])
    shape["rest_mV"] = float(v[0])
    shape["amplitude_mV"] = shape["peak_mV"] - shape["rest_mV"]
    return shape


def na_activation(
    params: NerveParams,
    ca_mM: float,
    mg_mM: float,
    voltages_mV: Sequence[float],
    *,
    hold_ms: float = 0.5,
    seed: int = 1,
) -> np.ndarray:
    """Fraction of fast Na m gates open at steady state under voltage clamp, counted from
    the channels (agents and state counts) after ``hold_ms`` at each voltage (m gates
    relax within ~0.1 ms at 37 °C)."""
    from cellsim.nerve import rules

    out = []
    n = round(hold_ms / DT_MS)
    for v in voltages_mV:
        m = _model(
            params,
            ca_o_mM=ca_mM,
            mg_o_mM=mg_mM,
            duration_ms=hold_ms,
            seed=seed,
            parts=("axon",),
            clamp_mV=np.full(n, float(v)),
            clamped=("axon",),
            record_every_steps=n,
        )
        m.run()
        counts = m.channel_counts[rules.NAF]
        gates = float(np.sum(counts * (np.arange(8) % 4)))
        gates += float(np.sum(m.channel_states[rules.NAF] % 4))
        out.append(gates / (3.0 * params.n_naf))
    return np.asarray(out)


def activation_midpoint_mV(
    params: NerveParams,
    ca_mM: float,
    mg_mM: float,
    voltages_mV: Sequence[float] = tuple(range(-70, 11, 2)),
    seed: int = 1,
) -> float:
    """Voltage of half activation of the fast Na m gates (emergent, interpolated)."""
    frac = na_activation(params, ca_mM, mg_mM, voltages_mV, seed=seed)
    return metrics.crossing(voltages_mV, frac, 0.5)


# ---- the node: spontaneous firing -----------------------------------------------------------
def spontaneous(
    params: NerveParams,
    ca_mM: float,
    mg_mM: float,
    seed: int,
    duration_ms: float = 2000.0,
    settle_ms: float = 100.0,
) -> dict:
    """Spontaneous spikes of the unstimulated node (after ``settle_ms``): rate and
    multiplets."""
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=settle_ms + duration_ms,
        seed=seed,
        parts=("axon",),
        record_every_steps=10**6,
    )
    m.run()
    spikes = m.spike_times_ms
    spikes = spikes[spikes >= settle_ms] - settle_ms
    out = {
        "rate_hz": 1000.0 * spikes.size / duration_ms,
        "spike_times_ms": spikes,
        "final_v_mV": m.v_mV,
    }
    out.update(metrics.multiplet_summary(spikes))
    return out


def spontaneous_rates(
    params: NerveParams,
    ca_mM: Sequence[float],
    mg_mM: float,
    *,
    duration_ms: float = 1000.0,
    seed: int = 1,
) -> np.ndarray:
    """Spontaneous firing rate (Hz) of the unstimulated node at each [Ca]o (one seed)."""
    return np.array([spontaneous(params, ca, mg_mM, seed, duration_ms)["rate_hz"] for ca in ca_mM])


# ---- the junction: release per docked vesicle ------------------------------------------------
#: Shocks of the release experiments are this far apart.  Each channel starts an AP closed
#: and each sensor empty (the sensors' window ends 4.5 ms after the AP), so shocks are
#: independent trials; release is measured per *docked* vesicle (below), so the pool's
#: depletion cannot enter (non-depleting by construction).
SHOCK_INTERVAL_MS = 10.0


def release_per_site(
    params: NerveParams, ca_mM: float, mg_mM: float, *, n_shocks: int = 20, seed: int = 1
) -> dict[str, float]:
    """Release per docked vesicle and shock, from shocks of the terminal alone.

    ``expected``: every site's sensor integrated as a probability along its own
    nanodomain Ca (the exact expectation of the sensor agent given its channels; low noise
    at low Ca).  ``sampled``: quanta the sensor agents actually released, per site and
    shock (these deplete the docked pool between shocks; compare only where release is
    low).
    """
    onsets = [1.0 + SHOCK_INTERVAL_MS * i for i in range(n_shocks)]
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=onsets[-1] + SHOCK_INTERVAL_MS,
        seed=seed,
        parts=("junction",),
        terminal_onsets_ms=onsets,
        record_every_steps=10**6,
        expected_release=True,
    )
    m.run()
    n_sites = params.n_release_sites
    expected = m.expected_quanta_per_ap
    return {
        "expected": float(expected.mean() / n_sites),
        "expected_se": float(expected.std(ddof=1) / math.sqrt(expected.size) / n_sites),
        "sampled": float(m.quanta_per_terminal_ap.sum() / (n_shocks * n_sites)),
    }


def release_vs_ca(
    params: NerveParams, ca_mM: Sequence[float], mg_mM: float, *, n_shocks: int = 20, seed: int = 1
) -> np.ndarray:
    """Expected release per docked vesicle and shock at each [Ca]o: the Dodge–Rahamimoff
    experiment."""
    return np.array(
        [
            release_per_site(params, ca, mg_mM, n_shocks=n_shocks, seed=seed)["expected"]
            for ca in ca_mM
        ]
    )


def quantal_content(
    params: NerveParams, ca_mM: float, mg_mM: float, *, n_shocks: int = 20, seed: int = 1
) -> float:
    """Mean quanta per shock of the whole end plate, every vesicle docked."""
    r = release_per_site(params, ca_mM, mg_mM, n_shocks=n_shocks, seed=seed)
    return r["expected"] * params.n_release_sites


# ---- the junction: single shocks and the muscle ------------------------------------------
def junction_shock(params: NerveParams, ca_mM: float, mg_mM: float, seed: int):
    """One shock of the terminal alone (all vesicles docked); returns the model."""
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=12.0,
        seed=seed,
        parts=("junction",),
        terminal_onsets_ms=[1.0],
        record_every_steps=2,
    )
    m.run()
    return m


def node_shock(params: NerveParams, ca_mM: float, mg_mM: float, seed: int):
    """One supramaximal pulse (1 nA, 0.1 ms) to the node, across the junction; 15 ms."""
    duration = 15.0
    n = round(duration / DT_MS)
    stim = square_pulses(np.array([2.0]), 0.1, 1.0, n, DT_MS)
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=duration,
        seed=seed,
        parts=("axon", "junction"),
        stim_nA=stim,
        record_every_steps=20,
    )
    m.run()
    return m


def epp_peak_per_quantum(params: NerveParams, ca_mM: float, mg_mM: float) -> float:
    """Peak EPP (mV) of quanta released together, per quantum, at this Ca and Mg (with
    the postsynaptic screening of the quantal size when that hypothesis is on)."""
    from cellsim.nerve.model import gating_shifts, quantal_factor

    t = params.conditions.temperature_C
    return params.quantal_size_mV * quantal_factor(
        params, gating_shifts(params, ca_mM, mg_mM, t), t
    )


def transmission_probability(
    params: NerveParams, ca_mM: float, mg_mM: float, expected_per_site: float
) -> float:
    """P(the muscle fires) for one shock: P(quanta >= threshold / quantal EPP), with quanta
    ~ Binomial(sites, release per site) (rested junction; release synchronous)."""
    from scipy.stats import binom

    needed = math.ceil(params.muscle_threshold_mV / epp_peak_per_quantum(params, ca_mM, mg_mM))
    return float(binom.sf(needed - 1, params.n_release_sites, expected_per_site))


# ---- NMDA -------------------------------------------------------------------------------
def nmda_block_curve(
    params: NerveParams,
    mg_mM: float,
    voltages_mV: Sequence[float],
    *,
    step_ms: float = 20.0,
    seed: int = 1,
    engine: str = "numba",
) -> np.ndarray:
    """Unblocked fraction of NMDA receptor agents at each clamp voltage (emergent B(V)),
    with ``mg_mM`` in the CSF around them."""
    n_per = round(step_ms / DT_MS)
    clamp = np.repeat(np.asarray(voltages_mV, float), n_per)
    m = _model(
        params,
        ca_o_mM=1.2,
        mg_o_mM=0.5,
        mg_csf_mM=mg_mM,
        duration_ms=step_ms * len(voltages_mV),
        seed=seed,
        parts=("nmda",),
        clamp_mV=clamp,
        clamped=("nmda",),
        record_every_steps=10,
        engine=engine,
    )
    m.run()
    return metrics.block_curve(m.timeseries(), voltages_mV, step_ms)
