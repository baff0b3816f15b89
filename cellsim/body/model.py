"""Whole-body Ca / Mg / phosphate model: the state, the process rate laws, the integration.

Amounts are in mmol, time in hours, hormones in pmol/L.  The feedback normalisations come
from one fixed healthy :class:`~cellsim.body.baseline.Reference` (computed once from the
healthy parameter set, :mod:`cellsim.body.baseline`); a disease or a drug is a parameter
change evaluated against it, never re-normalised to it.

Processes (each one method of :class:`BodyODE`, returning a named tuple of its flows):

* **gut** -- stomach -> small intestine -> faeces (first order; a meal slows gastric
  emptying).  Ca: a saturable transcellular path whose capacity follows calcitriol with a
  25-h lag, plus a paracellular path.  Mg: a saturable path that adapts to Mg status (72 h)
  plus a small paracellular path.  MgO and Mg(OH)2 must dissolve in gastric acid first.
  Phosphate: a passive plus a calcitriol-dependent path.  Saturable paths compete weakly
  (``ki_*``; the "strong" variant is a hypothesis).
* **kidney** -- filtered load = GFR x ultrafilterable concentration; Ca: proximal tubule,
  thick ascending limb (TAL, closed by the CaSR, blocked by loop diuretics), distal tubule
  (PTH-dependent, thiazides raise it in proportion to PTH action).  Mg: PT, TAL
  (PTH-stimulated, load-limited), a threshold-like DCT.  Phosphate: a soft threshold
  TmP/GFR lowered by PTH.  Every segment's flux is an output.
* **parathyroid** -- a secretory pool: stored PTH released at a rate set by Brown's curve
  of the CaSR signal (ionised Ca, weakly ionised Mg, and the apparent CaSR activation that
  low parathyroid-cell Mg causes), synthesis over hours, intracellular degradation, a
  3-min plasma half-life.  PTH *action* on kidney and bone falls when tissue free Mg falls
  (end-organ resistance).
* **vitamin D** -- 1a-hydroxylase activity follows PTH, low phosphate and tissue Mg with a
  lag of hours; calcitriol follows the enzyme with its 6-h half-life.
* **bone** -- a PTH-independent fast exchange of an exchangeable Ca pool with the fluid;
  remodelling whose resorption follows PTH action (days) and whose formation follows
  resorption (weeks), its mineral deposition limited by the Ca supply in severe
  hypocalcaemia (osteomalacia); mineral carries P and Mg in their molar ratios; a rapid
  Mg pool.
* **cells** -- exchangeable cell Mg with regulated influx and efflux (so cytosolic free
  Mg does not simply follow plasma), free Mg buffered by it; parathyroid-cell Mg; the
  CSF's ionised Mg (choroid-plexus regulated); intracellular phosphate.
* **inputs** -- endogenous faecal losses, IV infusions, plasma clamps.

The run is split at every intake, end of a fed period, infusion and clamp start and end,
midnight and requested time; LSODA integrates each input-free segment; running integrals
are reset per segment so that the mass balance closes to solver precision.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.integrate import ODEintWarning, odeint

from cellsim.body.params import CA_MG_PER_MMOL, MG_MG_PER_MMOL, P_MG_PER_MMOL, BodyParams
from cellsim.body.protocol import Clamp, Infusion, Intake
from cellsim.errors import ModelError

# ------------------------------------------------------------------------------- state
#: Dynamic states, then the cumulative rows (slow-bone changes and running integrals).
STATE_NAMES = (
    # gut lumen (mmol): stomach and small intestine, undissolved MgO
    "ca_stomach_mmol", "ca_intestine_mmol", "mg_stomach_mmol", "mg_intestine_mmol",
    "p_stomach_mmol", "p_intestine_mmol", "mgo_stomach_mmol", "mgo_intestine_mmol",
    # extracellular fluid (mmol)
    "ca_ecf_mmol", "mg_ecf_mmol", "p_ecf_mmol",
    # bone: fast pools (mmol), remodelling activities (x reference)
    "ca_bone_fast_mmol", "mg_bone_fast_mmol", "osteoclast_rel", "osteoblast_rel",
    # cells
    "mg_icf_mmol", "mg_free_mM", "p_icf_change_mmol", "parathyroid_mg_rel",
    # parathyroid: store (pmol/L of plasma equivalent), plasma PTH, synthesis (x ref)
    "pth_store", "pth_pmol_L", "pth_synthesis_rel",
    # vitamin D: 1a-hydroxylase (x reference), calcitriol
    "hydroxylase_rel", "calcitriol_pmol_L",
    # adaptation: gut Ca transport capacity, Mg absorption (x reference); CSF
    "gut_capacity_rel", "mg_absorption_adaptation_rel", "mg_csf_mM",
    # cumulative: slow bone mineral changes (mmol)
    "ca_bone_slow_change_mmol", "mg_bone_slow_change_mmol", "p_bone_slow_change_mmol",
    # cumulative: running integrals (mmol)
    "ca_absorbed_mmol", "mg_absorbed_mmol", "p_absorbed_mmol",
    "ca_urine_mmol", "mg_urine_mmol", "p_urine_mmol",
    "ca_unabsorbed_mmol", "mg_unabsorbed_mmol", "p_unabsorbed_mmol",
    "ca_endogenous_mmol", "mg_endogenous_mmol",
    "ca_filtered_mmol", "mg_filtered_mmol", "p_filtered_mmol",
    "ca_iv_mmol", "mg_iv_mmol", "ca_clamp_mmol", "mg_clamp_mmol",
)  # fmt: skip
S = {name: i for i, name in enumerate(STATE_NAMES)}
N_STATES = len(STATE_NAMES)
(
    CA_S, CA_I, MG_S, MG_I, P_S, P_I, MGO_S, MGO_I,
    CA_ECF, MG_ECF, P_ECF,
    CA_FAST, MG_FAST, OC, OB,
    MG_ICF, MG_FREE, P_ICF, MG_PT,
    PTH_STORE, PTH, PTH_SYN,
    HYDROX, CALCITRIOL,
    GUT_CAP, MG_ADAPT, MG_CSF,
    CA_BONE_SLOW, MG_BONE_SLOW, P_BONE_SLOW,
    CA_ABS, MG_ABS, P_ABS, CA_URINE, MG_URINE, P_URINE, CA_UNABS, MG_UNABS, P_UNABS,
    CA_ENDO, MG_ENDO, CA_FILT, MG_FILT, P_FILT, CA_IV, MG_IV, CA_CLAMP, MG_CLAMP,
) = range(N_STATES)  # fmt: skip
N_DYNAMIC = CA_BONE_SLOW
#: Rows integrated from zero in every segment and summed outside the solver.
CUMULATIVE = np.arange(CA_BONE_SLOW, N_STATES)
#: Lumen rows of each element (for the gut balance and what is still in the gut).
LUMEN = {"ca": (CA_S, CA_I), "mg": (MG_S, MG_I, MGO_S, MGO_I), "p": (P_S, P_I)}
MG_PER_MMOL = {"ca": CA_MG_PER_MMOL, "mg": MG_MG_PER_MMOL, "p": P_MG_PER_MMOL}


# ----------------------------------------------------------------------- flow records
class Plasma(NamedTuple):
    ca_total_mM: float
    ica_mM: float
    mg_total_mM: float
    img_mM: float
    p_mM: float


class Gut(NamedTuple):
    emptying_per_h: float
    ca_transcellular: float
    ca_paracellular: float
    mg_saturable: float
    mg_paracellular: float
    p_absorbed: float
    mgo_dissolved: float
    ca_unabsorbed: float
    mg_unabsorbed: float
    p_unabsorbed: float


class Kidney(NamedTuple):
    ca_filtered: float
    ca_pt: float
    ca_tal: float
    ca_dct: float
    ca_urine: float
    mg_filtered: float
    mg_pt: float
    mg_tal: float
    mg_dct: float
    mg_urine: float
    p_filtered: float
    p_urine: float
    p_tmp_gfr_mM: float


class Hormones(NamedTuple):
    action: float
    action_rel: float
    tissue_sensitivity: float
    release_rel: float
    mg_block_mM: float
    secretion: float
    store_loss: float
    synthesis: float
    synthesis_target: float
    hydroxylase_target: float


class Bone(NamedTuple):
    ca_fast_uptake: float
    ca_resorbed: float
    ca_formed: float
    osteoclast_target: float
    mg_fast_uptake: float
    mg_resorbed: float
    mg_formed: float


class Cells(NamedTuple):
    mg_uptake: float
    mg_free_target_mM: float
    parathyroid_mg_target: float
    p_uptake: float
    mg_csf_target_mM: float


class Inputs(NamedTuple):
    ca_endogenous: float
    mg_endogenous: float
    ca_iv: float
    mg_iv: float
    ca_clamp: float
    mg_clamp: float


class Flows(NamedTuple):
    """Every flow (mmol/h unless named) at one state, by process."""

    plasma: Plasma
    gut: Gut
    kidney: Kidney
    hormones: Hormones
    bone: Bone
    cells: Cells
    inputs: Inputs


#: Where each record's fields sit in the flat tuple of :meth:`BodyODE._evaluate`.
_RECORDS = []
for _record in (Plasma, Gut, Kidney, Hormones, Bone, Cells, Inputs):
    _start = _RECORDS[-1][2] if _RECORDS else 0
    _RECORDS.append((_record, _start, _start + len(_record._fields)))
#: Column of each named flow (``"kidney.ca_urine"``) in an array of flat flow tuples.
FLOW_COLUMN = {
    f"{part}.{name}": start + k
    for part, (record, start, _) in zip(Flows._fields, _RECORDS, strict=True)
    for k, name in enumerate(record._fields)
}
N_FLOWS = _RECORDS[-1][2]


@dataclass(frozen=True)
class Drive:
    """External inputs constant over one integration segment."""

    fed: bool = False
    ca_iv_mmol_per_h: float = 0.0
    mg_iv_mmol_per_h: float = 0.0
    #: (ion, ionised target mM, gain per h) of the clamps active in the segment.
    clamps: tuple[tuple[str, float, float], ...] = ()


# --------------------------------------------------------------------------- helpers
def softplus(x: float) -> float:
    """log(1 + e^x) without overflow: a smooth max(x, 0)."""
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def brown_release(signal_mM: float, p: BodyParams) -> float:
    """Brown's inverse sigmoid of the parathyroid CaSR signal (release rate, x reference)."""
    a, d = p.pth_release_max_rel, p.pth_release_min_rel
    x = max(signal_mM, 1e-9) / p.pth_set_point_mM
    return (a - d) / (1.0 + x**p.pth_release_hill) + d


