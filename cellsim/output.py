"""What one run hands to the results writer: the common shape of every scale.

Each scale's runner returns a :class:`RunOutput`; :mod:`cellsim.results`
writes it as a results folder, and everything downstream (plots, animations,
sweeps, checks) reads that folder, never the live model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class RunOutput:
    """The product of one run.

    Attributes
    ----------
    scale
        ``"fibre"``, ``"nerve"``, ``"body"`` or a chain such as ``"nerve+fibre"``.
    timeseries
        Equal-length 1-D arrays; the first key is the time column, with its
        unit in the name (``time_ms``, ``time_h``).  Written to ``timeseries.csv``.
    summary
        JSON-serialisable scalars, lists and small dicts (``summary.json``).
    snapshots
        Arrays for animations (``snapshots.npz``), or empty.
    events
        Named 1-D arrays of event times, e.g. ``spike_times_ms`` (``events.npz``).
    figure
        Makes the overview figure from this object (written to ``figure.png``).
    seed
        The seed the run used.
    engine
        ``"numba"``, ``"reference"`` or ``"scipy"``.
    """

    scale: str
    timeseries: dict[str, np.ndarray]
    summary: dict[str, Any]
    seed: int
    engine: str
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)
    figure: Callable[[RunOutput], Any] | None = None
