"""Experiments on the body: intakes built the way a balance or isotope study gives them.

Each function runs the body model on a designed intake (one load with a meal and nothing
else, say) and measures what the study measured; the literature checks compare the
result with the published curve.
"""

from __future__ import annotations

from cellsim.body import model
from cellsim.body.protocol import Intake


def single_load_fraction(params, ca_mg: float = 0.0, mg_mg: float = 0.0):
    """Fractions absorbed of one load taken with a meal, nothing else eaten for 48 h."""
    result = model.simulate(params, [Intake(0.0, ca_mg, mg_mg, True)], 48.0, record_every_h=1.0)
    return (
        result.ca_absorbed_mg[0] / ca_mg if ca_mg else None,
        result.mg_absorbed_mg[0] / mg_mg if mg_mg else None,
    )
