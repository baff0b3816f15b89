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
from cellsim.fibre.state import BOUND, CA, FREE, IN_SR, MG, NONE, SITE_TYPE_NAMES

_STATE_NAMES = {FREE: "free", BOUND: "bound", IN_SR: "sr"}
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
    """A Ca²⁺ or Mg²⁺ ion: free in the cytosol, bound to a site, or stored in the SR."""

    species = ""

    @property
    def position_um(self) -> tuple[float, float, float]:
        s, i = self._s, self.row
        return float(s.ion_x[i]), float(s.ion_y[i]), float(s.ion_z[i])

    @property
    def state(self) -> str:
        """``"free"``, ``"bound"`` or ``"sr"``."""
        return _STATE_NAMES[int(self._s.ion_state[self.row])]

    @property
    def site(self):
        """The site agent this ion is bound to, or ``None``."""
        row = int(self._s.ion_site[self.row])
        return None if row < 0 else self.model.site_agents[row]

    def step(self):
        """Reference rule: unbind test if bound; else diffuse and maybe claim a site.

        One hash per ion and step (the agent key), and one more for a free ion:
        their 32-bit halves give the three displacements and the two tests.
        """
        self.check_engine()
        m, s, i = self.model, self._s, self.row
        pi, step, seed = m.pi, m.step_index, m.seed
        event = -1
        sp = int(s.ion_species[i])
        state = int(s.ion_state[i])
        mg_active = step % int(pi[K.I_MG_SUB]) == 0
        if state != IN_SR and (sp == CA or mg_active):
            a = crandom.agent_key(crandom.step_key(seed, crandom.PURPOSE_MOVE, step), i)
            if state == BOUND:
                t = int(s.site_type[s.ion_site[i]])
                if crandom.unit32(crandom.high32(a)) < s.p_unbind[t, sp]:
                    event = K.UNBIND
            else:
                event = self._move_and_claim(sp, a)
        s.ion_event[i] = event

    def _move_and_claim(self, sp: int, a: int) -> int:
        m, s, i = self.model, self._s, self.row
        pf = m.pf
        d0, d1, d2, d3 = crandom.draws32(a)
        sigma = pf[K.F_SIG_CA] if sp == CA else pf[K.F_SIG_MG]
        x = _reflect(s.ion_x[i] + sigma * crandom.normal32(d0, a, 1), pf[K.F_LX])
        y = _reflect(s.ion_y[i] + sigma * crandom.normal32(d1, a, 2), pf[K.F_LY])
        z = _reflect(s.ion_z[i] + sigma * crandom.normal32(d2, a, 3), pf[K.F_LZ])
        s.ion_x[i], s.ion_y[i], s.ion_z[i] = x, y, z
        v = m.voxel_index(x, y, z)
        if crandom.unit32(d3) >= s.p_bind[sp, v]:
            return -1
        # which type of site: probability proportional to kon x free sites
        target = crandom.uniform(a, 4) * s.bind_weight[sp, v]
        cumulative = 0.0
        chosen = -1
        for t in range(K.N_SITE_TYPES):
            part = s.kon[t, sp] * s.n_free[t, v]
            cumulative += part
            if part > 0.0:
                chosen = t
                if target < cumulative:
                    break
        return chosen


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
        if local >= 2 * s.n_ru:
            local -= 2 * s.n_ru
        return self.model.ru_agents[local // 2]


class ParvalbuminSite(Site):
    """A Ca/Mg site of a parvalbumin molecule, which diffuses slowly."""

    def step(self):
        """Reference rule: Brownian motion with reflecting walls."""
        self.check_engine()
        m, s, r = self.model, self._s, self.row
        pf = m.pf
        key = crandom.step_key(m.seed, crandom.PURPOSE_MOVE, m.step_index)
        a = crandom.agent_key(key, r + 1_000_000_000)
        sigma = pf[K.F_SIG_PV]
        s.site_x[r] = _reflect(s.site_x[r] + sigma * crandom.normal(a, 0), pf[K.F_LX])
        s.site_y[r] = _reflect(s.site_y[r] + sigma * crandom.normal(a, 1), pf[K.F_LY])
        s.site_z[r] = _reflect(s.site_z[r] + sigma * crandom.normal(a, 2), pf[K.F_LZ])
        s.site_voxel[r] = m.voxel_index(s.site_x[r], s.site_y[r], s.site_z[r])


class SercaPump(_RowAgent):
    """A SERCA pump on the longitudinal SR: two Ca slots; transports both
    ions into the SR at a rate that needs Mg-ATP (so free Mg)."""

    @property
    def slots(self) -> tuple[str | None, str | None]:
        s = self._s
        base = int(s.type_start[K.SERCA]) + 2 * self.row
        return (
            _SPECIES_NAMES[int(s.site_species[base])],
            _SPECIES_NAMES[int(s.site_species[base + 1])],
        )

    def step(self):
        """Reference rule: if both slots hold Ca, transport them with p(k·f_Mg)."""
        self.check_engine()
        m, s = self.model, self._s
        base = int(s.type_start[K.SERCA]) + 2 * self.row
        if s.site_species[base] != CA or s.site_species[base + 1] != CA:
            return
        f_mg = m.mg_uM_cached / (m.mg_uM_cached + m.pf[K.F_SERCA_MG_HALF])
        key = crandom.agent_key(
            crandom.step_key(m.seed, crandom.PURPOSE_PUMP, m.step_index), self.row
        )
        if crandom.uniform(key, 0) >= _prob(m.pf[K.F_SERCA_KTR] * f_mg, m.pf[K.F_DT]):
            return
        for site in (base, base + 1):
            ion = int(s.site_occupant[site])
            m.free_site(site, CA)
            s.ion_state[ion] = IN_SR
            s.ion_site[ion] = -1
            s.sr_stack[s.sr_count[0]] = ion
            s.sr_count[0] += 1


class RyRChannel(_RowAgent):
    """A ryanodine-receptor Ca release channel on the SR terminal cisterna."""

    @property
    def is_open(self) -> bool:
        return bool(self._s.ryr_open[self.row])

    def gate(self, p_open: float, p_close: float):
        """Reference rule: open or close with this step's probabilities."""
        self.check_engine()
        m, s, r = self.model, self._s, self.row
        key = crandom.agent_key(crandom.step_key(m.seed, crandom.PURPOSE_CHANNEL, m.step_index), r)
        u = crandom.uniform(key, 0)
        if s.ryr_open[r] == 1:
            if u < p_close:
                s.ryr_open[r] = 0
        elif u < p_open:
            s.ryr_open[r] = 1


class RegulatoryUnit(_RowAgent):
    """A troponin–tropomyosin regulatory unit with its crossbridge.

    Becomes permissive when Ca occupies its regulatory sites, helped by
    permissive neighbours along the thin filament (cooperativity); an attached
    crossbridge produces force and holds the unit permissive.
    """

    @property
    def permissive(self) -> bool:
        return bool(self._s.ru_perm[self.row])

    @property
    def attached(self) -> bool:
        return bool(self._s.ru_xb[self.row])

    def step(self):
        """Reference rule: compute the next state from the current ones."""
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
        s0 = int(s.type_start[K.TN_REG]) + 2 * r
        n_ca = int(s.site_species[s0] == CA) + int(s.site_species[s0 + 1] == CA)
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
        if perm == 0:
            drive = 1.0 if n_ca == 2 else (pf[K.F_RU_ONE_CA] if n_ca == 1 else 0.0)
            if drive > 0.0:
                g = 1.0 / pf[K.F_RU_GAMMA]
                for _ in range(n_on):
                    g *= pf[K.F_RU_GAMMA]
                if u_perm < _prob(pf[K.F_RU_KON] * drive * g, dt):
                    perm_new = 1
        elif xb == 0 and xb_new == 0:
            g = 1.0 / pf[K.F_RU_GAMMA]
            for _ in range(n_off):
                g *= pf[K.F_RU_GAMMA]
            if u_perm < _prob(pf[K.F_RU_KOFF] * g, dt):
                perm_new = 0
        m.ru_next[0][r] = perm_new
        m.ru_next[1][r] = xb_new
