"""Named, cited parameter sets for the muscle-fibre scale.

Units live in the names: concentrations in µM or mM (µM of myoplasmic water unless a name
says SR), times in ms, rate constants in ms⁻¹ (first order) or µM⁻¹ ms⁻¹ (second order),
lengths in µm, diffusion coefficients in µm² ms⁻¹ (1 µm² ms⁻¹ = 10⁻⁵ cm² s⁻¹).
Unit conversions from the literature: k_on 10⁸ M⁻¹ s⁻¹ = 0.1 µM⁻¹ ms⁻¹;
k_off 115 s⁻¹ = 0.115 ms⁻¹; D 3 × 10⁻⁶ cm² s⁻¹ = 0.3 µm² ms⁻¹.

Every field carries its metadata (:func:`cellsim.schema.param`): its basis
(*literature*, *derived*, *calibrated* — with what it was fitted to —,
*illustrative* or *hypothesis*), its source and its physical bounds.  A set's
experimental conditions (free Mg, temperature) are its ``conditions``: the
:class:`~cellsim.environment.Environment` a run uses where the scenario sets none.  The
set's rates hold at its own temperature; :func:`at_temperature` moves them to another
one with the Q10 factors of the set (used when a scenario sets
``environment.temperature_C``, and to build the human set from the mouse one).

Three sets: ``mouse_fast_16C`` (the calibration case, Baylor & Hollingworth's mouse
fast-twitch fibres), ``mouse_slow_16C`` (built from composition data, never fitted to
its Ca transient) and ``human`` (the fast set moved to 37 °C by cited Q10 factors,
without parvalbumin, free Mg 0.5 mM).  ``docs/fibre.md`` explains each group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

from cellsim.environment import Environment
from cellsim.schema import param

BH03 = "Baylor & Hollingworth 2003, J Physiol 551:125"
BH07 = "Baylor & Hollingworth 2007, J Gen Physiol 130:283"
SHORTEN = "Shorten et al. 2007, J Muscle Res Cell Motil 28:293 (public model code)"
FORCE_PCA = "force-pCa pCa50 5.8-6.0 and Hill n 3-5 at 1 mM Mg (Stephenson & Williams 1981)"
LYTTON = "Lytton et al. 1992, J Biol Chem 267:14483: SERCA uptake K0.5 0.27 µM, Hill n 1.7"
SERCA_FIT = (
    "derived: with the other pump constants, the two-site pump's steady uptake is a Hill "
    "curve with Lytton's K0.5 0.27 µM and n 1.7 (fit over 5 nM-20 µM); 0.25 µM⁻¹ms⁻¹ is "
    "the slowest Ca binding that can give it with this turnover"
)
OWEN = (
    "Owen, Taske & Lamb 1997, Am J Physiol 272:C203: normal fibres release Ca at rest only "
    "when free Mg falls to ~0.1 mM"
)


@dataclass(frozen=True)
class FibreParams:
    """Everything that defines the fibre model (not the protocol, not the run).

    See ``docs/fibre.md`` for the meaning of each group and the geometry.
    """

    name: str
    description: str
    sources: tuple[str, ...] = field(default=(), compare=False)
    conditions: Environment = field(default=Environment(), compare=False)

    # --- geometry: a half-sarcomere column from the triad (x = 0) to the M-line
    length_x_um: float = param(
        1.0, "illustrative", "half-sarcomere: triad to M-line", low_open=True, high=100.0
    )
    width_y_um: float = param(
        0.2, "illustrative", "a column of one myofibril's cross-section", low_open=True, high=100.0
    )
    width_z_um: float = param(
        0.2, "illustrative", "reflecting (symmetry) lateral walls", low_open=True, high=100.0
    )
    voxel_um: float = param(
        0.1, "illustrative", "binding is well mixed within a voxel", low=0.005, high=10.0
    )
    particle_weight: float = param(
        1.0, "illustrative", "real ions (and sites) per particle", low=0.01, high=1e6
    )
    sr_volume_ratio: float = param(
        0.07,
        "literature",
        "SR ~5-9 % of fibre volume in mammalian fast fibres (Eisenberg 1983, Handbook of "
        "Physiology, recalled)",
        low_open=True,
        high=1.0,
    )

    # --- resting state
    ca_rest_uM: float = param(
        0.05, "literature", "resting free Ca 40-100 nM (several)", low_open=True, high=10.0
    )
    ca_sr_free_rest_uM: float = param(
        1500.0,
        "literature",
        f"{SHORTEN} (1.5 mM); free [Ca]SR 0.3-1.5 mM in mammalian fibres (recalled)",
        high=1e5,
    )

    # --- diffusion
    d_ca_um2_per_ms: float = param(
        0.3, "literature", "Pape et al. 1995, J Gen Physiol 106:259", low_open=True, high=10.0
    )
    d_mg_um2_per_ms: float = param(
        0.267, "derived", "0.89 × D_Ca (CRC: Mg/Ca ratio in water)", low_open=True, high=10.0
    )
    d_pv_um2_per_ms: float = param(
        0.043, "literature", "parvalbumin, Schmidt et al. 2003 (ModelDB)", high=10.0
    )
    d_atp_um2_per_ms: float = param(
        0.14, "literature", "Baylor & Hollingworth 1998, J Gen Physiol 112:297", high=10.0
    )

    # --- ATP: a mobile Ca and Mg buffer (most of it Mg-ATP at rest)
    atp_total_uM: float = param(8000.0, "literature", f"8 mM total ATP ({BH07})", high=1e5)
    atp_kon_ca: float = param(0.15, "literature", f"1.5e8 /M/s ({BH07}; {SHORTEN})")
    atp_koff_ca: float = param(30.0, "literature", "30 000 /s: Kd 200 µM (same)")
    atp_kon_mg: float = param(0.0015, "literature", "1.5e6 /M/s (same)")
    atp_koff_mg: float = param(0.15, "literature", "150 /s: Kd 100 µM (same)")

    # --- troponin C: regulatory (Ca-specific) sites and two Ca/Mg sites per TnC
    tnc_uM: float = param(
        70.0, "literature", f"140 µM regulatory sites ({SHORTEN})", low_open=True, high=1e4
    )
    reg_sites_per_tnc: int = param(
        2,
        "literature",
        "fast TnC (TNNC2): sites I and II; slow TnC (TNNC1): site II only (site I defunct)",
        low=1,
        high=2,
    )
    reg_kon_ca: float = param(0.0885, "literature", f"8.85e7 /M/s ({BH07}, via {SHORTEN})")
    reg_koff_ca: float = param(0.115, "literature", "115 /s (Baylor, Chandler & Marshall 1983)")
    reg_kon_mg: float = param(
        0.001, "illustrative", "fast Mg exchange (Potter, Robertson & Johnson 1981)"
    )
    reg_koff_mg: float = param(2.27, "derived", "K_Mg 440 /M (Ogawa 1985) with reg_kon_mg")
    camg_kon_ca: float = param(0.0575, "derived", "K_Ca 5e8 /M (Potter & Gergely 1975)")
    camg_koff_ca: float = param(
        0.000115, "derived", "Kd 2 nM with camg_kon_ca (Potter & Gergely 1975)"
    )
    camg_kon_mg: float = param(0.00015, "derived", "K_Mg 5e4 /M (Potter & Gergely 1975)")
    camg_koff_mg: float = param(
        0.003, "literature", "Mg leaves slowly (Potter, Robertson & Johnson 1981)"
    )

    # --- parvalbumin (mobile Ca/Mg sites)
    pv_sites_uM: float = param(
        1500.0, "literature", f"mouse fast ({SHORTEN}); Heizmann et al. 1982", high=1e4
    )
    pv_kon_ca: float = param(0.0417, "literature", f"4.17e7 /M/s ({SHORTEN})")
    pv_koff_ca: float = param(0.0005, "literature", f"0.5 /s ({SHORTEN})")
    pv_kon_mg: float = param(0.000033, "literature", f"3.3e4 /M/s ({SHORTEN})")
    pv_koff_mg: float = param(0.003, "literature", f"3 /s ({SHORTEN}; Hou et al. 1991)")

    # --- SERCA: two sequential Ca sites (a Ca buffer too); transport needs Mg-ATP
    serca_uM: float = param(
        120.0,
        "literature",
        f"120 µM pumps (240 µM Ca sites) in the mouse-fast model of {BH07} (recalled)",
        high=1e4,
    )
    serca_kon1_ca: float = param(0.25, "derived", SERCA_FIT)
    serca_koff1_ca: float = param(0.2511, "derived", f"first site Kd 1.004 µM: {SERCA_FIT}")
    serca_kon2_ca: float = param(0.25, "derived", SERCA_FIT)
    serca_koff2_ca: float = param(
        0.002775, "derived", f"second (cooperative) site Kd 0.0111 µM: {SERCA_FIT}"
    )
    serca_kcat_per_ms: float = param(
        0.010,
        "literature",
        "SERCA1a turnover ~10 /s at 16 °C (~25-40 /s at 25-37 °C; recalled)",
    )
    serca_km_mgatp_uM: float = param(
        200.0,
        "literature",
        "apparent K for Mg-ATP 0.1-0.3 mM, set by the low-affinity regulatory ATP site "
        "(Inesi & de Meis; Champeil et al.; recalled)",
    )
    serca_ki_atp_uM: float = param(
        500.0,
        "illustrative",
        "Mg-free ATP competes with Mg-ATP: uptake falls below ~0.3 mM Mg (Kabbara & "
        "Stephenson 1994, Pflügers Arch 428:331, qualitative)",
        low_open=True,
    )

    # --- calsequestrin: the SR's free and bound Ca (rapid equilibrium)
    csq_sites_sr_uM: float = param(
        60000.0,
        "calibrated",
        "Shorten et al. 2007 code has 31 mM; rat EDL holds ~1.1 mmol/l fibre of endogenous "
        "SR Ca (Fryer & Stephenson 1996, recalled)",
        fitted_to="SR content ~2.4 mM (myoplasmic), so that one twitch releases 10-15 % "
        "of it (frog: Pape et al. 1995)",
    )
    csq_kd_uM: float = param(
        1250.0, "literature", f"{SHORTEN}; ~1 mM in vitro (Park et al. 2004, recalled)"
    )

    # --- RyR release channels on the triad wall (x = 0)
    ryr_count: int = param(
        64, "illustrative", "channels in the column's junctional face", high=100_000
    )
    ryr_uncoupled_fraction: float = param(
        0.5,
        "literature",
        "DHPR tetrads face every other junctional RyR (Block et al. 1988, J Cell Biol "
        "107:2587); the others are gated by Ca and Mg only",
        high=1.0,
    )
    ryr_g_per_ms: float = param(
        0.38,
        "calibrated",
        "release flux with every coupled channel open, per µM of SR-myoplasm gradient",
        fitted_to=f"peak ΔCa 18.5 µM of the mouse fast twitch ({BH03})",
    )
    ap_duration_ms: float = param(
        2.0,
        "calibrated",
        "voltage drive of one action potential (T-tubular AP ~1-2 ms at 16 °C, recalled)",
        low_open=True,
        high=50.0,
        fitted_to=f"release FDHM ~1.6 ms ({BH07})",
    )
    ap_tau_ms: float = param(
        0.5, "illustrative", "voltage-sensor (DHPR) activation time constant", low=0.01
    )
    ryr_kd_mg_ap_mM: float = param(
        2.0,
        "derived",
        "Dutka & Lamb 2004, J Physiol 560:451: 3 mM Mg cuts AP-induced release ~40 % vs "
        "1 mM: (1 + 1/K)/(1 + 3/K) = 0.6",
        low_open=True,
        high=1e6,
    )
    cdi_k_per_ms: float = param(
        0.9,
        "calibrated",
        "Ca-dependent inactivation of an open channel within 1-2 ms of release onset "
        "(J Gen Physiol 2017, 149:323: <= 1 ms)",
        fitted_to=f"release of APs 2-5 / AP 1 = 0.25 -> 0.15 at 67 Hz ({BH07})",
    )
    cdi_kd_uM: float = param(
        50.0,
        "illustrative",
        "Ca at the inactivation site for half its rate (Hill 2)",
        low_open=True,
    )
    cdi_domain_uM: float = param(
        300.0,
        "illustrative",
        "Ca at the mouth of an open channel at resting SR load (domain estimates 0.1-1 mM)",
    )
    cdi_krec_per_ms: float = param(0.007, "literature", f"recovery from inactivation 7 /s ({BH07})")
    ryr_rest_ka_uM: float = param(
        1.0,
        "literature",
        "Ca activation of RyR1, EC50 ~1 µM without Mg (Meissner 1994; Laver et al. 1997, recalled)",
        low_open=True,
    )
    ryr_rest_ka_mg_uM: float = param(
        100.0,
        "literature",
        "Mg competes at the activation (A) site, Kd ~0.1 mM (Laver et al. 1997, J Membr "
        "Biol 156:213; Laver, O'Neill & Lamb 2004, recalled)",
        low_open=True,
        high=1e12,
    )
    ryr_rest_ki_mg_uM: float = param(
        1000.0,
        "literature",
        "low-affinity inhibitory (I) site, Ki ~0.5-1 mM, Hill ~2 (Laver et al. 1997, recalled)",
        low_open=True,
        high=1e12,
    )
    ryr_cicr_po_max: float = param(
        0.0158,
        "calibrated",
        "largest open probability of a Ca/Mg-gated channel",
        high=1.0,
        fitted_to=f"spontaneous-release threshold ~0.1 mM free Mg ({OWEN})",
    )
    sr_leak_per_ms: float = param(
        -1.0,
        "derived",
        "< 0: computed at build so that the pumps balance the leak at rest",
        low=None,
    )
    leak_balance_mg_mM: float = param(1.0, "literature", "the set's healthy free Mg", low_open=True)

    # --- thin filament: regulatory units (RU) in chains, one crossbridge site each
    ru_per_filament: int = param(
        26, "literature", "~1 µm thin filament / 38.5 nm per RU", low_open=True, high=1000
    )
    ru_k_on_per_ms: float = param(
        5.0, "illustrative", "switch-on rate of a unit with full drive (sets the filament's speed)"
    )
    ru_one_ca_factor: float = param(
        0.05, "illustrative", "drive of a fast unit with one of two sites Ca-bound", high=1.0
    )
    ru_k_off_per_ms: float = param(
        0.4,
        "calibrated",
        "switch-off rate of a free unit (its ratio to ru_k_on sets the Ca sensitivity)",
        fitted_to=FORCE_PCA,
    )
    ru_gamma: float = param(
        10.0, "calibrated", "neighbour cooperativity", high=1000.0, fitted_to=FORCE_PCA
    )
    xb_k_attach_per_ms: float = param(
        0.009,
        "literature",
        "k_tr ~30 /s in mammalian fast fibres near 15 °C and ~30 % of heads attached in "
        "isometric contraction (recalled): f = 0.3 k_tr",
        low_open=True,
    )
    xb_k_detach_per_ms: float = param(0.021, "literature", "same: g = 0.7 k_tr", low_open=True)
    xb_hold_factor: float = param(
        0.01,
        "hypothesis",
        "an attached crossbridge holds its unit on, but not locked: once the unit's TnC has "
        "lost Ca it switches off at this fraction of a free unit's rate, and its "
        "crossbridge detaches",
        high=1.0,
    )

    # --- sarcomere length (illustrative first-order follower of force)
    sl_rest_um: float = param(2.5, "illustrative", low_open=True, high=5.0)
    sl_shortening_um: float = param(0.3, "illustrative", "shortening at full force", high=2.0)
    sl_tau_ms: float = param(10.0, "illustrative", low_open=True)

    # --- temperature: Q10 of each class of rates (used by at_temperature)
    q10_ca_handling: float = param(
        2.3,
        "derived",
        "Hollingworth, Kim & Baylor 2012, J Physiol 590:575: slow-fibre Ca transient FDHM "
        "8.4 ms at 16 °C, 5.1 ms at 22 °C, so (8.4/5.1)^(10/6) = 2.3; twitch rate "
        "processes Q10 2.0-2.5 (Bennett 1984, Am J Physiol 247:R217)",
        low_open=True,
        high=10.0,
    )
    q10_diffusion: float = param(
        1.3, "derived", "viscosity of water (Stokes-Einstein)", low_open=True, high=10.0,
    )  # fmt: skip
    q10_release_flux: float = param(
        2.3,
        "hypothesis",
        "release flux of an activated channel (ryr_g_per_ms) follows the channels' gating "
        "and recruitment, like the processes that end release (inactivation, the AP "
        "drive), so the Ca released per AP does not depend on temperature. The open "
        "channel's unitary current alone has Q10 ~1.3 (diffusion-like), which would cut "
        "release per AP to ~0.45 at 37 °C and twitch force ~7-fold; mammalian twitch "
        "force is instead nearly temperature-independent (Bennett 1984, Am J Physiol "
        "247:R217; Ranatunga 1983, J Physiol 339:87) or rises on warming (human FDI: "
        "Ranatunga et al. 1987, J Physiol 390:383)",
        low_open=True,
        high=10.0,
    )
    ca_sensitivity_dpca_per_10C: float = param(
        0.1,
        "illustrative",
        "the filament's Ca sensitivity rises with temperature (rat fast skinned fibres, 5 "
        "to 25 °C: Stephenson & Williams 1981, J Physiol 317:281; 1985, J Physiol 360:1; "
        "frog: Godt & Lindley 1982, J Gen Physiol 80:279): the direction is published, "
        "the size (pCa50 +0.1 per 10 °C) is an assumed round value. Applied to the "
        "regulatory sites' Ca affinity (their off-rate), which shifts force-pCa along the "
        "Ca axis exactly",
        low=0.0,
        high=1.0,
    )
    q10_excitation: float = param(
        2.3,
        "literature",
        "Na-channel gating Q10 2.3 (Shorten-lineage model code); action-potential duration "
        "and voltage-sensor activation",
        low_open=True,
        high=10.0,
    )
    q10_crossbridge_below_25C: float = param(
        2.4,
        "literature",
        "Ranatunga 1984, J Physiol 351:517: rat EDL Vmax and tension rise, Q10 2.4 below 25 °C",
        low_open=True,
        high=10.0,
    )
    q10_crossbridge_above_25C: float = param(
        1.8, "literature", "same: Q10 1.8 from 25 to 35 °C", low_open=True, high=10.0
    )

    # --- multirate stepping: free Mg and bound ions act, and parvalbumin moves, every k steps
    mg_substeps: int = param(
        10,
        "illustrative",
        "free Mg (a near-uniform, slow-binding reservoir) and bound ions (every off rate is "
        "slow next to the step) act every k steps with the longer step",
        low=1,
        high=1000,
    )
    pv_substeps: int = param(
        20,
        "illustrative",
        "parvalbumin diffuses ~7x slower than Ca: a move of ~0.09 µm every 20 steps",
        low=1,
        high=1000,
    )

    def problem(self) -> str | None:
        """What makes this set inconsistent across fields, or None."""
        smallest = min(self.length_x_um, self.width_y_um, self.width_z_um)
        if self.voxel_um > smallest:
            return (
                f"voxel_um: {self.voxel_um:g} µm is larger than the smallest box side "
                f"({smallest:g} µm)."
            )
        return None

    @property
    def temperature_C(self) -> float:
        """The temperature at which the set's rates hold."""
        return float(self.conditions.temperature_C)


