"""Nerve → junction → fibre: one scenario from a motor neuron to muscle force.

A scenario with both ``[nerve]`` and ``[fibre]`` runs the nerve first (its
``[protocol]`` stimulates the axon, or nothing does and low Ca makes it fire by
itself); every muscle action potential the end plate produces then opens the
fibre's RyR channels.  The two scales share nothing else: the nerve sees the
extracellular Ca and Mg of ``[nerve]``, the fibre its own cytosolic free Mg.
"""

from __future__ import annotations

import numpy as np

from cellsim.fibre import runner as fibre_runner
from cellsim.nerve import runner as nerve_runner
from cellsim.output import RunOutput
from cellsim.schema import Field, Table, validate

MODEL_TABLES = {"nerve": nerve_runner.MODEL_SCHEMA, "fibre": fibre_runner.MODEL_SCHEMA}
STARTS_THREAD_POOL = nerve_runner.STARTS_THREAD_POOL
PROTOCOL_SCHEMA = nerve_runner.PROTOCOL_SCHEMA
RUN_SCHEMA = Table(
    {
        **nerve_runner.RUN_SCHEMA.fields,
        "fibre_dt_us": Field(
            float,
            default=5.0,
            minimum=0.01,
            maximum=100.0,
            doc="the fibre's time step (the nerve uses dt_us)",
        ),
        "fibre_record_every_steps": Field(int, default=40, minimum=1),
        "snapshot_every_ms": Field(
            float,
            default=2.0,
            minimum=0.0,
            doc="interval of fibre snapshots for animations (0 = none)",
        ),
        "threads": Field(int, default=0, minimum=0, maximum=256),
    }
)


def fibre_part(scenario: dict) -> dict:
    """The resolved fibre-only scenario that the chain hands muscle APs to."""
    run = scenario["run"]
    fibre_run = {
        "duration_ms": run["duration_ms"],
        "dt_us": run["fibre_dt_us"],
        "seed": run["seed"],
        "record_every_steps": run["fibre_record_every_steps"],
        "engine": run["engine"],
        "snapshot_every_ms": run["snapshot_every_ms"],
        "threads": run["threads"],
    }
    return {
        "scenario": scenario["scenario"],
        "fibre": scenario["fibre"],
        "protocol": validate({"kind": "none"}, fibre_runner.PROTOCOL_SCHEMA, "[protocol]"),
        "run": validate(fibre_run, fibre_runner.RUN_SCHEMA, "[run]"),
        "output": scenario.get("output", {}),
    }


def check(resolved: dict, where: str) -> None:
    """Checks of the fibre part that need its parameter set."""
    fibre_runner.check(fibre_part(resolved), where)


def run(scenario: dict, *, progress: bool = False) -> RunOutput:
    """Run the nerve, then the fibre driven by the nerve's muscle action potentials."""
    nerve = nerve_runner.run_nerve(scenario, progress=progress)
    aps = [float(t) for t in nerve.muscle_ap_times_ms]
    fibre = fibre_runner.run(fibre_part(scenario), progress=progress, stimulus_times_ms=aps)
    t = fibre.timeseries["time_ms"]
    series = dict(fibre.timeseries)
    nerve_t = nerve.timeseries.get("time_ms")
    if nerve_t is not None and "v_mV" in nerve.timeseries:
        series["nerve_v_mV"] = np.interp(t, nerve_t, nerve.timeseries["v_mV"])
    summary = {
        **nerve.summary,
        **fibre.summary,
        "nerve_parameter_set": nerve.params.name,
        "ca_o_mM": nerve.ca_o_mM,
        "mg_o_mM": nerve.mg_o_mM,
        "title": f"{scenario['scenario']['name']}: ionised Ca {nerve.ca_o_mM:g} mM, "
        f"Mg {nerve.mg_o_mM:g} mM",
    }
    events = {
        "spike_times_ms": nerve.spike_times_ms,
        "muscle_ap_times_ms": nerve.muscle_ap_times_ms,
        "stimulus_times_ms": np.asarray(aps, dtype=float),
    }
    return RunOutput(
        scale="nerve+fibre",
        timeseries=series,
        summary=summary,
        seed=fibre.seed,
        engine=fibre.engine,
        snapshots=fibre.snapshots,
        events=events,
        figure=fibre.figure,
    )
