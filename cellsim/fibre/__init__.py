"""The muscle-fibre scale: Mesa agents over arrays, stepped by a numba kernel."""

from cellsim.fibre.agents import (
    CaIon,
    MgIon,
    ParvalbuminSite,
    RegulatoryUnit,
    RyRChannel,
    SercaPump,
    TroponinSite,
)
from cellsim.fibre.model import OBSERVABLES, FibreModel
from cellsim.fibre.params import PARAMETER_SETS, FibreParams, get_parameter_set
from cellsim.fibre.protocol import Protocol, RunSettings

__all__ = [
    "OBSERVABLES",
    "PARAMETER_SETS",
    "CaIon",
    "FibreModel",
    "FibreParams",
    "MgIon",
    "ParvalbuminSite",
    "Protocol",
    "RegulatoryUnit",
    "RunSettings",
    "RyRChannel",
    "SercaPump",
    "TroponinSite",
    "get_parameter_set",
]
