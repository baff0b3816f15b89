"""The coupling object between scales: what each scale sees of the rest of the body.

Every scale reads its surroundings from one :class:`Environment`: the extracellular
ionised Ca and Mg around nerve and muscle cells, the free Mg inside them, the
temperature, and — when a nerve drives a fibre — the times of the muscle action
potentials.  A scenario may set it directly (the ``[environment]`` table); a body run
produces it over time and hands it on at the hand-off points of its protocol.  Nothing
else crosses between scales, so each scale also runs alone.

A field left unset (``None``) means "the reference condition of the scale's own
parameter set": the mouse fibre set was measured at 16 °C and 1 mM free Mg, the human
set describes 37 °C and 0.5 mM, so a scenario that says nothing about the environment
runs each set at its own conditions.

From plasma to what cells see (:meth:`Environment.from_plasma`, the one place where this
mapping lives; ``docs/architecture.md`` gives the sources):

* **Extracellular ionised Ca and Mg** equal plasma ionised Ca and Mg.  Ionised
  concentrations are those of plasma water, which exchanges freely with interstitial fluid
  across capillaries; the Gibbs–Donnan effect of plasma proteins makes interstitial
  divalent cations differ by only a few per cent (Guyton & Hall, Textbook of Medical
  Physiology, ch. 25), which we neglect.
* **Intracellular free Mg** is the body model's intracellular compartment, regulated and
  buffered with its own time course; it does not simply follow plasma Mg.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cellsim.schema import option, table_for


@dataclass(frozen=True)
class Environment:
    """Ionic environment shared by the scales (``None``: the parameter set's reference).

    Attributes
    ----------
    ca_ionised_mM
        Extracellular (interstitial = plasma) ionised Ca.  Normal 1.1–1.3 mM.
    mg_ionised_mM
        Extracellular ionised Mg.  Normal ~0.5–0.6 mM (60 % of 0.7–1.0 mM total).
    mg_free_intracellular_mM
        Cytosolic free Mg of nerve and muscle cells.  Human muscle 0.39–0.56 mM
        (³¹P-MRS, Ryschon et al. 1996).
    mg_csf_mM
        Ionised Mg of the brain's extracellular fluid (CSF), which central NMDA receptors
        see.  Regulated: it stays near 0.8 mM when plasma Mg rises by half (Brewer et al.
        2001, Clin Neuropharmacol 24:341).
    temperature_C
        Tissue temperature.
    muscle_ap_times_ms
        Muscle action potentials handed from a nerve to a fibre (``None``: the fibre's own
        protocol stimulates it).
    """

    ca_ionised_mM: float | None = option(
        None, "extracellular ionised Ca (normal 1.1-1.3)", low=0.0, high=20.0
    )
    mg_ionised_mM: float | None = option(
        None, "extracellular ionised Mg (normal ~0.5-0.6)", low=0.0, high=20.0
    )
    mg_free_intracellular_mM: float | None = option(
        None, "cytosolic free Mg of nerve and muscle (human muscle 0.39-0.56)", low=0.0,
        high=20.0, low_open=True,
    )  # fmt: skip
    mg_csf_mM: float | None = option(
        None, "ionised Mg of brain extracellular fluid / CSF (normal ~0.8)", low=0.0, high=20.0
    )
    temperature_C: float | None = option(None, "tissue temperature", low=0.0, high=45.0)
    muscle_ap_times_ms: tuple[float, ...] | None = option(
        None, "muscle action potentials that drive the fibre (set by a nerve)", low=0.0
    )

    def get(self, name: str, default: float) -> float:
        """The value of field ``name``, or ``default`` (a parameter set's reference) if unset."""
        value = getattr(self, name)
        return default if value is None else value

    def updated(self, **changes) -> Environment:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def over(self, reference: Environment) -> Environment:
        """This environment where set, ``reference`` elsewhere."""
        return reference.updated(**dataclasses.asdict(self))

    @classmethod
    def from_plasma(
        cls,
        ca_ionised_mM: float,
        mg_ionised_mM: float,
        mg_free_intracellular_mM: float,
        mg_csf_mM: float | None = None,
    ) -> Environment:
        """What nerve and muscle see, from a body's plasma, cellular (and CSF) state."""
        return cls(
            ca_ionised_mM=float(ca_ionised_mM),
            mg_ionised_mM=float(mg_ionised_mM),
            mg_free_intracellular_mM=float(mg_free_intracellular_mM),
            mg_csf_mM=None if mg_csf_mM is None else float(mg_csf_mM),
        )

    def described(self) -> dict:
        """The set fields, for summaries (event lists left out)."""
        return {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if v is not None and k != "muscle_ap_times_ms"
        }


def _table():
    table = table_for(Environment, doc="what every scale sees: ions, temperature")
    # muscle action potentials are handed on by a nerve; a fibre's own stimuli are its protocol
    fields = {k: v for k, v in table.fields.items() if k != "muscle_ap_times_ms"}
    return dataclasses.replace(table, fields=fields)


#: The ``[environment]`` table of a scenario.
ENVIRONMENT_TABLE = _table()
