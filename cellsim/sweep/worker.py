"""Set-up of a local sweep worker process (a Dask preload: ``dask_setup`` runs at start)."""

from __future__ import annotations


def dask_setup(worker) -> None:
    """One numba thread per worker: the workers are the parallelism.

    Set here rather than in the environment because a forked worker inherited
    numba's configuration from the sweep's process; in a spawned or a forked
    worker numba's thread pool has not started yet, so the setting holds.
    """
    import numba

    numba.config.NUMBA_NUM_THREADS = 1
