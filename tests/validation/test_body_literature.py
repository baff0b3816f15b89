"""The body model against published human results (each test states source and tolerance).

Thin wrappers over the checks in :mod:`cellsim.validation.body`; the whole file
runs in ~10 s.
"""

import pytest


# --- gut -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["body.ca_absorption_15mg", "body.ca_absorption_500mg"])
def test_ca_fractional_absorption_of_a_single_load(check, name):
    """Heaney, Weaver & Fitzsimmons 1990: 64 % at 15 mg, 28.6 % at 500 mg; +/- 5 pp."""
    check(name)


def test_ca_absorption_falls_roughly_linearly_in_log_load(check):
    """Heaney 1990: fraction linear in ln(load); a 1000 mg load absorbs 21.6 % +/- 5 pp."""
    check("body.ca_absorption_1000mg")


# Fine et al. 1991 gave a standard meal plus 0-80 mEq Mg acetate.  The meal's own Mg is not
# in the abstract; we take ~1 mEq (12 mg) as the "lowest intake" (assumption).
@pytest.mark.parametrize("name", ["body.mg_absorption_low", "body.mg_absorption_high"])
def test_mg_fractional_absorption_of_a_meal_load(check, name):
    """Fine, Santa Ana, Porter & Fordtran 1991: 65 % -> 11 % with +972 mg; +/- 6 pp."""
    check(name)


def test_ca_absorption_rises_with_calcitriol_like_wilz(check):
    """Wilz et al. 1979: % absorbed = 10 + 0.17 x calcitriol (pmol/L).

    Calcitriol is clamped (very long half-life) at 50 and 150 pmol/L for a 333 mg meal
    (a third of the RDA).  Tolerance: slope 0.17 +/- 0.07 %/(pmol/L); the model's
    absorption of a meal lies within 8 pp of the line at 100 pmol/L.
    """
    check("body.ca_absorption_vs_calcitriol")


def test_ca_barely_competes_with_mg_absorption_by_default(check):
    """Andon 1996; Spencer 1994; Hardwick 1991: no clear Ca-Mg competition in the human
    gut.  1000 mg Ca with 350 mg Mg cuts the Mg absorbed by less than 10 %."""
    check("body.gut_competition_weak")


# --- steady state on RDA intake --------------------------------------------------
def test_renal_fractional_excretion_at_steady_state(check):
    """Reviews (literature.md s3): FE_Ca 1-2 %, FE_Mg 2-8 % (3-5 % typical)."""
    check("body.renal_fe_ca", "body.renal_fe_mg")


def test_urinary_mg_at_usual_intake(check):
    """Guyton & Hall: urinary Mg 100-150 mg/day (last simulated day)."""
    check("body.urinary_mg")


def test_plasma_in_reference_range_without_drift(check):
    """Clinical ranges: iCa 1.1-1.3 mM, Mg 0.7-1.0 mM over all 30 days.

    Drift bound: daily means of day 10 and day 30 differ by < 0.005 mM (iCa) and
    < 0.01 mM (Mg).
    """
    check("body.plasma_ica_steady", "body.plasma_mg_steady")


# --- hormones ----------------------------------------------------------------
def test_pth_set_point(check):
    """Schwarz et al. 1994: Brown set point 1.13 +/- 0.04 mM iCa; tolerance +/- 0.08 mM.

    The model's steady-state PTH (normal Mg) is sampled over 0.9-1.5 mM iCa and
    Brown's four-parameter curve is fitted to it.
    """
    check("body.pth_set_point")


def test_high_mg_suppresses_pth_less_than_ca_per_mole(check):
    """Anast 1972 / literature.md: high Mg suppresses PTH, weaker per mole than Ca."""
    check("body.pth_mg_weaker_than_ca")


def test_pth_elimination_half_life(check):
    """Intact PTH half-life 2-4 min (literature.md s3).

    Secretion is switched off (parathyroidectomy) in the *full* model, starting
    from the normal reference state; the run's PTH is fitted with one exponential.
    The stand-alone clearance equation must agree.
    """
    check("body.pth_half_life")


def test_calcitriol_elimination_half_life(check):
    """Calcitriol half-life 5-8 h (Rocaltrol label; Peterson & Riggs 2010).

    Synthesis is switched off (reference level 0) in the full model for 24 h.
    """
    check("body.calcitriol_half_life")


# --- magnesium deficiency ----------------------------------------------------------
def test_severe_mg_deficiency_gives_hypocalcaemia_refractory_to_ca_but_not_mg(check):
    """Anast 1972; Rude 1976; literature.md s3: severe Mg deficiency impairs PTH secretion
    and action; hypocalcaemia does not correct with Ca until Mg is repleted.

    Protocol as scenarios/body_mg_deficiency_refractory_hypocalcaemia.toml: 6 weeks of
    10 mg/day Mg, 2 weeks + 1000 mg/day Ca, 2 weeks + 300 mg/day Mg.
    Criteria: after 6 weeks serum Mg <= 0.55 mM and iCa < 1.05 mM (fallen from 1.2);
    with Ca alone the last day's iCa stays < 1.12 mM (below the 1.2 mM start and
    under the low end of normal plus 0.02); with Mg added it is >= 1.18 mM.
    """
    check("body.mg_deficiency_refractory")


def test_ca_supplement_raises_ica_in_a_mg_replete_person(check):
    """Control for the test above: the same Ca works when Mg is normal (iCa rises)."""
    check("body.ca_supplement_control")


# --- mass balance ---------------------------------------------------------------
def test_mass_balance_closes_to_solver_tolerance(check):
    """intake = absorbed + faecal (+ still in lumen); absorbed - urine - endogenous faecal
    = change of body stores.  Tolerance: 1e-6 of the Ca or Mg taken in (mg)."""
    check("body.mass_balance")
