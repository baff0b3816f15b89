"""Mesa agents of the fibre: views onto rows of the model's arrays.

Every attribute is a property that reads or writes one row of
:class:`cellsim.fibre.state.FibreState`, so the numba kernel and these agents
always agree on what the fibre looks like.  Use them the Mesa way::

    free_ca = model.agents_by_type[CaIon].select(lambda a: a.state == "free")
    print(len(free_ca), free_ca[0].position_um)

The ``step``-like methods are the **reference engine**: the same rules as the
kernel in :mod:`cellsim.fibre.kernel`, written one agent at a time in plain
Python, drawing the same numbers from the counter-based stream.  They are the
readable specification of the model; the kernel is what runs by default.
"""

from __future__ import annotations

import math

from cellsim import random as crandom
from cellsim.agent_views import RowAgent
from cellsim.fibre import kernel as K
from cellsim.fibre.state import (
    BOUND,
    CA,
    FREE,
    IN_SR,
    MG,
    NONE,
    ON_ATP,
    SERCA,
    SERCA2,
    SITE_TYPE_NAMES,
)

_SPECIES_NAMES = {NONE: None, CA: "Ca", MG: "Mg"}


def _prob(rate: float, dt: float) -> float:
    return -math.expm1(-rate * dt)


def _reflect(x: float, length: float) -> float:
    if -length <= x <= 2.0 * length:
        return min(abs(x), 2.0 * length - abs(x))
    while x < 0.0 or x > length:
        if x < 0.0:
            x = -x
        if x > length:
            x = 2.0 * length - x
    return x


class _RowAgent(RowAgent):
    """A fibre agent: a view onto row ``row`` of the fibre's arrays."""

    @property
    def _s(self):
        return self.model.state


