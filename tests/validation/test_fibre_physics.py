"""Emergent physics of the agent rules: binding equilibrium and diffusion.

Competitive binding: Ca and Mg on one site type must reach
θ_Ca = (Ca/K_Ca) / (1 + Ca/K_Ca + Mg/K_Mg) and θ_Mg likewise (mass action),
with K = k_off / k_on of the parameter set.  Diffusion: the mean squared
displacement must be 6·D·t, and no ion may leave the box.
"""

import numpy as np

from cellsim.fibre import runner
from cellsim.fibre.state import CA, FREE, MG, TN_REG
from tests.conftest import fibre_scenario

CLOSED = {"ryr_count": 0, "serca_uM": 0.0, "sr_leak_per_ms": 0.0, "pv_sites_uM": 0.0}


def test_competitive_binding_reaches_analytic_occupancy():
    # Ca 2 µM and Mg 2 mM near the regulatory sites' Kd (2 µM and 2.3 mM), so both
    # compete; a closed fibre (no release, no pumps) relaxes to equilibrium.
    fibre = {
        **CLOSED,
        "ca_rest_uM": 2.0,
        "mg_free_mM": 2.0,
        "mg_substeps": 1,
        "particle_weight": 4.0,
        "width_y_um": 0.3,
        "width_z_um": 0.3,
    }
    scenario = fibre_scenario(
        fibre, protocol={"kind": "none"}, run={"duration_ms": 30.0, "record_every_steps": 100}
    )
    model = runner.build_model(scenario)
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    late = df[df["time_ms"] > 15.0]  # several unbinding times (1/k_off_Ca = 8.7 ms)
    ca, mg = late["ca_free_uM"].mean(), late["mg_free_uM"].mean()
    kon, koff = model.state.kon, model.state.koff
    a = ca / (koff[TN_REG, CA] / kon[TN_REG, CA])
    b = mg / (koff[TN_REG, MG] / kon[TN_REG, MG])
    theta_ca, theta_mg = a / (1 + a + b), b / (1 + a + b)
    n_sites = 2 * model.state.n_ru
    # statistical error of a 25 ms average over n_sites sites (correlation time ~5 ms,
    # so ~5 independent samples), plus 1 % of the value for the O(dt) time splitting
    for name, theta, measured in (
        ("Ca", theta_ca, late["tn_reg_ca_fraction"].mean()),
        ("Mg", theta_mg, late["tn_reg_mg_fraction"].mean()),
    ):
        sem = np.sqrt(theta * (1 - theta) / n_sites / 5)
        assert abs(measured - theta) < 4 * sem + 0.01 * theta, (name, measured, theta)


def test_mean_squared_displacement_is_6Dt_and_walls_hold():
    # no binding partners: k_on = 0 everywhere; a box large enough that ions
    # starting in its centre rarely meet a wall within the 0.2 ms window
    fibre = {
        **CLOSED,
        "reg_kon_ca": 0.0,
        "reg_kon_mg": 0.0,
        "camg_kon_ca": 0.0,
        "camg_kon_mg": 0.0,
        "length_x_um": 3.0,
        "width_y_um": 3.0,
        "width_z_um": 3.0,
        "voxel_um": 0.5,
        "ca_rest_uM": 0.3,
        "mg_free_mM": 0.0003,
        "mg_substeps": 10,
        "sr_ca_total_uM": 0.0,
        "tnc_uM": 0.01,  # no filaments needed: keeps the box cheap
    }
    scenario = fibre_scenario(
        fibre, protocol={"kind": "none"}, run={"duration_ms": 0.2, "dt_us": 5.0}
    )
    model = runner.build_model(scenario)
    s = model.state
    free = np.flatnonzero(s.ion_state == FREE)
    start = np.column_stack([s.ion_x[free], s.ion_y[free], s.ion_z[free]]).copy()
    model.run()
    end = np.column_stack([s.ion_x[free], s.ion_y[free], s.ion_z[free]])
    assert np.all((end >= 0) & (end <= 3.0))
    central = np.all((start > 0.8) & (start < 2.2), axis=1)
    for sp, d in ((CA, 0.3), (MG, 0.267)):
        sel = central & (s.ion_species[free] == sp)
        msd = np.mean(np.sum((end[sel] - start[sel]) ** 2, axis=1))
        expected = 6 * d * 0.2
        # MSD of n ions: relative standard error sqrt(2/3 / n)
        rel_err = np.sqrt(2 / 3 / sel.sum())
        assert sel.sum() > 300
        assert abs(msd / expected - 1) < 4 * rel_err, (sp, msd, expected)


def test_reflecting_walls_keep_a_uniform_density():
    fibre = {
        **CLOSED,
        "reg_kon_ca": 0.0,
        "reg_kon_mg": 0.0,
        "camg_kon_ca": 0.0,
        "camg_kon_mg": 0.0,
        "mg_free_mM": 0.2,
        "mg_substeps": 1,
        "sr_ca_total_uM": 0.0,
    }
    model = runner.build_model(
        fibre_scenario(fibre, protocol={"kind": "none"}, run={"duration_ms": 2.0})
    )
    model.run()
    s = model.state
    x = s.ion_x[s.ion_species == MG]
    counts, _ = np.histogram(x, bins=10, range=(0, s.geometry.lx_um))
    expected = len(x) / 10
    # chi-square with 9 degrees of freedom: 99.9th percentile is 27.9
    assert np.sum((counts - expected) ** 2 / expected) < 27.9
