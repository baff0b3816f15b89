"""Mesa's own tools work on cellsim's models (Mesa 3.3 on Python 3.11, 3.5 on 3.12)."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pytest

import cellsim
from cellsim.errors import ModelError, ScenarioError
from cellsim.fibre import FibreModel, RyRChannel
from cellsim.fibre.agents import CaIon
from cellsim.mesa_model import batch_run
from cellsim.nerve.model import NerveModel


def _batch_run(model_cls, parameters, seed=1, **kwargs):
    """``mesa.batch_run`` with one seed, on either Mesa version."""
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4
        kwargs["rng"] = [seed]
    else:
        parameters = {**parameters, "rng": seed}
        kwargs["iterations"] = 1
    return mesa.batch_run(
        model_cls, parameters=parameters, number_processes=1, display_progress=False, **kwargs
    )


def test_a_fibre_built_from_scalars_steps_one_record_interval_in_ms():
    model = FibreModel(
        parameter_set="human", mg_free_mM=0.5, duration_ms=2.0, stimulus_ms=0.5, rng=3
    )
    assert model.steps == 0 and model.time == 0.0 and model.running
    model.step()
    assert model.steps == 1 and model.time == pytest.approx(0.1)
    model.run()
    assert not model.running and model.time == pytest.approx(2.0)
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 21 and df["time_ms"].iloc[-1] == pytest.approx(2.0)
    steps = model.steps
    model.step()  # after the end: nothing happens
    assert model.steps == steps and len(model.datacollector.get_model_vars_dataframe()) == 21
    assert steps in (20, 21)  # Mesa 3.3 counts the empty step that stops the run


def test_the_keyword_constructor_validates_like_a_scenario_file():
    with pytest.raises(ScenarioError, match="mg_free_intracellular_mM: must be > 0"):
        FibreModel(mg_free_mM=-1.0, duration_ms=1.0, rng=1)
    with pytest.raises(ScenarioError, match="Did you mean 'serca_uM'"):
        FibreModel(serca_um=100.0, duration_ms=1.0, rng=1)


def test_batch_run_returns_the_same_numbers_as_cellsim_run():
    rows = _batch_run(
        FibreModel,
        {"mg_free_mM": [0.3, 1.0], "duration_ms": 3.0, "stimulus_ms": 1.0},
        seed=4,
        data_collection_period=-1,
    )
    assert len(rows) == 2
    by_mg = {row["mg_free_mM"]: row for row in rows}
    for mg, row in by_mg.items():
        scenario = cellsim.load_scenario(
            "scenarios/twitch.toml",
            [f"environment.mg_free_intracellular_mM={mg}", "run.duration_ms=3.0",
             "protocol.times_ms=[1.0]", "run.seed=4", "output.snapshots=false"],
        )  # fmt: skip
        out = cellsim.run(scenario)
        assert row["time_ms"] == pytest.approx(3.0)
        assert row["force_fraction"] == out.timeseries["force_fraction"][-1]
        assert row["ca_free_uM"] == out.timeseries["ca_free_uM"][-1]
    assert rows[0]["force_fraction"] != rows[1]["force_fraction"]  # the seeds differ
    assert by_mg[0.3]["ca_free_uM"] != by_mg[1.0]["ca_free_uM"]


def test_agent_reporters_record_every_collection():
    model = FibreModel(duration_ms=1.0, stimulus_ms=0.2, rng=2)
    model.datacollector = mesa.DataCollector(
        model_reporters={"force": lambda m: m._obs[-2]},
        agenttype_reporters={RyRChannel: {"open": "is_open"}},
    )
    model.datacollector.collect(model)
    model.run()
    frames = model.datacollector.get_agenttype_vars_dataframe(RyRChannel)
    records = len(model.datacollector.get_model_vars_dataframe())
    assert records == 11 and frames.index.get_level_values(0).nunique() == records
    assert frames["open"].any()  # the stimulus opened channels


def test_remove_and_a_half_step_say_what_to_use_instead():
    model = FibreModel(duration_ms=0.5, stimulus_ms=0.1, rng=1)
    ion = model.agents_by_type[CaIon][0]
    with pytest.raises(ModelError, match=r"view of a row.*particle_weight"):
        ion.remove()
    with pytest.raises(ModelError, match=r"model\.step\(\)"):
        model.agents_by_type[CaIon].do("step")
    model.step()  # the model itself still steps
    assert model.steps == 1


def test_a_nerve_built_from_scalars_runs_and_batch_runs():
    model = NerveModel(ca_ionised_mM=1.2, stimulus="pulses", stimulus_ms=2.0,
                       duration_ms=8.0, rng=1)  # fmt: skip
    model.run()
    assert not model.running and model.time == pytest.approx(8.0)
    assert model.spike_times_ms.size == 1
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 81 and df["v_mV"].max() > 0.0
    rows = _batch_run(
        NerveModel,
        {"mg_ionised_mM": [0.5, 6.0], "duration_ms": 20.0, "stimulus": "pulses",
         "stimulus_ms": 2.0, "parts": [("axon", "junction")]},
        data_collection_period=-1,
    )  # fmt: skip
    quanta = {row["mg_ionised_mM"]: row["quanta_total"] for row in rows}
    assert quanta[6.0] < quanta[0.5]


def test_time_is_exact_and_steps_count_record_intervals():
    model = FibreModel(duration_ms=1.0, dt_us=1.0, record_every_ms=0.1, stimulus="none", rng=1)
    times = []
    while model.running:
        model.step()
        times.append(model.time)
    np.testing.assert_array_equal(times[:10], np.round(np.arange(1, 11) * 0.1, 9))


def test_batch_run_sweeps_reach_the_end_and_equal_cellsim_run():
    # 1050 record intervals: more than Mesa's default max_steps (1000)
    grid = {"mg_free_mM": 0.3, "duration_ms": 10.5, "record_every_ms": 0.01, "stimulus_ms": 1.0}
    plain = _batch_run(FibreModel, grid, seed=4, data_collection_period=-1)
    assert plain[0]["time_ms"] < 10.5  # why the helper sets max_steps
    rows = batch_run(FibreModel, grid, seeds=[4, 5])
    assert sorted(row["rng"] for row in rows) == [4, 5]
    for row in rows:
        scenario = cellsim.load_scenario(
            "scenarios/twitch.toml",
            ["environment.mg_free_intracellular_mM=0.3", "run.duration_ms=10.5",
             "run.record_every_ms=0.01", "protocol.times_ms=[1.0]", f"run.seed={row['rng']}",
             "output.snapshots=false"],
        )  # fmt: skip
        out = cellsim.run(scenario)
        assert row["time_ms"] == pytest.approx(10.5)
        assert row["force_fraction"] == out.timeseries["force_fraction"][-1]
        assert row["ca_free_uM"] == out.timeseries["ca_free_uM"][-1]
    assert rows[0]["ca_free_uM"] != rows[1]["ca_free_uM"]  # the seeds reached the models
