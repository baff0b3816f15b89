"""From expanded runs to resolved scenarios, and running one of them.

Every run's scenario is resolved (validated by the base scenario's own scale)
before anything is submitted, so a key the base scenario rejects stops the
sweep at once with the scenario's own message.  A run is identified by a hash
of its resolved scenario (seed included): the name of its record under
``runs/``, which is what makes a sweep resumable.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from cellsim import scales
from cellsim.chain import LIMITS, check_cost
from cellsim.chain import estimate as run_estimate
from cellsim.errors import ScenarioError
from cellsim.scales import Cost
from cellsim.scenario import read_toml, resolve
from cellsim.sweep.spec import RunPoint, SweepSpec, expand, set_key


@dataclass(frozen=True)
class Task:
    """One run, ready to execute anywhere: plain data only (pickles to workers)."""

    index: int
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]
    scale: str
    data: dict[str, Any]
    run_hash: str
    cost: Cost | None = None  # estimated when resolved (cellsim.chain.estimate)


def run_hash(scale: str, data: dict) -> str:
    """A stable 16-hex-digit hash of a resolved scenario (it contains the seed)."""
    text = json.dumps({"scale": scale, "scenario": data}, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _describe(run: RunPoint) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in run.overrides.items()) or "no overrides"


def build_tasks(spec: SweepSpec, extra_overrides: dict[str, Any] | None = None) -> list[Task]:
    """Resolve the scenario of every run of ``spec`` (base + fixed + point + seed)."""
    where = str(spec.path or spec.name)
    base = read_toml(spec.base)
    fixed = {**spec.fixed, **(extra_overrides or {})}
    varied = {k for p in spec.parameters for k in p.overrides(p.values[0] if p.values else p.low)}
    if "run.seed" in fixed or "run.seed" in varied:
        raise ScenarioError(
            f"{where}: run.seed is set for each run from [sweep] seed and replicates; "
            "change [sweep] seed instead of run.seed."
        )
    fixed_base = copy.deepcopy(base)
    for key, value in fixed.items():
        set_key(fixed_base, key, value, f"{where}: [fixed]")
    tasks = []
    cache: dict[str, tuple[str, dict]] = {}
    for run in expand(spec):
        data = copy.deepcopy(fixed_base)
        label = f"{where}: run {run.index} ({_describe(run)})"
        for key, value in run.overrides.items():
            set_key(data, key, value, label)
        set_key(data, "run.seed", run.seed, label)
        memo = json.dumps(data, sort_keys=True, default=repr)
        if memo not in cache:
            try:
                scenario = resolve(data, f"{where}: base {spec.base} with {_describe(run)}")
            except ScenarioError as err:
                raise ScenarioError(
                    f"{err}\n(The sweep file sets these keys; fix the [[parameter]] or "
                    "[fixed] entry, or the base scenario.)"
                ) from None
            cache[memo] = (scenario.scale, scenario.data, run_estimate(scenario))
        scale, resolved, cost = cache[memo]
        tasks.append(
            Task(
                run.index,
                run.point,
                run.replicate,
                run.seed,
                dict(run.params),
                scale,
                resolved,
                run_hash(scale, resolved),
                cost,
            )
        )
    return tasks


def check_costs(spec: SweepSpec, tasks: list[Task], *, allow_large: bool = False) -> None:
    """Refuse a sweep any of whose runs is past the limits of one run (before any starts)."""
    for task in tasks:
        cost = task.cost or estimate(task)
        too_large = (
            cost.steps > LIMITS.steps
            or cost.memory_bytes > LIMITS.memory_bytes
            or cost.seconds > LIMITS.seconds
        )
        if too_large and not allow_large:
            try:
                check_cost(resolve(task.data, "sweep run"))
            except ScenarioError as err:
                text = str(err).split(": ", 1)[-1]
                raise ScenarioError(
                    f"{spec.path or spec.name}: run {task.index} ({_params(task)}): {text}"
                ) from None


def _params(task: Task) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in task.params.items())


def execute(data: dict, keep: bool = False, allow_large: bool = False) -> dict[str, Any]:
    """Run one resolved scenario with ``cellsim.run``; never raises for a failing model.

    Returns a record: ``status`` (``"ok"``/``"error"``), ``error``, ``summary``
    (JSON-safe), ``wall_time_s`` and, if ``keep``, the :class:`RunOutput`.
    """
    import cellsim
    from cellsim.results import _jsonable

    start = time.perf_counter()
    try:
        out = cellsim.run(resolve(data, "sweep run"), progress=False, allow_large=allow_large)
    except Exception as err:  # recorded, the sweep continues
        return {
            "status": "error",
            "error": f"{type(err).__name__}: {err}".strip()[:2000],
            "summary": {},
            "wall_time_s": round(time.perf_counter() - start, 4),
        }
    record = {
        "status": "ok",
        "error": "",
        "summary": _jsonable(out.summary),
        "wall_time_s": round(time.perf_counter() - start, 4),
    }
    if keep:
        record["output"] = out
    return record


def scale_modules(scale: str) -> tuple[str, ...]:
    """Modules a worker imports to run scenarios of ``scale`` (``"nerve+fibre"``)."""
    return tuple(scales.REGISTRY[name].split(":")[0] for name in scale.split("+"))


def starts_thread_pool(scale: str) -> bool:
    """Whether running ``scale`` starts numba's thread pool (no forking afterwards)."""
    return any(scales.get(name).starts_thread_pool for name in scale.split("+"))


def estimate(task: Task) -> Cost:
    """What one run will cost (:func:`cellsim.chain.estimate`: summed over hand-offs)."""
    if task.cost is not None:
        return task.cost
    return run_estimate(resolve(task.data, "sweep run"))


def metric_value(summary: dict, metric: str):
    """A summary value by dotted name (``competition_comparison.strong.ca_absorbed_mg``)."""
    node: Any = summary
    for part in metric.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def missing_metrics(summary: dict, metrics) -> list[str]:
    return [m for m in metrics if metric_value(summary, m) is None and m not in summary]
