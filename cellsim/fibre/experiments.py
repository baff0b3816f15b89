"""Experiments on the fibre: scenarios built in code to measure a curve.

A literature check or a user's script asks for "a skinned fibre at free Mg 3 mM", "a
100 Hz train", "the twitch with Mg kept off troponin"; these functions build that
scenario the way a file would (validated by the same tables), and either run it through
``cellsim.run`` or hand back the live :class:`~cellsim.fibre.model.FibreModel` when the
experiment needs to look at the arrays as they evolve (diffusion, walls, binding
equilibrium).

>>> from cellsim.fibre import experiments
>>> ff = experiments.force_frequency("mouse_fast_16C", [1, 50, 100])  # doctest: +SKIP
>>> ff["relative_force"]                                              # doctest: +SKIP
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cellsim.fibre import metrics, rest
from cellsim.fibre.model import FibreModel, params_in
from cellsim.fibre.params import get_parameter_set
from cellsim.output import RunOutput

#: First stimulus of the experiments' protocols (ms).
START_MS = 5.0
#: pCa levels of the skinned-fibre experiment.
FORCE_PCA_LEVELS = (7.0, 6.6, 6.4, 6.2, 6.0, 5.9, 5.8, 5.7, 5.6, 5.4, 5.0, 4.5)
#: Frequencies of the force-frequency experiment (Hz): 1 Hz is a single twitch.
FORCE_FREQUENCY_HZ = (1.0, 10.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0)


def scenario(
    fibre: dict | None = None,
    protocol: dict | None = None,
    run: dict | None = None,
    environment: dict | None = None,
    name: str = "experiment",
):
    """A validated fibre scenario built in code (human set, 5 ms, automatic dt by default)."""
    from cellsim.scenario import resolve

    data = {
        "scenario": {"name": name},
        "fibre": {"parameter_set": "human", **(fibre or {})},
        "protocol": protocol or {"kind": "none"},
        "run": {"duration_ms": 5.0, "seed": 3, **(run or {})},
        "output": {"snapshots": False},
    }
    if environment:
        data["environment"] = environment
    return resolve(copy.deepcopy(data), name)


def model(scenario_) -> FibreModel:
    """The live FibreModel of a fibre scenario, built as a run would build it."""
    from cellsim.fibre.scale import FIBRE

    return FIBRE.build(scenario_.setups["fibre"], scenario_.environment)


def run(scenario_) -> RunOutput:
    """Run a scenario on the one run path."""
    import cellsim

    return cellsim.run(scenario_)


def _environment(mg_free_mM: float | None, temperature_C: float | None) -> dict:
    env = {"mg_free_intracellular_mM": mg_free_mM, "temperature_C": temperature_C}
    return {k: v for k, v in env.items() if v is not None}


def stimulated(
    parameter_set: str,
    times_ms: Sequence[float],
    duration_ms: float,
    *,
    mg_free_mM: float | None = None,
    temperature_C: float | None = None,
    seed: int = 1,
    record_every_ms: float = 0.1,
    overrides: dict | None = None,
) -> RunOutput:
    """A fibre stimulated at ``times_ms`` (a twitch, a doublet, a train) for ``duration_ms``."""
    protocol = {"kind": "pulses", "times_ms": [float(t) for t in times_ms]}
    if not times_ms:
        protocol = {"kind": "none"}
    sc = scenario(
        {"parameter_set": parameter_set, **(overrides or {})},
        protocol,
        {"duration_ms": duration_ms, "seed": seed, "record_every_ms": record_every_ms},
        _environment(mg_free_mM, temperature_C),
        name=f"{parameter_set}_stimulated",
    )
    return run(sc)


def train_times(frequency_hz: float, train_ms: float, start_ms: float = START_MS) -> list[float]:
    """Stimuli at ``frequency_hz`` for ``train_ms`` (at least one)."""
    n = max(1, round(train_ms * frequency_hz / 1000.0))
    return [start_ms + k * 1000.0 / frequency_hz for k in range(n)]


# --- force-frequency -----------------------------------------------------------------------
def force_frequency(
    parameter_set: str = "mouse_fast_16C",
    frequencies_hz: Iterable[float] = FORCE_FREQUENCY_HZ,
    *,
    train_ms: float = 300.0,
    tail_ms: float = 60.0,
    seeds: Sequence[int] = (1,),
    mg_free_mM: float | None = None,
    overrides: dict | None = None,
) -> dict:
    """Peak force of ``train_ms`` trains at each frequency (1 Hz: one twitch).

    Returns frequencies, peak force (fraction of full activation, mean over seeds, and per
    seed), force relative to the highest frequency's, and the twitch : tetanus ratio
    (lowest over highest frequency).
    """
    freqs = [float(f) for f in frequencies_hz]
    per_seed = []
    for seed in seeds:
        peaks = []
        for f in freqs:
            times = train_times(f, train_ms)
            out = stimulated(
                parameter_set, times, times[-1] + tail_ms, mg_free_mM=mg_free_mM,
                seed=seed, record_every_ms=0.2, overrides=overrides,
            )  # fmt: skip
            peaks.append(out.summary["peak_force_fraction"])
        per_seed.append(peaks)
    force = np.mean(per_seed, axis=0)
    return {
        "parameter_set": parameter_set,
        "frequency_hz": freqs,
        "peak_force_fraction": force.tolist(),
        "per_seed": [list(p) for p in per_seed],
        "relative_force": (force / force[-1]).tolist(),
        "twitch_tetanus_ratio": float(force[0] / force[-1]),
        "twitch_tetanus_per_seed": [p[0] / p[-1] for p in per_seed],
        "train_ms": train_ms,
    }


# --- Mg and relaxation: knock each Mg interaction out in turn ----------------------------
#: Each knock-out as parameter overrides (large affinities = no Mg binding at all).
KNOCKOUTS: dict[str, dict] = {
    "none": {},
    "Mg on troponin": {"reg_kon_mg": 0.0, "camg_kon_mg": 0.0},
    "Mg on parvalbumin": {"pv_kon_mg": 0.0},
    "Mg-ATP on SERCA": {"serca_km_mgatp_uM": 0.0},
    "Mg on RyR": {
        "ryr_kd_mg_ap_mM": 1e6,
        "ryr_rest_ka_mg_uM": 1e12,
        "ryr_rest_ki_mg_uM": 1e12,
    },
    "parvalbumin itself": {"pv_sites_uM": 0.0},
}


def intact_leak_per_ms(parameter_set: str, temperature_C: float | None = None) -> float:
    """The passive SR leak of the intact set (a knock-out changes the fibre, not its leak)."""
    p = get_parameter_set(parameter_set)
    if temperature_C is not None:
        from cellsim.fibre.params import at_temperature

        p = at_temperature(p, temperature_C)
    return rest.balancing_leak_per_ms(p)


@dataclass(frozen=True)
class KnockoutResult:
    """One knock-out's twitch (means over seeds)."""

    knockout: str
    mg_free_mM: float
    peak_delta_ca_uM: float
    ca_fdhm_ms: float
    peak_force_fraction: float
    time_to_peak_force_ms: float
    half_relaxation_ms: float
    force_at_100ms_fraction: float  # force 100 ms after the stimulus / peak
    resting_stable: bool


