"""Running a sweep: serially in this process, or on Dask (local cluster or a scheduler).

Output folder layout::

    sweep.toml        a copy of the sweep file (what was asked)
    runs/<hash>.json  one record per finished run (written at once, atomically)
    runs/<hash>/      the run's full results folder, with keep_runs = true
    table.csv, table.parquet, report.md, plots/*.png

Resuming: a run whose record exists is not run again (failed runs only with
``retry_failed``), so an interrupted sweep loses nothing and re-running the
same command finishes it.  Records are written by this process, not by the
workers, so a remote cluster needs no shared file system.

numba compiles once: the first pending run is executed here before any task
is submitted, which fills numba's on-disk cache.  Local workers are then forked
from this process with the compiled kernels in memory (Linux, when numba's
thread pool has not started here), or else spawned while that run computes, and
load the kernels from the cache.  (That run also checks that the requested
metrics exist.)

A local cluster is private: TLS with temporary credentials made here and given only to
the processes started here, no HTTP server, ports chosen by the operating system (see
``docs/sweeps.md``, "Security").  The output folder is checked before anything runs and
locked while the sweep runs (:class:`~cellsim.output_folder.FolderLock`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellsim.errors import CellsimError, ResultsError, ScenarioError
from cellsim.output_folder import FolderLock, prepare_parent
from cellsim.scenario import read_toml
from cellsim.schema import unknown_key_message
from cellsim.sweep.spec import SweepSpec
from cellsim.sweep.tasks import (
    Task,
    build_tasks,
    check_costs,
    execute,
    missing_metrics,
    scale_modules,
    starts_thread_pool,
)

RUNS = "runs"


class SweepError(CellsimError):
    """A sweep cannot proceed (e.g. the Dask scheduler cannot be reached)."""


@dataclass
class SweepResult:
    """What :func:`run_sweep` did."""

    directory: Path
    tasks: list[Task]
    records: dict[str, dict]
    executed: list[str] = field(default_factory=list)  # run hashes run this time
    skipped: int = 0  # runs already finished before this call
    interrupted: bool = False
    table: Any = None  # pandas.DataFrame

    @property
    def failed(self) -> int:
        return sum(r["status"] != "ok" for r in self.records.values())


# ---------------------------------------------------------------- records


def read_records(directory: Path) -> dict[str, dict]:
    """Finished run records under ``directory/runs`` (unreadable ones are ignored)."""
    out = {}
    folder = Path(directory) / RUNS
    if not folder.is_dir():
        return out
    for f in folder.glob("*.json"):
        try:
            rec = json.loads(f.read_text())
        except (OSError, ValueError):
            continue  # a torn file cannot exist (atomic writes), but be safe
        if isinstance(rec, dict) and rec.get("run_hash") == f.stem:
            out[f.stem] = rec
    return out


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_record(directory: Path, task: Task, result: dict, spec: SweepSpec) -> dict:
    """Write a run's record (and, with keep_runs, its results folder) at once."""
    from cellsim import __version__
    from cellsim.results import write_results

    folder = Path(directory) / RUNS
    folder.mkdir(parents=True, exist_ok=True)
    output = result.pop("output", None)
    if output is not None:
        write_results(
            output,
            folder / task.run_hash,
            scenario=task.data,
            name=f"{spec.name}-{task.run_hash}",
            wall_time_s=result["wall_time_s"],
            figure=False,
            overwrite=True,  # a run killed before its record was saved: written again
        )
    record = {
        "run_hash": task.run_hash,
        "scale": task.scale,
        "seed": task.seed,
        "params": task.params,
        **result,
        "cellsim_version": __version__,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _atomic_write(folder / f"{task.run_hash}.json", json.dumps(record, indent=1) + "\n")
    return record


# ---------------------------------------------------------------- executors


#: Dask settings of local workers.  The periodic callbacks of a worker's event
#: loop compete with its task for the GIL and the core: the statistical profiler
#: (every 10 ms) made each run 20-25 % slower while the kernels held the GIL.
#: Off or slowed down here; none of them matters for a sweep's short tasks.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


#: No HTTP routes on the scheduler or the workers (no dashboard, no HTTP API): a local
#: sweep's cluster talks only to its own processes, over TLS.
PRIVATE_CONFIG = {
    "distributed.scheduler.http.routes": [],
    "distributed.worker.http.routes": [],
}


def private_security():
    """Temporary TLS credentials known only to this process and the workers it starts.

    Every connection to the scheduler, the nannies and the workers must present the
    certificate made here (mutual TLS, ``require_encryption``), so another local process
    can neither submit work nor run code in the workers.  The key lives in memory only.
    """
    from distributed.security import Security

    return Security.temporary()


def _local_cluster(workers: int, preload: tuple[str, ...] = (), method: str = "spawn"):
    import dask
    from distributed import LocalCluster

    config = {
        **LOCAL_WORKER_CONFIG,
        **PRIVATE_CONFIG,
        "distributed.worker.multiprocessing-method": method,
    }
    with dask.config.set(config):  # nannies hand their config to workers
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            protocol="tls://",
            security=private_security(),
            scheduler_port=0,  # any free port: two sweeps never collide
            dashboard_address=None,
            scheduler_kwargs={"preload": ["cellsim.sweep.worker"]},  # stops its HTTP server
            silence_logs=logging.ERROR,
            env={"OMP_NUM_THREADS": "1"},  # the workers are the parallelism
            preload=["cellsim.sweep.worker", *preload],  # one numba thread each, no HTTP
        )


