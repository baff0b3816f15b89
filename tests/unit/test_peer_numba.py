"""The numba peer of ``benchmarks/bench_peers.py`` does the benchmark problem's physics.

A speed comparison means something only if the peer solves the same problem: here its
regulatory troponin sites reach the competitive equilibrium of k_on/k_off (the binding
isotherm θ_ion / θ_empty = [ion] k_on / k_off, for Ca and for Mg), a peer given the wrong
k_on is caught by the same measure, and free ions spread with MSD = 6 D t.  No timings.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.bench_kernel import problem
from benchmarks.peers.numba_kernel import NumbaPeer
from benchmarks.peers.problem import (
    CA,
    MG,
    PeerProblem,
    equilibrium,
    mean_squared_displacement,
)

#: 10⁴ ions hold ~680 regulatory sites, ~37 of them empty: over 8 ms (8000 steps) the
#: measured association constant scatters by ~5 % between seeds (six seeds: 0.94-1.11
#: over 10 ms), so 20 % is four standard deviations.
TOLERANCE = 0.20


def _occupancy(p: PeerProblem, peer: NumbaPeer, steps: int, every: int = 40):
    censuses = []
    for _ in range(steps // every):
        peer.advance(every)
        censuses.append(peer.census())
    return equilibrium(p, censuses)


@pytest.fixture(scope="module")
def small() -> PeerProblem:
    return PeerProblem.from_model(problem(10_000))


def test_problem_is_the_models_state(small):
    model = problem(10_000)
    s = model.state
    assert small.n_ions == s.n_ions and small.n_sites == len(s.site_type)
    assert np.count_nonzero(small.ion_site >= 0) == int(s.bound_count.sum())
    assert small.free_uM(CA) == pytest.approx(20.0, rel=0.01)  # the problem's 20 µM ...
    assert small.free_uM(MG) == pytest.approx(2000.0, rel=0.001)  # ... and 2 mM


def test_regulatory_sites_reach_the_rates_equilibrium(small):
    eq = _occupancy(small, NumbaPeer(small, seed=3), steps=8000)
    assert eq.ratio["ca"] == pytest.approx(1.0, abs=TOLERANCE), eq.text()
    assert eq.ratio["mg"] == pytest.approx(1.0, abs=TOLERANCE), eq.text()


def test_a_wrong_on_rate_is_caught(small):
    """The same measure on a peer whose k_on is doubled finds the affinity doubled."""
    wrong = PeerProblem.from_model(problem(10_000))
    wrong.kon = wrong.kon * 2.0
    eq = _occupancy(small, NumbaPeer(wrong, seed=3), steps=4000)
    assert eq.ratio["ca"] > 1.0 + 2 * TOLERANCE, eq.text()
    assert eq.ratio["mg"] > 1.0 + 2 * TOLERANCE, eq.text()


def test_free_ions_spread_with_6_d_t():
    p = PeerProblem.from_model(problem(100_000))
    peer = NumbaPeer(p, seed=5)
    pooled = {"ca": [], "mg": []}
    for _ in range(10):
        before, free = peer.positions(), peer.free_mask()
        peer.advance(2)
        msd = mean_squared_displacement(p, before, peer.positions(), free & peer.free_mask(), 2)
        for sp in pooled:
            pooled[sp].append((msd[sp], msd[f"n_{sp}"]))
    for sp, rows in pooled.items():
        values, weights = zip(*rows, strict=True)
        ratio = np.average(values, weights=weights)
        # ~1400 Ca and ~220 000 Mg ion-intervals: standard errors ~2 % and 0.2 %
        assert ratio == pytest.approx(1.0, abs=0.06), (sp, ratio, sum(weights))