def mg_knockouts(
    parameter_set: str = "mouse_fast_16C",
    mg_free_mM: float | None = None,
    *,
    knockouts: Iterable[str] = tuple(KNOCKOUTS),
    seeds: Sequence[int] = (1,),
    duration_ms: float = 150.0,
    overrides: dict | None = None,
) -> list[KnockoutResult]:
    """One twitch per knock-out of a Mg interaction (see :data:`KNOCKOUTS`).

    The passive SR leak stays the intact fibre's, so a knock-out changes only what it
    names.  Force 100 ms after the stimulus shows whether the fibre relaxed.
    """
    leak = intact_leak_per_ms(parameter_set)
    p = get_parameter_set(parameter_set)
    mg = p.conditions.mg_free_intracellular_mM if mg_free_mM is None else mg_free_mM
    out = []
    for name in knockouts:
        changes = {**(overrides or {}), **KNOCKOUTS[name], "sr_leak_per_ms": leak}
        runs = [
            stimulated(parameter_set, [START_MS], duration_ms, mg_free_mM=mg, seed=s,
                       record_every_ms=0.1, overrides=changes)
            for s in seeds
        ]  # fmt: skip
        rows = []
        for o in runs:
            t = np.asarray(o.timeseries["time_ms"])
            force = metrics.smooth(np.asarray(o.timeseries["force_fraction"]), 5)
            peak = o.summary["peak_force_fraction"]
            late = float(np.interp(START_MS + 100.0, t, force)) / peak if peak > 0 else math.nan
            rows.append((o.summary["peak_delta_ca_uM"], o.summary["ca_fdhm_ms"], peak,
                         o.summary["time_to_peak_force_ms"], o.summary["half_relaxation_ms"],
                         late))  # fmt: skip
        mean = np.nanmean(np.array(rows, dtype=float), axis=0)
        ko_params = get_parameter_set(parameter_set)
        from cellsim.schema import with_overrides

        ko_params = with_overrides(ko_params, changes)
        stable = rest.resting_state(ko_params, mg).stable
        out.append(KnockoutResult(name, mg, *[float(x) for x in mean], stable))
    return out


