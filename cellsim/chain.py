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
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from cellsim import scales
from cellsim.environment import Environment
from cellsim.output import RunOutput

if TYPE_CHECKING:
    from cellsim.scales import Setup
    from cellsim.scenario import Scenario


def run(scenario: Scenario, *, progress: bool = False) -> RunOutput:
    """Run a loaded scenario (one scale or a chain) and return its RunOutput."""
    setups = {name: _for_output(setup, scenario.output) for name, setup in scenario.setups.items()}
    order = list(setups)
    first = scales.get(order[0])
    if first.produces_environment:
        out = first.simulate(setups[order[0]], scenario.environment, progress=progress)
        _hand_off(out, order[1:], setups, progress)
    else:
        out = drive(order, setups, scenario.environment, progress=progress)
    _label(out, scenario.name)
    return out


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
