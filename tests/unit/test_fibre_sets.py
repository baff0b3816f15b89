"""Parameter sets, temperature (Q10), the automatic time step and the resting state.

The human set must be the fast set moved to 37 °C by the set's own Q10 factors; a
scenario's temperature must move any set the same way; the resting-state analysis
behind the cramp flag must find the calibrated threshold and a stable fibre above it.
"""

import math

import pytest

from cellsim.errors import ScenarioError
from cellsim.fibre import FibreModel, rest
from cellsim.fibre.model import automatic_dt_us, event_rates
from cellsim.fibre.params import (
    PARAMETER_SETS,
    Q10_CLASSES,
    Q10_CROSSBRIDGE,
    Q10_DURATIONS,
    at_temperature,
    crossbridge_factor,
)

FAST = PARAMETER_SETS["mouse_fast_16C"]
HUMAN = PARAMETER_SETS["human"]


def test_rates_move_by_their_class_q10_and_equilibria_are_kept():
    warm = at_temperature(FAST, 26.0)  # ten degrees: one Q10
    assert at_temperature(FAST, 16.0) is FAST
    assert warm.temperature_C == 26.0
    assert warm.reg_kon_ca == pytest.approx(FAST.reg_kon_ca * FAST.q10_ca_handling)
    assert warm.atp_koff_ca / warm.atp_kon_ca == pytest.approx(FAST.atp_koff_ca / FAST.atp_kon_ca)
    # ... except the filament's Ca sensitivity, which rises by its own shift per 10 °C
    shift = 10.0 ** (-FAST.ca_sensitivity_dpca_per_10C)
    assert warm.reg_koff_ca / warm.reg_kon_ca == pytest.approx(
        shift * FAST.reg_koff_ca / FAST.reg_kon_ca
    )
    assert warm.d_ca_um2_per_ms == pytest.approx(FAST.d_ca_um2_per_ms * FAST.q10_diffusion)
    # release flux of an activated channel: its own Q10 (Ca per AP kept; a hypothesis)
    assert warm.ryr_g_per_ms == pytest.approx(FAST.ryr_g_per_ms * FAST.q10_release_flux)
    assert warm.ap_duration_ms == pytest.approx(FAST.ap_duration_ms / FAST.q10_excitation)
    # crossbridges: 2.4 up to 25 °C, then 1.8
    expected = FAST.q10_crossbridge_below_25C**0.9 * FAST.q10_crossbridge_above_25C**0.1
    assert warm.xb_k_attach_per_ms == pytest.approx(FAST.xb_k_attach_per_ms * expected)
    assert crossbridge_factor(FAST, 16.0, 37.0) * crossbridge_factor(FAST, 37.0, 16.0) == (
        pytest.approx(1.0)
    )
    # moving back restores the set
    back = at_temperature(warm, 16.0)
    assert back.serca_kcat_per_ms == pytest.approx(FAST.serca_kcat_per_ms)


def test_the_human_set_is_the_fast_set_at_37C_without_parvalbumin():
    warm = at_temperature(FAST, 37.0)
    assert HUMAN.temperature_C == 37.0 and HUMAN.pv_sites_uM == 0.0
    assert HUMAN.conditions.mg_free_intracellular_mM == 0.5
    for names in Q10_CLASSES.values():
        for name in names:
            assert getattr(HUMAN, name) == pytest.approx(getattr(warm, name)), name
    for name in Q10_DURATIONS:
        assert getattr(HUMAN, name) == pytest.approx(getattr(warm, name)), name
    for name in Q10_CROSSBRIDGE:  # slower human myosin (recalled factor 0.3)
        assert getattr(HUMAN, name) == pytest.approx(0.3 * getattr(warm, name)), name


def test_the_slow_set_differs_from_the_fast_one_by_composition_only():
    slow = PARAMETER_SETS["mouse_slow_16C"]
    assert slow.temperature_C == FAST.temperature_C
    assert slow.pv_sites_uM == 0 and slow.reg_sites_per_tnc == 1
    assert slow.serca_uM == pytest.approx(FAST.serca_uM / 3)
    assert slow.ryr_g_per_ms == pytest.approx(FAST.ryr_g_per_ms / 3)
    assert slow.atp_kon_ca == FAST.atp_kon_ca and slow.cdi_k_per_ms == FAST.cdi_k_per_ms


def test_a_scenario_temperature_moves_the_set_from_its_own_temperature():
    model = FibreModel(parameter_set="mouse_fast_16C", temperature_C=26.0, duration_ms=0.2,
                       stimulus="none", rng=1)  # fmt: skip
    assert model.params.temperature_C == 26.0
    assert model.params.reg_koff_ca == pytest.approx(
        FAST.reg_koff_ca * FAST.q10_ca_handling * 10.0 ** (-FAST.ca_sensitivity_dpca_per_10C)
    )
    assert model.params_set == FAST and model.params_set.temperature_C == 16.0
    # the warmer fibre needs a shorter step, chosen automatically
    assert model.settings.dt_us < 5.0
    cool = FibreModel(parameter_set="human", temperature_C=30.0, duration_ms=0.2,
                      stimulus="none", rng=1)  # fmt: skip
    assert cool.params.reg_koff_ca == pytest.approx(
        HUMAN.reg_koff_ca
        * (HUMAN.q10_ca_handling * 10.0**-HUMAN.ca_sensitivity_dpca_per_10C) ** (-0.7)
    )


def test_automatic_time_step_keeps_every_event_probability_small():
    assert automatic_dt_us(FAST, 1.0) == 5.0
    assert automatic_dt_us(HUMAN, 0.5) == 1.0
    for p, mg in ((FAST, 1.0), (HUMAN, 0.5)):
        dt_ms = automatic_dt_us(p, mg) / 1000.0
        for name, rate in event_rates(p, mg).items():
            assert -math.expm1(-rate * dt_ms) <= 0.3, name
    with pytest.raises(ScenarioError, match=r"Lower \[run\] dt_us to 1 or less"):
        FibreModel(parameter_set="human", dt_us=5.0, duration_ms=1.0, rng=1)


def test_resting_state_and_the_spontaneous_release_threshold():
    threshold = rest.spontaneous_release_threshold_mM(FAST)
    assert threshold == pytest.approx(0.1, abs=0.01)  # calibrated (Owen et al. 1997)
    for mg in (0.25, 0.5, 1.0, 3.0):
        state = rest.resting_state(FAST, mg)
        assert state.stable and 0.03 < state.ca_uM < 0.15, mg
    assert rest.resting_state(FAST, 1.0).ca_uM == pytest.approx(FAST.ca_rest_uM, rel=0.02)
    assert not rest.resting_state(FAST, 0.05).stable
    # more Mg, lower resting Ca (the resting channels are more blocked)
    cas = [rest.resting_state(FAST, mg).ca_uM for mg in (0.25, 0.5, 1.0, 3.0)]
    assert cas == sorted(cas, reverse=True)


def test_the_two_site_pump_reproduces_lyttons_uptake_curve():
    from scipy.optimize import curve_fit

    ca = [0.005 * 1.15**k for k in range(60)]
    uptake = [rest.serca_steady(FAST, c, 1000.0)[2] for c in ca]

    def hill(c, v, k, n):
        return v * c**n / (c**n + k**n)

    (_, k, n), _ = curve_fit(hill, ca, uptake, p0=(1.0, 0.3, 1.7))
    assert k == pytest.approx(0.27, abs=0.03) and n == pytest.approx(1.7, abs=0.1)