# --- temperature -------------------------------------------------------------------------
#: Which Q10 each rate follows.  Equilibrium constants are kept (on and off rates of a
#: binding share a Q10), durations are divided, rates multiplied.
Q10_CLASSES: dict[str, tuple[str, ...]] = {
    "q10_ca_handling": (
        "atp_kon_ca", "atp_koff_ca", "atp_kon_mg", "atp_koff_mg",
        "reg_kon_ca", "reg_koff_ca", "reg_kon_mg", "reg_koff_mg",
        "camg_kon_ca", "camg_koff_ca", "camg_kon_mg", "camg_koff_mg",
        "pv_kon_ca", "pv_koff_ca", "pv_kon_mg", "pv_koff_mg",
        "serca_kon1_ca", "serca_koff1_ca", "serca_kon2_ca", "serca_koff2_ca",
        "serca_kcat_per_ms", "cdi_k_per_ms", "cdi_krec_per_ms",
        "ru_k_on_per_ms", "ru_k_off_per_ms",
    ),
    "q10_diffusion": (
        "d_ca_um2_per_ms", "d_mg_um2_per_ms", "d_pv_um2_per_ms", "d_atp_um2_per_ms",
    ),
    "q10_release_flux": ("ryr_g_per_ms",),
}  # fmt: skip
#: Durations that shorten with the excitation Q10.
Q10_DURATIONS = ("ap_duration_ms", "ap_tau_ms")
#: Crossbridge rates (Ranatunga's two-piece Q10, split at 25 °C).
Q10_CROSSBRIDGE = ("xb_k_attach_per_ms", "xb_k_detach_per_ms")
CROSSBRIDGE_Q10_SPLIT_C = 25.0