def mg_depletion_block_mM(parathyroid_mg_rel: float, p: BodyParams) -> float:
    """Apparent CaSR signal (mM iCa) added by low parathyroid-cell free Mg.

    Mg depletion activates the G-alpha subunits that the CaSR couples to, so the gland
    behaves as if it saw more Ca (Quitterer et al. 2001; Vetter & Lohse 2002): secretion
    falls although ionised Ca is low.
    """
    r = max(parathyroid_mg_rel, 1e-9)
    return p.pth_mg_block_max_mM / (1.0 + (r / p.pth_mg_block_k_rel) ** p.pth_mg_block_hill)


def tissue_mg_sensitivity(mg_free_rel: float, p: BodyParams) -> float:
    """Responsiveness of kidney, bone and 1a-hydroxylase to PTH vs tissue free Mg."""
    r = max(mg_free_rel, 1e-9)
    return 1.0 / (1.0 + (p.pth_resistance_k_rel / r) ** p.pth_resistance_hill)


def pth_occupancy(pth_rel: float, ec50_rel: float) -> float:
    """Receptor occupancy by PTH (``pth_rel`` = PTH / reference PTH)."""
    r = max(pth_rel, 0.0)
    return r / (r + ec50_rel)


def distribution_volumes_L(p: BodyParams) -> tuple[float, float, float]:
    """Effective volumes of total Ca, Mg and phosphate (plasma + ultrafiltrable ISF share)."""
    return (
        p.plasma_volume_L + p.interstitial_volume_L * p.ca_ultrafilterable_fraction,
        p.plasma_volume_L + p.interstitial_volume_L * p.mg_ultrafilterable_fraction,
        p.plasma_volume_L + p.interstitial_volume_L * p.p_ultrafilterable_fraction,
    )


def gfr_L_per_h(p: BodyParams) -> float:
    return p.gfr_mL_per_min * 0.06


def gut_constants(p: BodyParams) -> tuple:
    """The constants of :func:`gut_rates`, in the order it unpacks them."""
    return (
        p.gastric_emptying_fed_per_h, p.gastric_emptying_fasted_per_h,
        p.small_intestine_transit_per_h, p.ca_trans_km_mmol, p.ki_mg_on_ca_transport_mmol,
        p.mg_sat_km_mmol, p.ki_ca_on_mg_transport_mmol, p.mg_sat_vmax_mmol_per_h,
        p.mg_active_absorption_factor, p.ca_trans_vmax_mmol_per_h, p.ca_para_rate_per_h,
        p.mg_para_rate_per_h, p.p_passive_rate_per_h, p.p_active_rate_per_h,
        p.p_absorption_factor, p.mgo_dissolution_per_h * p.gastric_acid_factor,
    )  # fmt: skip


def gut_rates(ca_i, mg_i, p_i, gut_cap, mg_adapt, mgo_s, mgo_i, fed, constants) -> tuple:
    """The gut's flows (mmol/h), in the order of :class:`Gut`, from the lumen rows and the
    adaptation states as Python floats (what the ODE's right-hand side has at hand).

    Ca: transcellular (capacity x Michaelis-Menten) + paracellular; Mg: saturable (adapted,
    PPI-sensitive) + paracellular; the saturable paths inhibit each other competitively
    (weakly by default); P: passive + calcitriol-dependent; MgO dissolves in gastric acid.
    ``c if x < c else x`` is ``max(x, c)``, at a fraction of the builtin's cost.
    """
    (
        emptying_fed, emptying_fasted, k_si, ca_trans_km, ki_mg_on_ca, mg_sat_km, ki_ca_on_mg,
        mg_sat_vmax, mg_active_factor, ca_trans_vmax, ca_para_rate, mg_para_rate,
        p_passive_rate, p_active_rate, p_absorption_factor, k_mgo,
    ) = constants  # fmt: skip
    ca_i = 0.0 if ca_i < 0.0 else ca_i
    mg_i = 0.0 if mg_i < 0.0 else mg_i
    p_i = 0.0 if p_i < 0.0 else p_i
    capacity = 0.0 if gut_cap < 0.0 else gut_cap
    km_ca = ca_trans_km * (1.0 + mg_i / ki_mg_on_ca)
    km_mg = mg_sat_km * (1.0 + ca_i / ki_ca_on_mg)
    vmax_mg = mg_sat_vmax * (0.0 if mg_adapt < 0.0 else mg_adapt) * mg_active_factor
    return (
        emptying_fed if fed else emptying_fasted,
        ca_trans_vmax * capacity * ca_i / (km_ca + ca_i),
        ca_para_rate * ca_i,
        vmax_mg * mg_i / (km_mg + mg_i),
        mg_para_rate * mg_i,
        (p_passive_rate + p_active_rate * capacity) * p_absorption_factor * p_i,
        k_mgo * (0.0 if mgo_s < 0.0 else mgo_s),
        k_si * ca_i,
        k_si * (mg_i + (0.0 if mgo_i < 0.0 else mgo_i)),
        k_si * p_i,
    )


