"""Unit tests of the nerve's rules, surface physics, parameters, stimulus, metrics and schemas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from scipy import stats
from scipy.linalg import expm

from cellsim.errors import ScenarioError
from cellsim.nerve import metrics, rules, surface
from cellsim.nerve.model import Ions, gating_shifts, pack_params, pore_ca_occupancy, rate_table
from cellsim.nerve.params import PARAMETER_SETS, get_parameter_set
from cellsim.nerve.protocol import Protocol, pulse_onsets_ms
from cellsim.random import agent_key, step_key
from cellsim.scenario import resolve

PR = PARAMETER_SETS["mammalian_motor_37C"]


def _p(ca=1.2, mg=0.5, parts=("axon", "junction", "nmda")):
    return pack_params(PR, Ions(ca, mg, 0.82, 37.0), 0.005, 0.0025, parts)


def _tables(v):
    p = _p()
    sv = np.zeros(rules.N_SV)
    sv[rules.SV_V] = v
    cum = np.zeros((4, rules.MAX_STATES, 5))
    rules.axon_prepare(p, sv, rate_table(p), np.zeros(10), np.zeros(10), cum)
    return cum


@pytest.mark.parametrize("v", [-120.0, -80.0, -40.0, -21.4, 0.0, 40.0])
def test_transition_tables_are_probabilities_and_open_only_real_exits(v):
    cum = _tables(v)
    for f in range(4):
        table = cum[f, : rules.N_STATES[f], :4]
        assert np.all(np.diff(table, axis=1) >= 0)
        assert np.all((table >= 0) & (table < 1))
        for s in range(rules.N_STATES[f]):
            for r in range(4):
                width = table[s, r] - (table[s, r - 1] if r else 0.0)
                if width > 0:  # an exit with probability leads to a state of the family
                    assert 0 <= rules.target(f, s, r) < rules.N_STATES[f], (f, s, r)


def test_node_rates_are_finite_at_their_singular_voltages():
    out = np.zeros(10)
    for v in (-27.0, -34.0, -21.4, -25.7, -114.0, -83.2, -66.0):
        rules.node_rates(v, v, _p(), out)
        assert np.all(np.isfinite(out)) and np.all(out > 0)


def test_rate_table_matches_the_formulas():
    p = _p()
    table = rate_table(p)
    rates, stays, exact = np.zeros(10), np.zeros(10), np.zeros(10)
    for v in np.linspace(-140.0, 60.0, 37) + 0.0037:
        rules._interpolate(table, v, 0, 10, rates, stays, p)
        rules.node_rates(v, v, p, exact)
        np.testing.assert_allclose(rates, exact, rtol=3e-5)


def test_node_and_load_is_the_exact_solution_of_the_linear_pair():
    p = _p()
    g_ch, i_ch, dt = 40.0, -2500.0, 0.0025
    c = np.array([p[rules.C_NODE], p[rules.C_LOAD]])
    a = (
        np.array(
            [
                [-(g_ch + p[rules.G_AX]), p[rules.G_AX]],
                [p[rules.G_AX], -(p[rules.G_AX] + p[rules.G_LOAD])],
            ]
        )
        / c[:, None]
    )
    b = np.array([i_ch, p[rules.G_LOAD] * p[rules.E_LOAD]]) / c
    x0 = np.array([-70.0, -79.0])
    fixed = -np.linalg.solve(a, b)
    expected = fixed + expm(a * dt) @ (x0 - fixed)
    got = rules.node_and_load(x0[0], x0[1], g_ch, i_ch, dt, p)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@njit
def _draws(n, prob, m):
    out = np.empty(m, np.int64)
    key = step_key(11, rules.PU_POP, 0)
    for i in range(m):
        out[i] = rules.binomial(n, prob, agent_key(key, i))
    return out


@pytest.mark.parametrize(
    "n,prob", [(7, 0.3), (1000, 0.004), (20000, 0.004), (3000, 0.6), (50, 0.97)]
)
def test_counter_based_binomial_draws_have_the_binomial_law(n, prob):
    """Chi-square of 100 000 draws against the binomial pmf (both samplers: inversion and
    BTRD, and the p > 1/2 reflection); fails if the law is wrong (p < 1e-4)."""
    x = _draws(n, prob, 100_000)
    ks = np.arange(n + 1)
    expected = stats.binom.pmf(ks, n, prob) * x.size
    keep = expected > 10
    observed = np.bincount(x, minlength=n + 1)[keep]
    chi2 = ((observed - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4
    assert x.min() >= 0 and x.max() <= n


def test_population_step_conserves_channels_and_moves_only_between_states():
    cum = _tables(-60.0)
    counts = np.array([6000, 1600, 130, 4, 10000, 2500, 190, 6], dtype=np.int64)
    total = counts.sum()
    delta = np.zeros(8, dtype=np.int64)
    for step in range(200):
        rules.population_step(rules.NAF, counts, cum, step_key(3, rules.PU_POP, step), delta)
        assert counts.sum() == total and counts.min() >= 0


def test_state_counts_relax_to_the_steady_state():
    """At fixed V the counts settle on the product of the gates' steady states."""
    v = -50.0
    cum = _tables(v)
    rates = np.zeros(10)
    rules.node_rates(v, v, _p(), rates)
    probs = np.zeros(8)
    rules.steady_state(rules.NAF, rates, probs)
    counts = np.array([20000, 0, 0, 0, 0, 0, 0, 0], dtype=np.int64)
    delta = np.zeros(8, dtype=np.int64)
    mean = np.zeros(8)
    for step in range(6000):
        rules.population_step(rules.NAF, counts, cum, step_key(5, rules.PU_POP, step), delta)
        if step >= 4000:
            mean += counts / 2000.0
    np.testing.assert_allclose(mean / 20000, probs, atol=0.01)


