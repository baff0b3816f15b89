"""The fibre's arrays: the single source of truth that agents view and kernels step.

Geometry (see ``docs/fibre.md``): a box ``length_x_um × width_y_um × width_z_um``
from the triad (x = 0, where the SR terminal cisterna carries the RyR channels)
to the M-line, with the longitudinal SR (SERCA pumps) on the wall y = width_y.
Every wall reflects.  Thin filaments run along x from the triad.  The box is
cut into reaction voxels; an ion binds free sites of its own voxel.

Counts: ``particles_per_uM = volume_um3 × 602.214 / particle_weight``.  With the
default 0.04 µm³ column and weight 1, 1 µM is 24 particles, so the counts are
real for that small volume; the weight lets a user trade noise for speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cellsim import random as crandom
from cellsim.fibre.kernel import EVENT_CHUNK
from cellsim.fibre.params import FibreParams

AVOGADRO_PER_UM3_UM = 602.214  # particles per µm³ per µM

# site types
TN_REG, TN_CAMG, PV, SERCA = 0, 1, 2, 3
N_SITE_TYPES = 4
SITE_TYPE_NAMES = ("troponin_regulatory", "troponin_camg", "parvalbumin", "serca_slot")
# species (index 0 = no ion)
NONE, CA, MG = 0, 1, 2
# ion states
FREE, BOUND, IN_SR = 0, 1, 2


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
    ion_state: np.ndarray  # int8: FREE, BOUND, IN_SR
    ion_site: np.ndarray  # int32: site row when BOUND, else -1
    ion_event: np.ndarray  # int8 scratch: 0..3 claim of site type, 9 unbind (listed rows)
    event_rows: np.ndarray  # int32 scratch: rows with an event, listed per chunk of rows
    event_count: np.ndarray  # int32 [n_chunks]: events listed in each chunk
    chunk_ca: np.ndarray  # int32 [n_chunks]: Ca ions out of the SR per chunk (kernel's count)
    chunk_mg: np.ndarray  # int32 [n_chunks]: Mg ions per chunk (kernel's count)
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
    n_free: np.ndarray  # int32 [N_SITE_TYPES, n_voxels]: free sites per voxel
    bound_count: np.ndarray  # int64 [N_SITE_TYPES, 3]: bound ions by type and species
    kon: np.ndarray  # float64 [N_SITE_TYPES, 3], µM⁻¹ ms⁻¹
    koff: np.ndarray  # float64 [N_SITE_TYPES, 3], ms⁻¹
    # reaction tables (kernel.binding_tables each step; kernel.unbinding_table once)
    bind_weight: np.ndarray  # float64 [3, n_voxels]: Σ kon·free sites, by species
    p_bind: np.ndarray  # float64 [3, n_voxels]: binding probability in one step
    p_unbind: np.ndarray  # float64 [N_SITE_TYPES, 3]: unbinding probability in one ion step
    # SR and channels
    sr_stack: np.ndarray  # int32: rows of Ca ions in the SR (a stack)
    sr_count: np.ndarray  # int64 [1]: ions in the SR (stack height)
    sr_count_initial: int
    ryr_y: np.ndarray
    ryr_z: np.ndarray
    ryr_open: np.ndarray  # int8
    n_pumps: int
    # thin filament
    ru_perm: np.ndarray  # int8: regulatory unit permissive (1) or not (0)
    ru_xb: np.ndarray  # int8: crossbridge attached (1) or not (0)
    ru_per_chain: int
    # scalars that change: [sarcomere length µm]
    sarcomere: np.ndarray
    n_ca_total: int
    n_mg_total: int
    leak_per_ms: float  # passive SR leak at full SR content (ions/ms)

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
    kon[SERCA, CA], koff[SERCA, CA] = p.serca_kon_ca, p.serca_koff_ca
    return kon, koff


def equilibrium_occupancy(kon, koff, site_type, ca_uM, mg_uM):
    """Analytic competitive occupancies (θ_Ca, θ_Mg) of one site type.

    θ_Ca = (Ca/K_Ca) / (1 + Ca/K_Ca + Mg/K_Mg), θ_Mg likewise.
    """
    a = ca_uM * kon[site_type, CA] / koff[site_type, CA] if koff[site_type, CA] > 0 else 0.0
    b = mg_uM * kon[site_type, MG] / koff[site_type, MG] if koff[site_type, MG] > 0 else 0.0
    return a / (1 + a + b), b / (1 + a + b)


def mg_pump_factor(p: FibreParams, mg_mM: float) -> float:
    """SERCA turnover factor from Mg-ATP availability: Mg / (Mg + K)."""
    return mg_mM / (mg_mM + p.serca_mg_half_mM)


def ryr_rest_open_rate(p: FibreParams, mg_mM: float) -> float:
    """Resting RyR opening rate (ms⁻¹), inhibited by cytosolic Mg (Hill form)."""
    return p.ryr_k_open_rest_per_ms / (1.0 + (mg_mM / p.ryr_mg_ki_rest_mM) ** p.ryr_mg_hill_rest)


def _uniforms(seed, purpose, n, draws):
    return crandom.uniforms_array(seed, purpose, 0, n, draws)


def _count(conc_uM: float, ppu: float) -> int:
    return round(conc_uM * ppu)


def build_state(
    p: FibreParams,
    seed: int,
    mg_free_mM: float,
    *,
    with_ions: bool = True,
    clamp_ca_uM: float | None = None,
) -> FibreState:
    """Lay out a fibre at rest: sites at equilibrium with resting Ca and Mg.

    Parameters
    ----------
    p
        The parameter set (with overrides applied).
    seed
        Seed of the counter-based stream (initial placement uses its own purpose).
    mg_free_mM
        Cytosolic free Mg (the environment's): the free Mg ions and the sites'
        resting Mg occupancy.
    with_ions
        ``False`` for a skinned-fibre clamp: no ions, SR, RyR or SERCA; sites
        exchange with a buffered bath instead.
    clamp_ca_uM
        Bath free Ca for initial site occupancy in a clamp.
    """
    geo = make_geometry(p)
    ppu = geo.volume_um3 * AVOGADRO_PER_UM3_UM / p.particle_weight
    kon, koff = rate_tables(p)
    ca_uM = clamp_ca_uM if clamp_ca_uM is not None else p.ca_rest_uM
    mg_uM = mg_free_mM * 1000.0

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
    counts = [2 * n_ru, 2 * n_ru, n_pv, 2 * n_pumps]
    type_start = np.zeros(N_SITE_TYPES + 1, dtype=np.int64)
    type_start[1:] = np.cumsum(counts)
    n_sites = int(type_start[-1])

    site_x = np.empty(n_sites)
    site_y = np.empty(n_sites)
    site_z = np.empty(n_sites)
    site_type = np.empty(n_sites, dtype=np.int8)
    for t in range(N_SITE_TYPES):
        site_type[type_start[t] : type_start[t + 1]] = t
    for t in (TN_REG, TN_CAMG):  # two sites per RU, at the RU's position
        sl = slice(type_start[t], type_start[t + 1])
        site_x[sl], site_y[sl], site_z[sl] = (
            np.repeat(ru_x, 2),
            np.repeat(ru_y, 2),
            np.repeat(ru_z, 2),
        )
    pv_u = _uniforms(seed, crandom.PURPOSE_INIT + 100, max(n_pv, 1), 3)[:n_pv]
    sl = slice(type_start[PV], type_start[PV + 1])
    site_x[sl] = pv_u[:, 0] * p.length_x_um
    site_y[sl] = pv_u[:, 1] * p.width_y_um
    site_z[sl] = pv_u[:, 2] * p.width_z_um
    pump_u = _uniforms(seed, crandom.PURPOSE_INIT + 200, max(n_pumps, 1), 2)[:n_pumps]
    sl = slice(type_start[SERCA], type_start[SERCA + 1])
    site_x[sl] = np.repeat(pump_u[:, 0] * p.length_x_um, 2)
    site_y[sl] = p.width_y_um * (1.0 - 1e-9)  # on the longitudinal-SR wall
    site_z[sl] = np.repeat(pump_u[:, 1] * p.width_z_um, 2)
    site_voxel = geo.voxel_of(site_x, site_y, site_z)

    # --- initial occupancy: each site drawn from the analytic equilibrium
    occ_u = _uniforms(seed, crandom.PURPOSE_INIT + 300, max(n_sites, 1), 1)[:n_sites, 0]
    site_species = np.zeros(n_sites, dtype=np.int8)
    for t in range(N_SITE_TYPES):
        th_ca, th_mg = equilibrium_occupancy(kon, koff, t, ca_uM, mg_uM)
        sl = slice(type_start[t], type_start[t + 1])
        u = occ_u[sl]
        site_species[sl] = np.where(u < th_ca, CA, np.where(u < th_ca + th_mg, MG, NONE))

    # --- ions: bound ones sit on their sites; free ones uniform; SR Ca as rows too
    bound_rows = np.flatnonzero(site_species != NONE) if with_ions else np.zeros(0, np.int64)
    n_free_ca = _count(p.ca_rest_uM, ppu) if with_ions else 0
    n_free_mg = _count(mg_uM, ppu) if with_ions else 0
    n_sr = _count(p.sr_ca_total_uM, ppu) if with_ions else 0
    n_ions = len(bound_rows) + n_free_ca + n_free_mg + n_sr
    ion_x = np.zeros(n_ions)
    ion_y = np.zeros(n_ions)
    ion_z = np.zeros(n_ions)
    ion_species = np.zeros(n_ions, dtype=np.int8)
    ion_state = np.full(n_ions, FREE, dtype=np.int8)
    ion_site = np.full(n_ions, -1, dtype=np.int32)
    site_occupant = np.full(n_sites, -1, dtype=np.int32)
    nb = len(bound_rows)
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
        free_u = _uniforms(seed, crandom.PURPOSE_INIT + 400, max(n_free_ca + n_free_mg, 1), 3)
        sl = slice(nb, nb + n_free_ca + n_free_mg)
        k = n_free_ca + n_free_mg
        ion_x[sl] = free_u[:k, 0] * p.length_x_um
        ion_y[sl] = free_u[:k, 1] * p.width_y_um
        ion_z[sl] = free_u[:k, 2] * p.width_z_um
        ion_species[nb : nb + n_free_ca] = CA
        ion_species[nb + n_free_ca : nb + k] = MG
        ion_species[nb + k :] = CA
        ion_state[nb + k :] = IN_SR
    sr_stack = np.zeros(max(n_sr + sum(ion_species == CA), 1), dtype=np.int32)
    sr_stack[:n_sr] = np.arange(n_ions - n_sr, n_ions, dtype=np.int32)

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
        n_free[t] = np.bincount(site_voxel[lo:hi][free], minlength=geo.n_voxels)
    bound_count = np.zeros((N_SITE_TYPES, 3), dtype=np.int64)
    for t in range(N_SITE_TYPES):
        sp = site_species[type_start[t] : type_start[t + 1]]
        bound_count[t, CA] = np.count_nonzero(sp == CA)
        bound_count[t, MG] = np.count_nonzero(sp == MG)
    if not with_ions:
        site_occupant[:] = -1

    # --- RyR on the triad wall, on a regular grid
    n_ryr = p.ryr_count if with_ions else 0
    side = max(1, math.ceil(math.sqrt(max(n_ryr, 1))))
    idx = np.arange(n_ryr)
    ryr_y = ((idx % side) + 0.5) / side * p.width_y_um
    ryr_z = ((idx // side) + 0.5) / side * p.width_z_um

    # --- thin filament: initial permissive state at the resting Ca (mostly off)
    ru_perm = np.zeros(n_ru, dtype=np.int8)
    ru_xb = np.zeros(n_ru, dtype=np.int8)

    leak = 0.0
    if with_ions:
        leak = balancing_leak(p, kon, koff, n_pumps)
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
        event_count=np.zeros(-(-n_ions // EVENT_CHUNK), dtype=np.int32),
        chunk_ca=np.zeros(-(-n_ions // EVENT_CHUNK), dtype=np.int32),
        chunk_mg=np.zeros(-(-n_ions // EVENT_CHUNK), dtype=np.int32),
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
        kon=kon,
        koff=koff,
        bind_weight=np.zeros((3, geo.n_voxels)),
        p_bind=np.zeros((3, geo.n_voxels)),
        p_unbind=np.zeros((N_SITE_TYPES, 3)),
        sr_stack=sr_stack,
        sr_count=np.array([n_sr], dtype=np.int64),
        sr_count_initial=n_sr,
        ryr_y=ryr_y,
        ryr_z=ryr_z,
        ryr_open=np.zeros(n_ryr, dtype=np.int8),
        n_pumps=n_pumps,
        ru_perm=ru_perm,
        ru_xb=ru_xb,
        ru_per_chain=p.ru_per_filament,
        sarcomere=np.array([p.sl_rest_um]),
        n_ca_total=int(np.count_nonzero(ion_species == CA)),
        n_mg_total=int(np.count_nonzero(ion_species == MG)),
        leak_per_ms=leak,
    )


def balancing_leak(p: FibreParams, kon, koff, n_pumps: int) -> float:
    """Passive SR leak (ions/ms at full SR) that balances the pump at rest.

    Computed at the parameter set's healthy free Mg (``leak_balance_mg_mM``),
    so that lowering Mg in a scenario unbalances it, as it should.
    """
    if p.sr_leak_per_ms >= 0:
        return p.sr_leak_per_ms
    mg_ref = p.leak_balance_mg_mM
    kd = koff[SERCA, CA] / kon[SERCA, CA]
    theta = p.ca_rest_uM / (p.ca_rest_uM + kd)
    pump = 2.0 * n_pumps * p.serca_k_transport_per_ms * mg_pump_factor(p, mg_ref) * theta**2
    k_open = ryr_rest_open_rate(p, mg_ref)
    ryr = p.ryr_count * k_open / (k_open + p.ryr_k_close_per_ms) * p.ryr_flux_ions_per_ms
    return max(0.0, pump - ryr)
