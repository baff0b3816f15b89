"""Scenario → nerve run: the nerve scale's entry point for the CLI and for chaining.

Exports the three table schemas the scenario loader validates against, and

* :func:`run` — one scenario → :class:`cellsim.output.RunOutput` (a results
  folder's worth: time series, events, summary, snapshots, figure);
* :func:`run_nerve` — the lower-level call returning a :class:`NerveRun`, whose
  ``muscle_ap_times_ms`` drive the fibre's RyR channels when scales are chained.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cellsim.environment import Environment
from cellsim.errors import ScenarioError
from cellsim.nerve import metrics
from cellsim.nerve.model import ENGINES, PARTS, NerveModel
from cellsim.nerve.params import (
    DEFAULT_PARAMETER_SET,
    PARAMETER_SETS,
    NerveParams,
    get_parameter_set,
    overridable_names,
)
from cellsim.nerve.stimulus import build_inputs
from cellsim.output import RunOutput
from cellsim.schema import Field, ListOf, Table, unknown_key_message

MODEL_TABLE = "nerve"
#: The nerve kernel holds parallel loops: loading it starts numba's thread pool
#: (sweeps then spawn their workers rather than fork them).
STARTS_THREAD_POOL = True


def _parts_check(value: list) -> str | None:
    bad = [v for v in value if v not in PARTS]
    if bad:
        return f"unknown part(s) {bad}; choose from {list(PARTS)}"
    if not value:
        return "choose at least one part"
    return None


def _override(key: str, value: Any, where: str) -> Any:
    """Accept a parameter override in [nerve] if the parameter exists (else "did you mean")."""
    names = overridable_names()
    if key not in names:
        raise ScenarioError(
            unknown_key_message(where.rsplit(" ", 1)[0], key, names + list(MODEL_SCHEMA.fields))
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: expected a number, found {value!r}.")
    return value


_SWEEP_POINT = Table(
    {
        "ca_o_mM": Field(
            float, doc="extracellular ionised Ca", minimum=0.0, exclusive_minimum=True, maximum=20.0
        ),
        "mg_o_mM": Field(float, doc="extracellular ionised Mg", minimum=0.0, maximum=20.0),
    }
)

MODEL_SCHEMA = Table(
    {
        "parameter_set": Field(
            str, DEFAULT_PARAMETER_SET, "named, cited parameter set", choices=tuple(PARAMETER_SETS)
        ),
        "ca_o_mM": Field(
            float,
            1.2,
            "extracellular ionised Ca (normal 1.1-1.3)",
            minimum=0.0,
            exclusive_minimum=True,
            maximum=20.0,
        ),
        "mg_o_mM": Field(
            float, 0.5, "extracellular ionised Mg (normal ~0.5-0.6)", minimum=0.0, maximum=20.0
        ),
        "parts": Field(
            str,
            ["axon", "junction"],
            "which parts to run: axon, junction, nmda",
            is_list=True,
            check=_parts_check,
        ),
        "sweep": ListOf(
            _SWEEP_POINT, doc="extra (Ca, Mg) points: release and muscle APs at each, same protocol"
        ),
    },
    doc="Nerve model: parameter set, ionic environment, parts; other keys override "
    "parameters of the set by name (e.g. area_um2 = 10).",
    extra=_override,
)

PROTOCOL_SCHEMA = Table(
    {
        "stimulus": Field(
            str, "none", "axon stimulus: none, pulse or train", choices=("none", "pulse", "train")
        ),
        "times_ms": Field(float, [], "pulse onset times (stimulus = pulse)", is_list=True),
        "start_ms": Field(float, 10.0, "first pulse of a train / glutamate train", minimum=0.0),
        "rate_hz": Field(
            float, 20.0, "train frequency", minimum=0.0, exclusive_minimum=True, maximum=500.0
        ),
        "count": Field(int, 0, "pulses in the train (0 = until the end)", minimum=0),
        "amplitude_uA_per_cm2": Field(
            float, 100.0, "pulse current density (100: supramaximal)", minimum=0.0, maximum=1000.0
        ),
        "pulse_duration_ms": Field(
            float, 0.5, "pulse width", minimum=0.0, exclusive_minimum=True, maximum=50.0
        ),
        "nmda_mode": Field(
            str,
            "current",
            "NMDA neuron: 'current' clamp (free V) or 'clamp' (voltage steps)",
            choices=("current", "clamp"),
        ),
        "voltage_steps_mV": Field(
            float,
            [-100.0, -80.0, -60.0, -40.0, -20.0, 0.0, 20.0, 40.0],
            "NMDA clamp voltages, in order",
            is_list=True,
            check=lambda v: (
                None
                if v and all(-150 <= x <= 100 for x in v)
                else "need 1+ voltages within -150..100 mV"
            ),
        ),
        "step_duration_ms": Field(
            float, 20.0, "duration of each voltage step", minimum=0.0, exclusive_minimum=True
        ),
        "glutamate_times_ms": Field(
            float, [], "glutamate pulse onsets (current mode)", is_list=True
        ),
        "glutamate_rate_hz": Field(
            float, 10.0, "glutamate pulse rate if no times are given", minimum=0.0, maximum=1000.0
        ),
        "glutamate_pulse_ms": Field(
            float, 1.0, "glutamate pulse width", minimum=0.0, exclusive_minimum=True, maximum=1000.0
        ),
    },
    doc="Stimuli: axon current pulses or trains; NMDA glutamate pulses or voltage steps.",
)

RUN_SCHEMA = Table(
    {
        "duration_ms": Field(
            float,
            1000.0,
            "simulated time (per-step inputs are held in memory: at most 60 s)",
            minimum=0.0,
            exclusive_minimum=True,
            maximum=60_000.0,
        ),
        "dt_us": Field(
            float,
            10.0,
            "time step (HH kinetics need <= 25 us)",
            minimum=0.0,
            exclusive_minimum=True,
            maximum=25.0,
        ),
        "seed": Field(int, 1, "seed of the counter-based random stream", minimum=0),
        "record_every_steps": Field(int, 10, "time-series stride", minimum=1),
        "snapshot_every_steps": Field(int, 1000, "agent-state snapshot stride", minimum=1),
        "engine": Field(
            str, "numba", "numba (fast) or reference (plain Python agents)", choices=ENGINES
        ),
    },
    doc="Run settings: how long, how fine, which seed and engine.",
)


@dataclass
class NerveRun:
    """Everything a nerve run produced, for chaining to the fibre and for RunOutput.

    ``muscle_ap_times_ms`` is the hand-over to the fibre scale.
    """

    params: NerveParams
    ca_o_mM: float
    mg_o_mM: float
    duration_ms: float
    seed: int
    engine: str
    spike_times_ms: np.ndarray
    muscle_ap_times_ms: np.ndarray
    stim_onsets_ms: np.ndarray
    quanta_per_ap: np.ndarray
    nmda_spike_times_ms: np.ndarray
    timeseries: dict[str, np.ndarray]
    snapshots: dict[str, np.ndarray]
    summary: dict[str, Any] = field(default_factory=dict)


def resolve_params(nerve: dict) -> NerveParams:
    """Parameter set named in [nerve] with the table's overrides applied and checked."""
    base = get_parameter_set(nerve.get("parameter_set", DEFAULT_PARAMETER_SET))
    overrides = {k: v for k, v in nerve.items() if k not in MODEL_SCHEMA.fields}
    params = base.with_overrides(overrides)
    params.validate()
    return params