class Ion(_RowAgent):
    """A Ca²⁺ or Mg²⁺ ion: free in the cytosol, bound to a site or to ATP, or in the SR."""

    species = ""

    @property
    def position_um(self) -> tuple[float, float, float]:
        s, i = self._s, self.row
        return float(s.ion_x[i]), float(s.ion_y[i]), float(s.ion_z[i])

    @property
    def state(self) -> str:
        """``"free"``, ``"bound"`` (to a site), ``"atp"`` (on ATP) or ``"sr"``."""
        return {FREE: "free", BOUND: "bound", IN_SR: "sr", ON_ATP: "atp"}[
            int(self._s.ion_state[self.row])
        ]

    @property
    def site(self):
        """The site agent this ion is bound to, or ``None``."""
        row = int(self._s.ion_site[self.row])
        return None if row < 0 else self.model.site_agents[row]

    def step(self):
        """Reference rule (kernel._ion_chunk).

        On substeps a bound ion tests unbinding (a pump's first site keeps its Ca while
        the second holds one).  A cytosolic Ca ion is on ATP this step with the rapid-equilibrium
        probability of its x-slab: it then moves as ATP does and binds nothing; otherwise
        it moves as free Ca and tests binding.  A free Mg ion moves and tests binding to
        sites or ATP on Mg steps.  One hash per bound ion and two per cytosolic ion: their
        32-bit halves give the three displacements and one uniform for both tests.
        """
        self.check_engine()
        m, s, i = self.model, self._s, self.row
        pi, step, seed = m.pi, m.step_index, m.seed
        event = -1
        sp = int(s.ion_species[i])
        state = int(s.ion_state[i])
        sub_active = step % int(pi[K.I_MG_SUB]) == 0
        if state == IN_SR or (sp == MG and state == ON_ATP):
            moves = False  # stored in the SR, or Mg in the Mg-ATP pool
        elif state == BOUND or sp == MG:
            moves = sub_active  # bound ions and free Mg act on substeps only
        else:
            moves = True
        if moves:
            a = crandom.agent_key(crandom.step_key(seed, crandom.PURPOSE_MOVE, step), i)
            if state == BOUND:
                site = int(s.ion_site[i])
                t = int(s.site_type[site])
                # a pump's first site keeps its Ca while the second holds one
                first_held = t == SERCA and s.site_species[site + m.partner_offset] != NONE
                if crandom.unit32(crandom.high32(a)) < s.p_unbind[t, sp] and not first_held:
                    event = K.UNBIND
            else:
                event = self._move_and_claim(sp, a)
        s.ion_event[i] = event

    def _move_and_claim(self, sp: int, a: int) -> int:
        m, s, i = self.model, self._s, self.row
        pf, pi = m.pf, m.pi
        d0, d1, d2, d3 = crandom.draws32(a)
        u = crandom.unit32(d3)
        nx, per_slab = int(pi[K.I_NX]), int(pi[K.I_NY] * pi[K.I_NZ])
        f, on_atp, sigma = 0.0, False, pf[K.F_SIG_MG]
        if sp == CA:
            f = s.f_atp[min(int(s.ion_x[i] * pf[K.F_INV_VX]), nx - 1)]
            on_atp = u < f
            sigma = pf[K.F_SIG_ATP] if on_atp else pf[K.F_SIG_CA]
        x = _reflect(s.ion_x[i] + sigma * crandom.normal32(d0, a, 1), pf[K.F_LX])
        y = _reflect(s.ion_y[i] + sigma * crandom.normal32(d1, a, 2), pf[K.F_LY])
        z = _reflect(s.ion_z[i] + sigma * crandom.normal32(d2, a, 3), pf[K.F_LZ])
        s.ion_x[i], s.ion_y[i], s.ion_z[i] = x, y, z
        v = m.voxel_index(x, y, z)
        c = i // K.EVENT_CHUNK
        if on_atp:
            s.ion_state[i] = ON_ATP
            s.chunk_catp[c, v // per_slab] += 1
            return -1
        s.ion_state[i] = FREE
        if sp == CA and v < per_slab:
            s.chunk_triad[c] += 1
        if u - f >= (1.0 - f) * s.p_bind[sp, v]:
            return -1
        # which kind of partner: probability proportional to kon x free sites (ATP last)
        target = crandom.uniform(a, 4) * s.bind_weight[sp, v]
        cumulative = 0.0
        for t in range(K.N_SITE_TYPES):
            part = s.kon[t, sp] * s.n_free[t, v]
            cumulative += part
            if part > 0.0 and target < cumulative:
                return t
        if sp == CA:
            for t in range(K.N_SITE_TYPES - 1, -1, -1):
                if s.kon[t, sp] * s.n_free[t, v] > 0.0:
                    return t
        return K.ATP_CLAIM


class CaIon(Ion):
    """A calcium ion."""

    species = "Ca"


class MgIon(Ion):
    """A magnesium ion."""

    species = "Mg"


class Site(_RowAgent):
    """A binding site; holds at most one ion."""

    @property
    def kind(self) -> str:
        return SITE_TYPE_NAMES[int(self._s.site_type[self.row])]

    @property
    def occupant(self) -> str | None:
        """``"Ca"``, ``"Mg"`` or ``None``."""
        return _SPECIES_NAMES[int(self._s.site_species[self.row])]

    @property
    def position_um(self) -> tuple[float, float, float]:
        s, r = self._s, self.row
        return float(s.site_x[r]), float(s.site_y[r]), float(s.site_z[r])


class TroponinSite(Site):
    """A troponin C site on the thin filament: regulatory (Ca-specific, weak Mg
    competition) or Ca/Mg (high affinity, Mg-loaded at rest)."""

    @property
    def regulatory_unit(self):
        s = self._s
        local = self.row - int(s.type_start[K.TN_REG])
        n_reg = s.reg_per_unit
        if local >= n_reg * s.n_ru:
            return self.model.ru_agents[(local - n_reg * s.n_ru) // 2]
        return self.model.ru_agents[local // n_reg]


class ParvalbuminSite(Site):
    """A Ca/Mg site of a parvalbumin molecule, which diffuses slowly."""

    def step(self):
        """Reference rule: Brownian motion with reflecting walls."""
        self.check_engine()
        m, s, r = self.model, self._s, self.row
        pf = m.pf
        key = crandom.step_key(m.seed, crandom.PURPOSE_MOVE, m.step_index)
        a = crandom.agent_key(key, r + 1_000_000_000)
        d0, d1, d2, _ = crandom.draws32(a)
        sigma = pf[K.F_SIG_PV]
        s.site_x[r] = _reflect(s.site_x[r] + sigma * crandom.normal32(d0, a, 1), pf[K.F_LX])
        s.site_y[r] = _reflect(s.site_y[r] + sigma * crandom.normal32(d1, a, 2), pf[K.F_LY])
        s.site_z[r] = _reflect(s.site_z[r] + sigma * crandom.normal32(d2, a, 3), pf[K.F_LZ])
        s.site_voxel[r] = m.voxel_index(s.site_x[r], s.site_y[r], s.site_z[r])


class PumpSite(Site):
    """One of the two Ca sites of a SERCA pump (the second takes Ca only after the first)."""


class SercaPump(_RowAgent):
    """A SERCA pump on the longitudinal SR: two sequential Ca sites; with both filled it
    transports the two ions into the SR, at a rate that needs Mg-ATP."""

    @property
    def sites(self) -> tuple[int, int]:
        """Rows of its first and second site."""
        s = self._s
        first = int(s.type_start[SERCA]) + self.row
        return first, int(s.type_start[SERCA2]) + self.row

    @property
    def slots(self) -> tuple[str | None, str | None]:
        s = self._s
        a, b = self.sites
        return _SPECIES_NAMES[int(s.site_species[a])], _SPECIES_NAMES[int(s.site_species[b])]

    def step(self):
        """Reference rule: with both sites Ca-loaded, transport them with p(k_cat·φ_MgATP)."""
        self.check_engine()
        m, s = self.model, self._s
        a, b = self.sites
        if s.site_species[a] != CA or s.site_species[b] != CA:
            return
        key = crandom.agent_key(
            crandom.step_key(m.seed, crandom.PURPOSE_PUMP, m.step_index), self.row
        )
        rate = m.pf[K.F_SERCA_KCAT] * s.scalars[K.S_SERCA_FACTOR]
        if crandom.uniform(key, 0) >= _prob(rate, m.pf[K.F_DT]):
            return
        for site in (b, a):
            ion = int(s.site_occupant[site])
            m.free_site(site)
            s.ion_state[ion] = IN_SR
            s.ion_site[ion] = -1
            s.sr_stack[s.sr_count[0]] = ion
            s.sr_count[0] += 1


class RyRChannel(_RowAgent):
    """A ryanodine-receptor Ca release channel on the SR terminal cisterna.

    A coupled channel faces a voltage sensor (DHPR) that the action potential activates;
    an uncoupled one is gated by Ca and Mg alone.  Mg blocks both; Ca inactivates both.
    """

    @property
    def is_open(self) -> bool:
        return bool(self._s.ryr_open[self.row])

    @property
    def coupled(self) -> bool:
        return bool(self._s.ryr_coupled[self.row])

    @property
    def inactivated(self) -> bool:
        return bool(self._s.ryr_inact[self.row])

    @property
    def sensor_active(self) -> bool:
        return bool(self._s.ryr_sensor[self.row])

    def gate(self):
        """Reference rule (kernel.ryr_phase): sensor, opening, inactivation."""
        self.check_engine()
        m, s, r = self.model, self._s, self.row
        pf, sc, dt = m.pf, s.scalars, m.pf[K.F_DT]
        mg, c0 = sc[K.S_MG_FREE], sc[K.S_CA_TRIAD]
        key = crandom.agent_key(crandom.step_key(m.seed, crandom.PURPOSE_CHANNEL, m.step_index), r)
        u_sensor, u_open, u_cdi = (crandom.uniform(key, k) for k in range(3))
        p_sensor = _prob(1.0 / pf[K.F_AP_TAU], dt)
        if s.ryr_coupled[r] == 1:
            if sc[K.S_AP_ON] > 0.5:
                if s.ryr_sensor[r] == 0 and u_sensor < p_sensor:
                    s.ryr_sensor[r] = 1
            elif s.ryr_sensor[r] == 1 and u_sensor < p_sensor:
                s.ryr_sensor[r] = 0
            unblocked = 1.0 / (1.0 + mg / pf[K.F_RYR_KD_MG_AP])  # no Mg on its site
            is_open = s.ryr_sensor[r] == 1 and s.ryr_inact[r] == 0 and u_open < unblocked
        else:
            is_open = s.ryr_inact[r] == 0 and u_open < K.ryr_rest_open(c0, mg, pf)
        if s.ryr_inact[r] == 1:
            if u_cdi < _prob(pf[K.F_CDI_KREC], dt):
                s.ryr_inact[r] = 0
        else:
            domain = c0 + pf[K.F_CDI_DOMAIN] * max(sc[K.S_CA_SR_FREE] - c0, 0.0)
            seen = domain if is_open else c0  # an open channel sees its own Ca domain
            if u_cdi < _prob(K.cdi_rate(seen, pf), dt):
                s.ryr_inact[r] = 1
        s.ryr_open[r] = 1 if is_open else 0


class RegulatoryUnit(_RowAgent):
    """A troponin–tropomyosin regulatory unit with its crossbridge.

    Becomes permissive when Ca occupies its regulatory sites, helped by permissive
    neighbours along the thin filament (cooperativity).  A permissive unit's crossbridge
    attaches and detaches; an attached crossbridge holds its unit on until the unit's TnC
    has lost its Ca, then the unit lets go (slowly) and the crossbridge detaches.
    """

    @property
    def permissive(self) -> bool:
        return bool(self._s.ru_perm[self.row])

    @property
    def attached(self) -> bool:
        return bool(self._s.ru_xb[self.row])

    def step(self):
        """Reference rule (kernel._regulatory_block): next state from the current ones."""
        self.check_engine()
        m, s, r = self.model, self._s, self.row
        pf, dt = m.pf, m.pf[K.F_DT]
        per_chain = s.ru_per_chain
        j = r % per_chain
        n_on = n_off = 0
        for nb in ((r - 1) if j > 0 else -1, (r + 1) if j < per_chain - 1 else -1):
            if nb >= 0:
                if s.ru_perm[nb] == 1:
                    n_on += 1
                else:
                    n_off += 1
        n_reg = s.reg_per_unit
        s0 = int(s.type_start[K.TN_REG]) + n_reg * r
        n_ca = sum(int(s.site_species[s0 + k] == CA) for k in range(n_reg))
        drive = K.unit_drive(n_ca, n_reg, pf[K.F_RU_ONE_CA])
        a = crandom.agent_key(crandom.step_key(m.seed, crandom.PURPOSE_FILAMENT, m.step_index), r)
        u_perm, u_xb = crandom.unit32(crandom.low32(a)), crandom.unit32(crandom.high32(a))
        perm, xb = int(s.ru_perm[r]), int(s.ru_xb[r])
        xb_new = xb
        if xb == 1:
            if u_xb < _prob(pf[K.F_XB_DETACH], dt):
                xb_new = 0
        elif perm == 1 and u_xb < _prob(pf[K.F_XB_ATTACH], dt):
            xb_new = 1
        perm_new = perm
        gamma = pf[K.F_RU_GAMMA]
        if perm == 0:
            if drive > 0.0:
                g = 1.0 / gamma
                for _ in range(n_on):
                    g *= gamma
                if u_perm < _prob(pf[K.F_RU_KON] * drive * g, dt):
                    perm_new = 1
        elif xb_new == xb:
            g = 1.0 / gamma
            for _ in range(n_off):
                g *= gamma
            rate = pf[K.F_RU_KOFF] * g
            if xb == 1:
                rate *= pf[K.F_XB_HOLD] * (1.0 - drive)
            if u_perm < _prob(rate, dt):
                perm_new, xb_new = 0, 0
        m.ru_next[0][r] = perm_new
        m.ru_next[1][r] = xb_new
