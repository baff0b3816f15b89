"""Named, cited parameter sets for the nerve and neuromuscular-junction scale.

Units live in the names: voltages in mV, times in ms, rates in ms⁻¹, areas in µm²,
specific conductances in S cm⁻², single-channel conductances in pS, concentrations in mM
(surface dissociation constants in M), charge densities in charges per nm².

Every field carries its metadata (:func:`cellsim.schema.param`): its basis (*literature*
with its source, *derived*, *calibrated* with the result it was fitted to, *illustrative*,
or *hypothesis*) and its physical bounds.  Where a value was taken from a source's abstract
or public model code, the source ends in "(confirmed)"; where it is remembered but was not
re-read, in "(recalled)".  A set's conditions (ionised Ca and Mg, CSF Mg, temperature) are
its ``conditions``: the environment a run uses where the scenario sets none.

What is fitted (the whole list; ``docs/validation/calibration.md`` is made from it)
----------------------------------------------------------------------------------------
* ``g_load_extra_nS``: the strength–duration time constant of human motor axons at normal
  Ca (Mogyoros, Kiernan & Burke 1996);
* ``k_surface_scale``: the K-channel surface, to a screening measurement (Campbell & Hille
  1976);
* ``unitary_current_pA``: quantal content ~50 at Ca 2 / Mg 1 mM;
* ``muscle_threshold_mV``: the safety factor ~4 of rodent end plates in Krebs solution.

Nothing is fitted to the tetany threshold, the release-vs-Ca slope or the Mg block: those
are predictions (``docs/nerve.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cellsim.environment import Environment
from cellsim.nerve.surface import Group, Surface
from cellsim.schema import param

MRG = "McIntyre, Richardson & Grill 2002, J Neurophysiol 87:995, AXNODE.mod (confirmed)"
HILLE = "Hille, Woodhull & Shapiro 1975, Phil Trans R Soc B 270:301, abstract (confirmed)"
SN2000 = "Schneggenburger & Neher 2000, Nature 406:889"
BS1998 = "Borst & Sakmann 1998, J Physiol 506:143, calyx of Held (recalled)"
DR1967 = "Dodge & Rahamimoff 1967, J Physiol 193:419"
GAINES = "Gaines et al. 2018, J Comput Neurosci 45:29, node_motor.mod, ModelDB 243841 (confirmed)"


@dataclass(frozen=True)
class NerveParams:
    """Everything that defines the nerve model (not the protocol, not the run)."""

    name: str
    description: str
    sources: tuple[str, ...] = field(default=(), compare=False)
    conditions: Environment = field(
        default=Environment(
            ca_ionised_mM=1.2, mg_ionised_mM=0.5, mg_csf_mM=0.82, temperature_C=37.0
        ),
        compare=False,
    )

    # --- node of Ranvier (one node: McIntyre, Richardson & Grill 2002, 10 µm fibre) --------
    node_diameter_um: float = param(3.3, "literature", MRG, low_open=True)
    node_length_um: float = param(1.0, "literature", MRG, low_open=True)
    c_node_uF_per_cm2: float = param(2.0, "literature", MRG, low_open=True)
    g_naf_S_per_cm2: float = param(3.0, "literature", MRG, doc="fast (transient) Na")
    g_nap_S_per_cm2: float = param(0.01, "literature", MRG, doc="persistent Na")
    g_ks_S_per_cm2: float = param(0.08, "literature", MRG, doc="slow K (Kv7)")
    g_kf_S_per_cm2: float = param(
        0.0, "literature", MRG + ": none at the node", doc="fast K (Kv1); Gaines et al. add it"
    )
    g_leak_S_per_cm2: float = param(0.007, "literature", MRG)
    e_na_mV: float = param(50.0, "literature", MRG, low=None)
    e_k_mV: float = param(-90.0, "literature", MRG, low=None)
    e_leak_mV: float = param(-90.0, "literature", MRG, low=None)
    naf_activation_b_mV: float = param(
        21.4,
        "literature",
        MRG,
        low=None,
        doc="B of alpha_m = A (V + B) / (1 - exp(-(V + B)/C)); Gaines et al. 2018 use 20.4",
    )
    q10_na_activation: float = param(2.2, "literature", MRG + ": reference 20 °C", low_open=True)
    q10_na_inactivation: float = param(2.9, "literature", MRG + ": reference 20 °C", low_open=True)
    q10_k: float = param(3.0, "literature", MRG + ": reference 36 °C", low_open=True)
    v_init_mV: float = param(-80.0, "literature", MRG + ": rest", low=None)
    spike_threshold_mV: float = param(
        -20.0, "illustrative", "an upward crossing counts a spike", low=None
    )
    spike_rearm_mV: float = param(
        -50.0, "illustrative", "the detector re-arms below this voltage", low=None
    )

    # --- channel agents: conductance densities become counts --------------------------------
    gamma_na_pS: float = param(
        15.0,
        "illustrative",
        "Nav unitary conductance 14-20 pS (recalled)",
        low_open=True,
        doc="3 S/cm² over 10.4 µm² becomes 20 735 fast and 69 persistent Na channels",
    )
    gamma_ks_pS: float = param(
        5.0, "illustrative", "KCNQ2/3 unitary conductance, a few pS (recalled)", low_open=True
    )
    gamma_kf_pS: float = param(
        10.0, "illustrative", "Kv1 unitary conductance ~10 pS (recalled)", low_open=True
    )

    # --- internodal load: the two myelinated internodes, lumped -----------------------------
    fibre_diameter_um: float = param(10.0, "literature", MRG, low_open=True)
    axon_diameter_um: float = param(6.9, "literature", MRG + " geometry table", low_open=True)
    internode_length_um: float = param(1150.0, "literature", MRG + " geometry", low_open=True)
    lamellae: int = param(120, "literature", MRG + " geometry (recalled)", low=1)
    rho_axial_ohm_cm: float = param(70.0, "literature", MRG + " (recalled)", low_open=True)
    c_myelin_uF_per_cm2_per_lamella: float = param(
        0.1, "literature", MRG + " mycm (recalled)", low_open=True
    )
    g_myelin_S_per_cm2_per_lamella: float = param(0.001, "literature", MRG + " mygm (recalled)")
    mysa_length_um: float = param(3.0, "literature", MRG + " (recalled)", low_open=True)
    flut_length_um: float = param(46.0, "literature", MRG + " (recalled)", low_open=True)
    e_load_mV: float = param(-80.0, "literature", MRG + ": e_pas of the internode", low=None)
    c_load_extra_pF: float = param(
        0.4,
        "illustrative",
        "capacitance of the neighbouring nodes seen on the time scale of an AP",
    )
    g_load_extra_nS: float = param(
        8.35,
        "calibrated",
        "Mogyoros, Kiernan & Burke 1996, Brain 119:439: 459 ± 126 µs (confirmed)",
        fitted_to="strength-duration time constant 0.459 ms of human motor axons at normal "
        "Ca (Mogyoros, Kiernan & Burke 1996)",
        doc="passive conductance of the rest of the fibre: the only axon constant fitted",
    )

    # --- divalent screening: surface charge near each channel family -------------------------
    na_acid1_density_per_nm2: float = param(0.90, "literature", HILLE)
    na_acid1_pka: float = param(2.88, "literature", HILLE, low=None)
    na_acid2_density_per_nm2: float = param(0.58, "literature", HILLE)
    na_acid2_pka: float = param(4.58, "literature", HILLE, low=None)
    na_base_density_per_nm2: float = param(0.33, "literature", HILLE)
    na_base_pka: float = param(6.28, "literature", HILLE, low=None)
    na_k_ca_surface_M: float = param(
        28.0,
        "literature",
        HILLE + ": the acid groups bind Ca with K = 28 M",
        low_open=True,
        doc="against the surface concentration (28 mM instead would give -82 mV for the "
        "divalent-free shift, against -18 mV published)",
    )
    na_k_mg_surface_M: float = param(
        42.0,
        "derived",
        "28 M x 12/8: Ca and Mg association constants of phosphatidylserine, 12 and 8 M⁻¹ "
        "(McLaughlin et al. 1981, J Gen Physiol 77:445; confirmed)",
        low_open=True,
        doc="Hille et al. give only the order Ba = Sr < Mg < Ca",
    )
    k_surface_scale: float = param(
        0.231,
        "calibrated",
        "Campbell & Hille 1976, J Gen Physiol 67:309, abstract (confirmed)",
        fitted_to="K-conductance gating moves ~4 mV per threefold Ca, much less than Na "
        "(Campbell & Hille 1976, frog muscle): a screening measurement, not tetany",
        doc="the K channels see Hille's chemistry at this fraction of its densities",
    )
    cav_surface_density_per_nm2: float = param(
        1.0 / 1.40,
        "literature",
        "Zhou & Jones 1995, J Gen Physiol 105:441: 1 e⁻/140 Å² from the Grahame equation "
        "with [Ba]o varied, abstract (confirmed)",
        doc="pure screening, no binding; the pore sees next to none, so it reads bulk ions",
    )
    eps_r: float = param(78.0, "literature", "water", low_open=True)
    ecf_na_mM: float = param(140.0, "literature", "mammalian extracellular fluid")
    ecf_k_mM: float = param(4.0, "literature", "mammalian extracellular fluid")
    ph: float = param(7.4, "literature", "arterial pH", low_open=True, high=14.0)
    screening_ca_ref_mM: float = param(
        1.2, "literature", "normal ionised Ca: the zero of every gating shift"
    )
    screening_mg_ref_mM: float = param(0.5, "literature", "normal ionised Mg")

    # --- presynaptic terminal: P/Q Ca channels, pore, nanodomain, sensor ----------------------
    n_release_sites: int = param(
        1700,
        "literature",
        "Ruiz et al. 2011, J Neurosci 31:2000: ~850 active zones with ~2 docked vesicles, "
        "mouse NMJ (confirmed)",
        low_open=True,
    )
    channels_per_site: int = param(
        2, "illustrative", "a few P/Q channels per docked vesicle", low_open=True
    )
    conduction_delay_ms: float = param(1.0, "illustrative", "node spike to terminal AP")
    terminal_v_rest_mV: float = param(-80.0, "derived", "the node's rest", low=None)
    terminal_v_peak_mV: float = param(33.0, "derived", "the node's AP peak", low=None)
    terminal_rise_ms: float = param(
        0.06, "illustrative", "waveform rise; with the decay a 0.2 ms half-width", low_open=True
    )
    terminal_decay_ms: float = param(0.13, "illustrative", "waveform decay", low_open=True)
    terminal_delay_ms: float = param(0.3, "illustrative", "waveform start in its window")
    terminal_window_ms: float = param(
        1.5,
        "illustrative",
        "channels are stepped this long per AP (the waveform is back within 1 mV of rest "
        "1.2 ms after its start; P/Q gates close within ~10 µs at rest); sensors holding Ca "
        "are stepped for three times as long",
        low_open=True,
    )
    cav_alpha0_per_ms: float = param(1.78, "literature", BS1998, low_open=True)
    cav_alpha_slope_mV: float = param(23.3, "literature", BS1998, low_open=True)
    cav_beta0_per_ms: float = param(0.140, "literature", BS1998, low_open=True)
    cav_beta_slope_mV: float = param(15.0, "literature", BS1998, low_open=True)
    cav_q10: float = param(3.0, "illustrative", "a typical gating Q10", low_open=True)
    cav_reference_C: float = param(24.0, "literature", BS1998 + ": room temperature", low=None)
    pore_k_ca_mM: float = param(
        1.0,
        "literature",
        DR1967 + ": K_Ca ≈ 1 mM (recalled; not in the abstract)",
        low_open=True,
        doc="Ca occupancy of the open pore, competitive with Mg (rapid equilibrium)",
    )
    pore_k_mg_mM: float = param(
        3.0,
        "literature",
        DR1967 + ": K_Mg ≈ 3 mM (recalled; not in the abstract)",
        low_open=True,
        doc="Mg in the pore blocks it (too fast to resolve: Lansman, Hess & Tsien 1986)",
    )
    unitary_current_pA: float = param(
        0.208,
        "calibrated",
        "CaV2.1 unitary currents 0.2-0.4 pA near 2 mM Ca (recalled)",
        low_open=True,
        fitted_to="quantal content ~50 at Ca 2 / Mg 1 mM, 37 °C, 1700 sites (rodent NMJ; recalled)",
        doc="the open channel's Ca current at 2 mM Ca, no Mg, 0 mV",
    )
    unitary_reference_ca_mM: float = param(
        2.0, "derived", "the Ca at which unitary_current_pA is stated", low_open=True
    )
    coupling_nm: float = param(
        20.0, "literature", "nanodomain coupling 10-30 nm (recalled)", low_open=True
    )
    ca_diffusion_um2_per_s: float = param(
        220.0, "literature", "Allbritton, Meyer & Stryer 1992 (recalled)", low_open=True
    )
    resting_ca_uM: float = param(0.05, "literature", "resting free Ca 50 nM")
    sensor_sites: int = param(5, "literature", SN2000, low=1, high=8)
    sensor_kon_per_uM_per_ms: float = param(
        0.09, "literature", SN2000 + ": 9e7 /M/s", low_open=True
    )
    sensor_koff_per_ms: float = param(9.5, "literature", SN2000 + ": 9500 /s", low_open=True)
    sensor_cooperativity_b: float = param(0.25, "literature", SN2000, low_open=True)
    fusion_rate_per_ms: float = param(
        6.0, "literature", SN2000 + ": 6000 /s (room temperature, no Q10 applied)", low_open=True
    )
    refill_tau_ms: float = param(
        5000.0,
        "literature",
        "recovery of the docked pool at mammalian NMJs takes seconds (recalled)",
        low_open=True,
    )

    # --- end plate and muscle action potential ------------------------------------------------
    quantal_size_mV: float = param(
        0.5, "illustrative", "MEPP amplitude (mammal ~0.5-1 mV)", low_open=True
    )
    epp_rise_ms: float = param(0.3, "illustrative", "", low_open=True)
    epp_decay_ms: float = param(2.0, "illustrative", "mammalian EPP decay ~2-3 ms", low_open=True)
    muscle_threshold_mV: float = param(
        4.4,
        "calibrated",
        "rodent NMJ safety factor 3.5-5 (recalled)",
        fitted_to="safety factor 4 in Krebs solution (Ca 2.5, Mg 1.2 mM; rodent NMJ 3.5-5)",
        low_open=True,
    )
    muscle_refractory_ms: float = param(3.0, "illustrative", "", low_open=True)
    postsynaptic_screening: bool = param(
        True,
        "hypothesis",
        "del Castillo & Engbaek 1954, J Physiol 124:370: Mg lowers the end plate's "
        "sensitivity (direction only)",
        doc="quantal size follows the surface Na concentration of Hille's surface: "
        "exp(-F dpsi / RT); no constant is added",
    )

    # --- NMDA receptors and their neuron ------------------------------------------------------
    n_nmda: int = param(400, "illustrative", "", low_open=True)
    nmda_k_mg_0mV_mM: float = param(3.57, "literature", "Jahr & Stevens 1990", low_open=True)
    nmda_voltage_coeff_per_mV: float = param(0.062, "literature", "Jahr & Stevens 1990", low=None)
    nmda_unblock_0mV_per_ms: float = param(
        2.0, "illustrative", "sets block/unblock speed", low_open=True
    )
    nmda_block_voltage_share: float = param(
        0.8, "illustrative", "share of the V-dependence on k_on", high=1.0
    )
    nmda_open_rate_per_ms: float = param(
        0.5, "illustrative", "with glutamate present", low_open=True
    )
    nmda_close_rate_per_ms: float = param(
        0.02, "illustrative", "NMDA deactivation ~50 ms", low_open=True
    )
    nmda_single_pS: float = param(50.0, "literature", "NMDA main conductance ~50 pS", low_open=True)
    nmda_neuron_area_um2: float = param(5000.0, "illustrative", "a small neuron", low_open=True)
    nmda_g_leak_mS_per_cm2: float = param(0.1, "illustrative", "", low_open=True)
    nmda_e_leak_mV: float = param(-70.0, "illustrative", "", low=None)
    nmda_e_rev_mV: float = param(0.0, "literature", "NMDA reversal ~0 mV", low=None)
    nmda_c_m_uF_per_cm2: float = param(1.0, "literature", "", low_open=True)
    nmda_spike_threshold_mV: float = param(-50.0, "illustrative", "integrate-and-fire", low=None)
    nmda_reset_mV: float = param(-65.0, "illustrative", "", low=None)
    nmda_refractory_ms: float = param(2.0, "illustrative", "", low_open=True)

    # ------------------------------------------------------------------------------------------
    @property
    def node_area_um2(self) -> float:
        return math.pi * self.node_diameter_um * self.node_length_um

    def channel_count(self, g_S_per_cm2: float, gamma_pS: float) -> int:
        """Agents of a family: conductance density × node area / unitary conductance."""
        if g_S_per_cm2 <= 0.0:
            return 0
        return max(1, round(g_S_per_cm2 * self.node_area_um2 * 1e4 / gamma_pS))

    @property
    def n_naf(self) -> int:
        return self.channel_count(self.g_naf_S_per_cm2, self.gamma_na_pS)

    @property
    def n_nap(self) -> int:
        return self.channel_count(self.g_nap_S_per_cm2, self.gamma_na_pS)

    @property
    def n_ks(self) -> int:
        return self.channel_count(self.g_ks_S_per_cm2, self.gamma_ks_pS)

    @property
    def n_kf(self) -> int:
        return self.channel_count(self.g_kf_S_per_cm2, self.gamma_kf_pS)

    @property
    def c_node_pF(self) -> float:
        return self.c_node_uF_per_cm2 * self.node_area_um2 * 1e-2

    @property
    def g_leak_nS(self) -> float:
        return self.g_leak_S_per_cm2 * self.node_area_um2 * 10.0

    def load(self) -> tuple[float, float, float]:
        """(axial conductance to the load nS, load capacitance pF, load conductance nS).

        The myelinated internode on each side of the node, lumped into one compartment
        reached through the paranode (MYSA, FLUT) and half the internode; it holds the
        myelin capacitance and conductance of the two internodes and the calibrated
        conductance of the rest of the fibre.
        """

        def resistance_ohm(length_um: float, diameter_um: float) -> float:
            return self.rho_axial_ohm_cm * 1e4 * length_um / (math.pi * diameter_um**2 / 4.0)

        side = (
            resistance_ohm(self.mysa_length_um, self.node_diameter_um)
            + resistance_ohm(self.flut_length_um, self.axon_diameter_um)
            + resistance_ohm(self.internode_length_um / 2.0, self.axon_diameter_um)
        )
        g_axial_nS = 2.0 / side * 1e9
        area_cm2 = 2.0 * math.pi * self.fibre_diameter_um * self.internode_length_um * 1e-8
        per_lamellae = 1.0 / (2.0 * self.lamellae)
        c_pF = self.c_myelin_uF_per_cm2_per_lamella * per_lamellae * area_cm2 * 1e6
        g_nS = self.g_myelin_S_per_cm2_per_lamella * per_lamellae * area_cm2 * 1e9
        return g_axial_nS, c_pF + self.c_load_extra_pF, g_nS + self.g_load_extra_nS

    # ---- surfaces ------------------------------------------------------------------------------
    def na_surface(self) -> Surface:
        """Fixed charge near Na channels (Hille, Woodhull & Shapiro 1975)."""
        k_ca, k_mg = self.na_k_ca_surface_M, self.na_k_mg_surface_M
        return Surface(
            (
                Group(self.na_acid1_density_per_nm2, self.na_acid1_pka, True, k_ca, k_mg),
                Group(self.na_acid2_density_per_nm2, self.na_acid2_pka, True, k_ca, k_mg),
                Group(self.na_base_density_per_nm2, self.na_base_pka, False),
            ),
            self.eps_r,
        )

    def k_surface(self) -> Surface:
        """Fixed charge near K channels: Hille's chemistry, sparser."""
        return self.na_surface().scaled(self.k_surface_scale)

    def cav_surface(self) -> Surface:
        """Fixed charge near presynaptic Ca channels' gates (Zhou & Jones 1995)."""
        return Surface((Group(self.cav_surface_density_per_nm2, -10.0, True),), self.eps_r)

    def problem(self) -> str | None:
        """A cross-parameter mistake, in words (None if there is none)."""
        if self.spike_rearm_mV >= self.spike_threshold_mV:
            return "spike_rearm_mV must be below spike_threshold_mV."
        return None


