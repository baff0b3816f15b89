"""Named, cited parameter sets for the whole-body Ca/Mg model.

Three independent choices make the parameters of a run:

* a **parameter set** (``"human_default"``): the physiology, with sources;
* a **person** preset (``"adult_female_19_50"`` ...): recommended intakes and the
  few physiological numbers that differ by sex and age (GFR, ECF volume);
* a **competition** variant: ``"default"`` (weak Ca-Mg competition for gut
  transport, as found in human balance and isotope studies) or ``"strong"``
  (the hypothesis of popular accounts, so the two can be compared).

Then named ``overrides`` replace single fields.  Every field carries its unit in
its name; conversion to the model's internal units (mmol, hours) happens once,
in :func:`cellsim.body.model.derived_rates` and the dose handling.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace

from cellsim.errors import ScenarioError

CA_MG_PER_MMOL = 40.08
MG_MG_PER_MMOL = 24.31


@dataclass(frozen=True)
class BodyParams:
    """Physiology of the body scale.

    Sources (the project reference literature, sections 3-4)

    * Gut Ca: Heaney, Weaver & Fitzsimmons 1990 (fractional absorption of single
      loads, 64 % at 15 mg, 28.6 % at 500 mg); Wilz et al. 1979 (absorption
      = 10 + 0.17 x calcitriol pmol/L %, hence a 10 % paracellular floor and a
      transcellular Vmax proportional to calcitriol).
    * Gut Mg: Fine, Santa Ana, Porter & Fordtran 1991 (65 % of a meal load down
      to 11 % with +972 mg; hyperbolic + linear ~7 %).
    * Competition: Andon 1996, Spencer 1994, Hardwick 1991 (weak in humans).
    * Kidney: segmental fractions from reviews (Ca PT 65 %, TAL ~25 %, DCT 5-10 %;
      Mg PT 20 %, TAL ~60 %, DCT 5-10 %); CaSR in TAL (Blaine, Chonchol & Levi
      2015); Mg excretion threshold (Quamme; Seo & Park 2008).
    * PTH: Brown 1983 four-parameter form, set point 1.13 mM (Schwarz et al. 1994),
      half-life 2-4 min; Mg effects (Anast 1972, Rude 1976).
    * Calcitriol half-life 5-8 h (Rocaltrol label; Peterson & Riggs 2010).
    * Bone and ECF sizes: Blaine 2015, IOM 1997; compartment structure after
      Peterson & Riggs 2010.

    Status of values: literature values are the fractions, half-lives, set point,
    ionised and ultrafilterable fractions, GFR and pool sizes.  **Fitted** (to the
    results above, by ``tests/validation/test_body_*``): gut Vmax/Km/linear rates,
    the Ca DCT basal fraction and the Mg excretion threshold (chosen so that the
    reference state is a steady state on RDA intake).  **Illustrative** (order of
    magnitude only): CaSR constants, Mg potency at CaSR and parathyroid,
    Mg-deficiency impairment and resistance curves, bone fast-pool capacities,
    endogenous faecal losses, intracellular Mg exchange capacity and time constant.
    """

    name: str = "human_default"

    # --- gut: transit (first order) -------------------------------------------------
    transit_rate_fed_per_h: float = 0.25  # mean residence 4 h after a meal
    transit_rate_fasted_per_h: float = 0.40  # faster when fasting
    fed_state_duration_h: float = 3.0  # a meal slows transit for this long
    # --- gut: Ca (fitted to Heaney 1990 with Wilz 1979 floor) ------------------------
    ca_transcellular_vmax_mmol_per_h: float = 0.275  # at reference calcitriol
    ca_transcellular_km_mmol: float = 0.490  # luminal amount at half-saturation
    ca_paracellular_rate_per_h: float = 0.0523  # -> 12-17 % of very large loads
    calcitriol_ref_pmol_L: float = 100.0  # Vmax scales with calcitriol / this
    # --- gut: Mg (fitted to Fine 1991) ------------------------------------------------
    mg_saturable_vmax_mmol_per_h: float = 0.440
    mg_saturable_km_mmol: float = 0.676
    mg_paracellular_rate_per_h: float = 0.00867  # -> ~6 % of very large loads
    # --- gut: Ca-Mg competition for the saturable paths (competitive inhibition) --
    ki_mg_on_ca_transport_mmol: float = 100.0  # weak: 2.4 g Mg in lumen doubles Km
    ki_ca_on_mg_transport_mmol: float = 100.0
    # --- extracellular fluid ---------------------------------------------------------
    ecf_volume_L: float = 14.0
    ca_ionised_fraction: float = 0.48
    mg_ionised_fraction: float = 0.60
    ca_ultrafilterable_fraction: float = 0.60
    mg_ultrafilterable_fraction: float = 0.70
    ca_ionised_ref_mM: float = 1.20  # reference (initial) state
    mg_total_ref_mM: float = 0.85
    # --- kidney ----------------------------------------------------------------------
    gfr_mL_per_min: float = 120.0
    ca_proximal_fraction: float = 0.65  # of filtered load
    mg_proximal_fraction: float = 0.20
    ca_tal_max_fraction: float = 0.857  # of delivered load, CaSR fully off
    mg_tal_max_fraction: float = 0.96
    casr_k_mM: float = 2.176  # divalent signal at which TAL halves
    casr_hill: float = 4.0
    casr_mg_potency: float = 0.5  # Mg is a weaker CaSR agonist than Ca
    ca_dct_basal_fraction: float = 0.7423  # of delivered, without PTH (fitted)
    ca_dct_pth_max_fraction: float = 0.97  # with maximal PTH action
    mg_excretion_threshold_mmol_per_h: float = 0.958  # DCT delivery at FE 50 % (fitted)
    mg_excretion_hill: float = 3.0
    mg_dct_pth_gain: float = 0.3  # PTH raises the threshold (more reabs.)
    ca_endogenous_faecal_L_per_h: float = 0.121  # x ionised Ca: ~140 mg/d (Heaney)
    mg_endogenous_faecal_L_per_h: float = 0.0403  # x ionised Mg: ~12 mg/d
    # --- parathyroid (Brown 1983 four-parameter form) -----------------------------
    pth_max_pmol_L: float = 12.0  # A
    pth_min_pmol_L: float = 1.0  # D
    pth_set_point_ica_mM: float = 1.13  # S (Schwarz 1994)
    pth_hill: float = 25.0  # m (steepness)
    pth_half_life_min: float = 3.0
    pth_mg_potency: float = 0.3  # mol Mg counted as this many mol Ca
    pth_mg_impairment_k_mM: float = 0.5  # serum Mg halving secretion
    pth_mg_impairment_hill: float = 8.0
    pth_effect_ec50_pmol_L: float = 3.0  # receptor occupancy half-maximal
    pth_resistance_k_mM: float = 0.30  # intracellular free Mg halving action
    pth_resistance_hill: float = 6.0
    parathyroid_mass_fraction: float = 1.0  # 1 intact; 0 = parathyroidectomy
    # --- calcitriol ------------------------------------------------------------------
    calcitriol_half_life_h: float = 6.0
    calcitriol_basal_fraction: float = 0.2  # synthesis independent of PTH
    # --- bone --------------------------------------------------------------------
    ca_bone_fast_capacity_mmol_per_mM: float = 40.0  # per mM ionised Ca (~48 mmol)
    ca_bone_fast_rate_per_h: float = 0.3
    ca_bone_fast_pth_gain: float = 0.15  # PTH shifts the pool toward the ECF
    mg_bone_fast_capacity_mmol_per_mM: float = 40.0  # per mM ionised Mg (~20 mmol)
    mg_bone_fast_rate_per_h: float = 0.02  # surface Mg exchanges over days
    ca_bone_turnover_mmol_per_day: float = 7.5  # 300 mg/d resorbed = formed
    mg_to_ca_bone_molar_ratio: float = 0.0214  # 13 g Mg : 1000 g Ca
    ca_bone_slow_mmol: float = 25000.0  # ~1000 g, reporting only
    mg_bone_slow_mmol: float = 500.0
    # --- intracellular Mg ------------------------------------------------------------
    mg_icf_free_ref_mM: float = 0.50  # Ryschon 1996
    mg_icf_capacity_mmol_per_mM: float = 40.0  # exchangeable cell Mg per mM free
    mg_icf_time_constant_h: float = 72.0  # follows plasma Mg over days


@dataclass(frozen=True)
class Person:
    """Who takes the supplements: the recommended intakes that set the default diet.

    RDAs from IOM 2011 (Ca) and IOM 1997 (Mg).  Where an age band spans two
    RDAs the higher is used (Mg 31-50 y: female 320, male 420 mg/d).  Body size
    and GFR are left to the parameter set (override ``gfr_mL_per_min`` or
    ``ecf_volume_L`` to model a smaller or older person), so that every preset
    starts from the same reference state.
    """

    name: str
    diet_ca_mg_per_day: float
    diet_mg_mg_per_day: float


PERSONS: dict[str, Person] = {
    p.name: p
    for p in (
        Person("adult_female_19_50", 1000.0, 320.0),
        Person("adult_male_19_50", 1000.0, 420.0),
        Person("adult_female_51_plus", 1200.0, 320.0),
        Person("adult_male_51_plus", 1000.0, 420.0),  # 1200 mg Ca above 70 y
    )
}

DEFAULT_PERSON = "adult_female_19_50"

PARAMETER_SETS: dict[str, BodyParams] = {"human_default": BodyParams()}

COMPETITION: dict[str, dict[str, float]] = {
    # Human balance/isotope studies find no clear effect at usual intakes
    # (Andon 1996; Spencer 1994; Hardwick 1991): a large Ki means the other ion
    # must reach grams in the lumen before it doubles the apparent Km.
    "default": {"ki_mg_on_ca_transport_mmol": 100.0, "ki_ca_on_mg_transport_mmol": 100.0},
    # Hypothesis of popular accounts: a 500 mg Ca tablet (12.5 mmol) raises the
    # Mg Km ~13-fold.  Not supported by human data; here to be tested.
    "strong": {"ki_mg_on_ca_transport_mmol": 1.0, "ki_ca_on_mg_transport_mmol": 1.0},
}

OVERRIDABLE = tuple(f.name for f in fields(BodyParams) if f.name != "name")


def _unknown(kind: str, word: str, options) -> ScenarioError:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    hint = (" Did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
    return ScenarioError(f"unknown {kind} {word!r}.{hint} Valid: {', '.join(sorted(options))}.")


def check_override(key: str, value, where: str = "[body.overrides]") -> float:
    """Check one override: known name, finite positive number.

    Raises
    ------
    ScenarioError
        Unknown name (with "did you mean"), or a value that is not a number >= 0.
    """
    if key not in OVERRIDABLE:
        err = _unknown("body parameter", key, OVERRIDABLE)
        raise ScenarioError(f"{where}: {err}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where} {key}: expected a number, found {value!r}.")
    if not value >= 0:
        raise ScenarioError(f"{where} {key}: must be >= 0, found {value!r}.")
    return float(value)


def get_person(name: str) -> Person:
    """The person preset called ``name`` (ScenarioError with suggestions if unknown)."""
    if name not in PERSONS:
        raise _unknown("person", name, PERSONS)
    return PERSONS[name]


def resolve_params(
    parameter_set: str = "human_default",
    person: str = DEFAULT_PERSON,
    competition: str = "default",
    overrides: dict[str, float] | None = None,
) -> BodyParams:
    """Build the parameters of one run.

    Order: parameter set, then the competition variant, then explicit
    overrides (which win).  ``person`` is checked here; it sets the diet (see
    :func:`get_person`), not the physiology.
    """
    if parameter_set not in PARAMETER_SETS:
        raise _unknown("parameter set", parameter_set, PARAMETER_SETS)
    if competition not in COMPETITION:
        raise _unknown("competition variant", competition, COMPETITION)
    get_person(person)
    params = replace(PARAMETER_SETS[parameter_set], **COMPETITION[competition])
    checked = {k: check_override(k, v) for k, v in (overrides or {}).items()}
    return check_physical(replace(params, **checked))


_MUST_BE_POSITIVE = (
    "transit_rate_fed_per_h",
    "transit_rate_fasted_per_h",
    "ca_transcellular_km_mmol",
    "calcitriol_ref_pmol_L",
    "mg_saturable_km_mmol",
    "ki_mg_on_ca_transport_mmol",
    "ki_ca_on_mg_transport_mmol",
    "ecf_volume_L",
    "ca_ionised_ref_mM",
    "mg_total_ref_mM",
    "casr_k_mM",
    "mg_excretion_threshold_mmol_per_h",
    "pth_set_point_ica_mM",
    "pth_half_life_min",
    "pth_mg_impairment_k_mM",
    "pth_effect_ec50_pmol_L",
    "pth_resistance_k_mM",
    "calcitriol_half_life_h",
    "ca_bone_turnover_mmol_per_day",
    "mg_icf_free_ref_mM",
    "mg_icf_capacity_mmol_per_mM",
    "mg_icf_time_constant_h",
)


def check_physical(p: BodyParams) -> BodyParams:
    """Raise ModelError if parameters are individually valid but make no sense together."""
    from cellsim.errors import ModelError

    zero = [n for n in _MUST_BE_POSITIVE if not getattr(p, n) > 0]
    if zero:
        raise ModelError(
            f"body parameters {', '.join(zero)} must be > 0 (they divide or set a time scale)."
        )
    fractions = [
        n
        for n in (f.name for f in fields(BodyParams))
        if n.endswith("_fraction") and not 0 <= getattr(p, n) <= 1
    ]
    if fractions:
        raise ModelError(
            f"body parameters {', '.join(fractions)} are fractions and must lie in [0, 1]."
        )
    if p.ca_dct_basal_fraction > p.ca_dct_pth_max_fraction:
        raise ModelError(
            "ca_dct_basal_fraction must not exceed ca_dct_pth_max_fraction "
            "(PTH raises distal Ca reabsorption)."
        )
    if p.pth_min_pmol_L > p.pth_max_pmol_L:
        raise ModelError("pth_min_pmol_L must not exceed pth_max_pmol_L (Brown's D <= A).")
    return p