def lumen_derivatives(ca_s, mg_s, p_s, mgo_s, mg_i, mgo_i, k_si, gut) -> list[float]:
    """d/dt of the eight lumen rows, given the gut's flows ``gut`` (a :class:`Gut` or the
    tuple of :func:`gut_rates`) and the rows as Python floats."""
    (k_ge, ca_trans, ca_para, mg_sat, mg_para, p_absorbed, mgo_dissolved, ca_unabsorbed,
     _, p_unabsorbed) = gut  # fmt: skip
    ca_s = 0.0 if ca_s < 0.0 else ca_s
    mg_s = 0.0 if mg_s < 0.0 else mg_s
    p_s = 0.0 if p_s < 0.0 else p_s
    mgo_s = 0.0 if mgo_s < 0.0 else mgo_s
    return [
        -k_ge * ca_s,
        k_ge * ca_s - ca_trans - ca_para - ca_unabsorbed,
        -k_ge * mg_s + mgo_dissolved,
        k_ge * mg_s - mg_sat - mg_para - k_si * (0.0 if mg_i < 0.0 else mg_i),
        -k_ge * p_s,
        k_ge * p_s - p_absorbed - p_unabsorbed,
        -k_ge * mgo_s - mgo_dissolved,
        k_ge * mgo_s - k_si * (0.0 if mgo_i < 0.0 else mgo_i),
    ]


def gut_flows(y, p: BodyParams, fed: bool) -> Gut:
    """The gut at state ``y``: emptying rate, absorption and transit (mmol/h)."""
    y = np.asarray(y, dtype=float)
    rows = (CA_I, MG_I, P_I, GUT_CAP, MG_ADAPT, MGO_S, MGO_I)
    return Gut(*gut_rates(*(float(y[j]) for j in rows), fed, gut_constants(p)))


def gut_derivatives(y, g: Gut, p: BodyParams) -> list[float]:
    """d/dt of the eight lumen rows, given the gut's flows."""
    y = np.asarray(y, dtype=float)
    rows = (CA_S, MG_S, P_S, MGO_S, MG_I, MGO_I)
    return lumen_derivatives(*(float(y[j]) for j in rows), p.small_intestine_transit_per_h, g)


