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
from dataclasses import dataclass, fields

from cellsim.errors import ScenarioError
from cellsim.schema import param

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
    transit_rate_fed_per_h: float = param(0.25, "illustrative", "mean residence 4 h after a meal")
    transit_rate_fasted_per_h: float = param(0.40, "illustrative", "faster when fasting")
    fed_state_duration_h: float = param(3.0, "illustrative", "a meal slows transit for this long")
    # --- gut: Ca (fitted to Heaney 1990 with Wilz 1979 floor) ------------------------
    ca_transcellular_vmax_mmol_per_h: float = param(
        0.275,
        "calibrated",
        "at reference calcitriol",
        fitted_to="fractional Ca absorption of single loads (Heaney, Weaver & Fitzsimmons 1990)",
    )
    ca_transcellular_km_mmol: float = param(
        0.490,
        "calibrated",
        "luminal amount at half-saturation",
        fitted_to="fractional Ca absorption of single loads (Heaney, Weaver & Fitzsimmons 1990)",
    )
    ca_paracellular_rate_per_h: float = param(
        0.0523,
        "calibrated",
        "-> 12-17 % of very large loads",
        fitted_to="Ca absorption floor ~10 % (Wilz et al. 1979) and large loads (Heaney 1990)",
    )
    calcitriol_ref_pmol_L: float = param(
        100.0, "literature", "normal 1,25(OH)2D ~100 pmol/L; Vmax scales with calcitriol / this"
    )
    # --- gut: Mg (fitted to Fine 1991) ------------------------------------------------
    mg_saturable_vmax_mmol_per_h: float = param(
        0.440, "calibrated", "", fitted_to="fractional Mg absorption vs load (Fine et al. 1991)"
    )
    mg_saturable_km_mmol: float = param(
        0.676, "calibrated", "", fitted_to="fractional Mg absorption vs load (Fine et al. 1991)"
    )
    mg_paracellular_rate_per_h: float = param(
        0.00867,
        "calibrated",
        "-> ~6 % of very large loads",
        fitted_to="linear Mg absorption ~7 % of large loads (Fine et al. 1991)",
    )
    # --- gut: Ca-Mg competition for the saturable paths (competitive inhibition) --
    ki_mg_on_ca_transport_mmol: float = param(
        100.0, "illustrative", "weak: 2.4 g Mg in lumen doubles Km"
    )
    ki_ca_on_mg_transport_mmol: float = param(100.0, "illustrative", "")
    # --- extracellular fluid ---------------------------------------------------------
    ecf_volume_L: float = param(14.0, "literature", "~20 % of body weight (70 kg)")
    ca_ionised_fraction: float = param(
        0.48, "literature", "≈48 % of serum Ca is ionised (clinical references)", high=1.0
    )
    mg_ionised_fraction: float = param(
        0.60, "literature", "≈60 % of serum Mg is ionised (IOM 1997)", high=1.0
    )
    ca_ultrafilterable_fraction: float = param(0.60, "literature", "clinical references", high=1.0)
    mg_ultrafilterable_fraction: float = param(
        0.70, "literature", "Seo & Park 2008; Quamme", high=1.0
    )
    ca_ionised_ref_mM: float = param(
        1.20, "literature", "normal ionised Ca 1.1-1.3 mM; reference (initial) state"
    )
    mg_total_ref_mM: float = param(0.85, "literature", "serum Mg 0.7-1.0 mM (IOM 1997)")
    # --- kidney ----------------------------------------------------------------------
    gfr_mL_per_min: float = param(120.0, "literature", "normal adult GFR")
    ca_proximal_fraction: float = param(
        0.65, "literature", "PT ~65 % of filtered Ca (reviews); of filtered load", high=1.0
    )
    mg_proximal_fraction: float = param(
        0.20, "literature", "PT ~20 % of filtered Mg (Seo & Park 2008)", high=1.0
    )
    ca_tal_max_fraction: float = param(
        0.857, "illustrative", "of delivered load, CaSR fully off", high=1.0
    )
    mg_tal_max_fraction: float = param(0.96, "illustrative", "", high=1.0)
    casr_k_mM: float = param(
        2.176,
        "calibrated",
        "divalent signal at which TAL halves",
        fitted_to="TAL fraction of delivered Ca ~25 % of filtered at reference",
    )
    casr_hill: float = param(4.0, "illustrative", "")
    casr_mg_potency: float = param(0.5, "illustrative", "Mg is a weaker CaSR agonist than Ca")
    ca_dct_basal_fraction: float = param(
        0.7423,
        "calibrated",
        "of delivered, without PTH (fitted)",
        fitted_to="steady state on the Ca RDA (reference state)",
        high=1.0,
    )
    ca_dct_pth_max_fraction: float = param(
        0.97, "illustrative", "with maximal PTH action", high=1.0
    )
    mg_excretion_threshold_mmol_per_h: float = param(
        0.958,
        "calibrated",
        "DCT delivery at FE 50 % (fitted)",
        fitted_to="steady state on the Mg RDA (reference state)",
    )
    mg_excretion_hill: float = param(3.0, "illustrative", "")
    mg_dct_pth_gain: float = param(0.3, "illustrative", "PTH raises the threshold (more reabs.)")
    ca_endogenous_faecal_L_per_h: float = param(
        0.121, "illustrative", "x ionised Ca: ~140 mg/d (Heaney)"
    )
    mg_endogenous_faecal_L_per_h: float = param(0.0403, "illustrative", "x ionised Mg: ~12 mg/d")
    # --- parathyroid (Brown 1983 four-parameter form) -----------------------------
    pth_max_pmol_L: float = param(12.0, "literature", "Brown 1983 four-parameter form; A")
    pth_min_pmol_L: float = param(1.0, "literature", "Brown 1983 four-parameter form; D")
    pth_set_point_ica_mM: float = param(
        1.13, "literature", "Schwarz et al. 1994 (1.13 ± 0.04 mM); S (Schwarz 1994)"
    )
    pth_hill: float = param(25.0, "literature", "Brown 1983 four-parameter form; m (steepness)")
    pth_half_life_min: float = param(3.0, "literature", "intact PTH 2-4 min (several)")
    pth_mg_potency: float = param(0.3, "illustrative", "mol Mg counted as this many mol Ca")
    pth_mg_impairment_k_mM: float = param(0.5, "illustrative", "serum Mg halving secretion")
    pth_mg_impairment_hill: float = param(8.0, "illustrative", "")
    pth_effect_ec50_pmol_L: float = param(3.0, "illustrative", "receptor occupancy half-maximal")
    pth_resistance_k_mM: float = param(0.30, "illustrative", "intracellular free Mg halving action")
    pth_resistance_hill: float = param(6.0, "illustrative", "")
    parathyroid_mass_fraction: float = param(
        1.0, "literature", "1 = intact glands; 1 intact; 0 = parathyroidectomy", high=1.0
    )
    # --- calcitriol ------------------------------------------------------------------
    calcitriol_half_life_h: float = param(
        6.0, "literature", "5-8 h (Rocaltrol label; Peterson & Riggs 2010)"
    )
    calcitriol_basal_fraction: float = param(
        0.2, "illustrative", "synthesis independent of PTH", high=1.0
    )
    # --- bone --------------------------------------------------------------------
    ca_bone_fast_capacity_mmol_per_mM: float = param(
        40.0, "illustrative", "per mM ionised Ca (~48 mmol)"
    )
    ca_bone_fast_rate_per_h: float = param(0.3, "illustrative", "")
    ca_bone_fast_pth_gain: float = param(0.15, "illustrative", "PTH shifts the pool toward the ECF")
    mg_bone_fast_capacity_mmol_per_mM: float = param(
        40.0, "illustrative", "per mM ionised Mg (~20 mmol)"
    )
    mg_bone_fast_rate_per_h: float = param(0.02, "illustrative", "surface Mg exchanges over days")
    ca_bone_turnover_mmol_per_day: float = param(
        7.5,
        "literature",
        "~300 mg/d resorbed = formed (Peterson & Riggs 2010); 300 mg/d resorbed = formed",
    )
    mg_to_ca_bone_molar_ratio: float = param(
        0.0214,
        "literature",
        "13 g Mg : 1000 g Ca in bone (IOM 1997; Blaine 2015); 13 g Mg : 1000 g Ca",
    )
    ca_bone_slow_mmol: float = param(
        25000.0, "literature", "~1000 g Ca in bone (Blaine 2015); ~1000 g, reporting only"
    )
    mg_bone_slow_mmol: float = param(500.0, "literature", "~12 g Mg in bone (IOM 1997)")
    # --- intracellular Mg ------------------------------------------------------------
    mg_icf_free_ref_mM: float = param(
        0.50, "literature", "human muscle free Mg 0.39-0.56 mM (Ryschon et al. 1996); Ryschon 1996"
    )
    mg_icf_capacity_mmol_per_mM: float = param(
        40.0, "illustrative", "exchangeable cell Mg per mM free"
    )
    mg_icf_time_constant_h: float = param(72.0, "illustrative", "follows plasma Mg over days")


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


def _unknown(kind: str, word: str, options) -> ScenarioError:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    hint = (" Did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
    return ScenarioError(f"unknown {kind} {word!r}.{hint} Valid: {', '.join(sorted(options))}.")


def get_person(name: str) -> Person:
    """The person preset called ``name`` (ScenarioError with suggestions if unknown)."""
    if name not in PERSONS:
        raise _unknown("person", name, PERSONS)
    return PERSONS[name]


def resolve_params(
    parameter_set: str = "human_default",
    competition: str = "default",
    overrides: dict[str, float] | None = None,
) -> BodyParams:
    """The parameters of one run: the set, its competition variant, then overrides."""
    from cellsim.schema import with_overrides

    if parameter_set not in PARAMETER_SETS:
        raise _unknown("parameter set", parameter_set, PARAMETER_SETS)
    if competition not in COMPETITION:
        raise _unknown("competition variant", competition, COMPETITION)
    params = with_overrides(PARAMETER_SETS[parameter_set], COMPETITION[competition])
    return check_physical(with_overrides(params, overrides or {}))


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
