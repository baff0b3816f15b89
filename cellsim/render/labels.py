"""One table of labels and units for every quantity a figure or report names.

Figures, the compare command and sweep plots say "intracellular free Mg (mM)", not
``environment.mg_free_intracellular_mM``.  A key is looked up by its last dotted part
(``handoffs.day7_2200_fibre.half_relaxation_ms`` -> ``half_relaxation_ms``); a key not
in the table gets a label from its name and a unit from its suffix (``_mM``, ``_ms``,
``_mg_per_day``, ...), so a new metric is never shown without its unit.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Quantity:
    """How a quantity is named and shown.

    Attributes
    ----------
    label
        Words for an axis or a sentence ("half-relaxation time").
    unit
        Unit as shown ("ms", "% of maximum"); empty for pure numbers.
    factor
        Multiplies stored values for display (fractions shown as %: 100).
    missing
        What a run without a value means ("never relaxed"); empty if it means nothing.
    short
        A shorter label for one-line takeaways ("relaxation half-time").
    """

    label: str
    unit: str = ""
    factor: float = 1.0
    missing: str = ""
    short: str = ""

    def axis(self) -> str:
        """An axis label: "half-relaxation time (ms)"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def value(self, v, digits: int = 3) -> str:
        """A value with its unit: "0.15 mM", "88 % of maximum", "never relaxed"."""
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return self.missing or "no value"
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if not isinstance(v, (numbers.Real, np.number)):
            return str(v)
        shown = float(v) * self.factor
        # no exponents for what people read: 6214 mg, not 6.21e+03 mg
        text = f"{shown:.0f}" if abs(shown) >= 10**digits else f"{shown:.{digits}g}"
        return f"{text} {self.unit}" if self.unit else text

    def change(self, delta) -> str:
        """A signed difference with its unit: "+14 ms", "-12 % of maximum"."""
        text = f"{delta * self.factor:+.2g}"
        if "e" in text:
            text = f"{delta * self.factor:+.3f}"
        return f"{text} {self.unit}".strip()


