"""Unit tests of the nerve's rules, parameters, stimulus and schemas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellsim.errors import ScenarioError
from cellsim.nerve import rules
from cellsim.nerve.params import PARAMETER_SETS, get_parameter_set
from cellsim.nerve.protocol import Protocol, pulse_onsets_ms
from cellsim.scenario import resolve

PR = PARAMETER_SETS["hh_dodge_rahamimoff_jahr_stevens"]


def test_transition_tables_are_probabilities():
    for v in (-100.0, -65.0, -40.0, 0.0, 50.0):
        am, bm, ah, bh, an, bn = rules.hh_rates(v, 1.0)
        na, k = np.zeros((8, 4)), np.zeros((5, 4))
        rules.fill_na_table(am, bm, ah, bh, 0.01, na)
        rules.fill_k_table(an, bn, 0.01, k)
        for table in (na, k):
            assert np.all(np.diff(table, axis=1) >= 0)
            assert np.all((table >= 0) & (table < 1))


def test_hh_rates_are_finite_at_the_singular_voltages():
    for v in (-40.0, -55.0):
        assert all(math.isfinite(r) and r > 0 for r in rules.hh_rates(v, 1.0))


def test_two_state_chain_keeps_its_stationary_distribution():
    up, down = rules.two_state_probs(3.0, 1.0, 0.05)
    assert up / (up + down) == pytest.approx(0.75)


def test_sensor_binds_only_with_ca_and_fuses_when_full():
    p = np.zeros(rules.N_P)
    p[rules.DT], p[rules.S_N], p[rules.S_KON], p[rules.S_KOFF] = 0.01, 5, 0.09, 9.5
    p[rules.S_B], p[rules.S_GAMMA] = 0.25, 6.0
    assert rules.sensor_next(0, 0.0, 0.0, p) == 0  # no Ca, nothing happens
    assert rules.sensor_next(0, 0.0, 100.0, p) == 1
    assert rules.sensor_next(5, 0.999999, 100.0, p) == 5
    p[rules.S_GAMMA] = 1e6
    assert rules.sensor_next(5, 0.5, 0.0, p) == -1  # fast fusion from the full state


def test_screening_shift_is_zero_at_reference_and_positive_with_more_ca():
    assert PR.screening_shift_mV(1.2, 0.5) == pytest.approx(0.0)
    assert PR.screening_shift_mV(2.4, 0.5) > 0 > PR.screening_shift_mV(0.6, 0.5)


def test_pulse_train_onsets():
    proto = Protocol(kind="train", start_ms=10.0, frequency_hz=100.0, count=3)
    np.testing.assert_allclose(pulse_onsets_ms(proto, 1000.0), [10.0, 20.0, 30.0])
    assert pulse_onsets_ms(Protocol(kind="none"), 100.0).size == 0


def _scenario(**tables):
    base = {
        "scenario": {"name": "t", "description": "d"},
        "nerve": {},
        "protocol": {},
        "run": {"duration_ms": 10.0},
    }
    for key, value in tables.items():
        base[key] = {**base.get(key, {}), **value}
    return base


def validate_scenario(data, where="x.toml"):
    """The nerve's setup of a scenario dict (validated by the one loader)."""
    return resolve(data, where)


def test_defaults_fill_in():
    setup = validate_scenario(_scenario()).setups["nerve"]
    assert setup.settings.engine == "numba" and setup.settings.seed == 1
    assert setup.option("parts") == ["axon", "junction"]


def test_unknown_key_of_a_moved_key_says_where_it_went():
    with pytest.raises(ScenarioError, match=r"Did you mean 'ca_o_mM'.*ca_ionised_mM"):
        validate_scenario(_scenario(nerve={"ca_o_mm": 1.0}), "x.toml")


def test_unknown_parameter_override_suggests():
    with pytest.raises(ScenarioError, match="Did you mean 'area_um2'"):
        validate_scenario(_scenario(nerve={"area_um3": 5.0}), "x.toml")


def test_known_override_is_applied():
    sc = validate_scenario(_scenario(nerve={"area_um2": 5.0}))
    assert sc.setups["nerve"].params.area_um2 == 5.0


def test_unknown_protocol_key():
    with pytest.raises(ScenarioError, match="Did you mean 'frequency_hz'"):
        validate_scenario(_scenario(protocol={"frequency_hx": 5.0}))


@pytest.mark.parametrize(
    "table,key,value,text",
    [
        ("environment", "ca_ionised_mM", -1.0, "must be >"),
        ("environment", "mg_ionised_mM", 50.0, "must be <="),
        ("environment", "ca_ionised_mM", 0.0, "must be > 0 mM for the nerve"),
        ("nerve", "ca_o_mM", 1.0, "renamed: to \\[environment\\] ca_ionised_mM"),
        ("run", "dt_us", 100.0, "must be <="),
        ("run", "engine", "fast", "must be one of"),
        ("protocol", "kind", "pulse", "'pulse' was renamed to 'pulses'"),
        ("protocol", "stimulus", "pulses", "renamed: kind"),
        ("nerve", "parts", ["axon", "brain"], "unknown part"),
        ("nerve", "area_um2", -3.0, "must be > 0"),
    ],
)
def test_out_of_range_values(table, key, value, text):
    with pytest.raises(ScenarioError, match=text):
        validate_scenario(_scenario(**{table: {key: value}}))


def test_unknown_parameter_set():
    with pytest.raises(ScenarioError, match="Did you mean"):
        get_parameter_set("hh_dodge_rahamimoff")


@given(st.floats(0.001, 1000.0), st.floats(0.001, 1000.0), st.floats(1e-4, 1.0))
def test_two_state_step_is_exact_for_any_rates(up, down, dt):
    """Exact chain: stationary ratio preserved and probabilities valid for any dt."""
    p_up, p_down = rules.two_state_probs(up, down, dt)
    assert 0 <= p_up <= 1 and 0 <= p_down <= 1
    assert p_up / (p_up + p_down) == pytest.approx(up / (up + down), rel=1e-9)


def test_quantal_size_must_be_positive():
    with pytest.raises(ScenarioError, match="quantal_size_mV"):
        validate_scenario(_scenario(nerve={"quantal_size_mV": 0.0}))


def test_spontaneous_spikes_exclude_evoked_ones():
    from cellsim.nerve import metrics

    spikes = np.array([3.0, 12.0, 25.0, 40.0])
    onsets = np.array([10.0, 38.0])
    np.testing.assert_allclose(metrics.spontaneous_spikes(spikes, onsets, 5.0), [3.0, 25.0])
    assert metrics.spontaneous_rate_hz(spikes, onsets, 1000.0, 5.0) == 2.0
    assert metrics.crossing([0, 1, 2], [0.0, 0.4, 0.8], 0.6) == pytest.approx(1.5)
    assert metrics.loglog_slope([1, 2, 4], [1, 16, 256]) == pytest.approx(4.0)