# ---------------------------------------------------------------------------- the ODE
class BodyODE:
    """The right-hand side for one parameter set against one fixed reference.

    Rate constants are worked out once here; :meth:`flows` evaluates every process at a
    state, :meth:`rhs` sums them into derivatives (mass moves, it is never made).

    Both go through :meth:`_evaluate`, which computes every process in one pass over
    Python floats with its constants unpacked from a tuple: the solver calls the
    right-hand side tens of thousands of times per simulated month, and building the
    named records and looking up each parameter by attribute took two thirds of its time.
    The gut's rate laws are :func:`gut_rates` and :func:`lumen_derivatives`, which the
    reference's daily absorption (:mod:`cellsim.body.baseline`) calls too.
    """

    def __init__(self, p: BodyParams, ref):
        self.p, self.ref = p, ref
        self.vd_ca, self.vd_mg, self.vd_p = distribution_volumes_L(p)
        self.gfr = gfr_L_per_h(p)
        ln2 = math.log(2.0)
        self.k_pth_clear = ln2 / (p.pth_half_life_min / 60.0)
        self.k_hydroxylase = ln2 / p.hydroxylase_half_life_h
        self.k_calcitriol = ln2 / p.calcitriol_half_life_h
        self.k_mg_rapid = ln2 / p.mg_bone_surface_half_life_h
        self.k_mg_cells = ln2 / p.mg_icf_exchange_half_life_h
        exchange = p.ca_bone_exchange_mmol_per_day / 24.0
        self.k_bone_in = exchange / ref.ica_mM
        self.k_bone_out = exchange / p.ca_bone_fast_pool_mmol
        self.turnover = p.bone_turnover_ca_mmol_per_day / 24.0
        self.ca_endo = p.ca_endogenous_faecal_mg_per_day / CA_MG_PER_MMOL / 24.0
        self.mg_endo = p.mg_endogenous_faecal_mg_per_day / MG_MG_PER_MMOL / 24.0
        self.ca_dct_basal = p.ca_dct_max_fraction * (1.0 - p.ca_dct_pth_span)
        self.p_occ_ref = pth_occupancy(1.0, p.p_tmp_pth_ec50_rel)
        self.mg_pt_exponent = p.mg_cell_influx_exponent / p.mg_cell_regulation_exponent
        self.supply_ref = 1.0
        self.supply_ref = self.mineral_supply(ref.ica_mM)
        self._constants = self._pack()
        self._rhs_constants = (
            p.p_to_ca_bone_molar_ratio, p.mg_free_ref_mM, p.mg_absorption_adaptation_gain,
            24.0 * p.osteoclast_lag_days, 24.0 * p.formation_coupling_lag_days,
            p.mg_free_lag_min / 60.0, p.parathyroid_cell_mg_lag_min / 60.0,
            p.pth_synthesis_lag_h, p.gut_capacity_lag_h, p.mg_absorption_adaptation_h,
            p.csf_turnover_h, p.small_intestine_transit_per_h,
        )  # fmt: skip

    def mineral_supply(self, ica_mM: float) -> float:
        """Mineral deposition relative to reference, limited by the Ca supply (1 near normal
        ionised Ca, falling steeply in severe hypocalcaemia: osteomalacia)."""
        p = self.p
        x = (max(ica_mM, 0.0) / p.mineralisation_half_ica_mM) ** p.mineralisation_hill
        return x / (1.0 + x) / self.supply_ref

    def _pack(self) -> tuple:
        """The constants of :meth:`_evaluate`, in the order it unpacks them.

        Products of constants are folded only where they lead an expression (``a * b * x``
        is ``(a * b) * x`` in Python), so folding them changes no rounding.
        """
        p, ref = self.p, self.ref
        return (
            # plasma
            self.vd_ca, self.vd_mg, self.vd_p, p.ca_ionised_fraction, p.mg_ionised_fraction,
            # gut (gut_rates)
            gut_constants(p),
            # hormones
            p.mg_free_ref_mM, ref.tissue_sensitivity, ref.pth_pmol_L, p.pth_effect_ec50_rel,
            ref.mg_block_mM, p.pth_mg_casr_potency, ref.img_mM, ref.brown_release,
            ref.pth_k_release_per_h, ref.calcitriol_pmol_L, p.hydroxylase_basal_fraction,
            1.0 - p.hydroxylase_basal_fraction, p.hydroxylase_pth_ec50_rel, ref.p_mM,
            -p.hydroxylase_phosphate_exponent, ref.action, ref.pth_k_degrade_per_h,
            ref.pth_synthesis * p.parathyroid_mass_rel, p.pth_synthesis_ca_exponent,
            -p.pth_synthesis_calcitriol_exponent, ref.hydroxylase_drive,
            # kidney
            p.casr_mg_potency, 1.0 - p.loop_tal_block, p.casr_k_mM, p.casr_hill, self.gfr,
            p.ca_ultrafilterable_fraction, p.ca_pt_fraction, p.ca_tal_max_fraction,
            self.ca_dct_basal, ref.ca_dct_pth_slope, p.thiazide_dct_ca_gain,
            p.mg_ultrafilterable_fraction, p.mg_pt_fraction,
            p.mg_tal_saturation_rel * ref.mg_tal_delivered, p.tal_pth_gain,
            p.mg_tal_max_fraction, ref.mg_tal_delivered, ref.mg_dct_threshold,
            p.mg_dct_pth_gain, 1.0 - p.thiazide_dct_mg_loss, p.mg_dct_hill,
            p.p_tmp_pth_ec50_rel, self.p_occ_ref, p.p_tmp_gfr_max_mM,
            p.p_tmp_gfr_max_mM - ref.p_tmp_gfr_mM, p.p_tmp_gfr_min_mM,
            p.p_threshold_softness_mM, p.p_ultrafilterable_fraction,
            self.gfr * p.p_ultrafilterable_fraction * p.p_threshold_softness_mM,
            # bone
            p.ca_bone_fast_pth_gain, self.turnover, p.mineralisation_half_ica_mM,
            p.mineralisation_hill, self.supply_ref, p.mg_to_ca_bone_molar_ratio,
            self.k_bone_in, self.k_bone_out, p.resorption_basal_fraction,
            1.0 - p.resorption_basal_fraction, self.k_mg_rapid, p.mg_bone_surface_pool_mmol,
            # cells
            self.k_mg_cells * p.mg_icf_exchangeable_mmol, p.mg_cell_influx_exponent,
            p.mg_cell_regulation_exponent, p.mg_icf_exchangeable_mmol, p.mg_free_acute_exponent,
            self.mg_pt_exponent, p.p_icf_exchange_per_h,
            p.p_icf_exchange_per_h * p.p_icf_pool_mmol, p.p_icf_regulation_exponent,
            p.p_icf_pool_mmol, p.mg_csf_ionised_ref_mM, p.mg_csf_exponent,
            # inputs
            self.ca_endo, ref.ica_mM, self.mg_endo,
        )  # fmt: skip

    # ---------------------------------------------------------------- processes
    def _evaluate(self, y: list, drive: Drive) -> tuple:
        """Every flow at state ``y`` (a list of floats), flat, in the order of the fields
        of :class:`Flows` (plasma, gut, kidney, hormones, bone, cells, inputs)."""
        (
            # plasma
            vd_ca, vd_mg, vd_p, ca_ionised_fraction, mg_ionised_fraction,
            # gut
            gut_consts,
            # hormones
            mg_free_ref, ref_sensitivity, ref_pth, pth_ec50, ref_block, pth_mg_casr_potency,
            ref_img, ref_brown, ref_k_release, ref_calcitriol, hyd_basal, hyd_span,
            hyd_pth_ec50, ref_p, hyd_p_exponent, ref_action, k_degrade, synthesis_max,
            syn_ca_exponent, syn_calcitriol_exponent, ref_hyd_drive,
            # kidney
            casr_mg_potency, tal_unblocked, casr_k, casr_hill, gfr, ca_uf, ca_pt_fraction,
            ca_tal_max, ca_dct_basal, ca_dct_slope, thiazide_ca_gain, mg_uf, mg_pt_fraction,
            k_sat, tal_pth_gain, mg_tal_max, ref_mg_tal_delivered, ref_mg_threshold,
            mg_dct_pth_gain, thiazide_mg_kept, mg_dct_hill, p_tmp_ec50, p_occ_ref, tmp_max,
            tmp_span, tmp_min, softness, p_uf, p_urine_scale,
            # bone
            fast_pth_gain, turnover, mineral_half_ica, mineral_hill, supply_ref,
            mg_to_ca_bone, k_bone_in, k_bone_out, resorption_basal, resorption_span,
            k_mg_rapid, mg_surface_pool,
            # cells
            k_mg_cells_pool, influx_exponent, regulation_exponent, mg_icf_pool,
            acute_exponent, mg_pt_exponent, k_p, k_p_pool, p_icf_exponent, p_icf_pool,
            csf_ref, csf_exponent,
            # inputs
            ca_endo, ref_ica, mg_endo,
        ) = self._constants  # fmt: skip
        p = self.p
        (
            _, ca_i, _, mg_i, _, p_i, mgo_s, mgo_i, ca_ecf, mg_ecf, p_ecf, ca_fast, mg_fast,
            oc, ob, mg_icf, mg_free, p_icf, mg_pt, pth_store, pth, pth_syn, _, calcitriol,
            gut_cap, mg_adapt, _,
        ) = y[:N_DYNAMIC]  # fmt: skip

        # plasma
        ca_total = ca_ecf / vd_ca
        mg_total = mg_ecf / vd_mg
        ica = ca_total * ca_ionised_fraction
        img = mg_total * mg_ionised_fraction
        p_mM = p_ecf / vd_p
        # Below, ``c if x < c else x`` is ``max(x, c)`` and ``c if x > c else x`` is
        # ``min(x, c)``, the same value in every case (signed zeros and NaN included), at a
        # sixth of the cost of calling the builtins: about 40 of them per evaluation.
        ica_pos = 0.0 if ica < 0.0 else ica

        gut = gut_rates(ca_i, mg_i, p_i, gut_cap, mg_adapt, mgo_s, mgo_i, drive.fed, gut_consts)

        # hormones: parathyroid store, release, synthesis; PTH action; 1a-hydroxylase drive
        sensitivity = tissue_mg_sensitivity(mg_free / mg_free_ref, p) / ref_sensitivity
        pth_rel = (0.0 if pth < 0.0 else pth) / ref_pth
        r = 0.0 if pth_rel < 0.0 else pth_rel  # as pth_occupancy
        action = r / (r + pth_ec50) * sensitivity
        block = mg_depletion_block_mM(mg_pt, p) - ref_block
        block = 0.0 if block < 0.0 else block
        signal = ica + pth_mg_casr_potency * (img - ref_img) + block
        release_rel = brown_release(signal, p) / ref_brown
        k_release = ref_k_release * release_rel
        store = 0.0 if pth_store < 0.0 else pth_store
        calcitriol_rel = calcitriol / ref_calcitriol
        calcitriol_rel = 1e-3 if calcitriol_rel < 1e-3 else calcitriol_rel
        drive_hyd = hyd_basal + hyd_span * (r / (r + hyd_pth_ec50))
        p_rel = p_mM / ref_p
        p_rel = 0.05 if p_rel < 0.05 else p_rel
        p_rel = 5.0 if p_rel > 5.0 else p_rel
        phosphate = p_rel**hyd_p_exponent
        phosphate = 4.0 if phosphate > 4.0 else phosphate
        action_rel = action / ref_action
        hormones = (
            action,
            action_rel,
            sensitivity,
            release_rel,
            block,
            k_release * store,
            (k_release + k_degrade) * store,
            synthesis_max * (0.0 if pth_syn < 0.0 else pth_syn),
            release_rel**syn_ca_exponent * calcitriol_rel**syn_calcitriol_exponent,
            drive_hyd / ref_hyd_drive * phosphate * sensitivity,
        )

        # kidney: filtered load and reabsorption segment by segment
        x = ica + casr_mg_potency * img
        x = 0.0 if x < 0.0 else x
        tal_open = tal_unblocked / (1.0 + (x / casr_k) ** casr_hill)
        # Ca: PT, TAL (CaSR), DCT (PTH; thiazides close part of its escape, Parfitt 1972)
        ca_f = gfr * ca_total * ca_uf
        ca_pt = ca_f * ca_pt_fraction
        ca_tal = (ca_f - ca_pt) * ca_tal_max * tal_open
        to_dct = ca_f - ca_pt - ca_tal
        dct = ca_dct_basal + ca_dct_slope * action
        dct = 0.0 if dct < 0.0 else dct
        dct = 0.995 if dct > 0.995 else dct
        x = 1.5 if action_rel > 1.5 else action_rel
        dct = 1.0 - (1.0 - dct) * (1.0 - thiazide_ca_gain * x)
        ca_dct = to_dct * dct
        # Mg: PT, TAL (CaSR, PTH-stimulated, load-limited), threshold-like DCT (TRPM6)
        mg_f = gfr * mg_total * mg_uf
        mg_pt_flux = mg_f * mg_pt_fraction
        delivered = mg_f - mg_pt_flux
        tal_pth = 1.0 + tal_pth_gain * (action_rel - 1.0)
        tal_pth = 0.0 if tal_pth < 0.0 else tal_pth
        mg_tal = (
            delivered
            * mg_tal_max
            * tal_open
            * tal_pth
            * (1.0 + ref_mg_tal_delivered / k_sat)
            / (1.0 + delivered / k_sat)
        )
        to_dct_mg = delivered - mg_tal
        to_dct_mg = 0.0 if to_dct_mg < 0.0 else to_dct_mg
        x = 1.0 + mg_dct_pth_gain * (action_rel - 1.0)
        threshold = ref_mg_threshold * (0.1 if x < 0.1 else x) * thiazide_mg_kept
        x = (to_dct_mg / threshold) ** mg_dct_hill
        mg_urine = to_dct_mg * x / (1.0 + x)
        # phosphate: a soft threshold TmP/GFR lowered by PTH action (saturating)
        r = 0.0 if action_rel < 0.0 else action_rel
        r = 0.0 if r < 0.0 else r  # as pth_occupancy
        occ = r / (r + p_tmp_ec50) / p_occ_ref
        tmp = tmp_max - tmp_span * occ
        tmp = tmp_min if tmp < tmp_min else tmp
        x = (p_mM - tmp) / softness
        kidney = (
            ca_f, ca_pt, ca_tal, ca_dct, to_dct - ca_dct,
            mg_f, mg_pt_flux, mg_tal, to_dct_mg - mg_urine, mg_urine,
            gfr * p_mM * p_uf,
            p_urine_scale * (math.log1p(math.exp(-abs(x))) + (0.0 if x < 0.0 else x)),  # softplus
            tmp,
        )  # fmt: skip

        # bone: fast bone-fluid exchange and remodelling
        efflux_gain = 1.0 + fast_pth_gain * (action_rel - 1.0)
        efflux_gain = 0.0 if efflux_gain < 0.0 else efflux_gain
        img_rel = (1e-9 if img < 1e-9 else img) / ref_img
        resorbed = turnover * (0.0 if oc < 0.0 else oc)
        x = (ica_pos / mineral_half_ica) ** mineral_hill  # mineral_supply
        formed = turnover * (0.0 if ob < 0.0 else ob) * (x / (1.0 + x) / supply_ref)
        bone = (
            k_bone_in * ica_pos - k_bone_out * (0.0 if ca_fast < 0.0 else ca_fast) * efflux_gain,
            resorbed,
            formed,
            resorption_basal + resorption_span * action_rel,
            k_mg_rapid * (mg_surface_pool * img_rel - mg_fast),
            mg_to_ca_bone * resorbed,
            mg_to_ca_bone * formed * img_rel,
        )

        # cells: Mg exchange (regulated), free Mg, parathyroid-cell Mg, CSF, phosphate
        free_rel = (1e-9 if mg_free < 1e-9 else mg_free) / mg_free_ref
        p_rel = (1e-9 if p_mM < 1e-9 else p_mM) / ref_p
        cells = (
            k_mg_cells_pool * (img_rel**influx_exponent - free_rel**regulation_exponent),
            mg_free_ref * (0.0 if mg_icf < 0.0 else mg_icf) / mg_icf_pool * img_rel**acute_exponent,
            img_rel**mg_pt_exponent,
            k_p_pool * p_rel**p_icf_exponent - k_p * (p_icf_pool + p_icf),
            csf_ref * img_rel**csf_exponent,
        )

        # inputs: endogenous faecal losses, IV infusions, clamps (may be < 0)
        ca_clamp = mg_clamp = 0.0
        for ion, target_mM, gain in drive.clamps:
            if ion == "ca":
                ca_clamp += gain * (target_mM / ca_ionised_fraction - ca_total) * vd_ca
            else:
                mg_clamp += gain * (target_mM / mg_ionised_fraction - mg_total) * vd_mg
        inputs = (
            ca_endo * ica_pos / ref_ica,
            mg_endo * (0.0 if img < 0.0 else img) / ref_img,
            drive.ca_iv_mmol_per_h,
            drive.mg_iv_mmol_per_h,
            ca_clamp,
            mg_clamp,
        )
        return (ca_total, ica, mg_total, img, p_mM, *gut, *kidney, *hormones, *bone, *cells,
                *inputs)  # fmt: skip

    def flows(self, y, drive: Drive) -> Flows:
        """Every process at state ``y``, as named records."""
        f = self._evaluate(np.asarray(y, dtype=float).tolist(), drive)
        return Flows(*(record(*f[a:b]) for record, a, b in _RECORDS))

    def rhs(self, t, y, drive: Drive) -> np.ndarray:
        """dy/dt: the processes' flows summed (what leaves one pool enters another)."""
        y = y.tolist()  # Python floats: arithmetic on them is ~2x faster than on numpy scalars
        flows = self._evaluate(y, drive)
        gut = flows[5:15]  # in the order of Gut
        (
            _, _, _, _, _,
            _, ca_trans, ca_para, mg_sat, mg_para, p_absorbed, _,
            ca_unabsorbed, mg_unabsorbed, p_unabsorbed,
            ca_filtered, _, _, _, ca_urine, mg_filtered, _, _, _, mg_urine, p_filtered,
            p_urine, _,
            _, _, _, _, _, secretion, store_loss, synthesis, synthesis_target,
            hydroxylase_target,
            ca_fast_uptake, ca_resorbed, ca_formed, osteoclast_target, mg_fast_uptake,
            mg_resorbed, mg_formed,
            mg_uptake, mg_free_target, parathyroid_mg_target, p_uptake, mg_csf_target,
            ca_endo, mg_endo, ca_iv, mg_iv, ca_clamp, mg_clamp,
        ) = flows  # fmt: skip
        (
            ca_s, _, mg_s, mg_i, p_s, _, mgo_s, mgo_i, _, _, _, _, _, oc, ob, _, mg_free, _,
            mg_pt, _, pth, pth_syn, hydrox, calcitriol, gut_cap, mg_adapt, mg_csf,
        ) = y[:N_DYNAMIC]  # fmt: skip
        (ratio_p, mg_free_ref, adapt_gain, oc_lag_h, ob_lag_h, mg_free_lag_h, mg_pt_lag_h,
         pth_syn_lag_h, gut_cap_lag_h, adapt_h, csf_h, k_si) = self._rhs_constants  # fmt: skip
        ref_calcitriol = self.ref.calcitriol_pmol_L
        ca_abs = ca_trans + ca_para
        mg_abs = mg_sat + mg_para
        remodel_p = ratio_p * (ca_resorbed - ca_formed)
        free_rel = (0.0 if mg_free < 0.0 else mg_free) / mg_free_ref
        adapt_target = 1.0 + adapt_gain * (1.0 - free_rel)
        adapt_target = 0.2 if adapt_target < 0.2 else adapt_target  # max(x, 0.2)
        dy = [
            *lumen_derivatives(ca_s, mg_s, p_s, mgo_s, mg_i, mgo_i, k_si, gut),
            # extracellular fluid
            ca_abs - ca_urine - ca_endo - ca_fast_uptake + ca_resorbed - ca_formed + ca_iv
            + ca_clamp,
            mg_abs - mg_urine - mg_endo - mg_fast_uptake - mg_uptake + mg_resorbed - mg_formed
            + mg_iv + mg_clamp,
            p_absorbed - p_urine - p_uptake + remodel_p,
            # bone
            ca_fast_uptake,
            mg_fast_uptake,
            (osteoclast_target - oc) / oc_lag_h,
            (oc - ob) / ob_lag_h,
            # cells
            mg_uptake,
            (mg_free_target - mg_free) / mg_free_lag_h,
            p_uptake,
            (parathyroid_mg_target - mg_pt) / mg_pt_lag_h,
            # parathyroid
            synthesis - store_loss,
            secretion - self.k_pth_clear * pth,
            (synthesis_target - pth_syn) / pth_syn_lag_h,
            # vitamin D
            self.k_hydroxylase * (hydroxylase_target - hydrox),
            self.k_calcitriol * (ref_calcitriol * hydrox - calcitriol),
            # adaptation, CSF
            (calcitriol / ref_calcitriol - gut_cap) / gut_cap_lag_h,
            (adapt_target - mg_adapt) / adapt_h,
            (mg_csf_target - mg_csf) / csf_h,
            # cumulative: bone mineral
            ca_formed - ca_resorbed,
            mg_formed - mg_resorbed,
            -remodel_p,
            # cumulative: running integrals
            ca_abs, mg_abs, p_absorbed,
            ca_urine, mg_urine, p_urine,
            ca_unabsorbed, mg_unabsorbed, p_unabsorbed,
            ca_endo, mg_endo,
            ca_filtered, mg_filtered, p_filtered,
            ca_iv, mg_iv, ca_clamp, mg_clamp,
        ]  # fmt: skip
        return np.array(dy)

    def jacobian(self, t, y, drive: Drive) -> np.ndarray:
        """Finite-difference Jacobian over the dynamic states only.

        Nothing depends on the cumulative rows (slow-bone changes, running integrals), so
        their columns are zero: leaving them out saves 21 of 48 right-hand-side calls per
        Jacobian, which is most of the solver's work.
        """
        f0 = self.rhs(t, y, drive)
        jac = np.zeros((N_STATES, N_STATES))
        yy = np.array(y, dtype=float)
        for j in range(N_DYNAMIC):
            step = 1e-7 * max(abs(yy[j]), 1e-3)
            saved = yy[j]
            yy[j] = saved + step
            jac[:, j] = (self.rhs(t, yy, drive) - f0) / step
            yy[j] = saved
        return jac


