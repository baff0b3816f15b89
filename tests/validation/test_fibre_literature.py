"""The fibre against published results (each with its source and tolerance).

Thin wrappers over the checks in :mod:`cellsim.validation.fibre`, which hold the
computation, the published value and the tolerance.
"""


def test_mouse_fast_twitch_ca_transient(check):
    """Baylor & Hollingworth 2003 (J Physiol 551:125), mouse fast fibres at 16 °C:
    peak Δ[Ca] 18.5 ± 0.5 µM and FDHM 4.9 ± 0.3 ms.  Tolerance (issue target):
    peak ± 25 %, FDHM ± 1.5 ms, on the mean of two seeds (three in the full
    check; the transient of a 24-ions-per-µM column is noisy)."""
    check("fibre.twitch_peak_ca", "fibre.twitch_ca_fdhm")


def test_low_mg_slows_and_prevents_relaxation(check):
    """Issue target: free Mg 1.0 -> 0.15 mM gives a longer half-relaxation and a
    higher residual force (relaxation fails: cramp).  Direction from Kabbara &
    Stephenson 1994 (SERCA needs Mg) and the Lamb group (Mg blocks resting RyR).
    Human twitches at free Mg 0.15, 0.5, 1.0 and 3 mM (same seed)."""
    check("fibre.low_mg_relaxation_fails")


def test_high_mg_weakens_activation(check):
    """Mg competes with Ca on the regulatory sites (Ogawa 1985) and inhibits
    release: at 3 mM the twitch is weaker than at the normal 0.5 mM of human muscle
    (at least 25 % less force) and force falls as Mg rises."""
    check("fibre.high_mg_weakens_twitch")


def test_force_pca_of_fast_fibre(check):
    """Fast skinned fibres at ~1 mM Mg: pCa50 5.8-6.0 and Hill n 3-5 (Stephenson &
    Williams 1981; literature.md, status recalled).  Tolerance: pCa50 ± 0.15
    around that range, n within 3-5."""
    check("fibre.force_pca_pca50", "fibre.force_pca_hill_n")


def test_mg_shifts_force_pca_with_max_force_unchanged(check):
    """Raising free Mg lowers Ca sensitivity, ≈ -0.1 pCa unit per +1 mM, with maximum
    force about unchanged (Donaldson & Kerrick 1975; derived from Ogawa 1985's K_Mg).
    Tolerance: shift between -0.05 and -0.2 per mM; Fmax within 10 %."""
    check("fibre.mg_shifts_pca50", "fibre.mg_keeps_fmax")
