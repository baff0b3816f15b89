"""Named, cited parameter sets for the muscle-fibre scale.

Units live in the names: concentrations in µM or mM, times in ms, rate
constants in ms⁻¹ (first order) or µM⁻¹ ms⁻¹ (second order), lengths in µm,
diffusion coefficients in µm² ms⁻¹ (1 µm² ms⁻¹ = 10⁻⁵ cm² s⁻¹).
Unit conversions from the literature: k_on 10⁸ M⁻¹ s⁻¹ = 0.1 µM⁻¹ ms⁻¹;
k_off 115 s⁻¹ = 0.115 ms⁻¹; D 3 × 10⁻⁶ cm² s⁻¹ = 0.3 µm² ms⁻¹.

Each value is tagged in the comments as *literature* (with its source),
*derived* (computed from literature values) or *calibrated* (tuned so the
model reproduces a published result, named in the comment) or *illustrative*
(chosen for a clear picture; no published value is claimed).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from cellsim.errors import ScenarioError
from cellsim.schema import unknown_key_message


@dataclass(frozen=True)
class FibreParams:
    """Everything that defines the fibre model (not the protocol, not the run).

    See ``docs/fibre.md`` for the meaning of each group and the geometry.
    """

    name: str
    description: str
    sources: tuple[str, ...] = field(default=(), compare=False)

    # --- geometry: a half-sarcomere column from the triad (x = 0) to the M-line
    length_x_um: float = 1.0  # illustrative: half-sarcomere, Z/triad to M-line
    width_y_um: float = 0.2  # illustrative: a column of one myofibril's cross-section
    width_z_um: float = 0.2  # with reflecting (= symmetry) lateral walls
    voxel_um: float = 0.1  # reaction voxel edge: binding is well-mixed within a voxel
    particle_weight: float = 1.0  # real ions (and sites) per simulated particle

    # --- resting state
    ca_rest_uM: float = 0.05  # literature: resting free Ca 40-100 nM
    mg_free_mM: float = 1.0  # literature: free Mg ~1 mM (mouse), 0.39-0.56 mM human
    sr_ca_total_uM: float = 2500.0  # derived: SR Ca content, myoplasmic-equivalent µM

    # --- diffusion
    d_ca_um2_per_ms: float = 0.3  # literature: Pape et al. 1995, 3e-6 cm²/s
    d_mg_um2_per_ms: float = 0.267  # derived: 0.89 × D_Ca (CRC: Mg/Ca ratio in water)
    d_pv_um2_per_ms: float = 0.043  # literature: parvalbumin, Schmidt 2003 (ModelDB)

    # --- troponin C: two regulatory (Ca-specific) sites and two Ca/Mg sites per TnC
    tnc_uM: float = 70.0  # literature: 140 µM regulatory sites, Shorten et al. 2007
    reg_kon_ca: float = 0.0575  # literature: 0.575e8 /M/s, Baylor, Chandler & Marshall 1983
    reg_koff_ca: float = 0.115  # literature: 115 /s, same
    reg_kon_mg: float = 0.00044  # derived: K_Mg 440 /M (Ogawa 1985) with koff_mg below
    reg_koff_mg: float = 1.0  # illustrative: fast Mg exchange (Potter et al. 1981)
    camg_kon_ca: float = 0.0575  # derived: K_Ca 5e8 /M (Potter & Gergely 1975)
    camg_koff_ca: float = 0.000115  # derived: Kd 2 nM with the k_on above
    camg_kon_mg: float = 0.00015  # derived: K_Mg 5e4 /M (Potter & Gergely 1975)
    camg_koff_mg: float = 0.003  # literature-like: slow Mg off (Potter et al. 1981)

    # --- parvalbumin (mobile Ca/Mg sites)
    pv_sites_uM: float = 1500.0  # literature: mouse fast, Shorten 2007 lineage
    pv_kon_ca: float = 0.0417  # literature: 4.17e7 /M/s
    pv_koff_ca: float = 0.0005  # literature: 0.5 /s
    pv_kon_mg: float = 0.000033  # literature: 3.3e4 /M/s
    pv_koff_mg: float = 0.003  # literature: 3.0 /s

    # --- SERCA: pumps with two Ca slots; transport needs both slots and Mg-ATP
    serca_uM: float = 120.0  # calibrated: Ca removal after the twitch (see docs)
    serca_kon_ca: float = 0.05  # calibrated with koff: slot Kd ~0.3 µM (Lytton 1992 K 0.27 µM)
    serca_koff_ca: float = 0.015  # calibrated
    serca_k_transport_per_ms: float = 0.04  # calibrated: turnover ~40 /s at 16 °C
    serca_mg_half_mM: float = 0.5  # calibrated: uptake optimal ~1 mM Mg (Kabbara & Stephenson 1994)

    # --- RyR release channels on the triad wall (x = 0)
    ryr_count: int = 64  # illustrative: channels in the column's junctional face
    ryr_flux_ions_per_ms: float = 26.0  # calibrated: peak ΔCa (Baylor & Hollingworth 2003)
    ryr_k_open_ap_per_ms: float = 2.0  # calibrated: release during the AP window
    ryr_k_close_per_ms: float = 1.0  # literature-like: ~1 ms mean open time
    ryr_ap_window_ms: float = 8.0  # calibrated: Ca FDHM (B&H 2003); long: no ATP buffer
    ryr_mg_ki_ap_mM: float = 3.0  # illustrative: voltage activation is weakly Mg-inhibited
    ryr_k_open_rest_per_ms: float = 0.07  # calibrated: Mg-free resting opening (Lamb group)
    ryr_mg_ki_rest_mM: float = 0.1  # calibrated: ~1 mM Mg keeps resting RyRs closed
    ryr_mg_hill_rest: float = 3.0  # calibrated
    sr_leak_per_ms: float = -1.0  # derived at build time if < 0: balances the pump at rest
    leak_balance_mg_mM: float = 1.0  # healthy free Mg at which leak and pump balance at rest

    # --- thin filament: regulatory units (RU) in chains, one crossbridge site each
    ru_per_filament: int = 26  # literature: ~1 µm thin filament / 38.5 nm per RU
    ru_k_on_per_ms: float = 5.0  # calibrated: N->P with both regulatory sites Ca-bound
    ru_one_ca_factor: float = 0.05  # calibrated: N->P with one Ca relative to two
    ru_k_off_per_ms: float = 1.0  # calibrated: P->N
    ru_gamma: float = 10.0  # calibrated: neighbour cooperativity (force-pCa Hill n 3-5)
    xb_k_attach_per_ms: float = 0.5  # calibrated: crossbridge attachment when permissive
    xb_k_detach_per_ms: float = 0.1  # calibrated: crossbridge detachment

    # --- sarcomere length (illustrative first-order follower of force)
    sl_rest_um: float = 2.5
    sl_shortening_um: float = 0.3  # shortening at full force
    sl_tau_ms: float = 10.0

    # --- multirate stepping: Mg ions and parvalbumin move every k steps
    mg_substeps: int = 10  # Mg: uniform, slow-binding reservoir (see docs/fibre.md)
    pv_substeps: int = 10  # parvalbumin diffuses ~7x slower than Ca

    def with_overrides(self, overrides: dict, where: str = "[fibre]") -> FibreParams:
        """A copy with fields replaced; unknown names get "did you mean"."""
        names = {f.name for f in dataclasses.fields(self)} - {"name", "description", "sources"}
        for key, value in overrides.items():
            if key not in names:
                raise ScenarioError(unknown_key_message(where, key, names))
            current = getattr(self, key)
            if (
                isinstance(current, bool)
                or not isinstance(value, (int, float))
                or isinstance(value, bool)
            ):
                raise ScenarioError(f"{where} {key}: expected a number, found {value!r}.")
            if isinstance(current, int) and not float(value).is_integer():
                raise ScenarioError(f"{where} {key}: expected an integer, found {value!r}.")
            if key in _POSITIVE and not value > 0:
                raise ScenarioError(f"{where} {key}: must be > 0, found {value!r}.")
            if not value >= 0 and key != "sr_leak_per_ms":
                raise ScenarioError(
                    f"{where} {key}: must be >= 0 (a physical quantity), found {value!r}."
                )
            overrides[key] = type(current)(value)
        new = dataclasses.replace(self, **overrides)
        smallest = min(new.length_x_um, new.width_y_um, new.width_z_um)
        if new.voxel_um > smallest:
            raise ScenarioError(
                f"{where} voxel_um: {new.voxel_um:g} µm is larger than the "
                f"smallest box side ({smallest:g} µm)."
            )
        if new.mg_free_mM <= 0 or new.mg_free_mM > 20:
            raise ScenarioError(
                f"{where} mg_free_mM: must be in (0, 20] mM, found {new.mg_free_mM!r}."
            )
        return new


_POSITIVE = {
    "length_x_um",
    "width_y_um",
    "width_z_um",
    "voxel_um",
    "particle_weight",
    "ca_rest_uM",
    "mg_free_mM",
    "d_ca_um2_per_ms",
    "d_mg_um2_per_ms",
    "tnc_uM",
    "ru_per_filament",
    "mg_substeps",
    "pv_substeps",
    "sl_tau_ms",
    "sl_rest_um",
    "leak_balance_mg_mM",
    "serca_mg_half_mM",
    "ryr_mg_ki_ap_mM",
    "ryr_mg_ki_rest_mM",
    "xb_k_attach_per_ms",
    "xb_k_detach_per_ms",
}


MOUSE_FAST_16C = FibreParams(
    name="mouse_fast_16C",
    description="Mouse fast-twitch (FDB/EDL) fibre at 16 °C, with parvalbumin",
    sources=(
        "Baylor & Hollingworth 2003, J Physiol 551:125 (twitch Ca transient: calibration target)",
        "Baylor, Chandler & Marshall 1983 (troponin regulatory-site kinetics)",
        "Potter & Gergely 1975, J Biol Chem 250:4628 (Ca/Mg sites)",
        "Ogawa 1985, J Biochem (Mg on regulatory sites)",
        "Shorten et al. 2007 model lineage (parvalbumin, troponin concentrations)",
        "Pape et al. 1995 (diffusion of Ca)",
        "Kabbara & Stephenson 1994, Pflügers Arch 428:331 (SERCA and Mg)",
    ),
)

HUMAN = dataclasses.replace(
    MOUSE_FAST_16C,
    name="human",
    description="Human limb-muscle fibre, 37 °C, no parvalbumin, free Mg 0.5 mM",
    sources=(
        "Heizmann et al. 1982, PNAS 79:7243 (human limb muscle has no parvalbumin)",
        "Ryschon et al. 1996 (human muscle free Mg 0.39-0.56 mM by 31P-MRS)",
        "kinetics as mouse_fast_16C; faster rates at 37 °C are illustrative (Q10 ~2)",
    ),
    mg_free_mM=0.5,
    leak_balance_mg_mM=0.5,
    pv_sites_uM=0.0,
    # Without parvalbumin, SERCA alone clears Ca; human fibres relax more slowly.
    serca_uM=150.0,
)

PARAMETER_SETS: dict[str, FibreParams] = {p.name: p for p in (MOUSE_FAST_16C, HUMAN)}


def get_parameter_set(name: str, where: str = "[fibre] parameter_set") -> FibreParams:
    """Look up a named parameter set, with "did you mean" for typos."""
    try:
        return PARAMETER_SETS[name]
    except KeyError:
        raise ScenarioError(unknown_key_message(where, name, PARAMETER_SETS)) from None