def crossbridge_factor(p: FibreParams, t_from: float, t_to: float) -> float:
    """Factor on crossbridge rates from ``t_from`` to ``t_to`` (°C), two-piece Q10."""

    def log_rate(t):  # log of the rate relative to the split temperature
        below, above = math.log(p.q10_crossbridge_below_25C), math.log(p.q10_crossbridge_above_25C)
        dt = t - CROSSBRIDGE_Q10_SPLIT_C
        return (above if dt > 0 else below) * dt / 10.0

    return math.exp(log_rate(t_to) - log_rate(t_from))


def at_temperature(p: FibreParams, temperature_C: float) -> FibreParams:
    """The set moved from its own temperature to ``temperature_C`` by its Q10 factors.

    Rates of a class are multiplied by ``Q10 ** ((T - T_set) / 10)``; action-potential
    durations divided by the excitation factor; crossbridge rates follow Ranatunga's
    two-piece Q10; the regulatory sites' Ca affinity rises by
    ``ca_sensitivity_dpca_per_10C`` pCa units per 10 °C (the filament's Ca sensitivity).
    The passive leak is recomputed at build (it balances the pumps).
    """
    t0 = p.temperature_C
    if temperature_C == t0:
        return p
    changes: dict[str, float] = {}
    for q10_name, names in Q10_CLASSES.items():
        factor = getattr(p, q10_name) ** ((temperature_C - t0) / 10.0)
        changes.update({n: getattr(p, n) * factor for n in names})
    excitation = p.q10_excitation ** ((temperature_C - t0) / 10.0)
    changes.update({n: getattr(p, n) / excitation for n in Q10_DURATIONS})
    xb = crossbridge_factor(p, t0, temperature_C)
    changes.update({n: getattr(p, n) * xb for n in Q10_CROSSBRIDGE})
    # the filament's Ca sensitivity: the regulatory sites' Ca off-rate (after its Q10)
    shift = p.ca_sensitivity_dpca_per_10C * (temperature_C - t0) / 10.0
    changes["reg_koff_ca"] *= 10.0 ** (-shift)
    conditions = p.conditions.updated(temperature_C=temperature_C)
    return replace(p, conditions=conditions, **changes)


