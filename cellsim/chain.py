"""The one run path: a scenario's scales, alone or chained, from the pill to the twitch.

:func:`run` (exported as ``cellsim.run``) is what the command line, sweeps, the literature
checks, the app and the tests call.  It knows scales only through the
:class:`~cellsim.scales.Scale` protocol:

* **One scale**: ``simulate(setup, environment)``.
* **A drive chain** (no scale produces environments, e.g. nerve → fibre): the scales run
  in order of level, each in the environment the previous one handed on (a nerve hands a
  fibre its muscle action potentials); one RunOutput holds the last scale's time series
  and snapshots, the others' series as prefixed columns, and a merged summary.
* **A hand-off chain** (a producer such as the body): the producer runs first; at each
  hand-off point of its protocol, the environment of that moment drives a drive chain of
  the scales the hand-off names (all the others by default).  Each becomes a child of the
  producer's output (a sub-folder of the results folder), and the producer's summary lists
  every hand-off's environment and key figures under ``handoffs``.

Before anything runs, :func:`estimate` adds up what the run will cost (each scale's
:meth:`~cellsim.scales.Scale.estimate`, summed over a chain's hand-offs) and
:func:`check_cost` refuses a run past the documented limits (:data:`LIMITS`) unless the
caller allows a large run (``--allow-large``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from cellsim import jit, scales
from cellsim.environment import Environment
from cellsim.errors import ScenarioError
from cellsim.output import RunOutput
from cellsim.scales import Cost

if TYPE_CHECKING:
    from cellsim.scales import Setup
    from cellsim.scenario import Scenario


#: What one run may cost without ``allow_large`` (``--allow-large``): 10⁹ steps, 4 GB of
#: memory, 2 hours on one core.  The bundled scenarios need at most a few minutes and
#: tens of MB; past these a run is almost always a typing mistake (a time step in the wrong
#: unit, an extra zero in a duration).  Documented in README.md ("Limits").
LIMITS = Cost(steps=1_000_000_000, memory_bytes=4e9, seconds=2 * 3600.0)


def run(scenario: Scenario, *, progress: bool = False, allow_large: bool = False) -> RunOutput:
    """Run a loaded scenario (one scale or a chain) and return its RunOutput.

    Raises
    ------
    ScenarioError
        If the run's estimated cost is past :data:`LIMITS` and ``allow_large`` is false.
    """
    check_cost(scenario, allow_large=allow_large)
    setups = {name: _for_output(setup, scenario.output) for name, setup in scenario.setups.items()}
    order = list(setups)
    first = scales.get(order[0])
    with jit.first_compile(compiled_scales(setups)):
        if first.produces_environment:
            out = first.simulate(setups[order[0]], scenario.environment, progress=progress)
            _hand_off(out, order[1:], setups, progress)
        else:
            out = drive(order, setups, scenario.environment, progress=progress)
    _label(out, scenario.name)
    return out


def compiled_scales(setups: dict) -> list[str]:
    """The scales of a run that will call compiled kernels (not those on the reference
    engine, which leaves the kernels uncompiled), as ``name`` or ``name-variant`` when the
    scale compiles one kernel per kind of run (:meth:`~cellsim.scales.Scale.kernel_variant`:
    ``fibre-clamp``), so that each kind's first run holds the compile lock."""
    out = []
    for name, setup in setups.items():
        scale = scales.get(name)
        if getattr(scale, "compile_s", 0.0) > 0 and (
            getattr(setup.settings, "engine", "numba") != "reference"
        ):
            variant = scale.kernel_variant(setup) if hasattr(scale, "kernel_variant") else ""
            out.append(f"{name}-{variant}" if variant else name)
    return out


def parts(scenario: Scenario) -> list[tuple[str, str]]:
    """``(label, scale)`` of every simulation a run makes, in order (hand-offs included)."""
    order = list(scenario.setups)
    first = scales.get(order[0])
    if not first.produces_environment:
        return [(name, name) for name in order]
    out = [(order[0], order[0])]
    for index, runs in enumerate(first.handoff_runs(scenario.setups[order[0]])):
        out += [(f"hand-off {index + 1} {name}", name) for name in (list(runs) or order[1:])]
    return out


def estimate(scenario: Scenario) -> Cost:
    """What a run will cost: the sum over every simulation it makes.

    Steps and seconds add up; memory too, because a chain keeps every hand-off's output
    until the results folder is written.
    """
    costs = [cost for _, cost in _costs(scenario)]
    return Cost(
        steps=sum(int(c.steps) for c in costs),
        memory_bytes=float(sum(c.memory_bytes for c in costs)),
        seconds=float(sum(c.seconds for c in costs)),
    )


def _costs(scenario: Scenario) -> list[tuple[str, Cost]]:
    setups = {n: _for_output(s, scenario.output) for n, s in scenario.setups.items()}
    return [(label, scales.get(name).estimate(setups[name])) for label, name in parts(scenario)]


def describe_cost(cost: Cost) -> str:
    """``about 30,000 steps, 4.3 MB, 4 s on one core``."""
    return (
        f"about {_count(cost.steps)} steps, {_bytes(cost.memory_bytes)} of memory, "
        f"{_duration(cost.seconds)} on one core"
    )


