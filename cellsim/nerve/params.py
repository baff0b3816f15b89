"""Named, cited parameter sets for the nerve and neuromuscular-junction scale.

Units live in the names: voltages in mV, times in ms, rates in ms⁻¹ (first
order) or mM⁻¹ ms⁻¹ / µM⁻¹ ms⁻¹ (second order), areas in µm², conductances
in pS (single channel) or mS cm⁻² (leak), currents in µA cm⁻².

Every value is tagged in its comment as *literature* (with its source),
*derived* (computed from literature values), *calibrated* (tuned so the model
reproduces a published result, which the comment names) or *illustrative*
(chosen for a clear picture; no published value is claimed).

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

import dataclasses
from dataclasses import dataclass, field

from cellsim.errors import ScenarioError
from cellsim.schema import unknown_key_message


@dataclass(frozen=True)
class NerveParams:
    """Everything that defines the nerve model (not the protocol, not the run)."""

    name: str
    description: str
    sources: tuple[str, ...] = field(default=(), compare=False)

    # --- axon patch (one compartment) -------------------------------------------
    area_um2: float = 20.0  # calibrated: patch small enough for channel noise to matter
    na_density_per_um2: float = 60.0  # derived: HH gNa 120 mS/cm² / 20 pS
    k_density_per_um2: float = 18.0  # derived: HH gK 36 mS/cm² / 20 pS
    na_single_pS: float = 20.0  # literature-like: Na channel ~15-20 pS
    k_single_pS: float = 20.0  # illustrative: chosen so N·γ gives HH gK
    g_leak_mS_per_cm2: float = 0.3  # literature: Hodgkin & Huxley 1952
    e_na_mV: float = 50.0  # literature: HH 1952 (modern sign convention)
    e_k_mV: float = -77.0  # literature: HH 1952
    e_leak_mV: float = -54.387  # literature: HH 1952
    c_m_uF_per_cm2: float = 1.0  # literature: HH 1952
    temperature_factor: float = 1.0  # illustrative: Q10 factor on all HH rates (6.3 °C = 1)
    gating_offset_mV: float = 14.0  # calibrated: silent at iCa 1.2 mM, firing below ~0.9 mM
    v_init_mV: float = -65.0  # literature: HH resting potential
    spike_threshold_mV: float = 0.0  # illustrative: upward crossing counts a spike

    # --- divalent surface-charge screening --------------------------------------
    screening_mV_per_decade: float = 25.0  # literature: Hille, Woodhull & Shapiro 1975
    screening_mg_weight: float = 0.5  # illustrative: Mg screens less than Ca (Hille 1975)
    screening_floor_mM: float = 0.1  # illustrative: monovalent screening at zero divalents
    screening_ca_ref_mM: float = 1.2  # literature: normal ionised Ca (no shift here)
    screening_mg_ref_mM: float = 0.5  # literature: normal ionised Mg

    # --- presynaptic terminal ----------------------------------------------------
    n_release_sites: int = 200  # illustrative: active zones (a mammalian NMJ has ~10³)
    channels_per_site: int = 4  # illustrative: Ca channels coupled to one sensor
    conduction_delay_ms: float = 1.0  # illustrative: axon spike -> terminal AP
    terminal_v_rest_mV: float = -70.0  # illustrative
    terminal_ap_amplitude_mV: float = 100.0  # illustrative: peak +30 mV
    terminal_ap_tau_ms: float = 0.25  # illustrative: alpha-function time to peak
    terminal_window_ms: float = 2.0  # illustrative: channels stepped this long per AP
    cav_v_half_mV: float = -20.0  # illustrative: HVA Ca-channel activation midpoint
    cav_slope_mV: float = 8.0  # illustrative
    cav_tau_ms: float = 0.5  # illustrative: gating time constant at the midpoint
    pore_k_ca_mM: float = 3.0  # calibrated: emergent log-log slope 3.78 (Dodge & Rahamimoff 1967)
    pore_k_mg_mM: float = 3.0  # literature: K_Mg ~3 mM, Dodge & Rahamimoff 1967 (recalled)
    pore_mg_unbind_per_ms: float = 20.0  # illustrative: Mg dwell ~50 µs in the pore
    domain_ca_uM_per_channel: float = 30.0  # calibrated: quantal content ~50 at 1.2 mM Ca
    resting_ca_uM: float = 0.05  # literature: resting free Ca 50 nM
    sensor_sites: int = 5  # literature: Schneggenburger & Neher 2000
    sensor_kon_per_uM_per_ms: float = 0.09  # literature: 9e7 /M/s, same
    sensor_koff_per_ms: float = 9.5  # literature: 9500 /s, same
    sensor_cooperativity_b: float = 0.25  # literature: same
    fusion_rate_per_ms: float = 6.0  # literature: 6000 /s, same
    refill_tau_ms: float = 20.0  # illustrative: vesicle re-docking

    # --- end plate and muscle action potential ----------------------------------
    quantal_size_mV: float = 0.5  # illustrative: MEPP amplitude (mammal ~0.5-1 mV)
    epp_rise_ms: float = 0.3  # illustrative
    epp_decay_ms: float = 2.0  # illustrative: mammalian EPP decay ~2-3 ms
    muscle_threshold_mV: float = 6.0  # calibrated: safety factor ~4 at normal Ca (rodent 3.5-5)
    muscle_refractory_ms: float = 3.0  # illustrative

    # --- NMDA receptors and their neuron ----------------------------------------
    n_nmda: int = 400  # illustrative
    nmda_k_mg_0mV_mM: float = 3.57  # literature: Jahr & Stevens 1990
    nmda_voltage_coeff_per_mV: float = 0.062  # literature: Jahr & Stevens 1990
    nmda_unblock_0mV_per_ms: float = 2.0  # illustrative: sets block/unblock speed
    nmda_block_voltage_share: float = 0.8  # illustrative: share of the V-dependence on k_on
    nmda_open_rate_per_ms: float = 0.5  # illustrative: with glutamate present
    nmda_close_rate_per_ms: float = 0.02  # literature-like: NMDA deactivation ~50 ms
    nmda_single_pS: float = 50.0  # literature: NMDA main conductance ~50 pS
    nmda_neuron_area_um2: float = 5000.0  # illustrative: a small neuron
    nmda_g_leak_mS_per_cm2: float = 0.1  # illustrative
    nmda_e_leak_mV: float = -70.0  # illustrative
    nmda_e_rev_mV: float = 0.0  # literature: NMDA reversal ~0 mV
    nmda_c_m_uF_per_cm2: float = 1.0  # literature
    nmda_spike_threshold_mV: float = -50.0  # illustrative: integrate-and-fire
    nmda_reset_mV: float = -65.0  # illustrative
    nmda_refractory_ms: float = 2.0  # illustrative

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

    def with_overrides(self, overrides: dict, where: str = "[nerve]") -> NerveParams:
        """A copy with some parameters changed; unknown names raise with a suggestion."""
        names = {f.name: f for f in dataclasses.fields(self)}
        changes = {}
        for key, value in overrides.items():
            if key not in names or key in ("name", "description", "sources"):
                raise ScenarioError(unknown_key_message(where, key, overridable_names()))
            changes[key] = _coerce(names[key], value, f"{where} {key}")
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        """Raise ScenarioError if a value is outside its physical range.

        Voltages and the gating offset may take any sign (amplitudes, slopes
        and the EPP threshold may not); the voltage share of
        the NMDA block lies in 0..1; resting Ca may be 0; everything else
        (counts, areas, rates, times, conductances, concentrations) must be > 0.
        """
        for f in dataclasses.fields(self):
            name, value = f.name, getattr(self, f.name)
            if name in ("name", "description", "sources"):
                continue
            if name.endswith("_mV") and name not in _POSITIVE_MV:
                continue
            if name == "nmda_block_voltage_share":
                ok, need = 0.0 <= value <= 1.0, "within 0..1"
            elif name == "resting_ca_uM":
                ok, need = value >= 0, ">= 0"
            elif name == "sensor_sites":
                ok, need = 1 <= value <= 8, "within 1..8"
            else:
                ok, need = value > 0, "> 0"
            if not ok:
                raise ScenarioError(f"[nerve] {name}: must be {need}, found {value!r}.")


_POSITIVE_MV = (
    "terminal_ap_amplitude_mV",
    "cav_slope_mV",
    "quantal_size_mV",
    "muscle_threshold_mV",
)


def _coerce(spec: dataclasses.Field, value, where: str):
    kind = type(spec.default)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{where}: expected an integer, found {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: expected a number, found {value!r}.")
    return float(value)


def overridable_names() -> list[str]:
    """Parameter names a scenario may override in ``[nerve]``."""
    return [
        f.name
        for f in dataclasses.fields(NerveParams)
        if f.name not in ("name", "description", "sources")
    ]


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
    try:
        return PARAMETER_SETS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(PARAMETER_SETS), n=2, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(
            f"[nerve] parameter_set: unknown set {name!r}.{hint} "
            f"Known sets: {', '.join(sorted(PARAMETER_SETS))}."
        ) from None