def _simulate(params, ca, mg, nerve, protocol, run_cfg, *, progress=False, keep_series=True):
    parts = tuple(nerve.get("parts", ("axon", "junction")))
    duration, dt_ms = run_cfg["duration_ms"], run_cfg["dt_us"] / 1000.0
    nmda_clamped = "nmda" in parts and protocol["nmda_mode"] == "clamp"
    inputs = build_inputs(protocol, duration, dt_ms, nmda_clamped)
    model = NerveModel(
        params,
        ca_o_mM=ca,
        mg_o_mM=mg,
        duration_ms=duration,
        dt_us=run_cfg["dt_us"],
        seed=run_cfg["seed"],
        parts=parts,
        stim_uA_per_cm2=inputs.stim_uA_per_cm2,
        terminal_onsets_ms=inputs.pulse_onsets_ms if "axon" not in parts else (),
        glutamate=inputs.glutamate,
        clamp_mV=inputs.clamp_mV,
        clamped=("nmda",) if nmda_clamped else (),
        record_every_steps=run_cfg["record_every_steps"],
        snapshot_every_steps=run_cfg["snapshot_every_steps"] if keep_series else 10**12,
        engine=run_cfg["engine"],
        agents=keep_series or run_cfg["engine"] == "reference",
    )
    model.run(progress=progress)
    return model, inputs


