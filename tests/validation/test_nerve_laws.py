"""Validation: published laws that must *emerge* from the nerve's agents.

Each test states its literature source and tolerance.  Nothing tested here is
written into the model as a formula: release comes from Ca channels and
five-site sensors, the NMDA block from receptor agents blocking at random,
the screening shift from channel agents counted under voltage clamp.  The
experiments are the checks of :mod:`cellsim.validation.nerve`.
"""


# ---- Dodge & Rahamimoff 1967 ------------------------------------------------------------
def test_release_loglog_slope_at_low_ca(check):
    """Dodge & Rahamimoff 1967: slope 3.78 ± 0.2 for 0.2-0.5 mM Ca; accept 3.4-4.2."""
    check("nerve.release_slope_low_ca")


def test_release_slope_falls_towards_2_mM(check):
    """Dodge & Rahamimoff 1967: the slope falls as [Ca]o approaches 2 mM."""
    check("nerve.release_slope_falls")


def test_mg_competes_with_ca_in_release(check):
    """Dodge & Rahamimoff 1967: raising Mg lowers release; more Ca overcomes it."""
    check("nerve.mg_competes_in_release")


# ---- Jahr & Stevens 1990 -----------------------------------------------------------------
def test_nmda_unblocked_fraction_at_minus_60(check):
    """Jahr & Stevens 1990: B(-60 mV, 1 mM Mg) = 0.080; accept 0.08 ± 0.02."""
    check("nerve.nmda_unblocked_at_minus_60")


def test_nmda_half_block_voltage(check):
    """Jahr & Stevens 1990: half block at -20.5 mV (1 mM Mg); accept ± 4 mV."""
    check("nerve.nmda_half_block_voltage")


def test_nmda_block_scales_with_mg(check):
    """Jahr & Stevens 1990: more Mg, more block at the same voltage; none without Mg."""
    check("nerve.nmda_block_scales_with_mg")


# ---- Hille, Woodhull & Shapiro 1975 -------------------------------------------------------
def test_na_activation_shift_for_tenfold_ca(check):
    """Hille et al. 1975: +20 to +25 mV per tenfold Ca; accept +15 to +28 mV."""
    check("nerve.na_activation_shift")


def test_mg_screens_less_than_equimolar_ca(check):
    """Hille et al. 1975: Mg is a weaker screener than Ca (Ba = Sr < Mg < Ca)."""
    check("nerve.mg_screens_less_than_ca")


# ---- hypocalcaemic tetany (clinical: iCa < 0.9 mM) -----------------------------------------
def test_no_spontaneous_firing_at_normal_ca_and_mg(check):
    """Normal iCa 1.2 mM with Mg 0.5 (two seeds) or 1 mM: no spontaneous spikes in 2 s."""
    check("nerve.no_firing_at_normal_ca")


def test_spontaneous_firing_threshold_in_clinical_range(check):
    """Tetany: clinical iCa < 0.9 mM.  Accept a threshold (>= 2 Hz) between 0.6 and 1.0 mM,
    and clear firing (>= 5 Hz) well below it, at 0.6 mM."""
    check("nerve.tetany_threshold")


def test_lowering_mg_raises_spontaneous_firing(check):
    """Hypomagnesaemia also excites: removing Mg (less screening) raises the rate at 0.9 mM
    Ca by at least 2 Hz."""
    check("nerve.low_mg_raises_firing")


# ---- hypermagnesaemia: rat diaphragm, ~6 mM Mg blocks single-shock transmission ----------
def test_high_mg_blocks_neuromuscular_transmission(check):
    """~6 mM Mg: the nerve fires but no muscle AP follows a single shock (5 seeds);
    at 0.5 mM every shock is transmitted."""
    check("nerve.high_mg_blocks_transmission")
