"""Every bundled nerve scenario runs (shortened) on the one run path and tells its story."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cellsim
from cellsim.environment import Environment
from cellsim.nerve.scale import NERVE
from cellsim.output import RunOutput
from cellsim.scenario import load as load_file

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NERVE_SCENARIOS = [
    "nmj_release_vs_ca",
    "nerve_spasm_low_ca",
    "hypermagnesaemia_weakness",
    "nmda_mg_block",
    "nerve_voluntary_train",
    "nerve_nmda_mg_free",
]


def load(name: str, duration_ms: float | None = None, *more: str):
    overrides = [f"run.duration_ms={duration_ms}"] if duration_ms is not None else []
    return load_file(SCENARIOS / f"{name}.toml", [*overrides, *more])


def run(name: str, duration_ms: float | None = None, *more: str) -> RunOutput:
    return cellsim.run(load(name, duration_ms, *more))


@pytest.mark.parametrize("name", NERVE_SCENARIOS)
def test_scenario_runs_and_packages(name, tmp_path):
    out = run(name, 60.0)
    assert isinstance(out, RunOutput) and out.scale == "nerve"
    assert next(iter(out.timeseries)) == "time_ms"
    lengths = {v.shape for v in out.timeseries.values()}
    assert len(lengths) == 1
    for key in ("spike_count", "spontaneous_rate_hz", "release_quanta_mean", "muscle_ap_count"):
        assert key in out.summary
    json.dumps(out.summary)  # summary.json must be writable as is
    assert {"spike_times_ms", "muscle_ap_times_ms"} <= set(out.events)
    if out.snapshots:
        assert out.snapshots["na_state"].ndim == 2
    fig = out.figure(out)
    fig.savefig(tmp_path / "figure.png")


def test_spasm_fires_spontaneously_and_the_muscle_follows():
    out = run("nerve_spasm_low_ca", 1000.0)
    s = out.summary
    assert s["stimulus_pulses"] == 0
    assert s["spontaneous_rate_hz"] >= 2.0
    assert s["muscle_ap_count"] >= 1
    assert s["na_gating_shift_mV"] < -3.0  # less Ca: less screening
    assert 0.0 <= s["multiplet_fraction"] <= 1.0 and s["max_multiplet_size"] >= 1


def test_normal_ca_is_silent_and_lower_ca_fires_in_multiplets():
    silent = run("nerve_spasm_low_ca", 500.0, "environment.ca_ionised_mM=1.2").summary
    assert silent["spike_count"] == 0 and silent["na_gating_shift_mV"] == 0.0
    bursting = run("nerve_spasm_low_ca", 500.0, "environment.ca_ionised_mM=0.35").summary
    assert bursting["spontaneous_rate_hz"] > 20.0 and bursting["multiplet_fraction"] > 0.5


def test_voluntary_train_transmits_every_spike():
    s = run("nerve_voluntary_train", 300.0).summary
    assert s["spike_count"] >= s["stimulus_pulses"] == 6
    assert s["muscle_ap_count"] == s["spike_count"]
    assert 30 <= s["release_quanta_mean"] <= 80


def test_hypermagnesaemia_fails_transmission_and_normal_mg_does_not():
    s = run("hypermagnesaemia_weakness", 200.0).summary
    assert s["spike_count"] >= 2 and s["muscle_ap_count"] == 0
    normal = run("hypermagnesaemia_weakness", 200.0, "environment.mg_ionised_mM=0.5").summary
    assert normal["muscle_ap_count"] == normal["spike_count"] >= 2


def test_nmda_block_curve_in_summary():
    s = run("nmda_mg_block").summary
    block = s["nmda_block_curve"]
    curve = dict(zip(block["v_mV"], block["unblocked_fraction"], strict=True))
    assert curve[-60.0] == pytest.approx(0.08, abs=0.02)
    assert np.all(np.diff(s["nmda_block_curve"]["unblocked_fraction"]) > 0)


def test_mg_free_nmda_synapse_is_overexcited():
    s = run("nerve_nmda_mg_free", 500.0).summary
    with_mg = run("nerve_nmda_mg_free", 500.0, "environment.mg_csf_mM=0.82").summary
    assert s["nmda_spike_count"] >= 20 and with_mg["nmda_spike_count"] == 0
    assert s["mg_csf_mM"] == 0.0 and with_mg["mg_csf_mM"] == 0.82


def test_nmda_receptors_read_csf_not_plasma_mg():
    """Plasma (extracellular) Mg does not reach central NMDA receptors; CSF Mg does."""
    plasma = run("nerve_nmda_mg_free", 300.0, "environment.mg_ionised_mM=2.0").summary
    csf = run("nerve_nmda_mg_free", 300.0, "environment.mg_csf_mM=2.0").summary
    assert plasma["nmda_spike_count"] >= 10 and csf["nmda_spike_count"] == 0


def test_release_falls_with_low_ca_and_high_mg_without_depleting_the_pool():
    s = run("nmj_release_vs_ca", 6100.0).summary  # three shocks, 3 s apart
    assert s["terminal_ap_count"] == 3 and s["docked_fraction_min"] > 0.95
    assert 40 <= s["expected_quanta_mean"] <= 60  # the calibration: ~50 at Ca 2 / Mg 1
    low_ca = run("nmj_release_vs_ca", 100.0, "environment.ca_ionised_mM=0.5").summary
    high_mg = run("nmj_release_vs_ca", 100.0, "environment.mg_ionised_mM=6.0").summary
    assert low_ca["expected_quanta_mean"] < s["expected_quanta_mean"] / 4
    assert high_mg["expected_quanta_mean"] < s["expected_quanta_mean"] / 2


def test_the_environment_sets_the_nerves_ions_and_it_hands_on_muscle_aps():
    setup = load("nerve_voluntary_train", 120.0).setups["nerve"]
    blocked = NERVE.simulate(setup, Environment(ca_ionised_mM=1.2, mg_ionised_mM=6.0))
    assert blocked.summary["mg_o_mM"] == 6.0
    assert blocked.hands_on["muscle_ap_times_ms"] == ()
    normal = NERVE.simulate(setup, Environment())
    aps = np.asarray(normal.hands_on["muscle_ap_times_ms"])
    assert aps.size == normal.summary["spike_count"] >= 2
    assert np.all(np.diff(aps) > 0)
