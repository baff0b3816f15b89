"""The body model against published human results (each check states source and rule).

Thin wrappers over the checks in :mod:`cellsim.validation.body`, in their quick versions:
a calibration, input, physics law or prediction must pass; a known gap must run and give
a finite figure (it is reported, never failing).  The whole file takes a minute or two;
the long disease and deficiency runs are marked slow.
"""

import math

import pytest

from cellsim.validation.checks import Session, get


@pytest.fixture(scope="module")
def session():
    return Session(quick=True)


@pytest.fixture(scope="module")
def check(session):
    """``check(*names)`` runs each named check and asserts that it passes."""

    def run(*names: str):
        for name in names:
            result = session.run(name, catch=False)
            assert get(name).kind != "known_gap", f"{name} is a known gap: use gap()"
            assert result.passed, result.explain()

    return run


@pytest.fixture(scope="module")
def gap(session):
    """``gap(*names)``: known gaps run and give a figure (they never fail the suite)."""

    def run(*names: str):
        for name in names:
            result = session.run(name, catch=False)
            assert get(name).kind == "known_gap", f"{name} is not a known gap: use check()"
            value = result.outcome.value
            assert math.isfinite(value), f"{name} gave no figure: {result.simulated}"

    return run


# --- gut ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["body.ca_absorption_15mg", "body.ca_absorption_500mg", "body.ca_absorption_1000mg"]
)
def test_ca_fractional_absorption_of_a_single_load(check, name):
    """Heaney, Weaver & Fitzsimmons 1990: 64 % at 15 mg, 28.6 % at 500 mg (and 21.6 % on
    their line extrapolated to 1000 mg); +/- 5 pp. Calibrations."""
    check(name)


@pytest.mark.parametrize("name", ["body.mg_absorption_low", "body.mg_absorption_high"])
def test_mg_fractional_absorption_of_a_meal_load(check, name):
    """Fine et al. 1991: 65 % of a meal's Mg -> 11 % with +972 mg; +/- 6 pp. Calibrations."""
    check(name)


def test_net_ca_absorption_rises_with_calcitriol_like_wilz(check):
    """Wilz et al. 1979 (net absorption): slope 0.17 +/- 0.07 %/(pmol/L). Prediction."""
    check("body.ca_absorption_vs_calcitriol")


def test_ca_barely_competes_with_mg_absorption_by_default(check):
    """Andon 1996; Spencer 1994: 1000 mg Ca cuts the Mg absorbed from 350 mg by < 10 %."""
    check("body.gut_competition_weak")


def test_mg_salts_follow_firoz_and_graber(check):
    """Firoz & Graber 2001: MgO 4 +/- 1.5 % (calibration); MgCl2 at least 1.5x (prediction)."""
    check("body.mgo_absorption", "body.mgcl2_beats_mgo")


# --- steady state on the reference diet ----------------------------------------------------
def test_renal_excretion_at_steady_state(check):
    """FE Ca 1-2 % (prediction), FE Mg 2-8 %, urinary Mg 100-150 mg/d (calibrations),
    urinary P 550-950 mg/d (input), urinary Ca 150-250 mg/d (Blaine 2015; prediction)."""
    check(
        "body.renal_fe_ca",
        "body.renal_fe_mg",
        "body.urinary_mg",
        "body.urinary_p",
        "body.urinary_ca",
    )


def test_plasma_in_reference_range_without_drift(check):
    """iCa 1.1-1.3 mM and Mg 0.7-1.0 mM over 30 days; day-10 vs day-30 drift bounded."""
    check("body.plasma_ica_steady", "body.plasma_mg_steady")


def test_mass_balance_closes_to_solver_precision(check):
    """Ca, Mg and P: gut and body balances within 0.01 mg over 10 days with doses, an
    infusion and a clamp."""
    check("body.mass_balance")


# --- hormones ------------------------------------------------------------------------------
def test_pth_set_point_and_clearance(check):
    """Schwarz 1994: set point 1.13 +/- 0.08 mM from 1-h clamps; PTH floor 0.15-0.35x in a
    +0.2 mM clamp (Schwarz 1993; Brent 1988); half-lives 2-4 min and 5-8 h. Inputs."""
    check(
        "body.pth_set_point",
        "body.pth_suppressed_by_ca_clamp",
        "body.pth_half_life",
        "body.calcitriol_half_life",
    )


