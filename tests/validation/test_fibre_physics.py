"""Emergent physics of the agent rules: binding equilibrium, ATP, diffusion, walls.

Competitive binding: Ca and Mg on one site type must reach
θ_Ca = (Ca/K_Ca) / (1 + Ca/K_Ca + Mg/K_Mg) and θ_Mg likewise (mass action),
with K = k_off / k_on of the parameter set.  ATP: the Mg-ATP pool and the Ca on ATP
(rapid equilibrium) must match mass action with ATP's constants.  Diffusion: the mean
squared displacement must be 6·D·t, and no ion may leave the box.  The computations are
the physics checks of :mod:`cellsim.validation.fibre`.
"""


def test_competitive_binding_reaches_analytic_occupancy(check):
    # Ca 2 µM and Mg 2 mM near the regulatory sites' Kd (1.3 µM and 2.3 mM), so both
    # compete; a closed fibre (no release, pumps or ATP) relaxes to equilibrium.  Tolerance:
    # statistical error of a 15 ms average over the sites (correlation time ~5 ms, so
    # ~5 independent samples) x 4, plus 1 % of the value for the O(dt) time splitting.
    check("fibre.binding_equilibrium")


def test_atp_holds_ca_and_mg_by_mass_action(check):
    # Mg-ATP / ATP and the fraction of cytosolic Ca on ATP against mass action
    # (K_Ca 200 µM, K_Mg 100 µM): Mg-ATP within 2 %, Ca on ATP within 4 standard errors.
    check("fibre.atp_equilibrium")


def test_mean_squared_displacement_is_6Dt_and_walls_hold(check):
    # no binding partners; a box large enough that ions starting in its centre rarely
    # meet a wall within the 0.2 ms window.  Tolerance: 4 relative standard errors of
    # the MSD of n ions, sqrt(2/3 / n).
    check("fibre.diffusion_msd")


def test_reflecting_walls_keep_a_uniform_density(check):
    # chi-square with 9 degrees of freedom: 99.9th percentile is 27.9
    check("fibre.walls_uniform")
