"""Parameter sweeps: expand a sweep file, run it on Dask, collect a tidy table.

::

    from cellsim.sweep import load_sweep, run_sweep
    spec = load_sweep("scenarios/sweeps/relaxation_vs_mg.toml")
    result = run_sweep(spec, "results/sweeps/relaxation_vs_mg", workers=2)
    result.table            # pandas DataFrame, one row per run

Modules: :mod:`~cellsim.sweep.spec` (file format, pure expansion and seeds),
:mod:`~cellsim.sweep.tasks` (resolved scenarios, run hashes, one run),
:mod:`~cellsim.sweep.runner` (serial or Dask execution, resumable records),
:mod:`~cellsim.sweep.report` (table, plots, Markdown report),
:mod:`~cellsim.sweep.plan` (``--dry-run`` listing and time estimate).
See ``docs/sweeps.md``.
"""

from cellsim.sweep.runner import SweepResult, read_records, run_sweep
from cellsim.sweep.spec import Parameter, RunPoint, SweepSpec, expand, load_sweep, parse_sweep
from cellsim.sweep.tasks import Task, build_tasks

__all__ = [
    "Parameter",
    "RunPoint",
    "SweepResult",
    "SweepSpec",
    "Task",
    "build_tasks",
    "expand",
    "load_sweep",
    "parse_sweep",
    "read_records",
    "run_sweep",
]
