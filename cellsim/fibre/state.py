"""The fibre's arrays: the single source of truth that agents view and kernels step.

Geometry (see ``docs/fibre.md``): a box ``length_x_um × width_y_um × width_z_um``
from the triad (x = 0, where the SR terminal cisterna carries the RyR channels)
to the M-line, with the longitudinal SR on the wall y = width_y.  Every wall reflects.
Thin filaments run along x from the triad.  The box is cut into reaction voxels; an ion
binds free sites of its own voxel.  SERCA pumps sit in the column's cross-section at
random (the longitudinal SR wraps each myofibril and a 0.2 µm column mixes laterally in
~0.07 ms), so their Ca sites react with the whole cross-section, as in the 1-D models
they come from.

Agents and mean fields: Ca and Mg ions are agents (rows), and so are the sites of
troponin, parvalbumin and the pumps.  ATP (8 mM: ~190 000 molecules per column) is a
field: a cytosolic Ca ion is on ATP or free at each step by rapid equilibrium with the
free ATP of its x-slab, and a Mg ion that binds ATP joins a well-mixed Mg-ATP pool of
rows (a stack, like the SR's) that it leaves at ATP's off rate.  Calsequestrin is a
field of the SR: the SR's Ca rows split into free and bound by rapid equilibrium.

Counts: ``particles_per_uM = volume_um3 × 602.214 / particle_weight``.  With the
default 0.04 µm³ column and weight 1, 1 µM is 24 particles, so the counts are
real for that small volume; the weight lets a user trade noise for speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cellsim import random as crandom
from cellsim.fibre import rest
from cellsim.fibre.kernel import BATH_BLOCK, EVENT_CHUNK, N_S, UNSCHEDULED, WORK_BLOCK
from cellsim.fibre.params import FibreParams

AVOGADRO_PER_UM3_UM = 602.214  # particles per µm³ per µM

# site types
TN_REG, TN_CAMG, PV, SERCA, SERCA2 = 0, 1, 2, 3, 4
N_SITE_TYPES = 5
SITE_TYPE_NAMES = (
    "troponin_regulatory",
    "troponin_camg",
    "parvalbumin",
    "serca_first_site",
    "serca_second_site",
)
# species (index 0 = no ion)
NONE, CA, MG = 0, 1, 2
# ion states: a Ca ion ON_ATP is bound to ATP this step; a Mg ion ON_ATP is in the pool
FREE, BOUND, IN_SR, ON_ATP = 0, 1, 2, 3


@dataclass
class Geometry:
    """Box and voxel grid (derived from the parameters)."""

    lx_um: float
    ly_um: float
    lz_um: float
    nx: int
    ny: int
    nz: int

    @property
    def volume_um3(self) -> float:
        return self.lx_um * self.ly_um * self.lz_um

    @property
    def n_voxels(self) -> int:
        return self.nx * self.ny * self.nz

    @property
    def voxel_volume_um3(self) -> float:
        return self.volume_um3 / self.n_voxels

    @property
    def inverse_voxel_um(self) -> tuple[float, float, float]:
        """Voxels per µm along x, y, z (a multiply is cheaper than a divide)."""
        return self.nx / self.lx_um, self.ny / self.ly_um, self.nz / self.lz_um

    def voxel_of(self, x, y, z):
        """Voxel index of a position (numpy arrays or floats).

        Multiplies by voxels per µm (``inverse_voxel_um``), as the kernel does.
        """
        inv_x, inv_y, inv_z = self.inverse_voxel_um
        ix = np.minimum((np.asarray(x) * inv_x).astype(np.int64), self.nx - 1)
        iy = np.minimum((np.asarray(y) * inv_y).astype(np.int64), self.ny - 1)
        iz = np.minimum((np.asarray(z) * inv_z).astype(np.int64), self.nz - 1)
        return ((ix * self.ny + iy) * self.nz + iz).astype(np.int32)


@dataclass
class FibreState:
    """All arrays of one fibre.  Agents are views onto rows of these."""

    geometry: Geometry
    particles_per_uM: float
    # ions
    ion_x: np.ndarray
    ion_y: np.ndarray
    ion_z: np.ndarray
    ion_species: np.ndarray  # int8: CA or MG
    ion_state: np.ndarray  # int8: FREE, BOUND, IN_SR, ON_ATP
    ion_site: np.ndarray  # int32: site row when BOUND, else -1
    ion_event: np.ndarray  # int8 scratch: 0..4 claim of site type, 5 of ATP, 9 unbind
    event_rows: np.ndarray  # int32 scratch: rows with an event, listed per chunk of rows
    event_count: np.ndarray  # int32 [n_chunks]: events listed in each chunk
    chunk_ca: np.ndarray  # int32 [n_chunks]: cytosolic Ca per chunk (every-step work)
    chunk_sub: np.ndarray  # int32 [n_chunks]: free Mg and bound ions per chunk (substep work)
    chunk_catp: np.ndarray  # int32 [n_chunks, nx]: Ca on ATP per x-slab, per chunk
    chunk_triad: np.ndarray  # int32 [n_chunks]: free Ca in the triadic slab, per chunk
    block_ca: np.ndarray  # int32 [n_blocks]: chunk_ca per block of WORK_BLOCK rows
    block_sub: np.ndarray  # int32 [n_blocks]: chunk_sub per block of WORK_BLOCK rows
    chunk_counted: np.ndarray  # int8 [n_chunks]: 1 if chunk_catp/chunk_triad may be non-zero
    # sites
    site_x: np.ndarray
    site_y: np.ndarray
    site_z: np.ndarray
    site_type: np.ndarray  # int8
    site_species: np.ndarray  # int8: NONE, CA, MG
    site_occupant: np.ndarray  # int32: ion row, or -1 (empty, or bath ion in a clamp)
    site_voxel: np.ndarray  # int32
    type_start: np.ndarray  # int64 [N_SITE_TYPES + 1]: rows of each type
    vox_start: np.ndarray  # int64 [N_SITE_TYPES, n_voxels + 1]: offsets into vox_sites
    vox_sites: np.ndarray  # int32: site rows sorted by (type, voxel)
    n_free: np.ndarray  # int32 [N_SITE_TYPES, n_voxels]: free (takeable) sites per voxel
    bound_count: np.ndarray  # int64 [N_SITE_TYPES, 3]: bound ions by type and species
    site_next: np.ndarray  # int64: clamp only, the step of the site's next bath event
    bath_block_next: np.ndarray  # int64: clamp only, the earliest site_next per block
    kon: np.ndarray  # float64 [N_SITE_TYPES, 3], µM⁻¹ ms⁻¹
    koff: np.ndarray  # float64 [N_SITE_TYPES, 3], ms⁻¹
    # reaction tables (kernel.binding_tables each step; kernel.unbinding_table once)
    bind_weight: np.ndarray  # float64 [3, n_voxels]: Σ kon·free sites, by species
    p_bind: np.ndarray  # float64 [3, n_voxels]: binding probability in one step
    p_unbind: np.ndarray  # float64 [N_SITE_TYPES, 3]: unbinding probability in one ion step
    f_atp: np.ndarray  # float64 [nx]: fraction of cytosolic Ca on ATP, per x-slab
    atp_free: np.ndarray  # float64 [nx]: free ATP (µM) per x-slab
    # SR, Mg-ATP pool and channels
    sr_stack: np.ndarray  # int32: rows of Ca ions in the SR (a stack)
    sr_count: np.ndarray  # int64 [1]: ions in the SR (stack height)
    sr_count_initial: int
    mg_pool: np.ndarray  # int32: rows of Mg ions on ATP (a stack)
    mg_pool_count: np.ndarray  # int64 [1]
    ryr_y: np.ndarray
    ryr_z: np.ndarray
    ryr_open: np.ndarray  # int8
    ryr_sensor: np.ndarray  # int8: voltage sensor active (coupled channels)
    ryr_inact: np.ndarray  # int8: Ca-inactivated
    ryr_coupled: np.ndarray  # int8: faces a voltage sensor (else Ca/Mg-gated)
    scalars: np.ndarray  # float64 [N_S]: the step's scalars (kernel.S_*)
    n_pumps: int
    reg_per_unit: int
    # thin filament
    ru_perm: np.ndarray  # int8: regulatory unit permissive (1) or not (0)
    ru_xb: np.ndarray  # int8: crossbridge attached (1) or not (0)
    ru_per_chain: int
    # scalars that change: [sarcomere length µm]
    sarcomere: np.ndarray
    n_ca_total: int
    n_mg_total: int
    leak_per_ms: float  # passive SR leak, ions per ms per µM of free SR Ca

    @property
    def n_ions(self) -> int:
        return len(self.ion_x)

    @property
    def n_ru(self) -> int:
        return len(self.ru_perm)


def make_geometry(p: FibreParams) -> Geometry:
    def cells(length):
        return max(1, round(length / p.voxel_um))

    return Geometry(
        p.length_x_um,
        p.width_y_um,
        p.width_z_um,
        cells(p.length_x_um),
        cells(p.width_y_um),
        cells(p.width_z_um),
    )


def rate_tables(p: FibreParams) -> tuple[np.ndarray, np.ndarray]:
    """k_on (µM⁻¹ ms⁻¹) and k_off (ms⁻¹) indexed [site type, species]."""
    kon = np.zeros((N_SITE_TYPES, 3))
    koff = np.zeros((N_SITE_TYPES, 3))
    kon[TN_REG, CA], koff[TN_REG, CA] = p.reg_kon_ca, p.reg_koff_ca
    kon[TN_REG, MG], koff[TN_REG, MG] = p.reg_kon_mg, p.reg_koff_mg
    kon[TN_CAMG, CA], koff[TN_CAMG, CA] = p.camg_kon_ca, p.camg_koff_ca
    kon[TN_CAMG, MG], koff[TN_CAMG, MG] = p.camg_kon_mg, p.camg_koff_mg
    kon[PV, CA], koff[PV, CA] = p.pv_kon_ca, p.pv_koff_ca
    kon[PV, MG], koff[PV, MG] = p.pv_kon_mg, p.pv_koff_mg
    kon[SERCA, CA], koff[SERCA, CA] = p.serca_kon1_ca, p.serca_koff1_ca
    kon[SERCA2, CA], koff[SERCA2, CA] = p.serca_kon2_ca, p.serca_koff2_ca
    return kon, koff


def equilibrium_occupancy(kon, koff, site_type, ca_uM, mg_uM):
    """Analytic competitive occupancies (θ_Ca, θ_Mg) of one site type.

    θ_Ca = (Ca/K_Ca) / (1 + Ca/K_Ca + Mg/K_Mg), θ_Mg likewise.
    """
    return rest.competitive(
        kon[site_type, CA], koff[site_type, CA], kon[site_type, MG], koff[site_type, MG],
        ca_uM, mg_uM,
    )  # fmt: skip


def _uniforms(seed, purpose, n, draws):
    return crandom.uniforms_array(seed, purpose, 0, max(n, 1), draws)[:n]


def _count(conc_uM: float, ppu: float) -> int:
    return round(conc_uM * ppu)


def particles_per_uM(p: FibreParams) -> float:
    """Particles per µM in the fibre's volume (see the module notes)."""
    return make_geometry(p).volume_um3 * AVOGADRO_PER_UM3_UM / p.particle_weight


