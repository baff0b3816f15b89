"""Named, cited parameter sets of the whole-body Ca / Mg / phosphate model.

Four independent choices make the parameters of a run:

* a **parameter set** (``"human_default"``): the physiology, each field with its basis
  and source (:func:`cellsim.schema.param`);
* a **person** (``"adult_female_19_50"`` ...): the recommended intakes that set the
  default diet;
* a **competition** variant: ``"default"`` (weak Ca-Mg competition for gut transport, as
  human balance and isotope studies find) or ``"strong"`` (the hypothesis of popular
  accounts, so that the two can be compared);
* a **preset**: a disease or a drug as a named change of parameters (primary
  hyperparathyroidism, a thiazide ...), evaluated against the fixed healthy reference
  (:mod:`cellsim.body.baseline`), never re-normalised to it.

Then single fields may be overridden by name.  Units live in the names; the model works
in mmol, litres and hours (hormones in pmol/L), and converts once, in
:mod:`cellsim.body.model`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, fields

from cellsim.errors import ModelError, ScenarioError
from cellsim.schema import param, with_overrides

CA_MG_PER_MMOL = 40.08
MG_MG_PER_MMOL = 24.305
P_MG_PER_MMOL = 30.974

_HEANEY_1990 = (
    "fractional absorption of single Ca loads with a meal, 64 % of 15 mg and 28.6 % of "
    "500 mg (Heaney, Weaver & Fitzsimmons 1990), and their line extrapolated to 21.6 % of "
    "1000 mg"
)
_FINE_1991 = (
    "fractional Mg absorption of a meal (65 % of ~12 mg) and of meal + 972 mg Mg acetate "
    "(11 %) (Fine, Santa Ana, Porter & Fordtran 1991), with ~130 mg/d absorbed on 320 mg/d "
    "(urinary Mg 100-150 mg/d, Guyton & Hall)"
)
_SCHWARZ_1993 = (
    "sequential citrate/Ca clamp: PTH peaks at 4-7x basal at -0.21 mM iCa and falls to "
    "2-3x within the hypocalcaemic hour (Schwarz et al. 1993)"
)
_FATEMI_SUH = (
    "Mg depletion: PTH not raised after 3 weeks on < 1 mEq/d although iCa fell (Fatemi et "
    "al. 1991); PTH unmeasurable at serum Mg 0.25 mM (Suh et al. 1973)"
)


@dataclass(frozen=True)
class BodyParams:
    """Physiology of the body scale (every field: value, basis, source, meaning).

    The processes these parameters drive are described in :mod:`cellsim.body.model`; the
    constants fitted to published results, and to which, are listed in
    ``docs/validation/calibration.md``.  Fields named ``*_block``, ``*_gain``,
    ``*_loss`` or ``*_factor`` of drugs are 0 (or 1) in health: the presets set them.
    """

    name: str = "human_default"

    # --- body size and fluid volumes ----------------------------------------------------
    body_mass_kg: float = param(
        70.0,
        "literature",
        "reference adult (ICRP 23)",
        low_open=True,
        doc="body mass (scales per-kg data)",
    )
    plasma_volume_L: float = param(
        3.0, "literature", "Guyton & Hall, 70 kg adult", low_open=True, doc="plasma volume"
    )
    interstitial_volume_L: float = param(
        11.0,
        "literature",
        "Guyton & Hall, 70 kg adult; ECF 14 L as in Peterson & Riggs 2010 (V1)",
        doc="interstitial fluid volume",
    )
    # --- plasma binding and reference concentrations -------------------------------------
    ca_total_ref_mM: float = param(
        2.40,
        "literature",
        "clinical range 2.2-2.6 mM; Fatemi et al. 1991 controls 2.36 mM",
        low_open=True,
        doc="healthy reference plasma total Ca",
    )
    ca_ionised_fraction: float = param(
        0.50,
        "literature",
        "iCa 1.1-1.3 of total 2.2-2.6 mM (clinical references)",
        low_open=True,
        high=1.0,
        doc="ionised / total plasma Ca",
    )
    ca_ultrafilterable_fraction: float = param(
        0.60,
        "literature",
        "renal physiology reviews; Peterson & Riggs 2010 (0.6)",
        high=1.0,
        doc="ultrafilterable / total plasma Ca",
    )
    mg_total_ref_mM: float = param(
        0.85,
        "literature",
        "IOM 1997 range 0.7-1.0 mM",
        low_open=True,
        doc="healthy reference plasma total Mg",
    )
    mg_ionised_fraction: float = param(
        0.60,
        "literature",
        "Zhan et al. 2020 (iMg 1.32 of 2.24 mg/dL = 0.59); reviews 0.55-0.70",
        low_open=True,
        high=1.0,
        doc="ionised / total plasma Mg",
    )
    mg_ultrafilterable_fraction: float = param(
        0.70, "literature", "reviews 0.70-0.77", high=1.0, doc="ultrafilterable / total plasma Mg"
    )
    p_ref_mM: float = param(
        1.20,
        "literature",
        "Peterson & Riggs 2010 (16.8 mmol / 14 L); normal 0.8-1.45 mM",
        low_open=True,
        doc="healthy reference plasma phosphate",
    )
    p_ultrafilterable_fraction: float = param(
        0.88,
        "literature",
        "Peterson & Riggs 2010 (renal term 0.88 x GFR)",
        high=1.0,
        doc="ultrafilterable / total plasma phosphate",
    )
    # --- the reference diet: the healthy steady state is defined on it -------------------
    ref_diet_ca_mg_per_day: float = param(
        1000.0, "literature", "IOM 2011 RDA (women 19-50)", doc="reference diet Ca"
    )
    ref_diet_mg_mg_per_day: float = param(
        320.0, "literature", "IOM 1997 RDA (women 31-50)", doc="reference diet Mg"
    )
    ref_diet_p_mg_per_day: float = param(
        1200.0,
        "literature",
        "usual adult intake 1.0-1.5 g/d (IOM 1997); Portale et al. 1986 used 1500 mg/70 kg",
        doc="reference diet phosphorus",
    )
    # --- gut transit ---------------------------------------------------------------------
    gastric_emptying_fasted_per_h: float = param(
        3.0,
        "literature",
        "liquids and tablets when fasting: half-time 10-20 min (gastric emptying studies)",
        low_open=True,
        doc="stomach emptying rate, fasted",
    )
    gastric_emptying_fed_per_h: float = param(
        0.7,
        "literature",
        "mixed meal: half-time ~1 h (gastric emptying studies)",
        low_open=True,
        doc="stomach emptying rate with a meal",
    )
    fed_state_duration_h: float = param(
        3.0,
        "illustrative",
        "a meal slows emptying for ~3 h",
        doc="how long a meal keeps the fed rate",
    )
    small_intestine_transit_per_h: float = param(
        0.3,
        "literature",
        "small-bowel transit 3-4 h (scintigraphy reviews): 1/3.3 h",
        low_open=True,
        doc="intestine -> faeces (first order)",
    )
    # --- gut Ca: transcellular (TRPV6, calcitriol-induced) + paracellular ----------------
    ca_trans_vmax_mmol_per_h: float = param(
        0.352,
        "calibrated",
        "Heaney, Weaver & Fitzsimmons 1990, J Bone Miner Res 5:1135",
        fitted_to=_HEANEY_1990,
        doc="transcellular Vmax at reference transport capacity",
    )
    ca_trans_km_mmol: float = param(
        0.611,
        "calibrated",
        "as ca_trans_vmax_mmol_per_h",
        fitted_to=_HEANEY_1990,
        low_open=True,
        doc="luminal Ca at half-maximal transcellular rate",
    )
    ca_para_rate_per_h: float = param(
        0.0307,
        "calibrated",
        "as ca_trans_vmax_mmol_per_h",
        fitted_to=_HEANEY_1990,
        doc="paracellular Ca rate constant",
    )
    gut_capacity_lag_h: float = param(
        25.0,
        "literature",
        "Peterson & Riggs 2010 (OpenBoneMin transport compartment R, turnover ~0.04/h)",
        low_open=True,
        doc="lag of calcitriol-induced transport capacity",
    )
    # --- gut Mg: saturable (TRPM6/7) + paracellular; salts; adaptation -------------------
    mg_sat_vmax_mmol_per_h: float = param(
        0.4266,
        "calibrated",
        "Fine, Santa Ana, Porter & Fordtran 1991, J Clin Invest 88:396",
        fitted_to=_FINE_1991,
        doc="saturable Mg transport Vmax at reference",
    )
    mg_sat_km_mmol: float = param(
        0.6454,
        "calibrated",
        "as mg_sat_vmax_mmol_per_h",
        fitted_to=_FINE_1991,
        low_open=True,
        doc="luminal Mg at half-maximal saturable rate",
    )
    mg_para_rate_per_h: float = param(
        0.005,
        "illustrative",
        "kept small: Fine 1991's ~7 % linear share cannot be kept "
        "together with ~130 mg/d absorbed at the RDA",
        doc="paracellular Mg rate constant",
    )
    mg_absorption_adaptation_gain: float = param(
        1.0,
        "hypothesis",
        "TRPM6 up-regulated by a low-Mg diet in mice (Groenestege et al. "
        "2006); the human gain is not published",
        doc="fractional rise of saturable Vmax per fractional fall of cell free Mg",
    )
    mg_absorption_adaptation_h: float = param(
        72.0,
        "illustrative",
        "expression changes over days",
        low_open=True,
        doc="lag of absorption adaptation",
    )
    mg_active_absorption_factor: float = param(
        1.0,
        "derived",
        "1 = no drug; the proton_pump_inhibitor preset lowers it (Cundy & Mackay 2011)",
        high=1.0,
        doc="multiplier on saturable Mg transport",
    )
    mgo_dissolution_per_h: float = param(
        0.223,
        "calibrated",
        "Firoz & Graber 2001, Magnes Res 14:257",
        fitted_to="MgO fractional absorption 4 % by the urinary-increment method "
        "(Firoz & Graber 2001)",
        doc="dissolution rate of MgO in gastric acid",
    )
    gastric_acid_factor: float = param(
        1.0,
        "derived",
        "1 = no drug; the proton_pump_inhibitor preset lowers it (acid suppression)",
        high=1.0,
        doc="multiplier on MgO dissolution",
    )
    # --- gut Ca-Mg competition (competitive inhibition of the saturable paths) -----------
    ki_mg_on_ca_transport_mmol: float = param(
        100.0,
        "illustrative",
        "weak: no clear competition in human balance and isotope "
        "studies (Andon et al. 1996; Spencer et al. 1994); 2.4 g Mg in the lumen doubles Km",
        low_open=True,
        doc="luminal Mg at which the Ca transport Km doubles",
    )
    ki_ca_on_mg_transport_mmol: float = param(
        100.0,
        "illustrative",
        "as ki_mg_on_ca_transport_mmol",
        low_open=True,
        doc="luminal Ca at which the Mg transport Km doubles",
    )
    # --- gut phosphate --------------------------------------------------------------------
    p_passive_rate_per_h: float = param(
        0.37,
        "derived",
        "55-70 % of dietary P absorbed (IOM 1997); Peterson & Riggs 2010 fraction 0.7",
        doc="calcitriol-independent P absorption rate",
    )
    p_active_rate_per_h: float = param(
        0.16,
        "illustrative",
        "NaPi-IIb share ~30 % (reviews)",
        doc="calcitriol-dependent P absorption at reference",
    )
    p_absorption_factor: float = param(
        1.0,
        "derived",
        "1 = no binder; a P binder (aluminium hydroxide, Portale et al. 1986) lowers it",
        high=1.0,
        doc="multiplier on P absorption",
    )
    # --- endogenous faecal losses ---------------------------------------------------------
    ca_endogenous_faecal_mg_per_day: float = param(
        130.0,
        "literature",
        "Heaney & Skillman 1964: 100-150 mg/d",
        doc="Ca secreted into the gut and lost, at reference iCa",
    )
    mg_endogenous_faecal_mg_per_day: float = param(
        12.0,
        "illustrative",
        "small (Avioli & Berman 1966: little tracer in stool)",
        doc="Mg secreted into the gut and lost, at reference iMg",
    )
    # --- kidney ---------------------------------------------------------------------------
    gfr_mL_per_min: float = param(
        120.0, "literature", "physiology texts", low_open=True, doc="glomerular filtration rate"
    )
    ca_pt_fraction: float = param(
        0.65,
        "literature",
        "reviews: PT 60-70 % of filtered Ca",
        high=1.0,
        doc="Ca reabsorbed in the proximal tubule",
    )
    ca_tal_max_fraction: float = param(
        0.89,
        "derived",
        "TAL ~25 % of filtered Ca = 0.71 of the delivered load at reference (CaSR 80 % open)",
        high=1.0,
        doc="TAL Ca reabsorption of delivered, CaSR off",
    )
    mg_pt_fraction: float = param(
        0.20,
        "literature",
        "Seo & Park 2008; Quamme 1997",
        high=1.0,
        doc="Mg reabsorbed in the proximal tubule",
    )
    mg_tal_max_fraction: float = param(
        0.94,
        "derived",
        "TAL ~60 % of filtered Mg = 0.75 of the delivered load at reference (CaSR 80 % open)",
        high=1.0,
        doc="TAL Mg reabsorption of delivered, CaSR off",
    )
    casr_k_mM: float = param(
        2.06,
        "illustrative",
        "TAL CaSR 80 % open at reference (direction: Blaine, Chonchol & "
        "Levi 2015); hypocalcaemia can raise TAL transport by at most 25 %",
        low_open=True,
        doc="divalent signal halving TAL paracellular transport",
    )
    casr_hill: float = param(
        4.0,
        "illustrative",
        "CaSR cooperativity (Brown et al. 1993, n ~3-4)",
        doc="Hill coefficient of the TAL CaSR",
    )
    casr_mg_potency: float = param(
        0.5,
        "illustrative",
        "Mg a weaker CaSR agonist (Brown 1993)",
        doc="TAL: ionised Mg counted as this much Ca",
    )
    ca_dct_max_fraction: float = param(
        0.97,
        "illustrative",
        "DCT/CNT reabsorb nearly all the Ca delivered with PTH",
        high=1.0,
        doc="DCT Ca reabsorption of delivered at full PTH action",
    )
    ca_dct_pth_span: float = param(
        0.155,
        "illustrative",
        "without PTH, urinary Ca about doubles at a given filtered load "
        "(hypercalciuria of treated hypoparathyroidism)",
        high=1.0,
        doc="PTH-dependent share of the maximal DCT Ca reabsorption",
    )
    tal_pth_gain: float = param(
        0.3,
        "illustrative",
        "PTH (cAMP) stimulates TAL Mg reabsorption (de Rouffignac & Quamme 1994)",
        doc="relative change of TAL Mg transport per relative PTH action",
    )
    mg_tal_saturation_rel: float = param(
        1.0,
        "illustrative",
        "loop Mg reabsorption is load-limited (Quamme & Dirks 1986)",
        low_open=True,
        doc="TAL Mg half-saturation, as a multiple of the reference load",
    )
    mg_dct_hill: float = param(
        3.0,
        "illustrative",
        "threshold-like Mg excretion (Quamme 1997)",
        low_open=True,
        doc="steepness of DCT Mg excretion",
    )
    mg_dct_pth_gain: float = param(
        0.3,
        "illustrative",
        "PTH raises DCT Mg reabsorption (reviews)",
        doc="relative rise of the DCT threshold per relative PTH action",
    )
    p_tmp_gfr_max_mM: float = param(
        1.60,
        "literature",
        "TmP/GFR without PTH (high in hypoparathyroidism); normal 0.8-1.5 "
        "mM (Clin Sci Mol Med 1977, 53:431)",
        doc="phosphate threshold with no PTH",
    )
    p_tmp_gfr_min_mM: float = param(
        0.50,
        "literature",
        "primary hyperparathyroidism 0.2-0.8 mM (Clin Sci Mol Med 1977, 53:431)",
        doc="phosphate threshold at saturating PTH",
    )
    p_tmp_pth_ec50_rel: float = param(
        1.0,
        "derived",
        "the phosphaturic response saturates at low PTH doses (Clin Sci Mol "
        "Med 1977): EC50 = reference PTH",
        low_open=True,
        doc="PTH action (x reference) at half effect on TmP/GFR",
    )
    p_threshold_softness_mM: float = param(
        0.12,
        "illustrative",
        "splay of the phosphate titration curve (~0.3 mM wide)",
        low_open=True,
        doc="smoothing of the phosphate threshold",
    )
    # --- drugs acting on the kidney (0 = no drug; the presets set them) -------------------
    loop_tal_block: float = param(
        0.0,
        "derived",
        "0 = no drug; the loop_diuretic preset sets it (furosemide blocks "
        "NKCC2 and the TAL's paracellular driving force)",
        high=1.0,
        doc="fraction of TAL paracellular transport blocked",
    )
    thiazide_dct_ca_gain: float = param(
        0.0,
        "derived",
        "0 = no drug; the thiazide preset sets 0.44 (Parfitt 1972)",
        high=1.0,
        doc="share of the DCT Ca escape removed at reference PTH action (scales with action)",
    )
    thiazide_dct_mg_loss: float = param(
        0.0,
        "derived",
        "0 = no drug; the thiazide preset sets it (TRPM6 down with NCC "
        "block, Nijenhuis et al. 2005)",
        high=1.0,
        doc="fractional fall of the DCT Mg threshold",
    )
    # --- parathyroid: secretory pool, Brown's release curve, Mg --------------------------
    pth_ref_pmol_L: float = param(
        3.0,
        "literature",
        "intact PTH 1.6-6.9 pmol/L; Fatemi et al. 1991 controls 28 ng/L",
        low_open=True,
        doc="healthy reference plasma PTH",
    )
    pth_half_life_min: float = param(
        3.0, "literature", "intact PTH 2-4 min (several)", low_open=True, doc="plasma PTH half-life"
    )
    pth_set_point_mM: float = param(
        1.13,
        "literature",
        "Schwarz et al. 1994 (Brown set point, healthy 1.13 +- 0.04 mM)",
        low_open=True,
        doc="set point of the release curve (iCa at half-maximal release)",
    )
    pth_release_hill: float = param(
        30.5,
        "derived",
        "with the set point 1.13 mM and iCa 1.20 mM the curve passes 1x at "
        "reference between 6x and 0.2x (Schwarz et al. 1993, 1994)",
        low_open=True,
        doc="steepness of Brown's release curve",
    )
    pth_release_max_rel: float = param(
        6.0,
        "derived",
        "Schwarz et al. 1993: 4-7x basal at -0.21 mM (peak); Brent et al. 1988: 4.2x",
        low_open=True,
        doc="maximal release rate / reference",
    )
    pth_release_min_rel: float = param(
        0.2,
        "derived",
        "Schwarz et al. 1993: ~0.25x at +0.20 mM; Brent et al. 1988: 0.28x",
        doc="minimal release rate / reference",
    )
    pth_store_release_per_h: float = param(
        0.10,
        "calibrated",
        "Schwarz et al. 1993, Eur J Clin Invest 23:546",
        fitted_to=_SCHWARZ_1993,
        low_open=True,
        doc="share of the gland store released per hour at reference iCa",
    )
    pth_intracellular_degradation_ratio: float = param(
        2.6,
        "calibrated",
        "Schwarz et al. 1993",
        fitted_to=_SCHWARZ_1993,
        doc="intracellular degradation / release of stored PTH at reference",
    )
    pth_synthesis_lag_h: float = param(
        12.0,
        "illustrative",
        "PTH mRNA responds over hours (rat studies, Naveh-Many & Silver)",
        low_open=True,
        doc="lag of PTH synthesis",
    )
    pth_synthesis_ca_exponent: float = param(
        0.5,
        "illustrative",
        "synthesis follows release, weaker",
        doc="synthesis target = release ** this",
    )
    pth_synthesis_calcitriol_exponent: float = param(
        0.2,
        "illustrative",
        "calcitriol represses the PTH gene (VDR)",
        doc="synthesis x (calcitriol / reference) ** -this",
    )
    pth_mg_casr_potency: float = param(
        0.0556,
        "calibrated",
        "Cholst et al. 1984, N Engl J Med 310:1221",
        fitted_to="IV MgSO4 (4 g + 2 g/h): serum Mg 0.8 -> 2.5 mM lowered PTH 40 % at 30 min "
        "(Cholst et al. 1984)",
        doc="parathyroid CaSR: ionised Mg counted as this much iCa",
    )
    pth_mg_block_max_mM: float = param(
        0.35,
        "calibrated",
        "mechanism: Mg depletion activates G-alpha and mimics CaSR "
        "activation (Quitterer et al. 2001; Vetter & Lohse 2002)",
        fitted_to=_FATEMI_SUH,
        doc="largest apparent CaSR signal added by parathyroid-cell Mg depletion",
    )
    pth_mg_block_k_rel: float = param(
        0.706,
        "calibrated",
        "as pth_mg_block_max_mM",
        fitted_to=_FATEMI_SUH,
        low_open=True,
        doc="parathyroid-cell free Mg (x reference) at half block",
    )
    pth_mg_block_hill: float = param(
        8.0,
        "calibrated",
        "as pth_mg_block_max_mM",
        fitted_to=_FATEMI_SUH,
        doc="steepness of the Mg-depletion block",
    )
    parathyroid_cell_mg_lag_min: float = param(
        5.0,
        "hypothesis",
        "the secretory defect of Mg deficiency reverses within minutes of IV "
        "Mg (Anast et al. 1976; Rude et al. 1978)",
        low_open=True,
        doc="lag of parathyroid-cell free Mg behind plasma",
    )
    parathyroid_mass_rel: float = param(
        1.0,
        "derived",
        "1 = normal glands; the presets: 0 hypoparathyroidism, 3 adenoma",
        high=50.0,
        doc="secretory mass relative to normal glands",
    )
    pth_effect_ec50_rel: float = param(
        1.0,
        "illustrative",
        "receptor half-occupancy at reference PTH",
        low_open=True,
        doc="PTH (x reference) at half-maximal action",
    )
    pth_resistance_k_rel: float = param(
        0.592,
        "calibrated",
        "Fatemi et al. 1991, J Clin Endocrinol Metab 73:1067",
        fitted_to="3 weeks of Mg depletion: calcitriol -22 % with red-cell free Mg -21 % and "
        "PTH unchanged (Fatemi et al. 1991)",
        low_open=True,
        doc="tissue free Mg (x reference) halving PTH and 1a-hydroxylase responses",
    )
    pth_resistance_hill: float = param(
        4.0,
        "illustrative",
        "Rude et al. 1976: marked resistance in severe deficiency",
        doc="steepness of Mg-dependent resistance",
    )
    # --- vitamin D: 1a-hydroxylase and calcitriol -----------------------------------------
    calcitriol_ref_pmol_L: float = param(
        90.0,
        "literature",
        "Peterson & Riggs 2010 (1260 pmol / 14 L); Portale et al. 1986 38 pg/mL = 91 pmol/L",
        low_open=True,
        doc="healthy reference calcitriol",
    )
    calcitriol_half_life_h: float = param(
        6.0,
        "literature",
        "5-8 h (Rocaltrol label); Peterson & Riggs 2010 k 0.10/h",
        low_open=True,
        doc="calcitriol elimination half-life",
    )
    hydroxylase_half_life_h: float = param(
        13.9,
        "literature",
        "Peterson & Riggs 2010 (1a-hydroxylase activity turnover 0.05/h)",
        low_open=True,
        doc="1a-hydroxylase turnover: the lag of calcitriol synthesis",
    )
    hydroxylase_basal_fraction: float = param(
        0.25,
        "illustrative",
        "calcitriol low but present in hypoparathyroidism",
        high=1.0,
        doc="PTH-independent share of the maximal drive",
    )
    hydroxylase_pth_ec50_rel: float = param(
        1.0,
        "illustrative",
        "primary hyperparathyroidism: calcitriol +30-50 % (reviews)",
        low_open=True,
        doc="PTH (x reference) at half-maximal drive",
    )
    hydroxylase_phosphate_exponent: float = param(
        2.0,
        "derived",
        "Portale et al. 1986 pairs: fasting P -26 % with calcitriol +80 % on "
        "P restriction (ln 1.8 / -ln 0.74)",
        doc="drive x (P / reference) ** -this",
    )
    # --- bone: PTH-independent fast exchange and coupled remodelling ----------------------
    ca_bone_fast_pool_mmol: float = param(
        100.0,
        "literature",
        "Peterson & Riggs 2010 (100 mmol immediately exchangeable)",
        low_open=True,
        doc="exchangeable bone Ca at reference",
    )
    ca_bone_exchange_mmol_per_day: float = param(
        88.0,
        "literature",
        "Peterson & Riggs 2010 (88 mmol/d plasma <-> bone)",
        doc="unidirectional fast bone-fluid Ca exchange",
    )
    ca_bone_fast_pth_gain: float = param(
        0.3,
        "illustrative",
        "PTH-dependent part of the bone-fluid efflux (lining cells; Talmage)",
        doc="relative rise of the efflux per relative PTH action",
    )
    bone_turnover_ca_mmol_per_day: float = param(
        12.5,
        "literature",
        "Blaine, Chonchol & Levi 2015 Fig. 1: ~500 mg/d resorbed and formed",
        doc="remodelling Ca flux at reference",
    )
    osteoclast_lag_days: float = param(
        7.0,
        "illustrative",
        "osteoclast recruitment and life span ~2 weeks (Peterson & Riggs 2010)",
        low_open=True,
        doc="lag of resorption activity",
    )
    formation_coupling_lag_days: float = param(
        40.0,
        "illustrative",
        "reversal and formation phases ~3 months (remodelling cycle)",
        low_open=True,
        doc="lag of formation following resorption",
    )
    mineralisation_half_ica_mM: float = param(
        0.6,
        "illustrative",
        "mineral deposition needs Ca from the fluid: severe hypocalcaemia leaves osteoid "
        "unmineralised (osteomalacia); half-rate well below the normal range, so normal "
        "levels barely change it",
        low_open=True,
        doc="ionised Ca at which mineral deposition runs at half its full-supply rate",
    )
    mineralisation_hill: float = param(
        4.0,
        "illustrative",
        "a steep supply limit: deposition follows the bone fluid's supersaturation",
        low_open=True,
        doc="steepness of the Ca supply limit of mineral deposition",
    )
    resorption_basal_fraction: float = param(
        0.3,
        "illustrative",
        "low but non-zero turnover in hypoparathyroidism",
        high=1.0,
        doc="PTH-independent share of resorption",
    )
    p_to_ca_bone_molar_ratio: float = param(
        0.464,
        "literature",
        "Peterson & Riggs 2010 (P/Ca of the hydroxyapatite flux)",
        doc="mineral P per Ca",
    )
    mg_to_ca_bone_molar_ratio: float = param(
        0.0214,
        "literature",
        "bone Mg ~13 g : Ca ~1000 g (IOM 1997; Blaine 2015)",
        doc="mineral Mg per Ca",
    )
    mg_bone_surface_pool_mmol: float = param(
        12.0,
        "derived",
        "Avioli & Berman 1966: rapid compartments besides ECF and cells",
        doc="rapidly exchanging bone-surface (and other) Mg at reference",
    )
    mg_bone_surface_half_life_h: float = param(
        3.0,
        "literature",
        "28Mg components of 1 h and 3 h (Silver et al. 1960)",
        low_open=True,
        doc="exchange half-time of the rapid Mg pool",
    )
    # --- cells: exchangeable, regulated, buffered Mg; CSF --------------------------------
    mg_icf_exchangeable_mmol: float = param(
        100.0,
        "literature",
        "Avioli & Berman 1966: > 80 % of the 3.54 mEq/kg exchangeable pool "
        "is intracellular (0.8 x 124 mmol)",
        low_open=True,
        doc="exchangeable cellular Mg at reference",
    )
    mg_icf_exchange_half_life_h: float = param(
        24.0,
        "literature",
        "28Mg slow component 14-35 h (Silver et al. 1960; Avioli & Berman 1966)",
        low_open=True,
        doc="tracer half-time of cellular Mg exchange",
    )
    mg_free_ref_mM: float = param(
        0.50,
        "literature",
        "31P-MRS of human muscle 0.39-0.56 mM (Ryschon et al. 1996: 0.557)",
        low_open=True,
        doc="cytosolic free Mg of muscle and nerve at reference",
    )
    mg_cell_influx_exponent: float = param(
        0.3,
        "calibrated",
        "cell Mg influx ~ (plasma iMg) ** a, strongly regulated",
        fitted_to="red-cell Mg unchanged after IV Mg (Ferment et al. 1987) and ~94 % of a 30 "
        "mmol IV load excreted in 24 h (Gullestad et al. 1994), by inspection",
        doc="exponent a of the cell Mg influx law",
    )
    mg_cell_regulation_exponent: float = param(
        0.5,
        "derived",
        "steady state free Mg ~ (plasma iMg) ** (a/n) with a/n ~0.6: red-cell "
        "free Mg -21 % at serum -24 % (Fatemi et al. 1991), -18 % in hypomagnesaemia (Rude et "
        "al. 1989)",
        low_open=True,
        doc="exponent n of the cell Mg extrusion law",
    )
    mg_free_acute_exponent: float = param(
        0.1,
        "illustrative",
        "small acute effect of plasma Mg on cytosolic free Mg (red-cell Mg "
        "unchanged after IV Mg, Ferment et al. 1987)",
        doc="acute free-Mg sensitivity to plasma iMg",
    )
    mg_free_lag_min: float = param(
        15.0,
        "illustrative",
        "cytosolic buffering equilibrium",
        low_open=True,
        doc="lag of free Mg behind cell content",
    )
    mg_csf_ionised_ref_mM: float = param(
        0.82,
        "literature",
        "Brewer et al. 2001: ~0.82 mM",
        low_open=True,
        doc="CSF ionised Mg at reference",
    )
    mg_csf_exponent: float = param(
        0.1,
        "calibrated",
        "choroid-plexus regulation; Ajayi et al. 2013 report +30 % at ~3x serum",
        fitted_to="CSF ionised Mg unchanged (~0.82 mM) while plasma ionised Mg rose "
        "53 % on IV MgSO4 (Brewer et al. 2001)",
        doc="CSF iMg ~ (plasma iMg) ** this",
    )
    csf_turnover_h: float = param(
        7.0,
        "derived",
        "CSF 150 mL renewed at 0.35 mL/min",
        low_open=True,
        doc="lag of CSF composition",
    )
    # --- cells: phosphate ---------------------------------------------------------------
    p_icf_pool_mmol: float = param(
        3226.0,
        "literature",
        "Peterson & Riggs 2010 (intracellular P)",
        low_open=True,
        doc="intracellular phosphate pool",
    )
    p_icf_regulation_exponent: float = param(
        0.02,
        "illustrative",
        "intracellular Pi is regulated; a linear exchange (Peterson & "
        "Riggs 2010) would let cells take up > 1 mol of P in months",
        doc="ICF P equilibrium ~ (plasma P) ** this",
    )
    p_icf_exchange_per_h: float = param(
        0.0193,
        "literature",
        "Peterson & Riggs 2010 (T55)",
        doc="cell -> ECF phosphate rate constant",
    )

    def problem(self) -> str | None:
        """Why these values make no sense together, or None."""
        if self.ca_dct_pth_span > 0 and self.ca_dct_max_fraction * (1 - self.ca_dct_pth_span) < 0:
            return "ca_dct_pth_span leaves a negative basal DCT fraction."
        if self.pth_release_min_rel > self.pth_release_max_rel:
            return "pth_release_min_rel must not exceed pth_release_max_rel."
        if self.p_tmp_gfr_min_mM > self.p_tmp_gfr_max_mM:
            return "p_tmp_gfr_min_mM must not exceed p_tmp_gfr_max_mM."
        return None


@dataclass(frozen=True)
class Person:
    """Who takes the supplements: the recommended intakes that set the default diet.

    RDAs from IOM 2011 (Ca) and IOM 1997 (Mg).  Where an age band spans two RDAs the
    higher is used (Mg 31-50 y: female 320, male 420 mg/d).  Every person starts from the
    same healthy reference state (settled on 1000 mg Ca, 320 mg Mg, 1200 mg P a day), so
    a person whose RDA differs drifts to their own steady state over the first weeks.
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
    # Human balance and isotope studies find no clear effect at usual intakes (Andon 1996;
    # Spencer 1994; Hardwick 1991): the other ion must reach grams in the lumen before it
    # doubles the apparent Km.
    "default": {"ki_mg_on_ca_transport_mmol": 100.0, "ki_ca_on_mg_transport_mmol": 100.0},
    # Hypothesis of popular accounts: a 500 mg Ca tablet (12.5 mmol) raises the Mg Km
    # ~13-fold.  Not supported by human data; here to be tested.
    "strong": {"ki_mg_on_ca_transport_mmol": 1.0, "ki_ca_on_mg_transport_mmol": 1.0},
}