def test_sensor_binds_only_with_ca_and_fuses_when_full():
    p = _p()
    assert rules.sensor_next(0, 0.0, 0.0, p) == 0  # no Ca, nothing happens
    assert rules.sensor_next(0, 0.0, 100.0, p) == 1
    assert rules.sensor_next(5, 0.999999, 100.0, p) == 5
    p[rules.S_GAMMA] = 1e6
    assert rules.sensor_next(5, 0.5, 0.0, p) == -1  # fast fusion from the full state


def test_sensor_expectation_is_the_law_of_the_sensor_agent():
    """Monte Carlo of sensor agents along one Ca pulse = the probability vector's fusion."""
    p = _p()
    ca = np.concatenate([np.full(60, 40.0), np.full(400, p[rules.DOM_REST])])
    prob = np.zeros(6)
    prob[0] = 1.0
    expected = sum(rules.sensor_expectation_step(prob, c, p, 1) for c in ca)
    assert prob.sum() + expected == pytest.approx(1.0, abs=1e-12)
    fused = 0
    n = 20000
    for trial in range(n):
        b = 0
        for k, c in enumerate(ca):
            b = rules.sensor_next(b, rules.agent_uniform(7, rules.PU_SENSOR, k, trial, 0), c, p)
            if b < 0:
                fused += 1
                break
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(fused / n - expected) < 4 * se and expected > 0.01


def test_two_state_chain_keeps_its_stationary_distribution():
    up, down = rules.two_state_probs(3.0, 1.0, 0.05)
    assert up / (up + down) == pytest.approx(0.75)


@given(st.floats(0.001, 1000.0), st.floats(0.001, 1000.0), st.floats(1e-4, 1.0))
def test_two_state_step_is_exact_for_any_rates(up, down, dt):
    """Exact chain: stationary ratio preserved and probabilities valid for any dt."""
    p_up, p_down = rules.two_state_probs(up, down, dt)
    assert 0 <= p_up <= 1 and 0 <= p_down <= 1
    assert p_up / (p_up + p_down) == pytest.approx(up / (up + down), rel=1e-9)


# ---- surface potential -------------------------------------------------------------------
def test_gating_shift_is_zero_at_the_reference_and_grows_with_ca():
    assert gating_shifts(PR, 1.2, 0.5, 37.0).na_mV == pytest.approx(0.0, abs=1e-9)
    shifts = [gating_shifts(PR, ca, 0.5, 37.0).na_mV for ca in (0.0, 0.3, 0.7, 1.2, 2.4, 12.0)]
    assert np.all(np.diff(shifts) > 0)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 100.0), st.floats(0.0, 100.0))
def test_surface_potential_is_finite_from_no_divalents_to_high_ca(ca, mg):
    psi = surface.surface_potential_mV(PR.na_surface(), surface.solution(140, 4, ca, mg))
    assert math.isfinite(psi) and -200 < psi < 50


def test_k_channels_feel_a_smaller_shift_than_na_channels():
    s = gating_shifts(PR, 0.5, 0.5, 37.0)
    assert s.na_mV < s.k_mV < 0.0


def test_pore_occupancy_is_competitive():
    assert pore_ca_occupancy(PR, 1.0, 0.0) == pytest.approx(0.5)
    assert pore_ca_occupancy(PR, 1.0, 3.0) == pytest.approx(1.0 / 3.0)
    assert pore_ca_occupancy(PR, 0.0, 1.0) == 0.0


# ---- metrics -------------------------------------------------------------------------------
def test_multiplets_group_close_spikes():
    spikes = [10.0, 15.0, 100.0, 300.0, 305.0, 311.0, 500.0]
    groups = metrics.multiplets(spikes, 20.0)
    assert [len(g) for g in groups] == [2, 1, 3, 1]
    s = metrics.multiplet_summary(spikes, 20.0)
    assert s["multiplet_fraction"] == pytest.approx(5 / 7)
    assert s["doublet_count"] == 1 and s["multiplet_count"] == 1 and s["max_multiplet_size"] == 3
    assert s["intra_multiplet_isi_ms"] == pytest.approx(5.0)  # intervals 5, 5 and 6 ms
    assert metrics.multiplet_summary([])["multiplet_fraction"] == 0.0