def _summary(model: NerveModel, inputs, protocol, duration, parts) -> dict[str, Any]:
    spikes = model.spike_times_ms
    quanta = model.quanta_per_terminal_ap
    terminal_aps = int(quanta.size)
    muscle = model.muscle_ap_times_ms
    s: dict[str, Any] = {
        "parameter_set": model.params.name,
        "parts": list(parts),
        "ca_o_mM": model.ca_o_mM,
        "mg_o_mM": model.mg_o_mM,
        "screening_shift_mV": round(
            model.params.screening_shift_mV(model.ca_o_mM, model.mg_o_mM), 3
        ),
        "stimulus_pulses": int(inputs.pulse_onsets_ms.size),
        "spike_count": metrics.spike_count(spikes),
        "spontaneous_rate_hz": metrics.spontaneous_rate_hz(spikes, inputs.pulse_onsets_ms, duration)
        if "axon" in parts
        else 0.0,
        "terminal_ap_count": terminal_aps,
        "release_quanta_mean": metrics.release_quanta_mean(quanta),
        "muscle_ap_count": int(muscle.size),
        "transmission_fraction": muscle.size / terminal_aps if terminal_aps else None,
        "nmda_spike_count": int(model.nmda_spike_times_ms.size),
    }
    if inputs.voltage_steps_mV:
        curve = metrics.block_curve(
            model.timeseries(), inputs.voltage_steps_mV, protocol["step_duration_ms"]
        )
        s["nmda_block_curve"] = {
            "v_mV": list(inputs.voltage_steps_mV),
            "unblocked_fraction": [round(float(x), 4) for x in curve],
        }
    return s


def _sweep(params, nerve, protocol, run_cfg) -> list[dict[str, Any]]:
    rows = []
    for point in nerve.get("sweep", []):
        model, _inputs = _simulate(
            params, point["ca_o_mM"], point["mg_o_mM"], nerve, protocol, run_cfg, keep_series=False
        )
        rows.append(
            {
                "ca_o_mM": point["ca_o_mM"],
                "mg_o_mM": point["mg_o_mM"],
                "release_quanta_mean": metrics.release_quanta_mean(model.quanta_per_terminal_ap),
                "muscle_ap_count": int(model.muscle_ap_times_ms.size),
                "spike_count": int(model.spike_times_ms.size),
                "nmda_spike_count": int(model.nmda_spike_times_ms.size),
            }
        )
    return rows


def _sweep_slopes(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, float]]]:
    """Local log-log slopes of release vs Ca between neighbouring Ca points, per Mg level.

    Dodge & Rahamimoff (1967): ~3.8 at low Ca, falling as Ca approaches 2 mM.
    """
    out = {}
    for mg in sorted({r["mg_o_mM"] for r in rows}):
        pts = sorted(
            (r["ca_o_mM"], r["release_quanta_mean"])
            for r in rows
            if r["mg_o_mM"] == mg and r["release_quanta_mean"] > 0
        )
        local = [
            {
                "ca_from_mM": a[0],
                "ca_to_mM": b[0],
                "slope": round(metrics.loglog_slope([a[0], b[0]], [a[1], b[1]]), 3),
            }
            for a, b in itertools.pairwise(pts)
            if b[0] > a[0]
        ]
        if local:
            out[f"mg_{mg:g}_mM"] = local
    return out


