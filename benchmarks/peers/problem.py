"""The kernel benchmark problem as plain arrays, for tools other than cellsim.

Read from the :class:`~cellsim.fibre.FibreModel` that ``benchmarks/bench_kernel.problem``
builds, so every peer starts from the very state cellsim starts from: the same box, the
same ions at the same positions, the same troponin sites (on thin filaments running along
x) with the same initial occupants, and the same rate constants.

Units: µm, ms, µM; k_on in µM⁻¹ ms⁻¹, k_off in ms⁻¹.  Species 1 is Ca, 2 is Mg (0: none);
site type 0 is troponin's regulatory sites, 1 its Ca/Mg sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: species codes (as in cellsim: index 0 means "no ion")
CA, MG = 1, 2
SPECIES_NAMES = {CA: "ca", MG: "mg"}
#: site types of the problem
SITE_TYPE_NAMES = ("reg", "camg")
#: particles per µm³ per µM
AVOGADRO_PER_UM3_UM = 602.214


@dataclass
class PeerProblem:
    """One instance of the benchmark problem.

    Attributes
    ----------
    side_um
        Edge of the cubic box (reflecting walls).
    voxels_per_side
        Reaction voxels along each edge (cellsim's rule binds within a voxel).
    dt_ms
        Time step.
    d_um2_per_ms
        Diffusion coefficient by species code, ``[0, D_Ca, D_Mg]``.
    kon, koff
        ``[site type, species]`` rate constants (µM⁻¹ ms⁻¹, ms⁻¹).
    site_xyz, site_type, site_species
        Sites: positions ``(n_sites, 3)``, type, initial occupant species (0: free).
    ion_xyz, ion_species, ion_site
        Ions: positions ``(n_ions, 3)``, species, site row when bound (else -1).
    """

    side_um: float
    voxels_per_side: int
    dt_ms: float
    d_um2_per_ms: np.ndarray
    kon: np.ndarray
    koff: np.ndarray
    site_xyz: np.ndarray
    site_type: np.ndarray
    site_species: np.ndarray
    ion_xyz: np.ndarray
    ion_species: np.ndarray
    ion_site: np.ndarray

    @property
    def n_ions(self) -> int:
        return len(self.ion_species)

    @property
    def n_sites(self) -> int:
        return len(self.site_type)

    @property
    def volume_um3(self) -> float:
        return self.side_um**3

    @property
    def voxel_um(self) -> float:
        return self.side_um / self.voxels_per_side

    @property
    def conc_per_site_uM(self) -> float:
        """One site in a voxel, as a concentration (µM)."""
        return 1.0 / (self.voxel_um**3 * AVOGADRO_PER_UM3_UM)

    def free_uM(self, species: int) -> float:
        """Initial free concentration of a species (µM of the box)."""
        n = np.count_nonzero((self.ion_species == species) & (self.ion_site < 0))
        return n / (self.volume_um3 * AVOGADRO_PER_UM3_UM)

    def affinity_per_uM(self, site_type: int, species: int) -> float:
        """Association constant k_on / k_off (µM⁻¹)."""
        return self.kon[site_type, species] / self.koff[site_type, species]

    @classmethod
    def from_model(cls, model) -> PeerProblem:
        """The problem held by a fibre model built by ``bench_kernel.problem``."""
        from cellsim.fibre.kernel import F_DT
        from cellsim.fibre.state import BOUND, FREE, TN_CAMG, TN_REG

        s = model.state
        geo = s.geometry
        if not (geo.nx == geo.ny == geo.nz and geo.lx_um == geo.ly_um == geo.lz_um):
            raise ValueError("the benchmark problem is a cube cut into cubic voxels")
        if np.any((s.site_type != TN_REG) & (s.site_type != TN_CAMG)):
            raise ValueError("the benchmark problem has troponin sites only")
        if np.any((s.ion_state != FREE) & (s.ion_state != BOUND)):
            raise ValueError("the benchmark problem has no SR, ATP or pool: ions free or bound")
        if model.params.mg_substeps != 1:
            raise ValueError("the benchmark problem moves every ion every step")
        kon = np.zeros((2, 3))
        koff = np.zeros((2, 3))
        for t in (TN_REG, TN_CAMG):
            kon[t] = s.kon[t]
            koff[t] = s.koff[t]
        p = model.params
        return cls(
            side_um=float(geo.lx_um),
            voxels_per_side=int(geo.nx),
            dt_ms=float(model.pf[F_DT]),
            d_um2_per_ms=np.array([0.0, p.d_ca_um2_per_ms, p.d_mg_um2_per_ms]),
            kon=kon,
            koff=koff,
            site_xyz=np.column_stack([s.site_x, s.site_y, s.site_z]).copy(),
            site_type=s.site_type.astype(np.int8).copy(),
            site_species=s.site_species.astype(np.int8).copy(),
            ion_xyz=np.column_stack([s.ion_x, s.ion_y, s.ion_z]).copy(),
            ion_species=s.ion_species.astype(np.int8).copy(),
            ion_site=s.ion_site.astype(np.int32).copy(),
        )


@dataclass
class Census:
    """Counts at one instant, the same for every tool: bound ions by site type and
    species (``bound[t, sp]``), sites per type, and free ions by species."""

    bound: np.ndarray  # int [2, 3]
    sites: np.ndarray  # int [2]
    free: np.ndarray  # int [3]


def census_of_model(model) -> Census:
    """The census of a cellsim fibre model (troponin only)."""
    from cellsim.fibre.state import FREE

    s = model.state
    bound = np.array(s.bound_count[:2], dtype=np.int64)
    sites = np.bincount(s.site_type, minlength=2)[:2]
    free = np.bincount(s.ion_species[s.ion_state == FREE], minlength=3)[:3]
    return Census(bound, sites, free)


@dataclass
class Equilibrium:
    """Time-averaged occupancy of the regulatory sites against k_on / k_off.

    At equilibrium, for each species, θ_sp / θ_empty = [sp]_free · k_on / k_off (the
    competitive binding isotherm), whatever the other species does.  ``ratio`` is the
    measured association constant over the one the rates give: 1 when the binding rule
    honours detailed balance.
    """

    theta: dict  # {"ca": θ_Ca, "mg": θ_Mg, "empty": θ_empty}
    free_uM: dict  # {"ca": ..., "mg": ...}
    ratio: dict  # {"ca": measured K / k_on/k_off, "mg": ...}

    def text(self) -> str:
        return (
            f"regulatory sites: θ_Ca {self.theta['ca']:.3f}, θ_Mg {self.theta['mg']:.3f}, "
            f"empty {self.theta['empty']:.3f}; free Ca {self.free_uM['ca']:.1f} µM, "
            f"free Mg {self.free_uM['mg']:.0f} µM; measured K / (k_on/k_off): "
            f"Ca {self.ratio['ca']:.3f}, Mg {self.ratio['mg']:.3f}"
        )


def equilibrium(problem: PeerProblem, censuses: list[Census], site_type: int = 0) -> Equilibrium:
    """Average censuses taken over a run and compare with the rates' equilibrium."""
    bound = np.mean([c.bound[site_type] for c in censuses], axis=0)
    free = np.mean([c.free for c in censuses], axis=0)
    n_sites = censuses[0].sites[site_type]
    per_uM = problem.volume_um3 * AVOGADRO_PER_UM3_UM
    theta = {"ca": bound[CA] / n_sites, "mg": bound[MG] / n_sites}
    theta["empty"] = 1.0 - theta["ca"] - theta["mg"]
    free_uM = {"ca": free[CA] / per_uM, "mg": free[MG] / per_uM}
    ratio = {}
    for sp, name in SPECIES_NAMES.items():
        measured = theta[name] / (theta["empty"] * free_uM[name])
        ratio[name] = measured / problem.affinity_per_uM(site_type, sp)
    return Equilibrium(theta, free_uM, ratio)


def mean_squared_displacement(
    problem: PeerProblem, before: np.ndarray, after: np.ndarray, free: np.ndarray, steps: int
) -> dict:
    """MSD over ``steps`` steps of ions free at both ends and far from every wall at the
    start (so that no reflection shortens their paths), over 6 D t.

    ``before``/``after`` are ``(n_ions, 3)`` positions; ``free`` marks the ions to use.
    Returns ``{"ca": MSD / 6Dt, "mg": ...}``.
    """
    t = steps * problem.dt_ms
    out = {}
    for sp, name in SPECIES_NAMES.items():
        d = problem.d_um2_per_ms[sp]
        margin = 3.0 * np.sqrt(2.0 * d * t)  # three standard deviations along an axis
        inside = np.all((before > margin) & (before < problem.side_um - margin), axis=1)
        use = free & inside & (problem.ion_species == sp)
        msd = np.mean(np.sum((after[use] - before[use]) ** 2, axis=1))
        out[name] = float(msd / (6.0 * d * t))
        out[f"n_{name}"] = int(np.count_nonzero(use))
    return out