# ----------------------------------------------------------------------- integration
_RTOL = 1e-6
_ATOL = np.full(N_STATES, 1e-8)
# the lumen: a dose's last micromoles decaying out of the stomach need not be followed
# (tracking them to 1e-8 mmol doubles the steps of a quiet night)
_ATOL[:8] = 1e-6
_ATOL[[PTH_STORE, CALCITRIOL]] = 1e-5
_ATOL[PTH] = 1e-6
#: Steps allowed between two records (odeint's own default, 500, is per output interval;
#: a stretch should fail on nonsense parameters, not on a long quiet night).
_MAX_STEPS = 100_000


@dataclass
class SimulationResult:
    """Everything :func:`simulate` produced.

    Attributes
    ----------
    params, ref
        The run's parameters and the fixed reference they were evaluated against.
    time_h, states
        Record times and states; cumulative rows hold totals since the start.
    intakes, infusions, clamps
        The inputs, in time order.
    day_totals
        The state at every midnight (and the end), cumulative rows as in ``states``.
    checks
        ``{time_h: state}`` at requested times, before any intake at that time.
    """

    params: BodyParams
    ref: object
    time_h: np.ndarray
    states: np.ndarray
    intakes: list[Intake]
    infusions: list[Infusion]
    clamps: list[Clamp]
    day_totals: np.ndarray
    initial_state: np.ndarray
    final_state: np.ndarray
    checks: dict[float, np.ndarray] = field(default_factory=dict)
    _series: dict | None = field(default=None, init=False, repr=False, compare=False)

    def series(self) -> dict[str, np.ndarray]:
        """Named time courses with units (flows evaluated at the record times).

        Worked out once per result (the run's summary and its output both read them); a
        new dict each call, so a caller that adds or replaces a column changes only its own.
        """
        if self._series is None:
            self._series = timeseries(self)
        return dict(self._series)

    def state_at(self, time_h: float) -> np.ndarray:
        """The exact state at a requested check time."""
        return self.checks[round(time_h, 9)]

    def total(self, row: int, start_h: float | None = None, end_h: float | None = None):
        """A running integral in mmol: over the run, or between two check times."""
        if start_h is None and end_h is None:
            return float(self.final_state[row] - self.initial_state[row])
        a = self.initial_state if start_h is None else self.state_at(start_h)
        b = self.final_state if end_h is None else self.state_at(end_h)
        return float(b[row] - a[row])


