"""Mesa agents of the nerve scale: views onto rows of the model's arrays.

Arrays are the truth, agents are views: a ``NaChannel`` holds only its row; reading
``channel.state`` reads ``model.channel_states[NAF][row]`` and writing it writes the array.
So a user can script agents the Mesa way::

    open_na = model.agents_by_type[NaChannel].select(lambda a: a.is_open)

while the numba kernel updates the same arrays in bulk.

The node's channels come in two kinds of agent (``docs/nerve.md``, "Channel agents and
state counts"): a few **channel agents** per family, each a Markov chain stepped with its
own uniform, and one **ChannelPopulation** per family holding the other channels as counts
per state, stepped by drawing how many leave each state.  Both are exact and together they
are the node's channels.

Each agent's ``step()`` is the reference engine's rule for that agent, written as a Mesa
user would write it; the arithmetic is delegated to the shared rule functions of
:mod:`cellsim.nerve.rules` (the compiled code the kernel runs) and the random numbers to
the counter-based stream, so both engines produce the same trajectory.  The reference
engine sets ``model.substep`` / ``model.step_index`` and the per-step tables before
stepping the agents.
"""

from __future__ import annotations

import numpy as np

from cellsim.agent_views import RowAgent
from cellsim.nerve import rules
from cellsim.nerve.rules import agent_uniform


class _RowAgent(RowAgent):
    """A nerve agent: a view onto row ``row`` of the nerve's arrays."""

    def _draw(self, purpose: int, step: int | None = None) -> float:
        m = self.model
        return agent_uniform(
            m.nerve_seed, purpose, m.step_index if step is None else step, self.row, 0
        )


class _Channel(_RowAgent):
    """A channel of the node, stepped one by one: one uniform per node substep."""

    family: int = rules.NAF

    @property
    def state(self) -> int:
        return int(self.model.channel_states[self.family][self.row])

    @state.setter
    def state(self, value: int) -> None:
        self.model.channel_states[self.family][self.row] = value

    @property
    def is_open(self) -> bool:
        return self.state == rules.OPEN_STATE[self.family]

    def step(self) -> None:
        self.check_engine()
        m = self.model
        u = self._draw(rules.PU_BY_FAMILY[self.family], m.substep)
        self.state = rules.channel_next(self.family, self.state, u, m.cum)


class NaChannel(_Channel):
    """A fast Na channel (Nav1.6-like): three m gates and one h gate, an 8-state chain.

    ``state = m + 4 h`` with ``m`` open activation gates (0-3) and ``h`` (0/1) the
    inactivation gate; the channel conducts in state 7.  MRG 2002 rates.
    """

    family = rules.NAF

    @property
    def m_gates_open(self) -> int:
        return self.state % 4

    @property
    def h_open(self) -> bool:
        return self.state >= 4


class NaPersistentChannel(_Channel):
    """A persistent Na channel: three p gates, no inactivation; open with all three up."""

    family = rules.NAP


class KChannel(_Channel):
    """A slow K channel (Kv7, the nodal 'Ks'): one s gate; open in state 1."""

    family = rules.KS


class KFastChannel(_Channel):
    """A fast K channel (Kv1): four n gates; open in state 4 (Gaines et al. 2018)."""

    family = rules.KF


class ChannelPopulation(_RowAgent):
    """All other channels of one family, as counts per state (row = the family).

    ``counts[s]`` channels are in state ``s``.  Each substep, per state, the number that
    leave is drawn from Binomial(n, P_exit) and split between exits by their rates: the
    law of ``n`` channel agents stepped one by one, at the cost of a few draws.
    """

    @property
    def family(self) -> int:
        return self.row

    @property
    def name(self) -> str:
        return rules.FAMILIES[self.row]

    @property
    def counts(self) -> np.ndarray:
        return self.model.channel_counts[self.row]

    @property
    def n_channels(self) -> int:
        return int(self.counts.sum())

    @property
    def n_open(self) -> int:
        state = rules.OPEN_STATE[self.row]
        return int(self.counts[state]) if self.counts.size > state else 0

    def step(self) -> None:
        self.check_engine()
        m = self.model
        if self.counts.size:
            key = rules.population_key(m.nerve_seed, m.substep)
            rules.population_step(self.row, self.counts, m.cum, key, m.delta)


class CaChannel(_RowAgent):
    """A presynaptic P/Q Ca channel: two activation gates (m²), open with both up.

    Its pore, when open, holds Ca or Mg in rapid equilibrium (competitive occupancy): Ca
    occupancy sets its Ca current, Mg occupancy blocks it.  An open channel adds a point
    source of Ca to its release site's nanodomain.
    """

    @property
    def site(self) -> int:
        return self.row // self.model.params.channels_per_site

    @property
    def gates_up(self) -> int:
        return int(self.model.cav_gate[self.row])

    @gates_up.setter
    def gates_up(self, value: int) -> None:
        self.model.cav_gate[self.row] = value

    @property
    def is_open(self) -> bool:
        return self.gates_up == 2

    def step(self) -> None:
        self.check_engine()
        m = self.model
        if m.iv[rules.IV_ACTIVE] != 1:
            return  # the terminal is at rest between action potentials
        self.gates_up = rules.cav_next(self.gates_up, self._draw(rules.PU_CAV_GATE), m.cav_cum)


class ReleaseSite(_RowAgent):
    """A release site: one docked vesicle and its five-site Ca sensor.

    The sensor sees the Ca of its nanodomain, made by its own Ca channels
    (``channel_rows``).  With all sites bound the vesicle fuses (one quantum); an emptied
    site docks a new vesicle after an exponential time with mean ``refill_tau_ms``.
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
        active = int(m.iv[rules.IV_ACTIVE])
        m.fused[self.row] = 0
        if active == 1:
            rows = self.channel_rows
            m.site_ca[self.row] = rules.site_domain_ca(
                m.cav_gate, rows.start, len(rows), m.p, m.ctx
            )
        else:
            m.site_ca[self.row] = m.p[rules.DOM_REST]
        # the sensor acts during the AP, and afterwards while it still holds Ca
        if self.vesicle_docked and (active == 1 or self.sensor_bound > 0):
            b = rules.sensor_next(
                self.sensor_bound, self._draw(rules.PU_SENSOR), self.domain_ca_uM, m.p
            )
            if b < 0:  # fusion: one quantum released; a new vesicle will dock later
                m.fused[self.row] = 1
                self.vesicle_docked = False
                self.sensor_bound = 0
                s = m.step_index
                m.redock[self.row] = rules.redock_ms(
                    m.nerve_seed, s, self.row, (s + 1) * m.dt_ms, m.p[rules.REFILL_TAU]
                )
            else:
                self.sensor_bound = b
        if m.p[rules.SHADOW] > 0:
            m.expected_step[self.row] = rules.sensor_expectation_step(
                m.shadow[self.row], self.domain_ca_uM, m.p, active
            )


class NMDAReceptor(_RowAgent):
    """An NMDA receptor: a glutamate-gated channel with a Woodhull Mg block.

    Block rate k_on·[Mg]·exp(−δ_on·V), unblock k_off·exp(+δ_off·V); their balance gives
    the Jahr–Stevens curve, which is measured, not imposed.  The Mg is that of the CSF.
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


#: The agent class of each channel family's representative channels.
CHANNEL_AGENTS = (NaChannel, NaPersistentChannel, KChannel, KFastChannel)
