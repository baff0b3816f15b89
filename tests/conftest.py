"""Shared helpers: small fibre scenarios that run in seconds."""

from __future__ import annotations

import copy

import pytest

from cellsim.scenario import resolve


def fibre_scenario(fibre=None, protocol=None, run=None, name="test", snapshots=False):
    """A resolved fibre scenario dict built in code (validated like a file)."""
    data = {
        "scenario": {"name": name},
        "fibre": {"parameter_set": "human", **(fibre or {})},
        "protocol": protocol or {"kind": "single", "stimulus_times_ms": [1.0]},
        "run": {"duration_ms": 5.0, "dt_us": 5.0, "seed": 3, **(run or {})},
        "output": {"snapshots": snapshots},
    }
    return resolve(copy.deepcopy(data), name).data


@pytest.fixture
def small_fibre():
    """A short-column mouse fibre (with parvalbumin) with few particles."""
    return {"parameter_set": "mouse_fast_16C", "length_x_um": 0.4, "particle_weight": 20.0}
