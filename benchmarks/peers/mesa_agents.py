"""Peer: the benchmark problem as plain Mesa agents.

One ``mesa.Agent`` per ion and per site, the way a Mesa model is usually written: each
step the model computes the per-voxel binding probabilities from its per-voxel free-site
counts (the same rule as cellsim and the numba peer), then every ion's ``step()`` runs
(``AgentSet.do``): a bound ion tests unbinding; a free ion takes a Gaussian step per
axis from the model's ``random`` (Python's generator), is reflected at the walls, tests
binding with its voxel's probability and, if it binds, takes a free site of its voxel
(of a type chosen ∝ k_on · free sites).  Events take effect at once, as in the numba
peer.  Pure Python: meant for small N (a few thousand ions).
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.agent import AgentSet

from benchmarks.peers.problem import CA, MG, Census, PeerProblem


class Site(mesa.Agent):
    """A fixed troponin site: its type, voxel, position and occupant (an Ion or None)."""

    def __init__(self, model, site_type: int, voxel: int, xyz):
        super().__init__(model)
        self.site_type = site_type
        self.voxel = voxel
        self.x, self.y, self.z = xyz
        self.occupant = None


class Ion(mesa.Agent):
    """A Ca or Mg ion: free (moves, may bind) or on a site (may leave it)."""

    def __init__(self, model, species: int, xyz):
        super().__init__(model)
        self.species = species
        self.x, self.y, self.z = xyz
        self.site = None

    def step(self):
        m = self.model
        site = self.site
        if site is not None:
            if m.random.random() < m.p_unbind[site.site_type][self.species]:
                m.unbind(self)
            return
        g = m.sigma[self.species]
        side = m.side_um
        gauss = m.random.gauss
        x, y, z = (
            self.x + g * gauss(0.0, 1.0),
            self.y + g * gauss(0.0, 1.0),
            self.z + g * gauss(0.0, 1.0),
        )
        x = -x if x < 0.0 else (2.0 * side - x if x > side else x)
        y = -y if y < 0.0 else (2.0 * side - y if y > side else y)
        z = -z if z < 0.0 else (2.0 * side - z if z > side else z)
        self.x, self.y, self.z = x, y, z
        v = m.voxel_of(x, y, z)
        if m.random.random() < m.p_bind[self.species][v]:
            m.bind(self, v)


class IonModel(mesa.Model):
    """Ions and troponin sites in a box (the problem of ``benchmarks/peers/problem.py``)."""

    name = "Mesa agents"

    def __init__(self, problem: PeerProblem, seed: int = 1):
        super().__init__(seed=seed)
        p = problem
        self.problem = p
        self.side_um = p.side_um
        self.nv = p.voxels_per_side
        self.per_um = self.nv / p.side_um
        n_vox = self.nv**3
        self.kon = p.kon.tolist()
        self.p_unbind = (-np.expm1(-p.koff * p.dt_ms)).tolist()
        self.sigma = np.sqrt(2.0 * p.d_um2_per_ms * p.dt_ms).tolist()
        self.c1_dt = p.conc_per_site_uM * p.dt_ms
        # free sites per voxel, by type: lists of Site agents, and their counts
        self.free_sites = [[[] for _ in range(n_vox)] for _ in range(2)]
        self.bound = np.zeros((2, 3), dtype=np.int64)
        site_agents = []
        for xyz, t in zip(p.site_xyz.tolist(), p.site_type.tolist(), strict=True):
            site = Site(self, t, self.voxel_of(*xyz), xyz)
            site_agents.append(site)
        self.ions = AgentSet(
            [
                Ion(self, sp, xyz)
                for sp, xyz in zip(p.ion_species.tolist(), p.ion_xyz.tolist(), strict=True)
            ],
            random=self.random,
        )
        for ion, s in zip(self.ions, p.ion_site.tolist(), strict=True):
            if s >= 0:
                site = site_agents[s]
                site.occupant, ion.site = ion, site
                self.bound[site.site_type, ion.species] += 1
        for site in site_agents:
            if site.occupant is None:
                self.free_sites[site.site_type][site.voxel].append(site)
        self.p_bind = [[0.0] * n_vox for _ in range(3)]

    def voxel_of(self, x, y, z):
        nv, per = self.nv, self.per_um
        return (min(int(x * per), nv - 1) * nv + min(int(y * per), nv - 1)) * nv + min(
            int(z * per), nv - 1
        )

    def bind(self, ion, v):
        sp = ion.species
        w0 = self.kon[0][sp] * len(self.free_sites[0][v])
        w1 = self.kon[1][sp] * len(self.free_sites[1][v])
        if w0 + w1 <= 0.0:
            return  # taken earlier this step
        t = 0 if self.random.random() * (w0 + w1) < w0 else 1
        free = self.free_sites[t][v]
        site = free.pop(int(self.random.random() * len(free)))
        site.occupant, ion.site = ion, site
        self.bound[t, sp] += 1

    def unbind(self, ion):
        site = ion.site
        site.occupant, ion.site = None, None
        self.free_sites[site.site_type][site.voxel].append(site)
        self.bound[site.site_type, ion.species] -= 1
        ion.x, ion.y, ion.z = site.x, site.y, site.z

    def step(self):
        for sp in (CA, MG):
            k0, k1 = self.kon[0][sp], self.kon[1][sp]
            row = self.p_bind[sp]
            for v, (f0, f1) in enumerate(zip(self.free_sites[0], self.free_sites[1], strict=True)):
                row[v] = -math.expm1(-(k0 * len(f0) + k1 * len(f1)) * self.c1_dt)
        self.ions.do("step")

    # the interface the benchmark uses for every peer
    def advance(self, n_steps: int) -> None:
        for _ in range(n_steps):
            self.step()

    def census(self) -> Census:
        free = np.zeros(3, dtype=np.int64)
        for ion in self.ions:
            if ion.site is None:
                free[ion.species] += 1
        sites = np.bincount(self.problem.site_type, minlength=2)
        return Census(self.bound.copy(), sites, free)

    def positions(self) -> np.ndarray:
        return np.array([(ion.x, ion.y, ion.z) for ion in self.ions])

    def free_mask(self) -> np.ndarray:
        return np.array([ion.site is None for ion in self.ions])
