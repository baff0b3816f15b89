"""Shared helpers: small fibre scenarios that run in seconds."""

from __future__ import annotations

import dataclasses

import pytest

from cellsim.fibre import experiments


def fibre_scenario(fibre=None, protocol=None, run=None, environment=None, name="test"):
    """A fibre Scenario built in code (validated like a file): 5 ms, one stimulus at 1 ms."""
    return experiments.scenario(
        fibre,
        protocol or {"kind": "pulses", "times_ms": [1.0]},
        run,
        environment,
        name=name,
    )


def fibre_model(scenario, engine=None, **settings):
    """The live FibreModel of a fibre scenario (optionally another engine or run settings)."""
    from cellsim.fibre.scale import FIBRE

    setup = scenario.setups["fibre"]
    if engine is not None:
        settings["engine"] = engine
    setup = dataclasses.replace(setup, settings=dataclasses.replace(setup.settings, **settings))
    return FIBRE.build(setup, scenario.environment)


@pytest.fixture
def small_fibre():
    """A short-column mouse fibre (with parvalbumin) with few particles."""
    return {"parameter_set": "mouse_fast_16C", "length_x_um": 0.4, "particle_weight": 20.0}