_SOURCES = (
    MRG,
    "Mogyoros, Kiernan & Burke 1996, Brain 119:439 (strength-duration time constant)",
    HILLE + " (surface charge near Na channels)",
    "Zhou & Jones 1995, J Gen Physiol 105:441 (surface charge near Ca channels)",
    DR1967 + " (Ca/Mg competition in release)",
    SN2000 + " (five-site Ca sensor)",
    "Ruiz et al. 2011, J Neurosci 31:2000 (release sites of the mouse NMJ)",
    "Jahr & Stevens 1990, J Neurosci 10:3178 (NMDA Mg block)",
    "Brewer et al. 2001, Clin Neuropharmacol 24:341 (CSF Mg)",
)

PARAMETER_SETS: dict[str, NerveParams] = {
    "mammalian_motor_37C": NerveParams(
        name="mammalian_motor_37C",
        description="mammalian motor node at 37 °C (MRG 2002) calibrated to human "
        "strength-duration; surface-charge screening (Hille 1975); P/Q terminal with a "
        "Ca/Mg pore and five-site sensors; Jahr-Stevens NMDA reading CSF Mg",
        sources=_SOURCES,
    ),
}
DEFAULT_PARAMETER_SET = "mammalian_motor_37C"


def get_parameter_set(name: str) -> NerveParams:
    """Look up a named set, with "did you mean" for typos."""
    from cellsim.errors import ScenarioError
    from cellsim.schema import unknown_key_message

    try:
        return PARAMETER_SETS[name]
    except KeyError:
        raise ScenarioError(
            unknown_key_message("[nerve] parameter_set", name, PARAMETER_SETS)
        ) from None
