"""Named, cited parameter sets for the muscle-fibre scale.

Units live in the names: concentrations in µM or mM, times in ms, rate
constants in ms⁻¹ (first order) or µM⁻¹ ms⁻¹ (second order), lengths in µm,
diffusion coefficients in µm² ms⁻¹ (1 µm² ms⁻¹ = 10⁻⁵ cm² s⁻¹).
Unit conversions from the literature: k_on 10⁸ M⁻¹ s⁻¹ = 0.1 µM⁻¹ ms⁻¹;
k_off 115 s⁻¹ = 0.115 ms⁻¹; D 3 × 10⁻⁶ cm² s⁻¹ = 0.3 µm² ms⁻¹.

Every field carries its metadata (:func:`cellsim.schema.param`): its basis
(*literature*, *derived*, *calibrated* — with what it was fitted to —,
*illustrative* or *hypothesis*), its source and its physical bounds.  A set's
experimental conditions (free Mg, temperature) are its ``conditions``: the
:class:`~cellsim.environment.Environment` a run uses where the scenario sets none.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cellsim.environment import Environment
from cellsim.schema import param

BHO3 = "Baylor & Hollingworth 2003, J Physiol 551:125"
FORCE_PCA = "force-pCa pCa50 5.8-6.0 and Hill n 3-5 (Stephenson & Williams 1981)"


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

    # --- resting state
    ca_rest_uM: float = param(
        0.05, "literature", "resting free Ca 40-100 nM (several)", low_open=True, high=10.0
    )
    sr_ca_total_uM: float = param(
        2500.0, "derived", "SR Ca content, myoplasmic-equivalent µM", high=1e5
    )

    # --- diffusion
    d_ca_um2_per_ms: float = param(
        0.3, "literature", "Pape et al. 1995 (3e-6 cm²/s)", low_open=True, high=10.0
    )
    d_mg_um2_per_ms: float = param(
        0.267, "derived", "0.89 × D_Ca (CRC: Mg/Ca ratio in water)", low_open=True, high=10.0
    )
    d_pv_um2_per_ms: float = param(
        0.043, "literature", "parvalbumin, Schmidt 2003 (ModelDB)", high=10.0
    )

    # --- troponin C: two regulatory (Ca-specific) sites and two Ca/Mg sites per TnC
    tnc_uM: float = param(
        70.0, "literature", "140 µM regulatory sites, Shorten et al. 2007", low_open=True, high=1e4
    )
    reg_kon_ca: float = param(
        0.0575, "literature", "0.575e8 /M/s, Baylor, Chandler & Marshall 1983"
    )
    reg_koff_ca: float = param(0.115, "literature", "115 /s, Baylor, Chandler & Marshall 1983")
    reg_kon_mg: float = param(0.00044, "derived", "K_Mg 440 /M (Ogawa 1985) with reg_koff_mg")
    reg_koff_mg: float = param(1.0, "illustrative", "fast Mg exchange (Potter et al. 1981)")
    camg_kon_ca: float = param(0.0575, "derived", "K_Ca 5e8 /M (Potter & Gergely 1975)")
    camg_koff_ca: float = param(
        0.000115, "derived", "Kd 2 nM with camg_kon_ca (Potter & Gergely 1975)"
    )
    camg_kon_mg: float = param(0.00015, "derived", "K_Mg 5e4 /M (Potter & Gergely 1975)")
    camg_koff_mg: float = param(
        0.003, "illustrative", "slow Mg off (Potter, Robertson & Johnson 1981)"
    )

    # --- parvalbumin (mobile Ca/Mg sites)
    pv_sites_uM: float = param(
        1500.0, "literature", "mouse fast, Shorten et al. 2007 lineage", high=1e4
    )
    pv_kon_ca: float = param(0.0417, "literature", "4.17e7 /M/s, Shorten et al. 2007 lineage")
    pv_koff_ca: float = param(0.0005, "literature", "0.5 /s, Shorten et al. 2007 lineage")
    pv_kon_mg: float = param(0.000033, "literature", "3.3e4 /M/s, Shorten et al. 2007 lineage")
    pv_koff_mg: float = param(0.003, "literature", "3.0 /s, Shorten et al. 2007 lineage")

    # --- SERCA: pumps with two Ca slots; transport needs both slots and Mg-ATP
    serca_uM: float = param(
        120.0, "calibrated", high=1e4, fitted_to=f"Ca removal after the mouse twitch ({BHO3})"
    )
    serca_kon_ca: float = param(
        0.05,
        "calibrated",
        "slot Kd ~0.3 µM (Lytton et al. 1992: 0.27 µM)",
        fitted_to="SERCA Ca half-activation (Lytton et al. 1992)",
    )
    serca_koff_ca: float = param(
        0.015, "calibrated", fitted_to="SERCA Ca half-activation (Lytton et al. 1992)"
    )
    serca_k_transport_per_ms: float = param(
        0.04,
        "calibrated",
        "turnover ~40 /s at 16 °C",
        fitted_to=f"Ca removal after the mouse twitch ({BHO3})",
    )
    serca_mg_half_mM: float = param(
        0.5,
        "calibrated",
        low_open=True,
        fitted_to="uptake optimal near 1 mM Mg (Kabbara & Stephenson 1994)",
    )

    # --- RyR release channels on the triad wall (x = 0)
    ryr_count: int = param(
        64, "illustrative", "channels in the column's junctional face", high=100_000
    )
    ryr_flux_ions_per_ms: float = param(
        26.0, "calibrated", fitted_to=f"peak ΔCa of the twitch ({BHO3})"
    )
    ryr_k_open_ap_per_ms: float = param(
        2.0, "calibrated", fitted_to=f"release during the AP window ({BHO3})"
    )
    ryr_k_close_per_ms: float = param(1.0, "illustrative", "~1 ms mean open time")
    ryr_ap_window_ms: float = param(
        8.0,
        "calibrated",
        "long: no ATP buffer in this model",
        fitted_to=f"Ca transient FDHM ({BHO3})",
    )
    ryr_mg_ki_ap_mM: float = param(
        3.0, "illustrative", "voltage activation is weakly Mg-inhibited", low_open=True
    )
    ryr_k_open_rest_per_ms: float = param(
        0.07, "calibrated", fitted_to="Mg-free resting opening (Lamb group, qualitative)"
    )
    ryr_mg_ki_rest_mM: float = param(
        0.1,
        "calibrated",
        low_open=True,
        fitted_to="~1 mM Mg keeps resting RyRs closed (Lamb group)",
    )
    ryr_mg_hill_rest: float = param(
        3.0, "calibrated", high=10.0, fitted_to="~1 mM Mg keeps resting RyRs closed (Lamb group)"
    )
    sr_leak_per_ms: float = param(
        -1.0, "derived", "< 0: computed at build to balance the pump at rest", low=None
    )
    leak_balance_mg_mM: float = param(1.0, "literature", "the set's healthy free Mg", low_open=True)

    # --- thin filament: regulatory units (RU) in chains, one crossbridge site each
    ru_per_filament: int = param(
        26, "literature", "~1 µm thin filament / 38.5 nm per RU", low_open=True, high=1000
    )
    ru_k_on_per_ms: float = param(5.0, "calibrated", fitted_to=FORCE_PCA)
    ru_one_ca_factor: float = param(0.05, "calibrated", high=1.0, fitted_to=FORCE_PCA)
    ru_k_off_per_ms: float = param(1.0, "calibrated", fitted_to=FORCE_PCA)
    ru_gamma: float = param(
        10.0, "calibrated", "neighbour cooperativity", high=1000.0, fitted_to=FORCE_PCA
    )
    xb_k_attach_per_ms: float = param(0.5, "calibrated", low_open=True, fitted_to=FORCE_PCA)
    xb_k_detach_per_ms: float = param(0.1, "calibrated", low_open=True, fitted_to=FORCE_PCA)

    # --- sarcomere length (illustrative first-order follower of force)
    sl_rest_um: float = param(2.5, "illustrative", low_open=True, high=5.0)
    sl_shortening_um: float = param(0.3, "illustrative", "shortening at full force", high=2.0)
    sl_tau_ms: float = param(10.0, "illustrative", low_open=True)

    # --- multirate stepping: Mg ions and parvalbumin move every k steps
    mg_substeps: int = param(
        10, "illustrative", "Mg: uniform, slow-binding reservoir", low=1, high=1000
    )
    pv_substeps: int = param(
        10, "illustrative", "parvalbumin diffuses ~7x slower than Ca", low=1, high=1000
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


MOUSE_FAST_16C = FibreParams(
    name="mouse_fast_16C",
    description="Mouse fast-twitch (FDB/EDL) fibre at 16 °C, with parvalbumin",
    sources=(
        f"{BHO3} (twitch Ca transient: calibration target)",
        "Baylor, Chandler & Marshall 1983 (troponin regulatory-site kinetics)",
        "Potter & Gergely 1975, J Biol Chem 250:4628 (Ca/Mg sites)",
        "Ogawa 1985, J Biochem (Mg on regulatory sites)",
        "Shorten et al. 2007 model lineage (parvalbumin, troponin concentrations)",
        "Pape et al. 1995 (diffusion of Ca)",
        "Kabbara & Stephenson 1994, Pflügers Arch 428:331 (SERCA and Mg)",
    ),
    conditions=Environment(mg_free_intracellular_mM=1.0, temperature_C=16.0),
)

HUMAN = replace(
    MOUSE_FAST_16C,
    name="human",
    description="Human limb-muscle fibre, 37 °C, no parvalbumin, free Mg 0.5 mM",
    sources=(
        "Heizmann et al. 1982, PNAS 79:7243 (human limb muscle has no parvalbumin)",
        "Ryschon et al. 1996 (human muscle free Mg 0.39-0.56 mM by 31P-MRS)",
        "kinetics as mouse_fast_16C; faster rates at 37 °C are illustrative (Q10 ~2)",
    ),
    conditions=Environment(mg_free_intracellular_mM=0.5, temperature_C=37.0),
    leak_balance_mg_mM=0.5,
    pv_sites_uM=0.0,
    # Without parvalbumin, SERCA alone clears Ca; human fibres relax more slowly.
    serca_uM=150.0,
)

PARAMETER_SETS: dict[str, FibreParams] = {p.name: p for p in (MOUSE_FAST_16C, HUMAN)}
DEFAULT_PARAMETER_SET = "human"


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