# --- the sets -------------------------------------------------------------------------------
MOUSE_FAST_16C = FibreParams(
    name="mouse_fast_16C",
    description="Mouse fast-twitch (FDB/EDL) fibre at 16 °C, with parvalbumin",
    sources=(
        f"{BH03} (twitch Ca transient: calibration target)",
        f"{BH07} (release, ATP, inactivation)",
        "Baylor, Chandler & Marshall 1983 (troponin regulatory-site kinetics)",
        "Potter & Gergely 1975, J Biol Chem 250:4628 (Ca/Mg sites)",
        "Ogawa 1985, J Biochem (Mg on regulatory sites)",
        f"{SHORTEN} (parvalbumin, troponin, calsequestrin)",
        "Pape et al. 1995 (diffusion of Ca)",
        LYTTON,
        "Dutka & Lamb 2004, J Physiol 560:451 (Mg inhibits AP-induced release)",
        OWEN,
    ),
    conditions=Environment(mg_free_intracellular_mM=1.0, temperature_C=16.0),
)

#: V0 of human type IIA fibres ≈ 1/3 of mouse IIB at equal temperature (recalled).
HUMAN_CROSSBRIDGE_FACTOR = 0.3


def _human(base: FibreParams) -> FibreParams:
    warm = at_temperature(base, 37.0)
    return replace(
        warm,
        name="human",
        description="Human limb-muscle fibre at 37 °C: the fast set moved by cited Q10s, "
        "no parvalbumin, free Mg 0.5 mM",
        sources=(
            "mouse_fast_16C moved to 37 °C by the Q10s of the set (Hollingworth, Kim & "
            "Baylor 2012; Ranatunga 1984; viscosity of water)",
            "Heizmann et al. 1982, PNAS 79:7243 (human limb muscle has no parvalbumin)",
            "Ryschon et al. 1996 (human muscle free Mg 0.39-0.56 mM by 31P-MRS)",
            "Pellegrino et al. 2003, J Physiol 546:677 (human myosin slower than mouse: "
            "crossbridge rates x 0.3, recalled)",
        ),
        conditions=Environment(mg_free_intracellular_mM=0.5, temperature_C=37.0),
        leak_balance_mg_mM=0.5,
        pv_sites_uM=0.0,
        xb_k_attach_per_ms=warm.xb_k_attach_per_ms * HUMAN_CROSSBRIDGE_FACTOR,
        xb_k_detach_per_ms=warm.xb_k_detach_per_ms * HUMAN_CROSSBRIDGE_FACTOR,
        # at 37 °C the fast processes need ~1 µs steps; bound ions and Mg act every 20
        mg_substeps=20,
    )