# --- resting stability ---------------------------------------------------------------------
def resting_stability(
    parameter_set: str = "mouse_fast_16C",
    mg_free_mM: Iterable[float] = (0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 3.0),
    *,
    run_ms: float = 0.0,
    seed: int = 1,
    overrides: dict | None = None,
) -> dict:
    """Whether the fibre keeps a stable resting state at each free Mg.

    The verdict is the mean-field fixed point (:func:`cellsim.fibre.rest.resting_state`);
    with ``run_ms > 0`` the agent fibre also rests that long with no stimulus, and its
    final free Ca, SR content and force are reported beside it.
    """
    from cellsim.schema import with_overrides

    p = with_overrides(get_parameter_set(parameter_set), overrides or {})
    rows = []
    for mg in mg_free_mM:
        state = rest.resting_state(p, mg)
        row = {"mg_free_mM": mg, "stable": state.stable, "fixed_point_ca_uM": state.ca_uM}
        if run_ms > 0:
            o = stimulated(parameter_set, [], run_ms, mg_free_mM=mg, seed=seed,
                           record_every_ms=1.0, overrides=overrides)  # fmt: skip
            ts = o.timeseries
            row.update(
                final_ca_uM=float(np.mean(ts["ca_free_uM"][-max(1, len(ts["ca_free_uM"]) // 10):])),
                sr_change_fraction=float(ts["sr_ca_uM"][-1] / ts["sr_ca_uM"][0] - 1.0),
                final_force_fraction=float(ts["force_fraction"][-1]),
            )  # fmt: skip
        rows.append(row)
    return {
        "parameter_set": parameter_set,
        "threshold_mM": rest.spontaneous_release_threshold_mM(p),
        "rows": rows,
    }


# --- skinned fibres -------------------------------------------------------------------------
def force_pca(
    parameter_set: str = "mouse_fast_16C",
    mg_free_mM: float = 1.0,
    pca_levels: Sequence[float] = FORCE_PCA_LEVELS,
    *,
    hold_ms: float = 120.0,
    width_um: float = 0.4,
    seed: int = 1,
    overrides: dict | None = None,
) -> dict:
    """A skinned-fibre clamp (each pCa held ``hold_ms``) and its Hill fit."""
    sc = scenario(
        {"parameter_set": parameter_set, "width_y_um": width_um, "width_z_um": width_um,
         **(overrides or {})},
        {"kind": "clamp", "clamp_pca": list(pca_levels), "clamp_hold_ms": hold_ms},
        {"seed": seed, "record_every_ms": 0.5},
        {"mg_free_intracellular_mM": mg_free_mM},
        name=f"{parameter_set}_force_pca",
    )  # fmt: skip
    return run(sc).summary


def temperature_of(parameter_set: str, temperature_C: float | None = None):
    """The set at a temperature (its own when None): what a run there would use."""
    from cellsim.environment import Environment

    p = get_parameter_set(parameter_set)
    env = Environment(temperature_C=temperature_C).over(p.conditions)
    return params_in(p, env)