def drive_at(t_h: float, fed_windows, infusions, clamps) -> Drive:
    """The inputs in force at ``t_h``."""
    return Drive(
        any(a <= t_h < b for a, b in fed_windows),
        sum(i.rate_mmol_per_h for i in infusions if i.ion == "ca" and i.start_h <= t_h < i.end_h),
        sum(i.rate_mmol_per_h for i in infusions if i.ion == "mg" and i.start_h <= t_h < i.end_h),
        tuple((c.ion, c.ionised_mM, c.gain_per_h) for c in clamps if c.start_h <= t_h < c.end_h),
    )


def _drives_at(times_h, fed_windows, infusions, clamps) -> list[Drive]:
    """:func:`drive_at` at every record time (the meals' windows tested all at once)."""
    times_h = np.asarray(times_h, dtype=float)
    fed = np.zeros(len(times_h), dtype=bool)
    for a, b in fed_windows:
        fed |= (a <= times_h) & (times_h < b)
    if not infusions and not clamps:
        return [_FED if f else _FASTED for f in fed.tolist()]
    out = []
    for t, f in zip(times_h.tolist(), fed.tolist(), strict=True):
        d = drive_at(t, (), infusions, clamps)
        out.append(Drive(f, d.ca_iv_mmol_per_h, d.mg_iv_mmol_per_h, d.clamps))
    return out


_FED, _FASTED = Drive(True), Drive(False)


def fed_windows(intakes: Sequence[Intake], p: BodyParams) -> list[tuple[float, float]]:
    """Periods (start_h, end_h) during which a meal slows gastric emptying."""
    return [(i.time_h, i.time_h + p.fed_state_duration_h) for i in intakes if i.with_food]


def give(y: np.ndarray, intake: Intake) -> None:
    """Put an oral bolus into the stomach (undissolved if the Mg is an oxide)."""
    y[CA_S] += intake.ca_mg / CA_MG_PER_MMOL
    y[MGO_S if intake.mg_is_oxide else MG_S] += intake.mg_mg / MG_MG_PER_MMOL
    y[P_S] += intake.p_mg / P_MG_PER_MMOL


