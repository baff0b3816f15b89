"""Named, cited parameter sets for the nerve and neuromuscular-junction scale.

Units live in the names: voltages in mV, times in ms, rates in ms⁻¹ (first
order) or mM⁻¹ ms⁻¹ / µM⁻¹ ms⁻¹ (second order), areas in µm², conductances
in pS (single channel) or mS cm⁻² (leak), currents in µA cm⁻².

Every field carries its metadata (:func:`cellsim.schema.param`): its basis
(*literature* with its source, *derived*, *calibrated* with the result it was fitted
to, or *illustrative*), and its physical bounds.  A set's conditions (ionised Ca and
Mg, temperature) are its ``conditions``: the environment a run uses where the
scenario sets none.

What is mechanistic and what is not
------------------------------------
* Axon: Hodgkin & Huxley (1952) kinetics (squid, 6.3 °C) used as a generic
  excitable membrane, one compartment, with every Na and K channel a stochastic
  Markov agent.  A mammalian motor axon is ~5x faster; ``temperature_factor``
  scales all rates (keep ``dt`` small enough if you raise it).
* Divalent screening: an *empirical* logarithmic shift of every gating curve,
  ``shift = s · log10((c0 + Ca + w·Mg) / (c0 + Ca_ref + w·Mg_ref))`` with
  s = 25 mV/decade (Hille, Woodhull & Shapiro 1975: +20 to +25 mV per tenfold
  Ca; Frankenhaeuser & Hodgkin 1957) and w = 0.5 because Mg screens less than
  Ca (Hille et al. 1975: Ba = Sr < Mg < Ca).  The floor c0 stands for the
  screening that monovalent ions still provide at zero divalents.
* Terminal: a stereotyped terminal action potential (alpha-function waveform)
  drives two-state Ca-channel agents.  Each channel's pore can hold one Mg ion
  (slow, blocking: Mg sheds its water shell ~10⁴ times slower than Ca) and is
  otherwise in rapid equilibrium with Ca (thousands of ions per time step, so
  Ca occupancy is averaged within a step).  Mg can enter only a pore free of
  Ca.  Release sites carry a five-site Ca sensor with the rates of
  Schneggenburger & Neher (2000).  Nothing else: the Dodge–Rahamimoff law is
  *not* written anywhere; it emerges from these rules and is tested.
* NMDA receptors: two independent two-state processes per agent (glutamate
  gate; Mg block with Woodhull rates).  The block/unblock rate *ratio* and its
  voltage coefficient come from Jahr & Stevens (1990); their split between
  k_on and k_off (``nmda_block_voltage_share``) and the absolute speed are
  illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellsim.environment import Environment
from cellsim.schema import param


@dataclass(frozen=True)
class NerveParams:
    """Everything that defines the nerve model (not the protocol, not the run)."""

    name: str
    description: str
    sources: tuple[str, ...] = field(default=(), compare=False)
    conditions: Environment = field(
        default=Environment(ca_ionised_mM=1.2, mg_ionised_mM=0.5, temperature_C=6.3),
        compare=False,
    )

    # --- axon patch (one compartment) -------------------------------------------
    area_um2: float = param(
        20.0,
        "calibrated",
        fitted_to="patch small enough for channel noise to matter",
        low_open=True,
    )
    na_density_per_um2: float = param(60.0, "derived", "HH gNa 120 mS/cm² / 20 pS", low_open=True)
    k_density_per_um2: float = param(18.0, "derived", "HH gK 36 mS/cm² / 20 pS", low_open=True)
    na_single_pS: float = param(20.0, "illustrative", "Na channel ~15-20 pS", low_open=True)
    k_single_pS: float = param(20.0, "illustrative", "chosen so N·γ gives HH gK", low_open=True)
    g_leak_mS_per_cm2: float = param(0.3, "literature", "Hodgkin & Huxley 1952", low_open=True)
    e_na_mV: float = param(50.0, "literature", "HH 1952 (modern sign convention)", low=None)
    e_k_mV: float = param(-77.0, "literature", "HH 1952", low=None)
    e_leak_mV: float = param(-54.387, "literature", "HH 1952", low=None)
    c_m_uF_per_cm2: float = param(1.0, "literature", "HH 1952", low_open=True)
    temperature_factor: float = param(
        1.0, "illustrative", "extra factor on all HH rates", low_open=True
    )
    q10_gating: float = param(
        3.0,
        "literature",
        "Hodgkin & Huxley 1952 (Q10 of the rate constants)",
        low_open=True,
        doc="rates scale by q10^((T - T_set)/10)",
    )
    gating_offset_mV: float = param(
        14.0, "calibrated", fitted_to="silent at iCa 1.2 mM, firing below ~0.9 mM", low=None
    )
    v_init_mV: float = param(-65.0, "literature", "HH resting potential", low=None)
    spike_threshold_mV: float = param(
        0.0, "illustrative", "upward crossing counts a spike", low=None
    )

    # --- divalent surface-charge screening --------------------------------------
    screening_mV_per_decade: float = param(
        25.0, "literature", "Hille, Woodhull & Shapiro 1975", low_open=True
    )
    screening_mg_weight: float = param(
        0.5, "illustrative", "Mg screens less than Ca (Hille 1975)", low_open=True
    )
    screening_floor_mM: float = param(
        0.1, "illustrative", "monovalent screening at zero divalents", low_open=True
    )
    screening_ca_ref_mM: float = param(
        1.2, "literature", "normal ionised Ca (no shift here)", low_open=True
    )
    screening_mg_ref_mM: float = param(0.5, "literature", "normal ionised Mg", low_open=True)

    # --- presynaptic terminal ----------------------------------------------------
    n_release_sites: int = param(
        200, "illustrative", "active zones (a mammalian NMJ has ~10³)", low_open=True
    )
    channels_per_site: int = param(
        4, "illustrative", "Ca channels coupled to one sensor", low_open=True
    )
    conduction_delay_ms: float = param(
        1.0, "illustrative", "axon spike -> terminal AP", low_open=True
    )
    terminal_v_rest_mV: float = param(-70.0, "illustrative", "", low=None)
    terminal_ap_amplitude_mV: float = param(100.0, "illustrative", "peak +30 mV", low_open=True)
    terminal_ap_tau_ms: float = param(
        0.25, "illustrative", "alpha-function time to peak", low_open=True
    )
    terminal_window_ms: float = param(
        2.0, "illustrative", "channels stepped this long per AP", low_open=True
    )
    cav_v_half_mV: float = param(
        -20.0, "illustrative", "HVA Ca-channel activation midpoint", low=None
    )
    cav_slope_mV: float = param(8.0, "illustrative", "", low_open=True)
    cav_tau_ms: float = param(
        0.5, "illustrative", "gating time constant at the midpoint", low_open=True
    )
    pore_k_ca_mM: float = param(
        3.0,
        "calibrated",
        fitted_to="emergent log-log slope 3.78 (Dodge & Rahamimoff 1967)",
        low_open=True,
    )
    pore_k_mg_mM: float = param(
        3.0, "literature", "K_Mg ~3 mM, Dodge & Rahamimoff 1967 (recalled)", low_open=True
    )
    pore_mg_unbind_per_ms: float = param(
        20.0, "illustrative", "Mg dwell ~50 µs in the pore", low_open=True
    )
    domain_ca_uM_per_channel: float = param(
        30.0, "calibrated", fitted_to="quantal content ~50 at 1.2 mM Ca", low_open=True
    )
    resting_ca_uM: float = param(0.05, "literature", "resting free Ca 50 nM")
    sensor_sites: int = param(5, "literature", "Schneggenburger & Neher 2000", low=1, high=8)
    sensor_kon_per_uM_per_ms: float = param(
        0.09, "literature", "9e7 /M/s, Schneggenburger & Neher 2000", low_open=True
    )
    sensor_koff_per_ms: float = param(
        9.5, "literature", "9500 /s, Schneggenburger & Neher 2000", low_open=True
    )
    sensor_cooperativity_b: float = param(
        0.25, "literature", "Schneggenburger & Neher 2000", low_open=True
    )
    fusion_rate_per_ms: float = param(
        6.0, "literature", "6000 /s, Schneggenburger & Neher 2000", low_open=True
    )
    refill_tau_ms: float = param(20.0, "illustrative", "vesicle re-docking", low_open=True)

    # --- end plate and muscle action potential ----------------------------------
    quantal_size_mV: float = param(
        0.5, "illustrative", "MEPP amplitude (mammal ~0.5-1 mV)", low_open=True
    )
    epp_rise_ms: float = param(0.3, "illustrative", "", low_open=True)
    epp_decay_ms: float = param(2.0, "illustrative", "mammalian EPP decay ~2-3 ms", low_open=True)
    muscle_threshold_mV: float = param(
        6.0, "calibrated", fitted_to="safety factor ~4 at normal Ca (rodent 3.5-5)", low_open=True
    )
    muscle_refractory_ms: float = param(3.0, "illustrative", "", low_open=True)

    # --- NMDA receptors and their neuron ----------------------------------------
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

    # ----------------------------------------------------------------------------
    @property
    def n_na(self) -> int:
        """Number of Na channel agents (density × area, rounded)."""
        return round(self.na_density_per_um2 * self.area_um2)

    @property
    def n_k(self) -> int:
        """Number of K channel agents."""
        return round(self.k_density_per_um2 * self.area_um2)

    def screening_shift_mV(self, ca_o_mM: float, mg_o_mM: float) -> float:
        """Gating-curve shift by divalent screening (positive = harder to excite).

        Empirical log law (Hille, Woodhull & Shapiro 1975; Frankenhaeuser &
        Hodgkin 1957), zero at the reference concentrations.
        """
        import math

        w, c0 = self.screening_mg_weight, self.screening_floor_mM
        now = c0 + ca_o_mM + w * mg_o_mM
        ref = c0 + self.screening_ca_ref_mM + w * self.screening_mg_ref_mM
        return self.screening_mV_per_decade * math.log10(now / ref)


_COMMON_SOURCES = (
    "Hodgkin & Huxley 1952, J Physiol 117:500 (axon kinetics)",
    "Hille, Woodhull & Shapiro 1975, Phil Trans R Soc B 270:301 (divalent screening)",
    "Frankenhaeuser & Hodgkin 1957, J Physiol 137:218 (Ca shifts excitability)",
    "Dodge & Rahamimoff 1967, J Physiol 193:419 (Ca/Mg competition in release)",
    "Schneggenburger & Neher 2000, Nature 406:889 (five-site Ca sensor)",
    "Jahr & Stevens 1990, J Neurosci 10:3178 (NMDA Mg block)",
)

PARAMETER_SETS: dict[str, NerveParams] = {
    "hh_dodge_rahamimoff_jahr_stevens": NerveParams(
        name="hh_dodge_rahamimoff_jahr_stevens",
        description="HH axon with divalent screening, Dodge-Rahamimoff terminal "
        "(emergent), Jahr-Stevens NMDA block",
        sources=_COMMON_SOURCES,
    ),
    "small_noisy_patch": NerveParams(
        name="small_noisy_patch",
        description="as the default with a 10 µm² patch: more channel noise, more "
        "spontaneous spikes near threshold (illustrative)",
        sources=_COMMON_SOURCES,
        area_um2=10.0,
    ),
}
DEFAULT_PARAMETER_SET = "hh_dodge_rahamimoff_jahr_stevens"


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
