"""Every bundled nerve scenario runs (shortened) and tells its story."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from cellsim.nerve import runner
from cellsim.output import RunOutput

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NERVE_SCENARIOS = [
    "nmj_release_vs_ca",
    "nerve_spasm_low_ca",
    "hypermagnesaemia_weakness",
    "nmda_mg_block",
    "nerve_voluntary_train",
    "nerve_nmda_mg_free",
]


def load(name: str, duration_ms: float | None = None) -> dict:
    path = SCENARIOS / f"{name}.toml"
    with open(path, "rb") as f:
        data = tomllib.load(f)
    sc = runner.validate_scenario(data, path.name)
    if duration_ms is not None:
        sc = copy.deepcopy(sc)
        sc["run"]["duration_ms"] = duration_ms
    return sc


@pytest.mark.parametrize("name", NERVE_SCENARIOS)
def test_scenario_runs_and_packages(name, tmp_path):
    sc = load(name, duration_ms=60.0)
    out = runner.run(sc)
    assert isinstance(out, RunOutput) and out.scale == "nerve"
    assert next(iter(out.timeseries)) == "time_ms"
    lengths = {v.shape for v in out.timeseries.values()}
    assert len(lengths) == 1
    for key in ("spike_count", "spontaneous_rate_hz", "release_quanta_mean", "muscle_ap_count"):
        assert key in out.summary
    json.dumps(out.summary)  # summary.json must be writable as is
    assert {"spike_times_ms", "muscle_ap_times_ms"} <= set(out.events)
    assert out.snapshots["na_state"].ndim == 2
    fig = out.figure(out)
    fig.savefig(tmp_path / "figure.png")


def test_spasm_fires_spontaneously_and_the_muscle_follows():
    out = runner.run(load("nerve_spasm_low_ca", duration_ms=1000.0))
    assert out.summary["stimulus_pulses"] == 0
    assert out.summary["spontaneous_rate_hz"] >= 2.0
    assert out.summary["muscle_ap_count"] >= 1


def test_voluntary_train_transmits_every_spike():
    out = runner.run(load("nerve_voluntary_train", duration_ms=300.0))
    s = out.summary
    assert s["spike_count"] >= s["stimulus_pulses"] == 6
    assert s["muscle_ap_count"] == s["spike_count"]
    assert 30 <= s["release_quanta_mean"] <= 80


def test_hypermagnesaemia_fails_transmission():
    s = runner.run(load("hypermagnesaemia_weakness", duration_ms=200.0)).summary
    assert s["spike_count"] >= 2 and s["muscle_ap_count"] == 0
    normal = next(r for r in s["sweep"] if r["mg_o_mM"] == 0.5)
    assert normal["muscle_ap_count"] == normal["spike_count"]


def test_nmda_block_curve_in_summary():
    s = runner.run(load("nmda_mg_block")).summary
    block = s["nmda_block_curve"]
    curve = dict(zip(block["v_mV"], block["unblocked_fraction"], strict=True))
    assert curve[-60.0] == pytest.approx(0.08, abs=0.02)
    assert np.all(np.diff(s["nmda_block_curve"]["unblocked_fraction"]) > 0)


def test_mg_free_nmda_synapse_is_overexcited():
    s = runner.run(load("nerve_nmda_mg_free", duration_ms=500.0)).summary
    with_mg = next(r for r in s["sweep"] if r["mg_o_mM"] == 1.0)
    assert s["nmda_spike_count"] >= 20 and with_mg["nmda_spike_count"] == 0


def test_release_sweep_reports_emergent_slopes():
    s = runner.run(load("nmj_release_vs_ca", duration_ms=150.0)).summary
    slopes = s["release_loglog_slope"]["mg_1_mM"]
    assert slopes[0]["slope"] > slopes[-1]["slope"]  # steep at low Ca, flatter near 2 mM
    high_mg = next(r for r in s["sweep"] if r["mg_o_mM"] == 6.0)
    assert high_mg["release_quanta_mean"] < s["release_quanta_mean"]


def test_run_nerve_takes_the_environment_for_chaining():
    from cellsim.environment import Environment

    sc = load("nerve_voluntary_train", duration_ms=120.0)
    result = runner.run_nerve(sc, Environment(ca_ionised_mM=1.2, mg_ionised_mM=6.0))
    assert result.mg_o_mM == 6.0
    assert result.muscle_ap_times_ms.size == 0
    normal = runner.run_nerve(sc)
    assert normal.muscle_ap_times_ms.size == normal.spike_times_ms.size >= 2
    assert np.all(np.diff(normal.muscle_ap_times_ms) > 0)