def simulate(
    params: BodyParams,
    intakes: Sequence[Intake],
    duration_h: float,
    *,
    infusions: Sequence[Infusion] = (),
    clamps: Sequence[Clamp] = (),
    record_every_h: float = 0.25,
    check_times_h: Sequence[float] = (),
    y0: np.ndarray | None = None,
    ref=None,
    progress: bool = False,
) -> SimulationResult:
    """Integrate the body model over ``duration_h``.

    Parameters
    ----------
    params
        Physiology (a healthy set, or one changed by a preset or overrides).
    intakes
        Meals and doses; intakes at or after ``duration_h`` are ignored.
    duration_h
        Length of the run.
    infusions, clamps
        IV infusions and plasma clamps.
    record_every_h
        Spacing of the recorded time courses.
    check_times_h
        Times at which the exact state is kept (before any intake at that time).
    y0
        Initial state; default the healthy person settled on the reference diet
        (:func:`cellsim.body.baseline.settled_state`).
    ref
        The fixed healthy reference; default that of ``params``' parameter set.
    progress
        Show a tqdm bar over simulated days.

    Raises
    ------
    ModelError
        If the solver fails (parameters that make no physical sense).
    """
    from cellsim.body import baseline

    if not duration_h > 0:
        raise ModelError(f"duration must be > 0 h, got {duration_h!r}.")
    ref = ref if ref is not None else baseline.reference_for(params)
    ode = BodyODE(params, ref)
    intakes = sorted((i for i in intakes if i.time_h < duration_h), key=lambda i: i.time_h)
    infusions, clamps = list(infusions), list(clamps)
    fed = fed_windows(intakes, params)
    points = _breakpoints(duration_h, intakes, fed, infusions, clamps, check_times_h)
    checks_wanted = {round(t, 9) for t in check_times_h}
    grid = np.arange(0.0, duration_h + 1e-9, record_every_h)
    y = (baseline.settled_state(params) if y0 is None else np.array(y0, dtype=float)).copy()
    start = y.copy()
    totals = np.zeros(N_STATES)
    totals[CUMULATIVE], y[CUMULATIVE] = y[CUMULATIVE], 0.0
    times, records, days, checks = [], [], [start.copy()], {}
    following = 0
    bar = _progress_bar(duration_h, progress)
    for a, b in itertools.pairwise(points):
        if round(a, 9) in checks_wanted:
            checks[round(a, 9)] = _with_totals(y, totals)
        while following < len(intakes) and intakes[following].time_h <= a + 1e-9:
            give(y, intakes[following])
            following += 1
        drive = drive_at(0.5 * (a + b), fed, infusions, clamps)
        y, seg_t, seg_y = _segment(ode, y, a, b, grid, drive)
        times.extend(seg_t)
        records.extend(_with_totals(s, totals) for s in seg_y)
        totals[CUMULATIVE] += y[CUMULATIVE]  # fold the segment's integrals in
        y[CUMULATIVE] = 0.0
        if abs(b / 24.0 - round(b / 24.0)) < 1e-9 or b == points[-1]:
            days.append(_with_totals(y, totals))
            _tick(bar, b)
    final = _with_totals(y, totals)
    if round(duration_h, 9) in checks_wanted:
        checks[round(duration_h, 9)] = final.copy()
    times.append(float(duration_h))
    records.append(final)
    if bar is not None:
        bar.close()
    return SimulationResult(params, ref, np.array(times), np.array(records), intakes,
                            infusions, clamps, np.array(days), start, final, checks)  # fmt: skip


def _breakpoints(duration_h, intakes, fed, infusions, clamps, extra) -> np.ndarray:
    points = {0.0, float(duration_h)}
    points.update(i.time_h for i in intakes)
    points.update(end for _, end in fed)
    for event in (*infusions, *clamps):
        points.update((event.start_h, event.end_h))
    points.update(24.0 * d for d in range(1, math.ceil(duration_h / 24.0)))
    points.update(extra)
    ordered = sorted(round(t, 9) for t in points if 0.0 <= t <= duration_h)
    return np.array([t for k, t in enumerate(ordered) if k == 0 or t - ordered[k - 1] > 1e-9])


def _with_totals(y: np.ndarray, totals: np.ndarray) -> np.ndarray:
    out = y.copy()
    out[CUMULATIVE] += totals[CUMULATIVE]
    return out


def _segment(ode: BodyODE, y, a, b, grid, drive):
    """Integrate one input-free stretch [a, b]: end state, and records in [a, b).

    LSODA through ``odeint``, which runs the whole stretch in the solver's own loop and
    calls back only for derivatives and Jacobians: ``solve_ivp``'s LSODA returns to
    Python after every step (some 15 000 in a 30-day run), which cost a quarter of the
    integration.  The stretch never steps past ``b`` (``tcrit``), where an input changes.
    """
    inside = grid[(grid >= a - 1e-9) & (grid < b - 1e-9)]
    times = np.clip(np.append(inside, b), a, b)
    first = int(times[0] > a)  # odeint's first time is the start
    if first:
        times = np.concatenate(([a], times))
    # a failure is reported below as a ModelError that says where; odeint's own warning
    # would only repeat its message
    with warnings.catch_warnings(action="ignore", category=ODEintWarning):
        states, info = odeint(
            ode.rhs, y, times, args=(drive,), Dfun=ode.jacobian, tfirst=True, rtol=_RTOL,
            atol=_ATOL, tcrit=[b], mxstep=_MAX_STEPS, full_output=True,
        )  # fmt: skip
    if info["message"] != "Integration successful." or not np.all(np.isfinite(states[-1])):
        raise ModelError(
            f"body model: the ODE solver failed between t = {a:.3f} h and {b:.3f} h "
            f"({info['message']}); check the parameter overrides, infusions and clamps."
        )
    return states[-1].copy(), list(times[first:-1]), list(states[first:-1])


def _progress_bar(duration_h, progress):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=math.ceil(duration_h / 24.0), unit="day", desc="body")


def _tick(bar, b):
    if bar is not None:
        bar.update(math.ceil(b / 24.0 - 1e-9) - bar.n)