def check_cost(scenario: Scenario, *, allow_large: bool = False) -> Cost:
    """The run's estimated cost; refuse it past :data:`LIMITS` unless ``allow_large``."""
    total = estimate(scenario)
    over = []
    if total.steps > LIMITS.steps:
        over.append(f"{_count(total.steps)} steps (limit {_count(LIMITS.steps)})")
    if total.memory_bytes > LIMITS.memory_bytes:
        over.append(f"{_bytes(total.memory_bytes)} of memory (limit {_bytes(LIMITS.memory_bytes)})")
    if total.seconds > LIMITS.seconds:
        over.append(f"{_duration(total.seconds)} on one core (limit {_duration(LIMITS.seconds)})")
    if over and not allow_large:
        where = scenario.path or scenario.name
        detail = ""
        if len(parts(scenario)) > 1:
            detail = (
                " By part: "
                + "; ".join(f"{label}: {describe_cost(c)}" for label, c in _costs(scenario))
                + "."
            )
        raise ScenarioError(
            f"{where}: this run is too large: about {', '.join(over)}.{detail} Shorten the "
            "run, lengthen its time step or record less often; if you mean it, pass "
            "--allow-large (Python: allow_large=True)."
        )
    return total


def _count(n: float) -> str:
    if n < 1e7:
        return f"{n:,.0f}"
    mantissa, exponent = f"{n:.2g}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _bytes(n: float) -> str:
    for unit, size in (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:.3g} {unit}" if n < 1e21 else f"{_count(n)} bytes"
    return f"{n / 1e3:.3g} kB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    if seconds < 1000 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{_count(seconds / 3.156e7)} years"


def _for_output(setup: Setup, output: dict) -> Setup:
    """No snapshots when ``[output] snapshots = false`` (every scale's settings share the key)."""
    settings = setup.settings
    if not output.get("snapshots", True) and hasattr(settings, "snapshot_every_ms"):
        settings = dataclasses.replace(settings, snapshot_every_ms=0.0)
    return dataclasses.replace(setup, settings=settings)


def _label(out: RunOutput, name: str) -> None:
    if out.summary.get("title"):
        out.summary["title"] = f"{name}: {out.summary['title']}"
    out.summary["scenario"] = name
    for child in out.children.values():
        _label(child, name)


def drive(
    names: list[str], setups: dict[str, Setup], env: Environment, *, progress: bool = False
) -> RunOutput:
    """Run ``names`` in order, each in the environment the previous one handed on."""
    outputs = []
    for name in names:
        out = scales.get(name).simulate(setups[name], env, progress=progress)
        env = env.updated(**out.hands_on)
        outputs.append(out)
    return merge(outputs) if len(outputs) > 1 else outputs[0]


def merge(outputs: list[RunOutput]) -> RunOutput:
    """One RunOutput of a drive chain: the last run's series and snapshots, all summaries.

    Summary keys and events that two runs share keep the later (downstream) value; the
    earlier ones are kept as ``<scale>_<key>``.  Earlier runs' time series are interpolated
    onto the last run's time axis as ``<scale>_<column>`` (when they share its time unit).
    """
    last = outputs[-1]
    series = dict(last.timeseries)
    time_key = next(iter(last.timeseries), None)
    summaries = [{k: v for k, v in o.summary.items() if k != "title"} for o in outputs]
    summary = _union(summaries, outputs)
    events = _union([o.events for o in outputs], outputs)
    for out in outputs[:-1]:
        if time_key is None or time_key not in out.timeseries:
            continue
        t = np.asarray(out.timeseries[time_key], dtype=float)
        for column, values in out.timeseries.items():
            if column != time_key:
                series[f"{out.scale}_{column}"] = np.interp(series[time_key], t, values)
    summary["title"] = "; ".join(o.summary["title"] for o in outputs if o.summary.get("title"))
    return dataclasses.replace(
        last,
        scale="+".join(o.scale for o in outputs),
        timeseries=series,
        summary=summary,
        events=events,
        key_figures=tuple(k for o in outputs for k in o.key_figures),
        hands_on={},
    )


def _union(tables: list[dict], outputs: list[RunOutput]) -> dict:
    """Later tables win a shared key; the earlier value is kept as ``<scale>_<key>``."""
    out: dict = {}
    owner: dict = {}
    for table, run_output in zip(tables, outputs, strict=True):
        for key, value in table.items():
            if key in out:
                out[f"{owner[key]}_{key}"] = out[key]
            out[key] = value
            owner[key] = run_output.scale
    return out


def _hand_off(out: RunOutput, rest: list[str], setups: dict, progress: bool) -> None:
    """Run the downstream scales at each hand-off of a producer's output."""
    records = {}
    for handoff in out.handoffs:
        names = list(handoff.runs) or rest
        record = {
            "time_h": handoff.time_h,
            **handoff.environment.described(),
            "runs": names,
        }
        if names:
            child = drive(names, setups, handoff.environment, progress=progress)
            label = f"{handoff.label}_{'+'.join(names)}"
            out.children[label] = child
            record.update({k: child.summary.get(k) for k in child.key_figures})
            records[label] = record
        else:
            records[handoff.label] = record
    if out.handoffs:
        out.summary["handoffs"] = records
