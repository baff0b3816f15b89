"""Conservation and consistency of the fibre's arrays after a twitch.

Ions are never created or destroyed: total Ca (free + on ATP + bound + SR) and total Mg
(free + bound + Mg-ATP pool) are exactly conserved, every bound ion and occupied site
point at each other, the per-voxel counts of takeable sites match a recount (a pump's
second site only when its first holds Ca), and the kernel's tallies match the arrays.
"""

import numpy as np

from cellsim.fibre import kernel as K
from cellsim.fibre.state import (
    BOUND,
    CA,
    FREE,
    IN_SR,
    MG,
    N_SITE_TYPES,
    NONE,
    ON_ATP,
    SERCA,
    SERCA2,
)
from tests.conftest import fibre_model, fibre_scenario


def _check_consistent(model):
    s = model.state
    bound = np.flatnonzero(s.ion_state == BOUND)
    assert np.all(s.site_occupant[s.ion_site[bound]] == bound)
    assert np.all(s.site_species[s.ion_site[bound]] == s.ion_species[bound])
    occupied = np.flatnonzero((s.site_species != NONE) & (s.site_occupant >= 0))
    assert np.all(s.ion_site[s.site_occupant[occupied]] == occupied)
    assert len(occupied) == len(bound)
    # the SR stack holds exactly the ions in the SR; the Mg-ATP pool the pooled Mg
    in_sr = np.sort(np.flatnonzero(s.ion_state == IN_SR))
    assert np.array_equal(np.sort(s.sr_stack[: s.sr_count[0]]), in_sr)
    assert np.all(s.ion_species[in_sr] == CA)
    pooled = np.sort(np.flatnonzero((s.ion_state == ON_ATP) & (s.ion_species == MG)))
    assert np.array_equal(np.sort(s.mg_pool[: s.mg_pool_count[0]]), pooled)
    # a pump's second site holds Ca only if its first does
    first = s.site_species[s.type_start[SERCA] : s.type_start[SERCA + 1]]
    second = s.site_species[s.type_start[SERCA2] : s.type_start[SERCA2 + 1]]
    assert not np.any((second == CA) & (first != CA))
    # per-voxel takeable-site counts and bound counts match a recount
    for t in range(N_SITE_TYPES):
        rows = np.arange(s.type_start[t], s.type_start[t + 1])
        takeable = s.site_species[rows] == NONE
        if t == SERCA2:
            takeable &= first == CA
        np.testing.assert_array_equal(
            np.bincount(s.site_voxel[rows[takeable]], minlength=s.geometry.n_voxels), s.n_free[t]
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


def _tallies(model):
    """The kernel's kept per-chunk and per-block tallies, against a fresh count."""
    ions = model.kernel_arrays()[0]
    kept = tuple(ions[k].copy() for k in (9, 10, 13, 14))
    K.count_chunk_work(ions)
    return kept, tuple(ions[k] for k in (9, 10, 13, 14))


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
    sites = np.diff(s.type_start)
    # free + on ATP + bound + SR = total at every record, to the ion
    bound_ca = (
        df["tn_reg_ca_fraction"] * sites[0]
        + df["tn_camg_ca_fraction"] * sites[1]
        + df["pv_ca_fraction"] * sites[2]
        + df["serca_ca_fraction"] * (sites[3] + sites[4])
    )
    total = (df["ca_free_uM"] + df["ca_atp_uM"] + df["sr_ca_uM"]) * ppu + bound_ca
    np.testing.assert_allclose(total, n_ca, atol=1e-6)
    bound_mg = (
        df["tn_reg_mg_fraction"] * sites[0]
        + df["tn_camg_mg_fraction"] * sites[1]
        + df["pv_mg_fraction"] * sites[2]
    )
    np.testing.assert_allclose((df["mg_free_uM"] + df["mg_atp_uM"]) * ppu + bound_mg, n_mg,
                               atol=1e-6)  # fmt: skip
    _check_consistent(model)
    kept, fresh = _tallies(model)
    for before, after in zip(kept, fresh, strict=True):
        np.testing.assert_array_equal(before, after)


def test_released_ions_are_counted(small_fibre):
    model = fibre_model(fibre_scenario(small_fibre, run={"duration_ms": 6.0}))
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    released = df["ryr_released_uM"].to_numpy()
    assert released[0] == 0 and np.all(np.diff(released) >= 0) and released[-1] > 0
    # what left the SR went through the channels or the (small) leak; pumps took some back
    lost = df["sr_ca_uM"].iloc[0] - df["sr_ca_uM"].min()
    assert 0.5 * released[-1] < lost <= released[-1] + 1.0


def test_agents_are_views_of_the_arrays(small_fibre):
    from cellsim.fibre import CaIon, MgIon, RegulatoryUnit, RyRChannel, SercaPump, TroponinSite

    model = fibre_model(fibre_scenario(small_fibre))
    ca_agents = model.agents_by_type[CaIon]
    assert len(ca_agents) == model.state.n_ca_total
    assert len(model.agents_by_type[MgIon]) == model.state.n_mg_total
    free = ca_agents.select(lambda a: a.state == "free")
    assert len(free) == np.count_nonzero(
        (model.state.ion_species == CA) & (model.state.ion_state == FREE)
    )
    assert {a.state for a in model.agents_by_type[MgIon]} >= {"free", "bound", "atp"}
    ion = next(a for a in ca_agents if a.state == "bound")
    assert ion.site.occupant == "Ca"
    model.state.ion_x[ion.row] = 0.123  # writing the array is seen by the agent
    assert ion.position_um[0] == 0.123
    ru = model.agents_by_type[RegulatoryUnit][0]
    site = model.agents_by_type[TroponinSite][0]
    assert site.regulatory_unit is ru and ru.permissive is False
    channels = model.agents_by_type[RyRChannel]
    assert sum(c.coupled for c in channels) == len(channels) // 2  # every other one
    pump = model.agents_by_type[SercaPump][0]
    assert pump.slots[1] is None or pump.slots[0] == "Ca"
