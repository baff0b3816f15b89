"""Mesa agents of the nerve scale: views onto rows of the model's arrays.

Arrays are the truth, agents are views: a ``NaChannel`` holds only its
row; reading ``channel.state`` reads ``model.na[row]`` and writing it
writes the array.  So a user can script agents the Mesa way::

    open_na = model.agents_by_type[NaChannel].select(lambda a: a.is_open)

while the numba kernel updates the same arrays in bulk.

Each agent's ``step()`` is the reference engine's rule for that agent, written
as a Mesa user would write it.  The arithmetic is delegated to the shared
rule functions of :mod:`cellsim.nerve.rules` (the same compiled code the
kernel runs) and the random number to :func:`~cellsim.nerve.rules.agent_uniform`,
a function of (seed, purpose, step, row) only; so both engines produce the
same trajectory.  The model sets ``model.step_index`` and the per-step tables
(``na_cum``, ``k_cum``, ``ctx``) before stepping the agents.
"""

from __future__ import annotations

from cellsim.agent_views import RowAgent
from cellsim.nerve import rules
from cellsim.nerve.rules import agent_uniform


class _RowAgent(RowAgent):
    """A nerve agent: a view onto row ``row`` of the nerve's arrays."""

    def _draw(self, purpose: int) -> float:
        m = self.model
        return agent_uniform(m.nerve_seed, purpose, m.step_index, self.row, 0)


class NaChannel(_RowAgent):
    """A Hodgkin–Huxley Na channel: three m gates and one h gate, as an 8-state chain.

    ``state = m + 4 h`` with ``m`` open activation gates (0–3) and ``h`` (0/1)
    the inactivation gate; the channel conducts in state 7.
    """

    @property
    def state(self) -> int:
        return int(self.model.na[self.row])

    @state.setter
    def state(self, value: int) -> None:
        self.model.na[self.row] = value

    @property
    def m_gates_open(self) -> int:
        return self.state % 4

    @property
    def h_open(self) -> bool:
        return self.state >= 4

    @property
    def is_open(self) -> bool:
        return self.state == rules.NA_OPEN_STATE

    def step(self) -> None:
        self.check_engine()
        self.state = rules.na_next(self.state, self._draw(rules.PU_NA), self.model.na_cum)


class KChannel(_RowAgent):
    """A Hodgkin–Huxley K channel: four n gates as a 5-state chain; open in state 4."""

    @property
    def state(self) -> int:
        return int(self.model.k[self.row])

    @state.setter
    def state(self, value: int) -> None:
        self.model.k[self.row] = value

    @property
    def is_open(self) -> bool:
        return self.state == rules.K_OPEN_STATE

    def step(self) -> None:
        self.check_engine()
        self.state = rules.k_next(self.state, self._draw(rules.PU_K), self.model.k_cum)


class CaChannel(_RowAgent):
    """A presynaptic voltage-gated Ca channel whose pore Mg can block.

    Two independent two-state processes: the activation gate (opens with the
    terminal AP) and the pore's Mg occupancy.  Mg can enter only a pore not
    holding Ca, so Ca protects against the block: that is the competition.
    """

    @property
    def site(self) -> int:
        return self.row // self.model.params.channels_per_site

    @property
    def gate_open(self) -> bool:
        return bool(self.model.cav_gate[self.row])

    @gate_open.setter
    def gate_open(self, value: bool) -> None:
        self.model.cav_gate[self.row] = int(value)

    @property
    def mg_blocked(self) -> bool:
        return bool(self.model.cav_block[self.row])

    @mg_blocked.setter
    def mg_blocked(self, value: bool) -> None:
        self.model.cav_block[self.row] = int(value)

    @property
    def conducting(self) -> bool:
        return self.gate_open and not self.mg_blocked

    def step(self) -> None:
        self.check_engine()
        m = self.model
        if m.iv[rules.IV_ACTIVE] != 1:
            return  # the terminal is at rest between action potentials
        ctx = m.ctx
        self.gate_open = rules.two_state_next(
            int(self.gate_open),
            self._draw(rules.PU_CAV_GATE),
            ctx[rules.CX_CAV_OPEN],
            ctx[rules.CX_CAV_CLOSE],
        )
        self.mg_blocked = rules.two_state_next(
            int(self.mg_blocked),
            self._draw(rules.PU_CAV_MG),
            ctx[rules.CX_MG_BLOCK],
            ctx[rules.CX_MG_UNBLOCK],
        )