def can_fork_workers() -> bool:
    """Whether local workers can be forked from this process.

    A forked worker starts in a fraction of a second with everything already
    imported and the kernels already compiled; a spawned one re-imports Dask,
    Mesa and cellsim and loads the kernels from numba's cache (about 3 s of CPU
    each).  Fork needs Linux (on macOS and Windows it is unsafe or absent) and
    that numba's thread pool has not started in this process: GNU OpenMP's pool
    does not survive a fork.  One-thread fibre runs never start it (see
    ``cellsim.fibre.kernel``); threaded runs and the nerve kernels do.
    """
    import sys

    import numba

    if not sys.platform.startswith("linux"):
        return False
    try:
        numba.threading_layer()
    except ValueError:  # "not initialized"
        return True
    return False


class _ClusterStarter(threading.Thread):
    """Start a local cluster in the background while the warm-up run computes."""

    def __init__(self, workers: int, preload: tuple[str, ...] = ()):
        super().__init__(daemon=True)
        self.workers, self.preload, self.cluster, self.error = workers, preload, None, None

    def run(self):
        try:
            self.cluster = _local_cluster(self.workers, self.preload)
        except BaseException as err:  # re-raised in the caller's thread
            self.error = err

    def result(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.cluster


class _ForkedCluster:
    """A local cluster forked from this process (same interface as the starter)."""

    def __init__(self, workers: int):
        import gc

        # Objects made so far move to a permanent generation: the workers' garbage
        # collector then does not scan (and copy-on-write copy) the inherited heap.
        gc.freeze()
        try:
            self.cluster = _local_cluster(workers, method="fork")
        finally:
            gc.unfreeze()

    def result(self):
        return self.cluster


def _forked_or_spawned(workers: int):
    """Fork the local workers if this process still can, else spawn them."""
    if can_fork_workers():  # not if the warm-up started numba's threads (a large fibre)
        try:
            return _ForkedCluster(workers)
        except Exception:  # e.g. a process limit: spawning may still work
            pass
    starter = _ClusterStarter(workers, ())
    starter.start()
    return starter


def _run_dask(
    tasks,
    keep,
    client,
    on_done: Callable[[Task, dict], None],
    local_lane=False,
    allow_large=False,
):
    """Run tasks on the client's workers and call ``on_done`` as each finishes.

    With ``local_lane`` this process is one more lane: it runs tasks itself,
    from the end of the list, while the workers take them from the front, two
    queued per worker thread so that none waits while this process computes.
    At the end, rather than wait for a queued task, this process takes it back
    and runs it (a run's result never depends on where it ran).
    """
    from distributed import as_completed

    pending = deque(tasks)
    futures = {}
    finished = as_completed()

    def submit_next() -> None:
        task = pending.popleft()
        key = f"cellsim-run-{task.run_hash}-{time.monotonic_ns()}"
        fut = client.submit(execute, task.data, keep, allow_large, pure=False, key=key)
        futures[fut] = task
        finished.add(fut)

    def collect(fut) -> None:
        task = futures.pop(fut, None)
        if task is None:  # taken back and run here
            return
        try:
            result = fut.result()
        except Exception as err:  # a worker died, or the task could not be sent
            result = {
                "status": "error",
                "error": f"{type(err).__name__}: {err}",
                "summary": {},
                "wall_time_s": None,
            }
        on_done(task, result)
        if pending:
            submit_next()

    slots = max(sum(client.nthreads().values()), 1)  # worker threads
    try:
        if local_lane:
            for _ in range(min(len(pending), 2 * slots)):
                submit_next()
        else:
            while pending:
                submit_next()
        while pending or futures:
            if local_lane and not pending and len(futures) > slots:
                # the last submitted: queued behind a running one (were it started
                # after all, the worker's result would simply be dropped)
                fut = next(reversed(futures))
                if fut.status == "pending":
                    pending.append(futures.pop(fut))
                    fut.cancel()
            if local_lane and pending:
                task = pending.pop()
                on_done(task, execute(task.data, keep, allow_large))
                ready = finished.next_batch(block=False)
            else:
                ready = finished.next_batch(block=True)
            for fut in ready:
                collect(fut)
    finally:
        if futures:
            client.cancel(list(futures))


# ---------------------------------------------------------------- the sweep


def pending_tasks(tasks: list[Task], records: dict, retry_failed: bool = False) -> list[Task]:
    """Unique runs still to do, in table order (identical scenarios run once)."""
    seen, out = set(), []
    for t in tasks:
        rec = records.get(t.run_hash)
        done = rec is not None and (rec["status"] == "ok" or not retry_failed)
        if done or t.run_hash in seen:
            continue
        seen.add(t.run_hash)
        out.append(t)
    return out


def run_sweep(
    spec: SweepSpec,
    directory: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: str = "30s",
    limit: int | None = None,
    retry_failed: bool = False,
    keep_runs: bool | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool = True,
    finish: bool = True,
    on_record: Callable[[Task, dict], None] | None = None,
    allow_large: bool = False,
    security: Any = None,
) -> SweepResult:
    """Run (or resume) a sweep and write its table, plots and report.

    Parameters
    ----------
    workers
        Lanes of computation (default: all cores): this process and
        ``workers - 1`` local Dask worker processes.  ``1`` runs serially in
        this process, with no cluster.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); then
        ``workers`` is ignored and the cluster's workers are used.
    limit
        Run at most this many pending runs now (the rest on a later call).
    retry_failed
        Run again the runs recorded as failed.
    finish
        Write table, plots and report at the end (also after an interruption).
    on_record
        Called with each task and its record as it is saved (tests count runs).
    allow_large
        Run even runs whose estimated cost is past the limits of one run.
    security
        A :class:`distributed.security.Security` for a ``scheduler`` that speaks TLS
        (default: Dask's configuration).  A local cluster always makes its own.

    Raises
    ------
    ScenarioError, ResultsError
        Before anything runs: a bad run, a run past the limits, an output folder that is
        a file or holds another sweep or a user's files, or a sweep already writing there.
    """
    directory = Path(directory)
    tasks = build_tasks(spec, overrides)
    check_costs(spec, tasks, allow_large=allow_large)
    check_sweep_folder(directory, spec)
    with FolderLock(Path(os.path.abspath(directory)), what="sweep"):
        return _run_sweep_locked(
            spec, directory, tasks, workers=workers, scheduler=scheduler,
            connect_timeout=connect_timeout, limit=limit, retry_failed=retry_failed,
            keep_runs=keep_runs, progress=progress, finish=finish, on_record=on_record,
            allow_large=allow_large, security=security,
        )  # fmt: skip


def check_sweep_folder(directory: Path, spec: SweepSpec) -> None:
    """Refuse an output folder that is a file, a user's folder, or another sweep's folder.

    A sweep folder is recognised by its ``sweep.toml`` (written first); resuming needs the
    same ``[sweep] name``.  An empty or missing folder is fine.
    """
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise ResultsError(
            f"{directory}: exists and is not a folder; choose another sweep output folder with -o."
        )
    prepare_parent(Path(os.path.abspath(directory)))
    if not directory.exists() or not any(directory.iterdir()):
        return
    copy = directory / "sweep.toml"
    if not copy.is_file():
        raise ResultsError(
            f"{directory}: exists and is not a cellsim sweep folder (no sweep.toml); choose "
            "another output folder with -o (a sweep writes table.csv, report.md and plots/ "
            "into it)."
        )
    try:
        name = read_toml(copy).get("sweep", {}).get("name") or spec.name
    except ScenarioError:
        name = spec.name  # an unreadable copy is rewritten below
    if name != spec.name:
        raise ResultsError(
            f"{directory}: holds the results of sweep {name!r}, not {spec.name!r}; choose "
            "another output folder with -o."
        )


def _run_sweep_locked(
    spec: SweepSpec,
    directory: Path,
    tasks: list[Task],
    *,
    workers,
    scheduler,
    connect_timeout,
    limit,
    retry_failed,
    keep_runs,
    progress,
    finish,
    on_record,
    allow_large,
    security,
) -> SweepResult:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ResultsError(f"{directory}: cannot create it ({err.strerror or err}).") from None
    if spec.path is not None and spec.path.exists():
        shutil.copyfile(spec.path, directory / "sweep.toml")
    keep = spec.keep_runs if keep_runs is None else keep_runs
    records = read_records(directory)
    todo = pending_tasks(tasks, records, retry_failed)
    result = SweepResult(directory, tasks, records, skipped=len(tasks) - len(todo))
    if limit is not None:
        todo = todo[:limit]
    workers = workers or os.cpu_count() or 1

    bar, failures = None, []
    if progress and todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=spec.name, unit="run", dynamic_ncols=True)

    def done(task: Task, res: dict) -> None:
        rec = save_record(directory, task, res, spec)
        records[task.run_hash] = rec
        result.executed.append(task.run_hash)
        if on_record is not None:
            on_record(task, rec)
        if bar is not None:
            bar.update(1)
            if rec["status"] != "ok":
                failures.append(task.run_hash)
                bar.set_postfix(failed=len(failures))

    starter = None
    try:
        local_cluster = scheduler is None and workers > 1 and len(todo) > 1
        n_workers = min(workers, len(todo)) - 1  # this process is one more lane
        kinds = {t.scale for t in todo}
        will_fork = can_fork_workers() and not any(starts_thread_pool(k) for k in kinds)
        if local_cluster and not will_fork:  # spawn them while the warm-up runs
            modules = sorted({m for k in kinds for m in scale_modules(k)})
            starter = _ClusterStarter(n_workers, tuple(modules))
            starter.start()
        if todo:  # warm-up: compile numba kernels once, here; check the metrics
            first = todo[0]
            done(first, execute(first.data, keep, allow_large))
            _check_metrics(spec, records[first.run_hash])
        if local_cluster and starter is None:  # after the warm-up: inherit compiled kernels
            starter = _forked_or_spawned(n_workers)
        rest = todo[1:]
        if rest and starter is None and scheduler is None:
            for task in rest:
                done(task, execute(task.data, keep, allow_large))
        elif rest:
            _run_on_dask(
                rest, keep, scheduler, starter, done, connect_timeout, security, allow_large
            )
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if bar is not None:
            bar.close()
        if starter is not None:
            with contextlib.suppress(Exception):  # a start-up error was raised above
                _close_quietly(starter.result())
    if finish:
        from cellsim.sweep.report import write_outputs

        result.table = write_outputs(spec, directory, tasks, records)
    return result


