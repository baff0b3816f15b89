"""Peer: a straightforward optimised numba kernel for the benchmark problem.

What a competent modeller would write for this problem with numba, on one thread: arrays
of positions, random numbers drawn inside ``njit``, and the same binding rule as cellsim
(an ion binds a free site of its voxel with probability
``1 - exp(-Σ k_on · free sites · c₁ · dt)``, where ``c₁`` is one site in a voxel as a
concentration), written from the problem statement, not from cellsim's kernel.

Each step, in one compiled loop:

1. the binding probability of each species in each voxel, from the per-voxel free-site
   counts (once per step, O(voxels));
2. ion after ion: a bound ion leaves its site with probability ``1 - exp(-k_off dt)``
   (at the site's position); a free ion takes a Gaussian step of σ = √(2 D dt) per axis,
   is reflected at the walls, and with its voxel's probability claims a site type
   (chosen ∝ k_on · free sites) and a free site of that type in its voxel.

Random numbers come from a numpy ``Generator`` (PCG64) passed into the compiled function
(numba compiles ``rng.standard_normal()`` and ``rng.random()``), or, with
``legacy=True``, from ``np.random.normal``/``np.random.random`` inside ``njit`` (numba's
own Mersenne Twister), as much numba code still does: the same loop, several times
slower, because drawing the numbers is most of its work.

Events take effect at once (a site freed early in a step can be taken later in it),
the usual way a serial loop is written; cellsim resolves a step's events after its ion
phase.  Over a step of 1 µs the difference is far below the statistics.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from benchmarks.peers.problem import CA, MG, Census, PeerProblem


@njit(cache=True)
def _seed_legacy(seed):
    np.random.seed(seed)  # noqa: NPY002 (numba's own generator is seeded inside njit)


@njit(cache=True)
def _uniform(rng, legacy):
    return np.random.random() if legacy else rng.random()  # noqa: NPY002


@njit(cache=True)
def _normal(rng, legacy):
    return np.random.normal() if legacy else rng.standard_normal()  # noqa: NPY002


@njit(cache=True)
def _reflect(x, side):
    if x < 0.0:
        x = -x
    elif x > side:
        x = 2.0 * side - x
    return x


@njit(cache=True)
def _cell(x, per_um, n):
    k = int(x * per_um)
    return k if k < n else n - 1


@njit(cache=True)
def _advance(
    n_steps, pos, species, site_of, site_pos, site_type, site_voxel, site_occupant,
    vox_start, vox_sites, n_free, bound, kon, p_unbind, sigma, side, nv, c1_dt,
    rng, legacy,
):  # fmt: skip
    n_vox = nv * nv * nv
    per_um = nv / side
    p_bind = np.zeros((3, n_vox))
    for _ in range(n_steps):
        for sp in (CA, MG):
            for v in range(n_vox):
                rate = kon[0, sp] * n_free[0, v] + kon[1, sp] * n_free[1, v]
                p_bind[sp, v] = -math.expm1(-rate * c1_dt)
        for i in range(pos.shape[0]):
            sp = species[i]
            s = site_of[i]
            u = _uniform(rng, legacy)
            if s >= 0:  # bound: first-order unbinding
                t = site_type[s]
                if u < p_unbind[t, sp]:
                    site_occupant[s] = -1
                    n_free[t, site_voxel[s]] += 1
                    bound[t, sp] -= 1
                    site_of[i] = -1
                    pos[i, 0] = site_pos[s, 0]
                    pos[i, 1] = site_pos[s, 1]
                    pos[i, 2] = site_pos[s, 2]
                continue
            g = sigma[sp]
            x = _reflect(pos[i, 0] + g * _normal(rng, legacy), side)
            y = _reflect(pos[i, 1] + g * _normal(rng, legacy), side)
            z = _reflect(pos[i, 2] + g * _normal(rng, legacy), side)
            pos[i, 0] = x
            pos[i, 1] = y
            pos[i, 2] = z
            v = (_cell(x, per_um, nv) * nv + _cell(y, per_um, nv)) * nv + _cell(z, per_um, nv)
            if u >= p_bind[sp, v]:
                continue
            w0 = kon[0, sp] * n_free[0, v]
            w1 = kon[1, sp] * n_free[1, v]
            if w0 + w1 <= 0.0:
                continue  # taken earlier this step
            t = 0 if _uniform(rng, legacy) * (w0 + w1) < w0 else 1
            lo = vox_start[t, v]
            m = vox_start[t, v + 1] - lo
            j0 = int(_uniform(rng, legacy) * m)
            for j in range(m):
                s = vox_sites[lo + (j0 + j) % m]
                if site_occupant[s] < 0:
                    site_occupant[s] = i
                    site_of[i] = s
                    n_free[t, v] -= 1
                    bound[t, sp] += 1
                    break


class NumbaPeer:
    """The problem stepped by the plain numba kernel above (one thread)."""

    def __init__(self, problem: PeerProblem, seed: int = 1, legacy: bool = False):
        p = problem
        self.name = "numba kernel (np.random)" if legacy else "numba kernel"
        self.legacy = legacy
        self.rng = np.random.default_rng(seed)
        if legacy:
            _seed_legacy(seed)
        self.problem = p
        nv = p.voxels_per_side
        self.pos = p.ion_xyz.copy()
        self.species = p.ion_species.copy()
        self.site_of = p.ion_site.copy()
        self.site_pos = p.site_xyz.copy()
        self.site_type = p.site_type.copy()
        cell = np.minimum((p.site_xyz * (nv / p.side_um)).astype(np.int64), nv - 1)
        self.site_voxel = ((cell[:, 0] * nv + cell[:, 1]) * nv + cell[:, 2]).astype(np.int32)
        self.site_occupant = np.full(p.n_sites, -1, dtype=np.int32)
        bound_rows = np.flatnonzero(self.site_of >= 0)
        self.site_occupant[self.site_of[bound_rows]] = bound_rows
        n_vox = nv**3
        # site rows sorted by (type, voxel), with offsets per type and voxel
        self.vox_sites = np.lexsort((self.site_voxel, self.site_type)).astype(np.int32)
        self.vox_start = np.zeros((2, n_vox + 1), dtype=np.int64)
        self.n_free = np.zeros((2, n_vox), dtype=np.int32)
        self.bound = np.zeros((2, 3), dtype=np.int64)
        offset = 0
        for t in (0, 1):
            of_type = self.site_type == t
            counts = np.bincount(self.site_voxel[of_type], minlength=n_vox)
            self.vox_start[t] = offset + np.concatenate(([0], np.cumsum(counts)))
            offset += int(counts.sum())
            free = of_type & (self.site_occupant < 0)
            self.n_free[t] = np.bincount(self.site_voxel[free], minlength=n_vox)
            for sp in (CA, MG):
                occupied = self.site_occupant[of_type]
                occupied = occupied[occupied >= 0]
                self.bound[t, sp] = np.count_nonzero(self.species[occupied] == sp)
        self.p_unbind = -np.expm1(-p.koff * p.dt_ms)
        self.sigma = np.sqrt(2.0 * p.d_um2_per_ms * p.dt_ms)
        self.c1_dt = p.conc_per_site_uM * p.dt_ms

    def advance(self, n_steps: int) -> None:
        p = self.problem
        _advance(
            n_steps, self.pos, self.species, self.site_of, self.site_pos, self.site_type,
            self.site_voxel, self.site_occupant, self.vox_start, self.vox_sites, self.n_free,
            self.bound, p.kon, self.p_unbind, self.sigma, p.side_um, p.voxels_per_side,
            self.c1_dt, self.rng, self.legacy,
        )  # fmt: skip

    def census(self) -> Census:
        free = np.bincount(self.species[self.site_of < 0], minlength=3)[:3]
        return Census(self.bound.copy(), np.bincount(self.site_type, minlength=2), free)

    def positions(self) -> np.ndarray:
        return self.pos.copy()

    def free_mask(self) -> np.ndarray:
        return self.site_of < 0
