"""Experiments on the nerve: models built the way a physiologist sets up a preparation.

Voltage-clamp the axon, shock the terminal at several [Ca]ₒ, step the NMDA neuron's
voltage: each function builds :class:`~cellsim.nerve.model.NerveModel` instances and
measures the curve that emerges from the agents.  The literature checks compare these
curves with the published laws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from cellsim.nerve.metrics import block_curve, crossing
from cellsim.nerve.params import NerveParams
from cellsim.nerve.protocol import square_pulses


def _model(params, **kw):
    from cellsim.nerve.model import NerveModel  # lazy: metrics stays light to import

    kw.setdefault("agents", kw.get("engine", "numba") == "reference")
    return NerveModel.from_arrays(params, **kw)


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


def single_shock(params: NerveParams, ca_mM: float, mg_mM: float, seed: int):
    """One 0.5 ms, 100 µA/cm² shock at 5 ms to axon and junction; 30 ms run."""
    n = round(30.0 / 0.01)
    stim = square_pulses(np.array([5.0]), 0.5, 100.0, n, 0.01)
    m = _model(
        params,
        ca_o_mM=ca_mM,
        mg_o_mM=mg_mM,
        duration_ms=30.0,
        seed=seed,
        parts=("axon", "junction"),
        stim_uA_per_cm2=stim,
    )
    m.run()
    return m