def parvalbumin_rows(p: FibreParams) -> int:
    """Parvalbumin sites a fibre with ions gets (0: the one-thread kernel without them)."""
    return _count(p.pv_sites_uM, particles_per_uM(p))


def build_state(
    p: FibreParams,
    seed: int,
    mg_free_mM: float,
    *,
    with_ions: bool = True,
    clamp_ca_uM: float | None = None,
) -> FibreState:
    """Lay out a fibre at rest: sites, pumps and ATP at equilibrium with resting Ca and Mg.

    Parameters
    ----------
    p
        The parameter set (with overrides applied, at the run's temperature).
    seed
        Seed of the counter-based stream (initial placement uses its own purpose).
    mg_free_mM
        Cytosolic free Mg (the environment's): the free Mg ions, Mg-ATP and the sites'
        resting Mg occupancy.
    with_ions
        ``False`` for a skinned-fibre clamp: no ions, SR, RyR or SERCA; sites
        exchange with a buffered bath instead.
    clamp_ca_uM
        Bath free Ca for initial site occupancy in a clamp.
    """
    geo = make_geometry(p)
    ppu = particles_per_uM(p)
    kon, koff = rate_tables(p)
    ca_uM = clamp_ca_uM if clamp_ca_uM is not None else p.ca_rest_uM
    mg_uM = mg_free_mM * 1000.0
    n_reg = p.reg_sites_per_tnc

    # --- regulatory units in chains along x
    n_tnc = max(1, _count(p.tnc_uM, ppu))
    n_chains = max(1, round(n_tnc / p.ru_per_filament))
    n_ru = n_chains * p.ru_per_filament
    thin_len = min(p.length_x_um, p.ru_per_filament * 0.0385)
    chain_u = _uniforms(seed, crandom.PURPOSE_INIT, n_chains, 2)
    ru_x = np.tile((np.arange(p.ru_per_filament) + 0.5) * thin_len / p.ru_per_filament, n_chains)
    ru_y = np.repeat(chain_u[:, 0] * p.width_y_um, p.ru_per_filament)
    ru_z = np.repeat(chain_u[:, 1] * p.width_z_um, p.ru_per_filament)

    n_pv = _count(p.pv_sites_uM, ppu) if with_ions else 0
    n_pumps = _count(p.serca_uM, ppu) if with_ions else 0
    counts = [n_reg * n_ru, 2 * n_ru, n_pv, n_pumps, n_pumps]
    type_start = np.zeros(N_SITE_TYPES + 1, dtype=np.int64)
    type_start[1:] = np.cumsum(counts)
    n_sites = int(type_start[-1])
    n_troponin = int(type_start[TN_CAMG + 1] - type_start[TN_REG])

    site_x = np.empty(n_sites)
    site_y = np.empty(n_sites)
    site_z = np.empty(n_sites)
    site_type = np.empty(n_sites, dtype=np.int8)
    for t in range(N_SITE_TYPES):
        site_type[type_start[t] : type_start[t + 1]] = t
    for t, per_unit in ((TN_REG, n_reg), (TN_CAMG, 2)):  # sites at their unit's position
        sl = slice(type_start[t], type_start[t + 1])
        site_x[sl] = np.repeat(ru_x, per_unit)
        site_y[sl] = np.repeat(ru_y, per_unit)
        site_z[sl] = np.repeat(ru_z, per_unit)
    pv_u = _uniforms(seed, crandom.PURPOSE_INIT + 100, n_pv, 3)
    sl = slice(type_start[PV], type_start[PV + 1])
    site_x[sl] = pv_u[:, 0] * p.length_x_um
    site_y[sl] = pv_u[:, 1] * p.width_y_um
    site_z[sl] = pv_u[:, 2] * p.width_z_um
    pump_u = _uniforms(seed, crandom.PURPOSE_INIT + 200, n_pumps, 3)
    for t in (SERCA, SERCA2):  # a pump's two sites share its position
        sl = slice(type_start[t], type_start[t + 1])
        site_x[sl] = pump_u[:, 0] * p.length_x_um
        site_y[sl] = pump_u[:, 1] * p.width_y_um
        site_z[sl] = pump_u[:, 2] * p.width_z_um
    site_voxel = geo.voxel_of(site_x, site_y, site_z)

    # --- initial occupancy: each site (each pump) drawn from the analytic resting state
    occ_u = _uniforms(seed, crandom.PURPOSE_INIT + 300, n_sites, 1)[:, 0]
    site_species = np.zeros(n_sites, dtype=np.int8)
    for t in (TN_REG, TN_CAMG, PV):
        th_ca, th_mg = equilibrium_occupancy(kon, koff, t, ca_uM, mg_uM)
        sl = slice(type_start[t], type_start[t + 1])
        u = occ_u[sl]
        site_species[sl] = np.where(u < th_ca, CA, np.where(u < th_ca + th_mg, MG, NONE))
    if n_pumps:
        one, two, _ = rest.serca_steady(p, ca_uM, mg_uM)
        u = occ_u[type_start[SERCA] : type_start[SERCA + 1]]
        first = u < one + two
        second = u < two
        site_species[type_start[SERCA] : type_start[SERCA + 1]] = np.where(first, CA, NONE)
        site_species[type_start[SERCA2] : type_start[SERCA2 + 1]] = np.where(second, CA, NONE)

    # --- ions.  Rows: bound ions, cytosolic Ca, free Mg, the Mg-ATP pool, then the SR
    # (pooled and stored ions last, so whole chunks of them are skipped)
    atp_free, ca_atp, mg_atp = rest.atp_equilibrium(p, p.ca_rest_uM, mg_uM)
    bound_rows = np.flatnonzero(site_species != NONE) if with_ions else np.zeros(0, np.int64)
    n_cyto_ca = _count(p.ca_rest_uM + ca_atp, ppu) if with_ions else 0
    n_free_mg = _count(mg_uM, ppu) if with_ions else 0
    n_pool = _count(mg_atp, ppu) if with_ions else 0
    n_sr = _count(rest.sr_total_uM(p, p.ca_sr_free_rest_uM), ppu) if with_ions else 0
    nb = len(bound_rows)
    n_ions = nb + n_cyto_ca + n_free_mg + n_pool + n_sr
    ion_x = np.zeros(n_ions)
    ion_y = np.zeros(n_ions)
    ion_z = np.zeros(n_ions)
    ion_species = np.zeros(n_ions, dtype=np.int8)
    ion_state = np.full(n_ions, FREE, dtype=np.int8)
    ion_site = np.full(n_ions, -1, dtype=np.int32)
    site_occupant = np.full(n_sites, -1, dtype=np.int32)
    if with_ions:
        ion_x[:nb], ion_y[:nb], ion_z[:nb] = (
            site_x[bound_rows],
            site_y[bound_rows],
            site_z[bound_rows],
        )
        ion_species[:nb] = site_species[bound_rows]
        ion_state[:nb] = BOUND
        ion_site[:nb] = bound_rows
        site_occupant[bound_rows] = np.arange(nb, dtype=np.int32)
        k = n_cyto_ca + n_free_mg
        free_u = _uniforms(seed, crandom.PURPOSE_INIT + 400, k, 4)
        sl = slice(nb, nb + k)
        ion_x[sl] = free_u[:, 0] * p.length_x_um
        ion_y[sl] = free_u[:, 1] * p.width_y_um
        ion_z[sl] = free_u[:, 2] * p.width_z_um
        ion_species[nb : nb + n_cyto_ca] = CA
        # cytosolic Ca starts on ATP or free as the rapid equilibrium says
        on_atp = free_u[:n_cyto_ca, 3] < ca_atp / (p.ca_rest_uM + ca_atp)
        ion_state[nb : nb + n_cyto_ca] = np.where(on_atp, ON_ATP, FREE)
        ion_species[nb + n_cyto_ca : nb + k] = MG
        pool = slice(nb + k, nb + k + n_pool)
        ion_species[pool] = MG
        ion_state[pool] = ON_ATP
        ion_species[nb + k + n_pool :] = CA
        ion_state[nb + k + n_pool :] = IN_SR
    n_ca = int(np.count_nonzero(ion_species == CA))
    n_mg = int(np.count_nonzero(ion_species == MG))
    sr_stack = np.zeros(max(n_ca, 1), dtype=np.int32)
    sr_stack[:n_sr] = np.arange(n_ions - n_sr, n_ions, dtype=np.int32)
    mg_pool = np.zeros(max(n_mg, 1), dtype=np.int32)
    first_pool = nb + n_cyto_ca + n_free_mg
    mg_pool[:n_pool] = np.arange(first_pool, first_pool + n_pool, dtype=np.int32)

    # --- voxel lists per type (rebuilt for mobile parvalbumin while running)
    vox_sites = np.empty(n_sites, dtype=np.int32)
    vox_start = np.zeros((N_SITE_TYPES, geo.n_voxels + 1), dtype=np.int64)
    n_free = np.zeros((N_SITE_TYPES, geo.n_voxels), dtype=np.int32)
    for t in range(N_SITE_TYPES):
        lo, hi = type_start[t], type_start[t + 1]
        order = lo + np.argsort(site_voxel[lo:hi], kind="stable")
        vox_sites[lo:hi] = order
        vox_start[t] = lo + np.concatenate(
            ([0], np.cumsum(np.bincount(site_voxel[lo:hi], minlength=geo.n_voxels)))
        )
        free = site_species[lo:hi] == NONE
        if t == SERCA2:  # a second site is takeable only when its first holds Ca
            first = site_species[type_start[SERCA] : type_start[SERCA + 1]]
            free = free & (first == CA)
        n_free[t] = np.bincount(site_voxel[lo:hi][free], minlength=geo.n_voxels)
    bound_count = np.zeros((N_SITE_TYPES, 3), dtype=np.int64)
    for t in range(N_SITE_TYPES):
        sp = site_species[type_start[t] : type_start[t + 1]]
        bound_count[t, CA] = np.count_nonzero(sp == CA)
        bound_count[t, MG] = np.count_nonzero(sp == MG)
    if not with_ions:
        site_occupant[:] = -1

    # --- RyR on the triad wall, on a regular grid; coupled and Ca/Mg-gated alternate
    n_ryr = p.ryr_count if with_ions else 0
    side = max(1, math.ceil(math.sqrt(max(n_ryr, 1))))
    idx = np.arange(n_ryr)
    ryr_y = ((idx % side) + 0.5) / side * p.width_y_um
    ryr_z = ((idx // side) + 0.5) / side * p.width_z_um
    coupled = rest.ryr_coupling(p) if with_ions else np.zeros(0, np.int8)

    # --- thin filament: initial permissive state at the resting Ca (mostly off)
    ru_perm = np.zeros(n_ru, dtype=np.int8)
    ru_xb = np.zeros(n_ru, dtype=np.int8)

    n_chunks = -(-n_ions // EVENT_CHUNK)
    n_blocks = -(-n_ions // WORK_BLOCK)
    leak = rest.balancing_leak_per_ms(p) * ppu if with_ions else 0.0
    atp_slab = np.full(geo.nx, atp_free if with_ions else 0.0)
    return FibreState(
        geometry=geo,
        particles_per_uM=ppu,
        ion_x=ion_x,
        ion_y=ion_y,
        ion_z=ion_z,
        ion_species=ion_species,
        ion_state=ion_state,
        ion_site=ion_site,
        ion_event=np.full(n_ions, -1, dtype=np.int8),
        event_rows=np.zeros(n_ions, dtype=np.int32),
        event_count=np.zeros(n_chunks, dtype=np.int32),
        chunk_ca=np.zeros(n_chunks, dtype=np.int32),
        chunk_sub=np.zeros(n_chunks, dtype=np.int32),
        chunk_catp=np.zeros((n_chunks, geo.nx), dtype=np.int32),
        chunk_triad=np.zeros(n_chunks, dtype=np.int32),
        block_ca=np.zeros(n_blocks, dtype=np.int32),
        block_sub=np.zeros(n_blocks, dtype=np.int32),
        chunk_counted=np.ones(n_chunks, dtype=np.int8),
        site_x=site_x,
        site_y=site_y,
        site_z=site_z,
        site_type=site_type,
        site_species=site_species,
        site_occupant=site_occupant,
        site_voxel=site_voxel,
        type_start=type_start,
        vox_start=vox_start,
        vox_sites=vox_sites,
        n_free=n_free,
        bound_count=bound_count,
        site_next=np.full(n_sites, UNSCHEDULED, dtype=np.int64),
        bath_block_next=np.full(-(-n_troponin // BATH_BLOCK), UNSCHEDULED, dtype=np.int64),
        kon=kon,
        koff=koff,
        bind_weight=np.zeros((3, geo.n_voxels)),
        p_bind=np.zeros((3, geo.n_voxels)),
        p_unbind=np.zeros((N_SITE_TYPES, 3)),
        f_atp=np.zeros(geo.nx),
        atp_free=atp_slab,
        sr_stack=sr_stack,
        sr_count=np.array([n_sr], dtype=np.int64),
        sr_count_initial=n_sr,
        mg_pool=mg_pool,
        mg_pool_count=np.array([n_pool], dtype=np.int64),
        ryr_y=ryr_y,
        ryr_z=ryr_z,
        ryr_open=np.zeros(n_ryr, dtype=np.int8),
        ryr_sensor=np.zeros(n_ryr, dtype=np.int8),
        ryr_inact=np.zeros(n_ryr, dtype=np.int8),
        ryr_coupled=coupled,
        scalars=np.zeros(N_S),
        n_pumps=n_pumps,
        reg_per_unit=n_reg,
        ru_perm=ru_perm,
        ru_xb=ru_xb,
        ru_per_chain=p.ru_per_filament,
        sarcomere=np.array([p.sl_rest_um]),
        n_ca_total=n_ca,
        n_mg_total=n_mg,
        leak_per_ms=leak,
    )
