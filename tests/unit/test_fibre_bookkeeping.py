"""Conservation and consistency of the fibre's arrays after a twitch.

Ions are never created or destroyed: total Ca and total Mg (free + bound + SR)
are exactly conserved, and every bound ion and occupied site point at each other.
"""

import numpy as np

from cellsim.fibre.state import BOUND, CA, FREE, IN_SR, MG, N_SITE_TYPES, NONE
from tests.conftest import fibre_model, fibre_scenario


def _check_consistent(model):
    s = model.state
    bound = np.flatnonzero(s.ion_state == BOUND)
    assert np.all(s.site_occupant[s.ion_site[bound]] == bound)
    assert np.all(s.site_species[s.ion_site[bound]] == s.ion_species[bound])
    occupied = np.flatnonzero((s.site_species != NONE) & (s.site_occupant >= 0))
    assert np.all(s.ion_site[s.site_occupant[occupied]] == occupied)
    assert len(occupied) == len(bound)
    # the SR stack holds exactly the ions in the SR
    in_sr = np.sort(np.flatnonzero(s.ion_state == IN_SR))
    assert np.array_equal(np.sort(s.sr_stack[: s.sr_count[0]]), in_sr)
    assert np.all(s.ion_species[in_sr] == CA)
    # per-voxel free-site counts and bound counts match a recount
    for t in range(N_SITE_TYPES):
        rows = np.arange(s.type_start[t], s.type_start[t + 1])
        free = rows[s.site_species[rows] == NONE]
        np.testing.assert_array_equal(
            np.bincount(s.site_voxel[free], minlength=s.geometry.n_voxels), s.n_free[t]
        )
        for sp in (CA, MG):
            assert s.bound_count[t, sp] == np.count_nonzero(s.site_species[rows] == sp)
    # free ions are inside the box
    free = s.ion_state == FREE
    for coord, length in (
        (s.ion_x, s.geometry.lx_um),
        (s.ion_y, s.geometry.ly_um),
        (s.ion_z, s.geometry.lz_um),
    ):
        assert np.all((coord[free] >= 0) & (coord[free] <= length))


def test_totals_conserved_and_arrays_consistent(small_fibre):
    scenario = fibre_scenario(small_fibre, run={"duration_ms": 8.0})
    model = fibre_model(scenario)
    n_ca = np.count_nonzero(model.state.ion_species == CA)
    n_mg = np.count_nonzero(model.state.ion_species == MG)
    _check_consistent(model)
    model.run()
    s = model.state
    assert np.count_nonzero(s.ion_species == CA) == n_ca == model.state.n_ca_total
    assert np.count_nonzero(s.ion_species == MG) == n_mg
    # something happened: release emptied part of the SR, ions bound and unbound
    assert s.sr_count[0] < model.state.sr_count_initial
    df = model.datacollector.get_model_vars_dataframe()
    ppu = s.particles_per_uM
    # free + bound + SR = total at every record, to the ion
    bound_ca = (
        df["tn_reg_ca_fraction"] * 2 * s.n_ru
        + df["tn_camg_ca_fraction"] * 2 * s.n_ru
        + df["pv_ca_fraction"] * (s.type_start[3] - s.type_start[2])
        + df["serca_ca_fraction"] * (s.type_start[4] - s.type_start[3])
    )
    total = df["ca_free_uM"] * ppu + bound_ca + df["sr_ca_uM"] * ppu
    np.testing.assert_allclose(total, n_ca, atol=1e-6)
    _check_consistent(model)


def test_agents_are_views_of_the_arrays(small_fibre):
    from cellsim.fibre import CaIon, MgIon, RegulatoryUnit, TroponinSite

    model = fibre_model(fibre_scenario(small_fibre))
    ca_agents = model.agents_by_type[CaIon]
    assert len(ca_agents) == model.state.n_ca_total
    assert len(model.agents_by_type[MgIon]) == model.state.n_mg_total
    free = ca_agents.select(lambda a: a.state == "free")
    assert len(free) == np.count_nonzero(
        (model.state.ion_species == CA) & (model.state.ion_state == FREE)
    )
    ion = next(a for a in ca_agents if a.state == "bound")
    assert ion.site.occupant == "Ca"
    model.state.ion_x[ion.row] = 0.123  # writing the array is seen by the agent
    assert ion.position_um[0] == 0.123
    ru = model.agents_by_type[RegulatoryUnit][0]
    site = model.agents_by_type[TroponinSite][0]
    assert site.regulatory_unit is ru and ru.permissive is False
