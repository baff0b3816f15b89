"""Validation: published results that must *emerge* from the nerve's agents.

Each test states its literature source and tolerance; the checks themselves are in
:mod:`cellsim.validation.nerve` (quick versions here, full ones in ``cellsim check``).
Known gaps (published results the model does not reproduce) are run too: their outcome
must be a finite number, shown in the report, and they are never asserted to pass.
"""

from __future__ import annotations

import math

import pytest

from cellsim.validation.checks import get


# ---- surface-charge screening: Hille, Woodhull & Shapiro 1975 ------------------------------
def test_hille_tenfold_ca_shift_is_reproduced(check):
    """Hille et al. 1975: +20 to +25 mV for Ca 2 -> 20 mM (frog Ringer), from their constants."""
    check("nerve.hille_tenfold_ca")


def test_hille_divalent_free_shift_is_reproduced(check):
    """Hille et al. 1975: -18 mV without divalent ions; accept ± 4 mV (recalled Ringer)."""
    check("nerve.hille_divalent_free")


def test_hille_low_ionic_strength_shift_is_reproduced(check):
    """Hille et al. 1975: a further -35 mV at 1/8 ionic strength; accept ± 20 %."""
    check("nerve.hille_low_ionic_strength")


def test_k_channels_see_a_weaker_surface(check):
    """Campbell & Hille 1976: K gating moves ~4 mV per threefold Ca (fitted); accept ± 1 mV."""
    check("nerve.k_surface_shift")


def test_tenfold_ca_shifts_na_activation_at_the_mammalian_node(check):
    """Hille et al. 1975 (frog): +20 to +25 mV per tenfold Ca; mammalian ECF, accept 15-28."""
    check("nerve.na_activation_shift")


def test_mg_screens_less_than_ca(check):
    """Dörrscheidt-Käfer 1976: Mg ~0.6 as effective as Ca; Hille 1975: Mg < Ca; accept 0.4-0.95."""
    check("nerve.mg_screens_less_than_ca")


def test_no_divalent_ions_give_a_finite_shift_and_a_firing_node(check):
    """Hille et al. 1975: -18 mV divalent-free (frog); accept -24 to -12 mV; the node fires."""
    check("nerve.divalent_free_shift")


# ---- the node: calibration and tetany ----------------------------------------------------
def test_strength_duration_time_constant_is_calibrated(check):
    """Mogyoros, Kiernan & Burke 1996: τ_SD 459 ± 126 µs (human motor axons); accept ± 50 µs."""
    check("nerve.strength_duration")


def test_no_spontaneous_firing_at_normal_ca(check):
    """A normal axon is silent: no spike at iCa 1.2 mM with Mg 0.2, 0.5 or 1.0 mM."""
    check("nerve.no_firing_at_normal_ca")


def test_below_onset_spikes_come_in_multiplets(check):
    """Clinical EMG of tetany: doublets and multiplets; accept > 50 % of spikes in them."""
    check("nerve.multiplets_below_onset")


def test_low_mg_raises_firing_and_high_mg_protects(check):
    """Hypomagnesaemia excites: Mg 0.2 fires >= 2 Hz more than Mg 0.5 at iCa 0.5; Mg 1 silent."""
    check("nerve.low_mg_raises_firing")


# ---- the junction: Dodge & Rahamimoff 1967 as a whole -------------------------------------
def test_release_slope_falls_towards_normal_ca(check):
    """Dodge & Rahamimoff 1967: the slope diminishes towards normal Ca; accept a fall >= 1."""
    check("nerve.release_slope_falls")


def test_release_follows_a_fourth_power_of_a_ca_site(check):
    """Dodge & Rahamimoff 1967: release ∝ [CaX]⁴; release^(-1/4) linear in 1/Ca, r >= 0.995."""
    check("nerve.fourth_power_law")


def test_mg_competes_with_ca_for_the_release_site(check):
    """Dodge & Rahamimoff 1967: Mg competes; the reciprocal lines share an intercept (10 %)."""
    check("nerve.mg_competes_in_release")


def test_apparent_k_ca_of_release(check):
    """Dodge & Rahamimoff 1967: K_Ca ≈ 1 mM (recalled); accept a factor of two."""
    check("nerve.apparent_k_ca")


def test_about_four_ca_ions_cooperate(check):
    """Dodge & Rahamimoff 1967: about four Ca ions cooperate; accept a fitted power 3-5."""
    check("nerve.release_cooperativity")


def test_quantal_content_is_calibrated(check):
    """Rodent NMJ: ~50 quanta at Ca 2 / Mg 1 mM (the junction's one fitted constant); ± 5."""
    check("nerve.quantal_content")


def test_safety_factor_is_calibrated(check):
    """Rodent NMJ safety factor 3.5-5 in Krebs; the threshold was fitted to 4; accept ± 0.5."""
    check("nerve.safety_factor")


def test_high_mg_blocks_single_shock_transmission(check):
    """Rat diaphragm, 37 °C: ~6 mM Mg blocks transmission completely; accept P(muscle AP) <= 1 %."""
    check("nerve.high_mg_blocks_transmission")


def test_mg_lowers_end_plate_sensitivity(check):
    """del Castillo & Engbaek 1954: Mg lowers the end plate's response (direction)."""
    check("nerve.postsynaptic_mg_effect")


# ---- NMDA: Jahr & Stevens 1990; CSF Mg (Brewer et al. 2001) -------------------------------
def test_nmda_unblocked_fraction_at_minus_60(check):
    """Jahr & Stevens 1990: B(-60 mV, 1 mM Mg) = 0.080; accept 0.08 ± 0.02."""
    check("nerve.nmda_unblocked_at_minus_60")


def test_nmda_half_block_voltage(check):
    """Jahr & Stevens 1990: half block at -20.5 mV (1 mM Mg); accept ± 4 mV."""
    check("nerve.nmda_half_block_voltage")


def test_nmda_block_scales_with_mg(check):
    """Jahr & Stevens 1990: more Mg, more block at the same voltage; none without Mg."""
    check("nerve.nmda_block_scales_with_mg")


def test_nmda_receptors_read_csf_mg(check):
    """Brewer et al. 2001: CSF Mg 0.82 mM, unmoved by plasma Mg +53 %: so is the NMDA block."""
    check("nerve.nmda_reads_csf_mg")


# ---- known gaps: run, reported with their figure, never asserted to pass ------------------
KNOWN_GAPS = (
    "nerve.tetany_onset",  # clinical 0.7-1.0 mM; the model fires from ~0.57 mM
    "nerve.release_slope_low_ca",  # Dodge & Rahamimoff 3.78 ± 0.3; the model ~3.2
    "nerve.slope_unchanged_by_mg",  # the model's slope grows ~0.7 from Mg 0 to 2 mM
    "nerve.apparent_k_mg",  # recalled 3 mM; the model's analysis gives ~1.4 mM
)


@pytest.mark.parametrize("name", KNOWN_GAPS)
def test_known_gaps_run_and_report_a_figure(name, gap_session, tmp_path):
    """A known gap still runs: a finite value against its published one, and its figure."""
    from cellsim.validation import figures

    c = get(name)
    assert c.kind == "known_gap" and not c.counts
    result = gap_session.run(name, catch=False)
    assert result.outcome is not None and math.isfinite(result.outcome.value)
    assert result.outcome.samples, "a stochastic check reports one value per seed"
    assert figures.draw(result, tmp_path / "gap.png").exists()


@pytest.fixture(scope="module")
def gap_session():
    from cellsim.validation.checks import Session

    return Session(quick=True)
