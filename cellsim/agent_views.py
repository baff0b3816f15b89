"""The base of every cellsim agent: a Mesa agent that is a view onto one row of arrays.

Arrays are the truth, agents are views (``docs/architecture.md``): an agent holds only its
``row``; its attributes read and write the model's arrays, which the kernel steps in bulk.
Two things a Mesa user might try would break that, so they say what to do instead:

* ``agent.remove()``: the row would stay in the arrays and keep being stepped;
* ``agent.step()`` (or ``AgentSet.do("step")``) outside the reference engine: one agent
  type's rule is part of a time step, not a step of the model.
"""

from __future__ import annotations

import mesa

from cellsim.errors import ModelError


class RowAgent(mesa.Agent):
    """An agent that is a view onto row ``row`` of its model's arrays."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    def remove(self) -> None:
        raise ModelError(
            f"{type(self).__name__} {self.row} is a view of a row of the model's arrays: "
            "removing the agent would leave its row in the arrays, still stepped. Build a "
            "model with fewer of them instead (a smaller box or a larger particle_weight), "
            "or leave agents out of an analysis with AgentSet.select()."
        )

    def check_engine(self) -> None:
        """Refuse to apply this agent's rule outside the reference engine's time step."""
        if not getattr(self.model, "reference_active", False):
            raise ModelError(
                f"{type(self).__name__}.step() is one agent's rule, part of a time step of "
                "the reference engine; on its own it would run half a step. Advance the "
                "model with model.step() (one record interval) or model.advance(n) "
                "(n time steps)."
            )