PERCENT_MAX = "% of maximum"
TABLE: dict[str, Quantity] = {
    # the environment and scenario keys students vary
    "mg_free_intracellular_mM": Quantity("intracellular free Mg", "mM", short="free Mg"),
    "mg_free_mM": Quantity("intracellular free Mg", "mM", short="free Mg"),
    "ca_ionised_mM": Quantity("ionised Ca", "mM", short="ionised Ca"),
    "ca_o_mM": Quantity("ionised Ca", "mM", short="ionised Ca"),
    "mg_ionised_mM": Quantity("ionised Mg", "mM", short="ionised Mg"),
    "mg_o_mM": Quantity("ionised Mg", "mM", short="ionised Mg"),
    "temperature_C": Quantity("temperature", "°C"),
    "duration_ms": Quantity("duration", "ms"),
    "frequency_hz": Quantity("stimulus frequency", "Hz"),
    "particle_weight": Quantity("ions per particle"),
    "mg_mg_per_day": Quantity("Mg in the diet", "mg/day", short="dietary Mg"),
    "ca_mg_per_day": Quantity("Ca in the diet", "mg/day", short="dietary Ca"),
    "first_dose_share": Quantity(
        "share of Ca in the first dose", "%", factor=100.0, short="first-dose share"
    ),
    "spacing_h": Quantity("hours between the two doses", "h", short="spacing"),
    # fibre
    "ca_free_uM": Quantity("free Ca", "µM"),
    "resting_ca_uM": Quantity("resting free Ca", "µM"),
    "peak_delta_ca_uM": Quantity("peak rise of free Ca", "µM", short="peak Ca rise"),
    "ca_fdhm_ms": Quantity(
        "Ca transient duration (FDHM)",
        "ms",
        missing="Ca stayed high",
        short="Ca transient duration",
    ),
    "force_fraction": Quantity("force", PERCENT_MAX, factor=100.0),
    "peak_force_fraction": Quantity("peak force", PERCENT_MAX, factor=100.0),
    "time_to_peak_force_ms": Quantity("time to peak force", "ms"),
    "half_relaxation_ms": Quantity(
        "half-relaxation time", "ms", missing="never relaxed", short="relaxation half-time"
    ),
    "residual_force_fraction": Quantity(
        "force left at the end", "% of peak", factor=100.0, short="force left"
    ),
    "cramp": Quantity("runs with a cramp", "% of runs", factor=100.0, short="cramp"),
    "tn_reg_ca_fraction": Quantity("troponin sites holding Ca", "%", factor=100.0),
    "tn_reg_mg_fraction": Quantity("troponin sites holding Mg", "%", factor=100.0),
    "pv_ca_fraction": Quantity("parvalbumin holding Ca", "%", factor=100.0),
    "pv_mg_fraction": Quantity("parvalbumin holding Mg", "%", factor=100.0),
    "sarcomere_length_um": Quantity("sarcomere length", "µm"),
    "sr_ca_uM": Quantity("Ca in the SR", "µM"),
    "pca50": Quantity("pCa50 (pCa of half-maximal force)", short="pCa50"),
    "hill_n": Quantity("Hill coefficient", short="Hill n"),
    "fmax": Quantity("maximal force", PERCENT_MAX, factor=100.0),
    # nerve
    "spike_count": Quantity("axon spikes", short="spikes"),
    "spontaneous_rate_hz": Quantity("spontaneous firing rate", "Hz", short="spontaneous firing"),
    "muscle_ap_count": Quantity("muscle action potentials", short="muscle APs"),
    "release_quanta_mean": Quantity("transmitter quanta per nerve impulse", short="quanta"),
    "transmission_fraction": Quantity(
        "impulses that fire the muscle", "%", factor=100.0, short="transmission"
    ),
    "v_mV": Quantity("axon voltage", "mV"),
    "epp_mV": Quantity("end-plate potential", "mV"),
    "nmda_unblocked_fraction": Quantity("NMDA channels unblocked", "%", factor=100.0),
    # body
    "plasma_ica_mM": Quantity("plasma ionised Ca", "mM"),
    "plasma_mg_mM": Quantity("plasma Mg", "mM"),
    "mg_icf_free_mM": Quantity("intracellular free Mg", "mM"),
    "pth_pmol_L": Quantity("PTH", "pmol/L"),
    "calcitriol_pmol_L": Quantity("calcitriol", "pmol/L"),
    "ca_absorbed_mg": Quantity("Ca absorbed", "mg"),
    "mg_absorbed_mg": Quantity("Mg absorbed", "mg"),
    "ca_fractional_absorption": Quantity("Ca absorbed", "% of intake", factor=100.0),
    "mg_fractional_absorption": Quantity("Mg absorbed", "% of intake", factor=100.0),
}

#: Unit suffixes of names, longest first: the fallback for keys not in the table.
SUFFIXES = (
    ("_mg_per_day", "mg/day"),
    ("_pmol_L", "pmol/L"),
    ("_fraction", "fraction"),
    ("_mM", "mM"),
    ("_uM", "µM"),
    ("_ms", "ms"),
    ("_um", "µm"),
    ("_mg", "mg"),
    ("_mV", "mV"),
    ("_hz", "Hz"),
    ("_Hz", "Hz"),
    ("_h", "h"),
    ("_C", "°C"),
    ("_s", "s"),
)


def quantity(key: str) -> Quantity:
    """The :class:`Quantity` of a scenario key, metric or column (see the module notes)."""
    last = key.rsplit(".", 1)[-1]
    last = re.sub(r"\[\d+\]$", "", last)
    if last in TABLE:
        found = TABLE[last]
    else:
        unit, stem = "", last
        for suffix, name in SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix):
                unit, stem = name, last[: -len(suffix)]
                break
        found = Quantity(stem.replace("_", " "), unit)
    context = _context(key)
    if context:
        return Quantity(
            f"{found.label} {context}", found.unit, found.factor, found.missing, found.short
        )
    return found


def _context(key: str) -> str:
    """Where a nested key comes from: "at the day-7 22:00 hand-off"."""
    m = re.match(r"handoffs\.day(\d+)_(\d\d)(\d\d)", key)
    if m:
        return f"(day {m.group(1)}, {m.group(2)}:{m.group(3)})"
    return ""


def axis_label(key: str) -> str:
    """An axis label for ``key``: "intracellular free Mg (mM)"."""
    return quantity(key).axis()


def short(key: str) -> str:
    """The shortest good name of ``key``, for one-line texts."""
    q = quantity(key)
    return q.short or q.label