def _run_on_dask(
    rest, keep, scheduler, starter, done, timeout="30s", security=None, allow_large=False
) -> None:
    from distributed import Client

    if scheduler is None:
        with Client(starter.result()) as client:  # the caller closes the cluster
            _run_dask(rest, keep, client, done, local_lane=True, allow_large=allow_large)
        return
    try:
        client = Client(scheduler, timeout=timeout, security=security)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        tls = ""
        if str(scheduler).startswith("tls://"):
            tls = (
                " A tls:// scheduler needs this client's certificate: --tls-ca-file, "
                "--tls-cert and --tls-key (or Dask's distributed.comm.tls configuration)."
            )
        raise SweepError(
            f"could not connect to the Dask scheduler at {scheduler!r} ({err}). Check the "
            "address (tls://host:8786 or tcp://host:8786) and that the scheduler is "
            f"running.{tls} Finished runs are saved, so the same command resumes."
        ) from None
    with client:
        _run_dask(rest, keep, client, done, allow_large=allow_large)


def _close_quietly(cluster) -> None:
    with contextlib.suppress(Exception):  # a cluster shutting down anyway
        cluster.close()


def _check_metrics(spec: SweepSpec, record: dict) -> None:
    if record["status"] != "ok":
        return
    missing = missing_metrics(record["summary"], spec.metrics)
    if missing:
        keys = [k for k, v in record["summary"].items() if not isinstance(v, (dict, list))]
        msg = unknown_key_message(f"{spec.path or spec.name}: [sweep] metrics", missing[0], keys)
        raise ScenarioError(msg.replace("unknown key", "no summary key"))
