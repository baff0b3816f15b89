"""The coupling object between scales.

The body hands the nerve and the fibre what they see of the whole organism;
the nerve hands the fibre action-potential times.  Nothing else crosses
between scales, so each scale can also run alone with a hand-made Environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellsim.errors import ModelError


@dataclass(frozen=True)
class Environment:
    """Ionic environment shared by the scales.

    Attributes
    ----------
    ca_ionised_mM
        Extracellular (plasma) ionised Ca.  Normal 1.1-1.3 mM.
    mg_ionised_mM
        Extracellular ionised Mg.  Normal ~0.5-0.6 mM (60 % of 0.7-1.0 mM total).
    mg_free_intracellular_mM
        Cytosolic free Mg of nerve and muscle cells.  Human muscle 0.39-0.56 mM
        (31P-MRS, Ryschon et al. 1996).
    temperature_C
        Tissue temperature.
    """

    ca_ionised_mM: float = 1.2
    mg_ionised_mM: float = 0.55
    mg_free_intracellular_mM: float = 0.5
    temperature_C: float = 37.0

    def __post_init__(self):
        for name in ("ca_ionised_mM", "mg_ionised_mM", "mg_free_intracellular_mM"):
            value = getattr(self, name)
            if not value > 0:
                raise ModelError(f"Environment.{name} must be > 0 mM, got {value!r}.")