def test_iv_mgso4_cholst_and_brewer(check):
    """Cholst 1984: PTH -40 +/- 10 % at 30 min (calibration), serum Mg 1.7-3.3 mM
    (prediction); Brewer 2001: CSF Mg within 10 % (calibration)."""
    check("body.cholst_pth", "body.cholst_serum_mg", "body.csf_mg_regulated")


def test_iv_mg_and_ca_boluses_lower_pth_ferment(check):
    """Ferment 1987: both lower PTH at 45 min, the Ca effect lasts longer. Prediction."""
    check("body.pth_iv_mg_vs_ca")


def test_oral_mgcl2_load_zhan(check):
    """Zhan 2020: serum Mg +2 to +10 % after 300 mg MgCl2 with breakfast. Prediction."""
    check("body.zhan_mgcl2")


def test_oral_ca_load_reginster(check):
    """Reginster 1993: total Ca +4 to +10 %, PTH -30 to -65 % with its minimum within 4 h."""
    check("body.reginster_total_ca", "body.reginster_pth")


def test_ca_supplement_raises_ica_in_a_mg_replete_person(check):
    """Control for the Mg-deficiency gap: the same Ca raises iCa when Mg is normal."""
    check("body.ca_supplement_control")


# --- pools, deficiency ---------------------------------------------------------------------
def test_exchangeable_mg_pool_avioli_berman(check):
    """Avioli & Berman 1966: 3.54 mEq/kg +/- 20 % by simulated isotope dilution at 90 h."""
    check("body.exchangeable_mg_pool")


def test_mg_depletion_fatemi(check):
    """Fatemi 1991: serum Mg -24 +/- 6 % in 3 weeks; IV Mg lowers PTH before depletion and
    raises it after (and Rude 1978). Predictions."""
    check("body.fatemi_serum_mg", "body.iv_mg_pth_in_deficiency")


# --- diseases and drugs --------------------------------------------------------------------
def test_diuretics_change_urine_in_the_published_directions(check):
    """Loop diuretic: urinary Ca and Mg up, PTH up (Fujita 1984); thiazide: Ca down, Mg up
    (Parfitt 1972). Predictions (directions)."""
    check("body.loop_diuretic", "body.thiazide")


@pytest.mark.slow
def test_thiazide_needs_pth(check):
    """Parfitt 1972: -44 % in euparathyroid, -11 % in hypoparathyroid subjects: the model's
    fall in hypoparathyroidism lies in -25 to 0 %. Prediction."""
    check("body.thiazide_needs_pth")


@pytest.mark.slow
def test_parathyroid_diseases_and_ppi(check):
    """PHPT: every change in the published direction; untreated hypoparathyroidism: total
    Ca 1.5-2.0 mM, Mg not raised, P high; PPI: serum and urinary Mg down. Predictions."""
    check("body.phpt_biochemistry", "body.hypoparathyroidism", "body.ppi_hypomagnesaemia")


# --- known gaps: run and drawn, never failing ----------------------------------------------
def test_known_gaps_of_hormone_kinetics_run(gap):
    """Schwarz 1993 clamp peak; Cholst 1984 iCa fall; Ferment 1987 sizes."""
    gap("body.pth_clamp_peak", "body.cholst_ica_fall", "body.pth_iv_mg_vs_ca_sizes")


def test_known_gaps_of_mg_handling_run(gap):
    """Zhan 2020 urinary Mg; Gullestad 1994 loading test; Fatemi 1991 hormones and
    retention."""
    gap("body.zhan_urine", "body.mg_loading_test", "body.fatemi_hormones", "body.fatemi_retention")


@pytest.mark.slow
def test_known_gaps_of_long_runs_run(gap):
    """Refractory hypocalcaemia depth (Anast 1972; Rude 1976); Pak 1974; Portale 1986;
    Heaney 1989."""
    gap(
        "body.mg_deficiency_refractory",
        "body.pak_high_ca_intake",
        "body.portale_phosphate",
        "body.habitual_intake_adaptation",
    )