@dataclass(frozen=True)
class Preset:
    """A disease or drug: named parameter changes against the fixed healthy reference.

    Attributes
    ----------
    name
        The ``[body] preset`` value.
    changes
        Parameter values that replace the healthy ones.
    diet
        Default diet changes (``mg_mg_per_day`` ...) for a state that is a diet rather than
        a parameter; a scenario's own ``[protocol.diet]`` values win.
    source
        Where the change comes from, and which sizes are illustrative.
    summary
        One line for students: what the preset is.
    """

    name: str
    changes: dict[str, float] = field(default_factory=dict)
    diet: dict[str, float] = field(default_factory=dict)
    source: str = ""
    summary: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("healthy", summary="no disease, no drug", source="the reference parameter set"),
        Preset(
            "primary_hyperparathyroidism",
            {"pth_set_point_mM": 1.32, "parathyroid_mass_rel": 3.0},
            source="Schwarz et al. 1994: Brown set point 1.32 +- 0.10 mM in primary "
            "hyperparathyroidism; adenoma secretory mass ~3x normal glands (illustrative)",
            summary="a parathyroid adenoma: the set point rises to 1.32 mM",
        ),
        Preset(
            "hypoparathyroidism",
            {"parathyroid_mass_rel": 0.0},
            source="post-surgical hypoparathyroidism: no secretory tissue left (Bilezikian et "
            "al. 2011, J Bone Miner Res 26:2317)",
            summary="no parathyroid tissue (e.g. after neck surgery)",
        ),
        Preset(
            "loop_diuretic",
            {"loop_tal_block": 0.3},
            source="furosemide blocks NKCC2 and with it the TAL's paracellular driving force "
            "for Ca and Mg (Blaine, Chonchol & Levi 2015; Fujita et al. 1984); the size 0.3 "
            "is illustrative",
            summary="furosemide: less Ca and Mg reabsorbed in the thick ascending limb",
        ),
        Preset(
            "thiazide",
            {"thiazide_dct_ca_gain": 0.44, "thiazide_dct_mg_loss": 0.1},
            source="Parfitt 1972, J Clin Invest 51:1879 (urinary Ca -44 % in euparathyroid "
            "subjects, needs PTH); TRPM6 down with NCC block (Nijenhuis et al. 2005, mice), "
            "Mg size illustrative; no Mg deficiency at usual doses (Davies & Fraser 1993)",
            summary="hydrochlorothiazide: more Ca, less Mg reabsorbed in the distal tubule",
        ),
        Preset(
            "proton_pump_inhibitor",
            {"mg_active_absorption_factor": 0.35, "gastric_acid_factor": 0.2},
            source="Cundy & Mackay 2011, Clin Endocrinol 75:146 (kidney normal, active Mg "
            "absorption impaired, overcome in part by high oral doses); William & Danziger "
            "2016 (TRPM6/7 and luminal pH); sizes illustrative",
            summary="omeprazole etc.: less active Mg absorption, less gastric acid",
        ),
        Preset(
            "chronic_mg_deficiency",
            diet={"mg_mg_per_day": 10.0},
            source="experimental Mg depletion on < 1 mEq (12 mg) a day (Shils 1969; Fatemi "
            "et al. 1991): a diet, not a parameter",
            summary="an almost Mg-free diet (10 mg/day): the body loses Mg over weeks",
        ),
    )
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


