"""Peer: Smoldyn (Andrews & Bray 2004, Phys Biol 1:137), through its Python API.

The same box (reflecting walls), ions, sites, rate constants and time step as cellsim's
problem, built with Smoldyn's own objects: species ``ca`` and ``mg`` (diffusing),
``site_reg`` and ``site_camg`` (fixed, D = 0) and the complexes ``ca_reg``, ``mg_reg``,
``ca_camg``, ``mg_camg`` (fixed, at their site), and for each site type and species a
reversible reaction ``ion + site ⇌ ion_site`` with cellsim's k_on and k_off.

**The binding rule differs.** Smoldyn binds by contact: a free ion and a free site react
when, after a step, they are closer than a *binding radius* that Smoldyn computes from
k_on, the diffusion coefficients and the time step (Smoluchowski diffusion-limited
binding, corrected for the step size), pair by pair.  cellsim (and the numba peer) binds
with a per-voxel probability, ``1 - exp(-Σ k_on · free sites in the voxel · c₁ · dt)``:
every ion in a voxel sees every free site of the voxel, wherever in the voxel it is.  The
rates and densities are the same; the binding geometry is not.  For these rates the radii
are nanometres (Smoldyn reports 3.3 nm for Ca on a regulatory site) against 24.5 nm rms
per step and 100 nm voxels, so Smoldyn also has to search each ion's neighbourhood for
sites (its virtual boxes) where cellsim looks up one number per voxel; that search is
part of what Smoldyn's figure pays for its finer geometry.  Its equilibrium occupancy
comes out near, not at, k_on/k_off (printed by the benchmark).

Units in Smoldyn are the problem's: µm and ms, so a k_on in µM⁻¹ ms⁻¹ is given as
``k_on / 602.214`` µm³ ms⁻¹.  Free ions are placed uniformly in the box (as cellsim
places them; the same positions are not copied one by one), sites and bound complexes at
the problem's site positions.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
from contextlib import contextmanager

import numpy as np

from benchmarks.peers.problem import (
    AVOGADRO_PER_UM3_UM,
    CA,
    MG,
    SITE_TYPE_NAMES,
    SPECIES_NAMES,
    Census,
    PeerProblem,
)


def available() -> str | None:
    """Smoldyn's version, or None when the package is not installed or does not load."""
    try:
        import smoldyn
    except ImportError:
        return None
    return str(smoldyn.__version__)


_libc = ctypes.CDLL(None)


@contextmanager
def _captured_stdout():
    """Smoldyn's C library prints to file descriptors 1 and 2: send both to a file."""
    with tempfile.TemporaryFile(mode="w+") as fh:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = [os.dup(1), os.dup(2)]
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        out = {"text": ""}
        try:
            yield out
        finally:
            _libc.fflush(None)  # what the C library holds in its buffer goes to the file
            for fd, copy in ((1, saved[0]), (2, saved[1])):
                os.dup2(copy, fd)
                os.close(copy)
            fh.seek(0)
            out["text"] = fh.read()


class SmoldynPeer:
    """The problem in a Smoldyn simulation, stepped with ``runUntil``."""

    name = "Smoldyn"

    def __init__(self, problem: PeerProblem, seed: int = 1, partitions: tuple | None = None):
        import smoldyn

        p = problem
        self.problem = p
        self._states = smoldyn._smoldyn.MolecState
        side = p.side_um
        sim = smoldyn.Simulation(
            low=[0.0, 0.0, 0.0],
            high=[side, side, side],
            boundary_type="r",
            log_level=5,
            quit_at_end=True,
        )
        self.sim = sim
        sim.setRandomSeed(seed)  # the constructor's ``seed`` keyword is not passed on (2.74)
        if partitions is not None:  # Smoldyn's virtual boxes, e.g. ("molperbox", 4)
            sim.setPartitions(*partitions)
        ions = {
            sp: sim.addSpecies(name, difc=float(p.d_um2_per_ms[sp]))
            for sp, name in SPECIES_NAMES.items()
        }
        sites, complexes = {}, {}
        for t, tname in enumerate(SITE_TYPE_NAMES):
            sites[t] = sim.addSpecies(f"site_{tname}", difc=0.0)
            for sp, name in SPECIES_NAMES.items():
                complexes[t, sp] = sim.addSpecies(f"{name}_{tname}", difc=0.0)
        for t, tname in enumerate(SITE_TYPE_NAMES):
            for sp, name in SPECIES_NAMES.items():
                sim.addBidirectionalReaction(
                    f"{name}_{tname}",
                    subs=[ions[sp], sites[t]],
                    prds=[complexes[t, sp]],
                    kf=float(p.kon[t, sp]) / AVOGADRO_PER_UM3_UM,  # µm³ ms⁻¹
                    kb=float(p.koff[t, sp]),
                )
        # free ions uniformly in the box; sites and complexes where the problem has them
        for sp, species in ions.items():
            n = int(np.count_nonzero((p.ion_species == sp) & (p.ion_site < 0)))
            species.addToSolution(n, lowpos=[0.0, 0.0, 0.0], highpos=[side, side, side])
        rows = np.column_stack([p.site_xyz, p.site_type, p.site_species])
        unique, counts = np.unique(rows, axis=0, return_counts=True)
        for (x, y, z, t, sp), n in zip(unique, counts, strict=True):
            species = sites[int(t)] if sp == 0 else complexes[int(t), int(sp)]
            species.addToSolution(int(n), pos=[float(x), float(y), float(z)])
        self.time_ms = 0.0
        self.binding_radius_nm: dict[str, float] = {}
        with _captured_stdout() as out:
            sim.addCommand("diagnostics reaction", "B")
            sim.run(stop=p.dt_ms, dt=p.dt_ms, display=False)  # set-up and one step
        self.time_ms = p.dt_ms
        self._steps_done = 1
        pattern = r"Reaction (\w+)fwd: .*?binding radius: ([0-9.eE+-]+)"
        for name, radius in re.findall(pattern, out["text"], flags=re.S):
            self.binding_radius_nm[name] = float(radius) * 1000.0
        with _captured_stdout():
            sim.setFlags("q")  # no more set-up messages or diagnostics

    def advance(self, n_steps: int) -> None:
        self._steps_done += n_steps
        self.time_ms = self._steps_done * self.problem.dt_ms
        with _captured_stdout():
            self.sim.runUntil(self.time_ms, self.problem.dt_ms, display=False)

    def count(self, name: str) -> int:
        return int(self.sim.getMoleculeCount(name, self._states.all))

    def census(self) -> Census:
        bound = np.zeros((2, 3), dtype=np.int64)
        sites = np.zeros(2, dtype=np.int64)
        for t, tname in enumerate(SITE_TYPE_NAMES):
            sites[t] = self.count(f"site_{tname}")
            for sp, name in SPECIES_NAMES.items():
                bound[t, sp] = self.count(f"{name}_{tname}")
                sites[t] += bound[t, sp]
        free = np.zeros(3, dtype=np.int64)
        free[CA], free[MG] = self.count("ca"), self.count("mg")
        return Census(bound, sites, free)