def test_onset_is_interpolated_between_firing_and_silent_points():
    assert metrics.onset_ca([0.4, 0.5, 0.6], [40.0, 6.0, 0.0], 2.0) == pytest.approx(0.5 + 0.4 / 6)
    assert math.isnan(metrics.onset_ca([0.5, 0.6], [0.0, 0.0]))


def test_weiss_fit_recovers_rheobase_and_time_constant():
    t = np.array([0.02, 0.05, 0.1, 0.2, 0.5, 1.0])
    rheobase, tau = metrics.weiss_fit(t, 0.04 * (1 + 0.459 / t))
    assert rheobase == pytest.approx(0.04) and tau == pytest.approx(0.459)


def test_reciprocal_analysis_recovers_the_constants_of_dodge_and_rahamimoffs_law():
    ca = np.array([0.2, 0.3, 0.5, 0.7, 1.0])
    law = {mg: (ca / (1 + ca / 1.1 + mg / 3.0)) ** 4 for mg in (0.0, 1.0, 2.0)}
    rec = metrics.reciprocal_analysis(ca, law)
    assert rec["k_ca_mM"] == pytest.approx(1.1)
    assert rec["k_mg_mM"][1.0] == pytest.approx(3.0) and rec["intercept_spread"] < 1e-9
    fit = metrics.release_law_fit(ca, law)
    assert fit["n"] == pytest.approx(4.0, rel=1e-3) and fit["k_mg_mM"] == pytest.approx(
        3.0, rel=1e-2
    )


def test_spontaneous_spikes_exclude_evoked_ones():
    spikes = np.array([3.0, 12.0, 25.0, 40.0])
    onsets = np.array([10.0, 38.0])
    np.testing.assert_allclose(metrics.spontaneous_spikes(spikes, onsets, 5.0), [3.0, 25.0])
    assert metrics.spontaneous_rate_hz(spikes, onsets, 1000.0, 5.0) == 2.0
    assert metrics.crossing([0, 1, 2], [0.0, 0.4, 0.8], 0.6) == pytest.approx(1.5)
    assert metrics.loglog_slope([1, 2, 4], [1, 16, 256]) == pytest.approx(4.0)


# ---- protocol and scenario tables ------------------------------------------------------------
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
    assert setup.settings.axon_substeps == 2 and setup.settings.channel_agents == 8
    assert setup.option("parts") == ["axon", "junction"]


def test_zero_ca_and_zero_mg_are_accepted():
    built = validate_scenario(_scenario(environment={"ca_ionised_mM": 0.0, "mg_ionised_mM": 0.0}))
    assert built.environment.ca_ionised_mM == 0.0


def test_unknown_key_of_a_moved_key_says_where_it_went():
    with pytest.raises(ScenarioError, match=r"Did you mean 'ca_o_mM'.*ca_ionised_mM"):
        validate_scenario(_scenario(nerve={"ca_o_mm": 1.0}), "x.toml")


def test_unknown_parameter_override_suggests():
    with pytest.raises(ScenarioError, match="Did you mean 'g_nap_S_per_cm2'"):
        validate_scenario(_scenario(nerve={"g_nap_s_per_cm2": 0.02}), "x.toml")


def test_known_override_is_applied():
    sc = validate_scenario(_scenario(nerve={"g_nap_S_per_cm2": 0.02}))
    assert sc.setups["nerve"].params.g_nap_S_per_cm2 == 0.02


def test_unknown_protocol_key():
    with pytest.raises(ScenarioError, match="Did you mean 'frequency_hz'"):
        validate_scenario(_scenario(protocol={"frequency_hx": 5.0}))


@pytest.mark.parametrize(
    "table,key,value,text",
    [
        ("environment", "ca_ionised_mM", -1.0, "must be >"),
        ("environment", "mg_ionised_mM", 50.0, "must be <="),
        ("nerve", "ca_o_mM", 1.0, "renamed: to \\[environment\\] ca_ionised_mM"),
        ("run", "dt_us", 100.0, "must be <="),
        ("run", "dt_us", 4.0, "whole multiple of axon_dt_us"),
        ("run", "engine", "fast", "must be one of"),
        ("protocol", "kind", "pulse", "'pulse' was renamed to 'pulses'"),
        ("protocol", "stimulus", "pulses", "renamed: kind"),
        ("protocol", "amplitude_uA_per_cm2", 100.0, "amplitude_nA"),
        ("nerve", "parts", ["axon", "brain"], "unknown part"),
        ("nerve", "g_nap_S_per_cm2", -3.0, "must be >= 0"),
        ("nerve", "spike_rearm_mV", 0.0, "spike_rearm_mV must be below"),
    ],
)
def test_out_of_range_values(table, key, value, text):
    with pytest.raises(ScenarioError, match=text):
        validate_scenario(_scenario(**{table: {key: value}}))


def test_unknown_parameter_set():
    with pytest.raises(ScenarioError, match="Did you mean"):
        get_parameter_set("mammalian_motor")


def test_quantal_size_must_be_positive():
    with pytest.raises(ScenarioError, match="quantal_size_mV"):
        validate_scenario(_scenario(nerve={"quantal_size_mV": 0.0}))