def get_preset(name: str) -> Preset:
    """The disease or drug preset called ``name`` (ScenarioError with suggestions)."""
    if name not in PRESETS:
        raise _unknown("preset", name, PRESETS)
    return PRESETS[name]


def resolve_params(
    parameter_set: str = "human_default",
    competition: str = "default",
    overrides: dict[str, float] | None = None,
    *,
    preset: str = "healthy",
) -> BodyParams:
    """The parameters of one run: the set, its competition variant, a preset, overrides."""
    if parameter_set not in PARAMETER_SETS:
        raise _unknown("parameter set", parameter_set, PARAMETER_SETS)
    if competition not in COMPETITION:
        raise _unknown("competition variant", competition, COMPETITION)
    params = with_overrides(PARAMETER_SETS[parameter_set], COMPETITION[competition])
    params = with_overrides(params, get_preset(preset).changes)
    return check_physical(with_overrides(params, overrides or {}))


def check_physical(p: BodyParams) -> BodyParams:
    """``p`` if its values make sense together; otherwise a ModelError saying why."""
    bad = [
        f.name
        for f in fields(BodyParams)
        if isinstance(getattr(p, f.name), float) and not math.isfinite(getattr(p, f.name))
    ]
    if bad:
        raise ModelError(f"body parameters {', '.join(bad)} must be finite numbers.")
    problem = p.problem()
    if problem:
        raise ModelError(f"body parameters: {problem}")
    return p


#: Keys of the model table of earlier versions, and where they went.
RENAMED_KEYS: dict[str, str] = {
    "overrides": "write parameter overrides directly in [body] (e.g. [body] gfr_mL_per_min = 90)",
    "parathyroid_mass_fraction": "parathyroid_mass_rel (1 = normal glands); for a disease "
    'use [body] preset = "hypoparathyroidism"',
    "ecf_volume_L": "plasma_volume_L and interstitial_volume_L",
    "pth_set_point_ica_mM": "pth_set_point_mM",
    "ca_ionised_ref_mM": "ca_total_ref_mM (x ca_ionised_fraction)",
    "calcitriol_basal_fraction": "hydroxylase_basal_fraction",
    "mg_icf_free_ref_mM": "mg_free_ref_mM",
    "mg_icf_time_constant_h": "mg_icf_exchange_half_life_h",
    "transit_rate_fed_per_h": "gastric_emptying_fed_per_h and small_intestine_transit_per_h",
    "transit_rate_fasted_per_h": "gastric_emptying_fasted_per_h",
    "ca_transcellular_vmax_mmol_per_h": "ca_trans_vmax_mmol_per_h",
    "mg_saturable_vmax_mmol_per_h": "mg_sat_vmax_mmol_per_h",
}