# ------------------------------------------------------------------- post-processing
def timeseries(result: SimulationResult) -> dict[str, np.ndarray]:
    """Time courses with units in their names (flows evaluated at the record times)."""
    p, ref = result.params, result.ref
    ode = BodyODE(p, ref)
    fed = fed_windows(result.intakes, p)
    drives = _drives_at(result.time_h, fed, result.infusions, result.clamps)
    st = result.states
    rows = np.array(
        [ode._evaluate(s, d) for s, d in zip(st[:, :N_DYNAMIC].tolist(), drives, strict=True)]
    ).reshape(len(st), N_FLOWS)

    def col(part: str, name: str, scale: float = 1.0) -> np.ndarray:
        return rows[:, FLOW_COLUMN[f"{part}.{name}"]] * scale

    ca, mg, ph = CA_MG_PER_MMOL, MG_MG_PER_MMOL, P_MG_PER_MMOL
    out = {
        "time_h": result.time_h,
        # plasma (= interstitial ionised) concentrations
        "plasma_ica_mM": col("plasma", "ica_mM"),
        "plasma_ca_total_mM": col("plasma", "ca_total_mM"),
        "plasma_mg_mM": col("plasma", "mg_total_mM"),
        "plasma_img_mM": col("plasma", "img_mM"),
        "plasma_phosphate_mM": col("plasma", "p_mM"),
        # what cells see
        "mg_icf_free_mM": st[:, MG_FREE],
        "mg_csf_mM": st[:, MG_CSF],
        "parathyroid_cell_mg_rel": st[:, MG_PT],
        # hormones
        "pth_pmol_L": st[:, PTH],
        "pth_store_rel": st[:, PTH_STORE] / ref.pth_store,
        "pth_synthesis_rel": st[:, PTH_SYN],
        "pth_release_rel": col("hormones", "release_rel"),
        "pth_mg_block_mM": col("hormones", "mg_block_mM"),
        "pth_action_rel": col("hormones", "action_rel"),
        "tissue_mg_sensitivity": col("hormones", "tissue_sensitivity"),
        "hydroxylase_rel": st[:, HYDROX],
        "calcitriol_pmol_L": st[:, CALCITRIOL],
        # gut
        "ca_lumen_mg": (st[:, CA_S] + st[:, CA_I]) * ca,
        "mg_lumen_mg": (st[:, MG_S] + st[:, MG_I] + st[:, MGO_S] + st[:, MGO_I]) * mg,
        "gut_ca_capacity_rel": st[:, GUT_CAP],
        "gut_mg_adaptation_rel": st[:, MG_ADAPT],
        "ca_absorption_mg_per_h": (col("gut", "ca_transcellular") + col("gut", "ca_paracellular"))
        * ca,
        "mg_absorption_mg_per_h": (col("gut", "mg_saturable") + col("gut", "mg_paracellular")) * mg,
        "p_absorption_mg_per_h": col("gut", "p_absorbed", ph),
        # pools
        "ca_bone_fast_mmol": st[:, CA_FAST],
        "ca_bone_slow_change_mmol": st[:, CA_BONE_SLOW],
        "mg_bone_fast_mmol": st[:, MG_FAST],
        "mg_bone_slow_change_mmol": st[:, MG_BONE_SLOW],
        "p_bone_slow_change_mmol": st[:, P_BONE_SLOW],
        "osteoclast_rel": st[:, OC],
        "osteoblast_rel": st[:, OB],
        "mg_icf_mmol": st[:, MG_ICF],
        "p_icf_change_mmol": st[:, P_ICF],
        "p_tmp_gfr_mM": col("kidney", "p_tmp_gfr_mM"),
    }
    for ion, w in (("ca", ca), ("mg", mg)):
        for segment in ("filtered", "pt", "tal", "dct", "urine"):
            out[f"renal_{ion}_{segment}_mg_per_h"] = col("kidney", f"{ion}_{segment}", w)
    out["renal_p_filtered_mg_per_h"] = col("kidney", "p_filtered", ph)
    out["renal_p_urine_mg_per_h"] = col("kidney", "p_urine", ph)
    out["urine_ca_mg_per_h"] = out["renal_ca_urine_mg_per_h"]
    out["urine_mg_mg_per_h"] = out["renal_mg_urine_mg_per_h"]
    for name, row, w in (
        ("ca_absorbed", CA_ABS, ca), ("mg_absorbed", MG_ABS, mg), ("p_absorbed", P_ABS, ph),
        ("urine_ca", CA_URINE, ca), ("urine_mg", MG_URINE, mg), ("urine_p", P_URINE, ph),
        ("ca_iv", CA_IV, ca), ("mg_iv", MG_IV, mg), ("ca_clamp", CA_CLAMP, ca),
        ("mg_clamp", MG_CLAMP, mg),
    ):  # fmt: skip
        out[f"{name}_cumulative_mg"] = st[:, row] * w
    return out


def body_stores_mmol(state: np.ndarray) -> dict[str, float]:
    """Ca, Mg and P held in the body outside the gut (slow bone as its change)."""
    return {
        "ca": state[CA_ECF] + state[CA_FAST] + state[CA_BONE_SLOW],
        "mg": state[MG_ECF] + state[MG_FAST] + state[MG_BONE_SLOW] + state[MG_ICF],
        "p": state[P_ECF] + state[P_ICF] + state[P_BONE_SLOW],
    }


def lumen_mmol(state: np.ndarray, ion: str) -> float:
    """What of ``ion`` is still in the gut (stomach and intestine)."""
    return float(sum(state[row] for row in LUMEN[ion]))


def per_day_mg(result: SimulationResult, row: int, ion: str) -> list[float]:
    """Per-day totals of a running integral, in mg of ``ion``."""
    return [float(v) for v in np.diff(result.day_totals[:, row]) * MG_PER_MMOL[ion]]


#: Hours after a dose over which its marginal absorption is counted: by then less than
#: 0.2 % of it is left in the gut (small-bowel transit 0.3/h).
MARGINAL_WINDOW_H = 24.0


def marginal_times_h(intakes: Sequence[Intake], duration_h: float) -> list[float]:
    """The times a run must keep states at for :func:`dose_marginals`."""
    out = []
    for i in intakes:
        if i.kind == "dose" and i.time_h < duration_h:
            out += [i.time_h, min(i.time_h + MARGINAL_WINDOW_H, duration_h)]
    return out


def dose_marginals(result: SimulationResult, window_h: float = MARGINAL_WINDOW_H) -> list[dict]:
    """What each dose adds to absorption: the run with it minus the run without it.

    For every dose, the run is repeated from the state just before it, for ``window_h``
    (or to the end of the run), with every input except that dose; the difference of the
    absorbed totals is the dose's absorption, including what it took from (or gave to) the
    absorption of meals and doses beside it.  ``result`` must have kept the states at
    :func:`marginal_times_h`.

    Returns
    -------
    list of dict
        Per dose in time order: ``ca_mg``, ``mg_mg`` absorbed; ``ca_in_gut_mg``,
        ``mg_in_gut_mg`` of the difference still in the gut at the window's end;
        ``window_h``.
    """
    duration = float(result.time_h[-1])
    out = []
    for k, dose in enumerate(result.intakes):
        if dose.kind != "dose":
            continue
        start, end = dose.time_h, min(dose.time_h + window_h, duration)
        before, after = result.state_at(start), result.state_at(end)
        others = [
            shift(i, -start)
            for j, i in enumerate(result.intakes)
            if j != k and start <= i.time_h < end
        ]
        y0 = before.copy()
        y0[CUMULATIVE] = 0.0
        without = simulate(
            result.params, others, end - start,
            infusions=[shift(i, -start) for i in result.infusions if i.end_h > start],
            clamps=[shift(c, -start) for c in result.clamps if c.end_h > start],
            record_every_h=end - start, y0=y0, ref=result.ref,
        ).final_state  # fmt: skip
        record = {"window_h": end - start}
        for ion, row in (("ca", CA_ABS), ("mg", MG_ABS)):
            w = MG_PER_MMOL[ion]
            record[f"{ion}_mg"] = ((after[row] - before[row]) - without[row]) * w
            record[f"{ion}_in_gut_mg"] = (lumen_mmol(after, ion) - lumen_mmol(without, ion)) * w
        out.append(record)
    return out


def shift(event, by_h: float):
    """An intake, infusion or clamp moved by ``by_h`` hours (cut at time 0)."""
    from dataclasses import replace

    if isinstance(event, Intake):
        return replace(event, time_h=event.time_h + by_h)
    if isinstance(event, Infusion):
        start = max(event.start_h + by_h, 0.0)
        return replace(event, start_h=start, duration_h=event.end_h + by_h - start)
    return replace(event, start_h=max(event.start_h + by_h, 0.0), end_h=event.end_h + by_h)