def _slow(base: FibreParams) -> FibreParams:
    """Mouse slow-twitch (soleus type I) from composition data; never fitted to its
    Ca transient (Baylor & Hollingworth 2003 give it: that is how the set is judged)."""
    return replace(
        base,
        name="mouse_slow_16C",
        description="Mouse slow-twitch (soleus type I) fibre at 16 °C, from composition data",
        sources=(
            "no detectable parvalbumin in mouse soleus (EDL 4.86 mg/g; Heizmann et al. 1982)",
            "slow TnC is TNNC1: one regulatory site (site I defunct); cardiac site-II "
            "kinetics 1e8 /M/s, 40 /s (Jafri-Rice-Winslow cardiac model lineage)",
            "SR Ca-ATPase (SERCA2a) of soleus ~1/3 of EDL (Everts et al. 1989, Biochem J "
            "260:443; Leberer & Pette 1986; recalled)",
            "Ca released per AP 3-4x smaller than fast (Baylor & Hollingworth 2003; 2012, "
            "J Gen Physiol 139:261)",
            "calsequestrin of soleus ~1/3-1/4 of EDL (Murphy et al. 2009, J Physiol 587:443, "
            "recalled)",
            "V0 of mouse type I ~1/4 of IIB (Pellegrino et al. 2003, recalled)",
        ),
        pv_sites_uM=0.0,
        reg_sites_per_tnc=1,
        reg_kon_ca=0.1,
        reg_koff_ca=0.04,
        serca_uM=base.serca_uM / 3.0,
        ryr_g_per_ms=base.ryr_g_per_ms / 3.0,
        csq_sites_sr_uM=base.csq_sites_sr_uM / 3.0,
        xb_k_attach_per_ms=base.xb_k_attach_per_ms / 4.0,
        xb_k_detach_per_ms=base.xb_k_detach_per_ms / 4.0,
    )


MOUSE_SLOW_16C = _slow(MOUSE_FAST_16C)
HUMAN = _human(MOUSE_FAST_16C)

PARAMETER_SETS: dict[str, FibreParams] = {
    p.name: p for p in (MOUSE_FAST_16C, MOUSE_SLOW_16C, HUMAN)
}
DEFAULT_PARAMETER_SET = "human"


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(FibreParams))


def get_parameter_set(name: str) -> FibreParams:
    """Look up a named parameter set, with "did you mean" for typos."""
    from cellsim.errors import ScenarioError
    from cellsim.schema import unknown_key_message

    try:
        return PARAMETER_SETS[name]
    except KeyError:
        raise ScenarioError(
            unknown_key_message("[fibre] parameter_set", name, PARAMETER_SETS)
        ) from None
