"""The thin filament's units give the same next state updated serially or in parallel.

A whole fibre large enough for the threaded kernel to share its units out (eight blocks
of 1024 and more) is too slow for the default suite, so the two phases are compared on
a random filament of that size with the tables of a real parameter set.
"""

import numba
import numpy as np
import pytest
from numba import njit

from cellsim.fibre import kernel as K
from cellsim.fibre.model import FibreModel
from cellsim.fibre.state import CA, MG, NONE


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba has one thread here")
def test_units_updated_in_parallel_as_serially():
    model = FibreModel("mouse_fast_16C", duration_ms=6.0, rng=3)
    pf, pi = model.pf, model.pi
    n_units = K.THREADED_UNIT_BLOCKS * K.RU_BLOCK + 517  # a partial last block too
    n_reg = int(pi[K.I_REG_PER_RU])
    rng = np.random.default_rng(7)
    species = rng.choice([NONE, CA, MG], size=n_reg * n_units, p=[0.4, 0.4, 0.2]).astype(np.int8)
    perm = (rng.random(n_units) < 0.5).astype(np.int8)
    xb = ((rng.random(n_units) < 0.5) & (perm == 1)).astype(np.int8)

    def run(threaded):
        fil = (perm.copy(), xb.copy(), np.empty_like(perm), np.empty_like(xb),
               np.array([2.5]))  # fmt: skip
        attached = np.zeros(20, dtype=np.int64)
        _twenty_steps(species, fil, pf, pi, threaded, attached)
        return list(attached), fil

    numba.set_num_threads(2)
    serial, fil_serial = run(False)
    threaded, fil_threaded = run(True)
    assert serial == threaded
    assert sum(serial) > 0  # crossbridges attached: the comparison means something
    np.testing.assert_array_equal(fil_serial[0], fil_threaded[0])
    np.testing.assert_array_equal(fil_serial[1], fil_threaded[1])
    assert not np.array_equal(fil_serial[0], perm)  # and units switched


@njit
def _twenty_steps(species, fil, pf, pi, threaded, attached):
    """Twenty filament updates (the phases are kernels only kernels may call)."""
    table = K.filament_tables(pf, pi)
    for step in range(20):
        if threaded:
            attached[step] = K.filament_phase_threaded(step, 11, species, 0, fil, table, pf, pi)
        else:
            attached[step] = K.filament_phase(step, 11, species, 0, fil, table, pf, pi)
