"""Experiments on the fibre: scenarios built in code to measure a curve.

A literature check or a user's script asks for "a skinned fibre at free Mg 3 mM" or "a
fibre at rest with no binding partners"; these functions build that scenario the way a
file would (validated by the same tables), and either run it through ``cellsim.run`` or
hand back the live :class:`~cellsim.fibre.model.FibreModel` when the experiment needs
to look at the arrays as they evolve (diffusion, walls, binding equilibrium).
"""

from __future__ import annotations

import copy

from cellsim.fibre.model import FibreModel
from cellsim.output import RunOutput


def scenario(
    fibre: dict | None = None,
    protocol: dict | None = None,
    run: dict | None = None,
    environment: dict | None = None,
    name: str = "experiment",
):
    """A validated fibre scenario built in code (human set, 5 ms, automatic dt by default)."""
    from cellsim.scenario import resolve

    data = {
        "scenario": {"name": name},
        "fibre": {"parameter_set": "human", **(fibre or {})},
        "protocol": protocol or {"kind": "none"},
        "run": {"duration_ms": 5.0, "seed": 3, **(run or {})},
        "output": {"snapshots": False},
    }
    if environment:
        data["environment"] = environment
    return resolve(copy.deepcopy(data), name)


def model(scenario_) -> FibreModel:
    """The live FibreModel of a fibre scenario, built as a run would build it."""
    from cellsim.fibre.scale import FIBRE

    return FIBRE.build(scenario_.setups["fibre"], scenario_.environment)


def run(scenario_) -> RunOutput:
    """Run a scenario on the one run path."""
    import cellsim

    return cellsim.run(scenario_)
