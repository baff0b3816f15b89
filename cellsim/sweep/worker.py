"""Set-up of a local sweep worker process (a Dask preload: ``dask_setup`` runs at start)."""

from __future__ import annotations


def dask_setup(worker) -> None:
    """One numba thread per worker: the workers are the parallelism.

    A spawned worker reads ``NUMBA_NUM_THREADS=1`` from its environment; a
    forked one inherited numba's configuration from the sweep's process, before
    its thread pool started, so the setting is made here.
    """
    import numba

    numba.config.NUMBA_NUM_THREADS = 1