class ReleaseSite(_RowAgent):
    """An active zone: one docked vesicle and its five-site Ca sensor.

    The sensor sees the Ca of its nanodomain, made by its own Ca channels
    (``channels``).  With all sites bound the vesicle fuses (one quantum);
    an empty site re-docks a vesicle at random.
    """

    @property
    def sensor_bound(self) -> int:
        return int(self.model.sensor[self.row])

    @sensor_bound.setter
    def sensor_bound(self, value: int) -> None:
        self.model.sensor[self.row] = value

    @property
    def vesicle_docked(self) -> bool:
        return bool(self.model.vesicle[self.row])

    @vesicle_docked.setter
    def vesicle_docked(self, value: bool) -> None:
        self.model.vesicle[self.row] = int(value)

    @property
    def domain_ca_uM(self) -> float:
        return float(self.model.site_ca[self.row])

    @property
    def channel_rows(self) -> range:
        cps = self.model.params.channels_per_site
        return range(self.row * cps, (self.row + 1) * cps)

    def step(self) -> None:
        self.check_engine()
        m = self.model
        active = m.iv[rules.IV_ACTIVE] == 1
        m.fused[self.row] = 0
        if active:
            rows = self.channel_rows
            m.site_ca[self.row] = rules.site_domain_ca(
                m.cav_gate, m.cav_block, rows.start, len(rows), m.p
            )
        else:
            m.site_ca[self.row] = m.p[rules.DOM_REST]
        if self.vesicle_docked:
            # the sensor acts during a terminal AP, and afterwards until its Ca has left
            if active or self.sensor_bound > 0:
                b = rules.sensor_next(
                    self.sensor_bound, self._draw(rules.PU_SENSOR), self.domain_ca_uM, m.p
                )
                if b < 0:  # fusion: one quantum released
                    m.fused[self.row] = 1
                    self.vesicle_docked = False
                    self.sensor_bound = 0
                else:
                    self.sensor_bound = b
        elif self._draw(rules.PU_REFILL) < m.p[rules.REFILL_P]:
            self.vesicle_docked = True


class NMDAReceptor(_RowAgent):
    """An NMDA receptor: a glutamate-gated channel with a Woodhull Mg block.

    Block rate k_on·[Mg]·exp(−δ_on·V), unblock k_off·exp(+δ_off·V); their
    balance gives the Jahr–Stevens curve, which is measured, not imposed.
    """

    @property
    def is_open(self) -> bool:
        return bool(self.model.nmda_gate[self.row])

    @is_open.setter
    def is_open(self, value: bool) -> None:
        self.model.nmda_gate[self.row] = int(value)

    @property
    def mg_blocked(self) -> bool:
        return bool(self.model.nmda_block[self.row])

    @mg_blocked.setter
    def mg_blocked(self, value: bool) -> None:
        self.model.nmda_block[self.row] = int(value)

    @property
    def conducting(self) -> bool:
        return self.is_open and not self.mg_blocked

    def step(self) -> None:
        self.check_engine()
        ctx = self.model.ctx
        self.is_open = rules.two_state_next(
            int(self.is_open),
            self._draw(rules.PU_NMDA_GATE),
            ctx[rules.CX_N_OPEN],
            ctx[rules.CX_N_CLOSE],
        )
        self.mg_blocked = rules.two_state_next(
            int(self.mg_blocked),
            self._draw(rules.PU_NMDA_MG),
            ctx[rules.CX_N_BLOCK],
            ctx[rules.CX_N_UNBLOCK],
        )