def validate_scenario(data: dict, where: str = "scenario") -> dict:
    """Validate the nerve's tables of a parsed TOML scenario (others pass through).

    The project's scenario loader does this for every scale; this helper lets
    the nerve scale be used (and tested) on its own.
    """
    from cellsim.schema import validate

    out = dict(data)
    for key, schema in (
        ("nerve", MODEL_SCHEMA),
        ("protocol", PROTOCOL_SCHEMA),
        ("run", RUN_SCHEMA),
    ):
        out[key] = validate(data.get(key, {}), schema, f"{where}: [{key}]")
    resolve_params(out["nerve"])  # overrides: known names, physical values
    return out


def run_nerve(
    scenario: dict, env: Environment | None = None, *, progress: bool = False
) -> NerveRun:
    """Run the nerve scale of a validated scenario.

    Parameters
    ----------
    scenario
        Validated dict with ``nerve``, ``protocol`` and ``run`` tables.
    env
        If given, its ionised Ca and Mg replace ``[nerve] ca_o_mM / mg_o_mM``
        (this is how the body scale sets the nerve's environment).
    """
    nerve, protocol, run_cfg = scenario["nerve"], scenario["protocol"], scenario["run"]
    params = resolve_params(nerve)
    ca = env.ca_ionised_mM if env is not None else nerve["ca_o_mM"]
    mg = env.mg_ionised_mM if env is not None else nerve["mg_o_mM"]
    parts = tuple(nerve["parts"])
    model, inputs = _simulate(params, ca, mg, nerve, protocol, run_cfg, progress=progress)
    summary = _summary(model, inputs, protocol, run_cfg["duration_ms"], parts)
    if nerve.get("sweep"):
        rows = _sweep(params, nerve, protocol, run_cfg)
        rows.insert(
            0,
            {
                "ca_o_mM": ca,
                "mg_o_mM": mg,
                "release_quanta_mean": summary["release_quanta_mean"],
                "muscle_ap_count": summary["muscle_ap_count"],
                "spike_count": summary["spike_count"],
                "nmda_spike_count": summary["nmda_spike_count"],
            },
        )
        summary["sweep"] = rows
        summary["release_loglog_slope"] = _sweep_slopes(rows)
    return NerveRun(
        params=params,
        ca_o_mM=ca,
        mg_o_mM=mg,
        duration_ms=run_cfg["duration_ms"],
        seed=run_cfg["seed"],
        engine=run_cfg["engine"],
        spike_times_ms=model.spike_times_ms,
        muscle_ap_times_ms=model.muscle_ap_times_ms,
        stim_onsets_ms=inputs.pulse_onsets_ms,
        quanta_per_ap=model.quanta_per_terminal_ap,
        nmda_spike_times_ms=model.nmda_spike_times_ms,
        timeseries=model.timeseries(),
        snapshots=model.snapshot_arrays(),
        summary=summary,
    )


def run(scenario: dict, *, progress: bool = False) -> RunOutput:
    """Run a validated nerve scenario and package it as a :class:`RunOutput`."""
    from cellsim.nerve import plots

    result = run_nerve(scenario, progress=progress)
    events = {
        "spike_times_ms": result.spike_times_ms,
        "muscle_ap_times_ms": result.muscle_ap_times_ms,
        "stimulus_onsets_ms": result.stim_onsets_ms,
        "quanta_per_terminal_ap": result.quanta_per_ap.astype(float),
        "nmda_spike_times_ms": result.nmda_spike_times_ms,
    }
    summary = dict(result.summary)
    summary["scenario"] = scenario.get("scenario", {}).get("name", "")
    return RunOutput(
        scale="nerve",
        timeseries=result.timeseries,
        summary=summary,
        seed=result.seed,
        engine=result.engine,
        snapshots=result.snapshots,
        events=events,
        figure=plots.figure,
    )


def params_as_dict(params: NerveParams) -> dict[str, Any]:
    """A JSON-friendly view of a parameter set (for results folders)."""
    d = dataclasses.asdict(params)
    d["sources"] = list(d["sources"])
    return d
