"""What one run hands to the results writer: the common shape of every scale.

Each scale's ``simulate`` returns a :class:`RunOutput`; :mod:`cellsim.results` writes it
as a results folder, and everything downstream (plots, animations, sweeps) reads that
folder, never the live model.  A chain of scales returns one RunOutput whose
``children`` are the runs made at each hand-off (written as sub-folders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cellsim.environment import Environment


@dataclass(frozen=True)
class Handoff:
    """A moment at which a body run hands its environment on to nerve and fibre runs.

    Attributes
    ----------
    label
        Names the hand-off in summaries and results folders, e.g. ``"day7_2200"``.
    time_h
        Hours from the start of the body run.
    environment
        What nerve and muscle see at that moment.
    runs
        The scales to run then, in order (a nerve before a fibre drives it); empty means
        every other scale of the scenario.
    """

    label: str
    time_h: float
    environment: Environment
    runs: tuple[str, ...] = ()


@dataclass
class RunOutput:
    """The product of one run.

    Attributes
    ----------
    scale
        The scale's name, or the names of a chain joined by ``+`` (``"nerve+fibre"``).
    timeseries
        Equal-length 1-D arrays; the first key is the time column, with its
        unit in the name (``time_ms``, ``time_h``).  Written to ``timeseries.csv``.
    summary
        JSON-serialisable scalars, lists and small dicts (``summary.json``).
    seed
        The seed the run used.
    engine
        ``"numba"``, ``"reference"`` or ``"scipy"``.
    snapshots
        Arrays for animations (``snapshots.npz``), or empty.
    events
        Named 1-D arrays of event times, e.g. ``spike_times_ms`` (``events.npz``).
    figure
        Makes the overview figure from this object (written to ``figure.png``).
    key_figures
        The summary keys a chain lists for this run at a hand-off.
    hands_on
        Environment fields this run hands to the next scale of a chain
        (a nerve: ``muscle_ap_times_ms``).
    handoffs
        Environments at the hand-off points of the protocol (a body run).
    children
        Runs made from this one (a chain's hand-offs), by label: sub-folders of the
        results folder.
    """

    scale: str
    timeseries: dict[str, np.ndarray]
    summary: dict[str, Any]
    seed: int
    engine: str
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)
    figure: Callable[[RunOutput], Any] | None = None
    key_figures: tuple[str, ...] = ()
    hands_on: dict[str, Any] = field(default_factory=dict)
    handoffs: list[Handoff] = field(default_factory=list)
    children: dict[str, RunOutput] = field(default_factory=dict)
