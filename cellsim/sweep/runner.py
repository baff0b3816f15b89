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
is submitted, which fills numba's on-disk cache; local workers then load the
compiled kernels.  (That run also checks that the requested metrics exist.)
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellsim.errors import CellsimError, ScenarioError
from cellsim.scenario import load_runner
from cellsim.schema import unknown_key_message
from cellsim.sweep.spec import SweepSpec
from cellsim.sweep.tasks import Task, build_tasks, execute, missing_metrics

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


#: Dask settings of local workers.  A task's numba kernel holds the GIL, and
#: every periodic callback of the worker's event loop must take it from there:
#: the statistical profiler (every 10 ms) alone made each run 20-25 % slower.
#: Off or slowed down here; none of them matters for a sweep's short tasks.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def _local_cluster(workers: int, preload: tuple[str, ...] = ()):
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_WORKER_CONFIG):  # nannies hand their config to workers
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
            # one numba thread per worker: the workers are the parallelism
            env={"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
            preload=list(preload),  # import the scale's runner while the warm-up runs
        )


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


def _run_dask(tasks, keep, client, on_done: Callable[[Task, dict], None]) -> None:
    from distributed import as_completed

    futures = {}
    for task in tasks:
        fut = client.submit(
            execute,
            task.scale,
            task.data,
            keep,
            pure=False,
            key=f"cellsim-run-{task.run_hash}-{time.monotonic_ns()}",
        )
        futures[fut] = task
    try:
        for fut in as_completed(futures):
            task = futures.pop(fut)
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
) -> SweepResult:
    """Run (or resume) a sweep and write its table, plots and report.

    Parameters
    ----------
    workers
        Local worker processes (default: all cores).  ``1`` runs serially in
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
    """
    directory = Path(directory)
    tasks = build_tasks(spec, overrides)
    directory.mkdir(parents=True, exist_ok=True)
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
        if todo and scheduler is None and workers > 1 and len(todo) > 1:
            modules = tuple(sorted({load_runner(t.scale).__name__ for t in todo}))
            starter = _ClusterStarter(min(workers, len(todo) - 1), modules)
            starter.start()
        if todo:  # warm-up: compile numba kernels once, here; check the metrics
            first = todo[0]
            done(first, execute(first.scale, first.data, keep))
            _check_metrics(spec, records[first.run_hash])
        rest = todo[1:]
        if rest and starter is None and scheduler is None:
            for task in rest:
                done(task, execute(task.scale, task.data, keep))
        elif rest:
            _run_on_dask(rest, keep, scheduler, starter, done, connect_timeout)
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


def _run_on_dask(rest, keep, scheduler, starter, done, timeout="30s") -> None:
    from distributed import Client

    if scheduler is None:
        with Client(starter.result()) as client:  # the caller closes the cluster
            _run_dask(rest, keep, client, done)
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as err:
        raise SweepError(
            f"could not connect to the Dask scheduler at {scheduler!r} ({err}). Check the "
            "address (tcp://host:8786) and that the scheduler is running; finished runs are "
            "saved, so the same command resumes."
        ) from None
    with client:
        _run_dask(rest, keep, client, done)


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
