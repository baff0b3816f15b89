"""Set-up of a local sweep's scheduler and worker processes (a Dask preload).

``dask_setup`` runs in each of them as it starts, after its HTTP server has started and
before it takes work.
"""

from __future__ import annotations


def dask_setup(server) -> None:
    """No HTTP server; one numba thread per worker (the workers are the parallelism).

    Dask starts an HTTP server (dashboard, health and API routes) in every scheduler and
    worker, even with the dashboard off; a local sweep's cluster is private (TLS with its
    own credentials), so it is stopped here: nothing of the sweep listens for HTTP.

    The numba setting is made here rather than in the environment because a forked worker
    inherited numba's configuration from the sweep's process; in a spawned or a forked
    worker numba's thread pool has not started yet, so the setting holds.
    """
    http = getattr(server, "http_server", None)
    if http is not None:
        http.stop()
    if type(server).__name__ == "Worker":
        import numba

        numba.config.NUMBA_NUM_THREADS = 1
