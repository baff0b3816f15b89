"""Surface potential of a membrane with fixed charge: Gouy–Chapman–Grahame with binding.

Why divalent ions change excitability at all: the outer face of the membrane near a channel
carries fixed negative charge, which attracts cations and makes the potential at the surface
more negative than the bulk solution.  A channel's voltage sensor feels the field inside the
membrane, so its gating curves move with that surface potential ψ.  Divalent ions screen the
charge (a diffuse double layer, Grahame's equation) and bind to it (Hille, Woodhull &
Shapiro 1975), so less Ca or Mg outside makes ψ more negative and channels open at more
negative membrane potentials.

The equations (``docs/nerve.md`` gives them with sources)
-----------------------------------------------------------
Fixed charge groups *j* of density N_j (charges nm⁻²): an *acid* group is −1 when free, 0
with H⁺ bound and +1 with a divalent ion bound (1:1); a *base* group is +1 when protonated.
Binding uses the concentrations **at the surface**, which follow Boltzmann,
``c_s = c · exp(−z F ψ / RT)``::

    σ_fixed(ψ) = e · [ Σ_acid N (−1 + Ca_s/K_Ca + Mg_s/K_Mg) / (1 + H_s/K_a + Ca_s/K_Ca + Mg_s/K_Mg)
                      + Σ_base N (H_s/K_b) / (1 + H_s/K_b) ]
    σ_diffuse(ψ) = sign(ψ) · sqrt(2 ε_r ε_0 R T Σ_i c_i (exp(−z_i F ψ / RT) − 1))     (Grahame)

ψ solves σ_fixed(ψ) = σ_diffuse(ψ).  The left side falls and the right side rises with ψ,
so the root is unique; Brent's method finds it from zero divalent ions to molar Ca.  Ca = 0
and Mg = 0 need no special case.

Only the *change* of ψ from a reference solution moves gating: ``shift = ψ(now) − ψ(ref)``
(positive: harder to open), and a gate sees ``V − shift``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.optimize import brentq

EPSILON_0_F_PER_M = 8.8541878128e-12
FARADAY_C_PER_MOL = 96485.33212
GAS_J_PER_MOL_K = 8.314462618
ELEMENTARY_C = 1.602176634e-19

#: Charge number of each mobile ion of a solution (``anion``: the monovalent anions).
VALENCE = {"na": 1, "k": 1, "ca": 2, "mg": 2, "anion": -1}


@dataclass(frozen=True)
class Group:
    """One kind of fixed charge near a channel.

    Attributes
    ----------
    density_per_nm2
        Charges per nm² when fully ionised (> 0).
    pka
        Its proton dissociation constant (pKa).
    acid
        True: −1 when free, 0 with H⁺, +1 with a divalent ion bound; False: a base,
        +1 when protonated.
    k_ca_M, k_mg_M
        Dissociation constants of Ca and Mg from an acid group, against the *surface*
        concentration (M); ``inf`` for no binding (pure screening).
    """

    density_per_nm2: float
    pka: float
    acid: bool = True
    k_ca_M: float = math.inf
    k_mg_M: float = math.inf


@dataclass(frozen=True)
class Surface:
    """The fixed charge near one channel family, and the water's dielectric constant."""

    groups: tuple[Group, ...]
    eps_r: float = 78.0

    def scaled(self, factor: float) -> Surface:
        """The same chemistry at ``factor`` times every density (a sparser patch)."""
        return Surface(
            tuple(
                Group(g.density_per_nm2 * factor, g.pka, g.acid, g.k_ca_M, g.k_mg_M)
                for g in self.groups
            ),
            self.eps_r,
        )


def solution(na_mM: float, k_mM: float, ca_mM: float, mg_mM: float) -> dict[str, float]:
    """Mobile ions of a solution (mM): the monovalent anions balance every cation.

    Near a negative surface only the total of the anions matters (Cl⁻, HCO₃⁻ and others in
    extracellular fluid), so one ``anion`` of charge −1 stands for them all.
    """
    return {
        "na": na_mM,
        "k": k_mM,
        "ca": ca_mM,
        "mg": mg_mM,
        "anion": na_mM + k_mM + 2.0 * (ca_mM + mg_mM),
    }


def _f(t_C: float) -> float:
    return FARADAY_C_PER_MOL / (GAS_J_PER_MOL_K * (t_C + 273.15))


def fixed_charge_C_per_m2(psi_V: float, s: Surface, ions_M: dict, ph: float, t_C: float) -> float:
    """Net fixed charge of the surface at potential ψ (C m⁻²)."""
    f = _f(t_C)
    h_s = 10.0**-ph * math.exp(-f * psi_V)
    div = math.exp(-2.0 * f * psi_V)
    ca_s, mg_s = ions_M.get("ca", 0.0) * div, ions_M.get("mg", 0.0) * div
    charges = 0.0
    for g in s.groups:
        ratio_h = h_s / 10.0**-g.pka
        if g.acid:
            b_ca = ca_s / g.k_ca_M if math.isfinite(g.k_ca_M) else 0.0
            b_mg = mg_s / g.k_mg_M if math.isfinite(g.k_mg_M) else 0.0
            charges += g.density_per_nm2 * (-1.0 + b_ca + b_mg) / (1.0 + ratio_h + b_ca + b_mg)
        else:
            charges += g.density_per_nm2 * ratio_h / (1.0 + ratio_h)
    return charges * ELEMENTARY_C * 1e18


def diffuse_charge_C_per_m2(psi_V: float, s: Surface, ions_M: dict, t_C: float) -> float:
    """Charge the diffuse double layer needs to balance a surface at ψ (Grahame, C m⁻²)."""
    f = _f(t_C)
    total = 0.0
    for ion, c_M in ions_M.items():
        if c_M > 0.0:
            total += c_M * 1000.0 * math.expm1(-VALENCE[ion] * f * psi_V)  # mol m⁻³
    total = max(total, 0.0)
    t_K = t_C + 273.15
    magnitude = math.sqrt(2.0 * s.eps_r * EPSILON_0_F_PER_M * GAS_J_PER_MOL_K * t_K * total)
    return math.copysign(magnitude, psi_V)


def surface_potential_mV(s: Surface, ions_mM: dict, ph: float = 7.4, t_C: float = 37.0) -> float:
    """ψ at the surface (mV) in a solution of the given ions (mM)."""
    ions_M = {k: v / 1000.0 for k, v in ions_mM.items()}

    def balance(psi_V: float) -> float:
        return fixed_charge_C_per_m2(psi_V, s, ions_M, ph, t_C) - diffuse_charge_C_per_m2(
            psi_V, s, ions_M, t_C
        )

    return 1000.0 * brentq(balance, -0.6, 0.3, xtol=1e-10)


def gating_shift_mV(
    s: Surface,
    ions_mM: dict,
    reference_mM: dict,
    ph: float = 7.4,
    t_C: float = 37.0,
) -> float:
    """ψ(now) − ψ(reference), mV: how far the channel's gating curves move (positive:
    harder to open)."""
    return surface_potential_mV(s, ions_mM, ph, t_C) - surface_potential_mV(
        s, reference_mM, ph, t_C
    )


def boltzmann_factor(shift_mV: float, z: int, t_C: float) -> float:
    """exp(−z F Δψ / RT): how a surface concentration of charge ``z`` changes with Δψ."""
    return math.exp(-z * _f(t_C) * shift_mV / 1000.0)
