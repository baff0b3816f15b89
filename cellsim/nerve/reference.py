"""The reference engine of the nerve: the kernel's phases with every agent stepped by Mesa.

``step(model)`` advances a :class:`~cellsim.nerve.model.NerveModel` by one time step: the
shared rule functions of :mod:`cellsim.nerve.rules` prepare each phase, and each agent's
``step()`` (in :mod:`cellsim.nerve.agents`) applies its rule, as a Mesa user would write
it.  A test requires the numba kernel to reproduce it step for step.
"""

from __future__ import annotations

from cellsim.nerve import rules
from cellsim.nerve.agents import (
    CHANNEL_AGENTS,
    CaChannel,
    ChannelPopulation,
    NMDAReceptor,
    ReleaseSite,
)


def step(model) -> None:
    """One time step of the reference engine (agents may apply their rules during it)."""
    model.reference_active = True
    try:
        _step(model)
    finally:
        model.reference_active = False


def _node_substep(model, sub: int) -> None:
    s, p, sv, iv = model.step_index, model.p, model.sv, model.iv
    by_type = model.agents_by_type
    model.substep = s * int(p[rules.N_SUB]) + sub
    rules.axon_prepare(p, sv, model.rate_table, model.rates, model.stays, model.cum)
    for cls in CHANNEL_AGENTS:
        if cls in by_type:
            by_type[cls].do("step")
    by_type[ChannelPopulation].do("step")
    for f in range(4):
        model.n_open[f] = rules.open_count(f, model.channel_states[f], model.channel_counts[f])
    rules.axon_finish(
        p,
        sv,
        iv,
        s,
        sub,
        rules.at(model.stim, s),
        rules.at(model.clamp, s),
        model.n_open,
        model.onsets,
        model.spikes,
    )


def _step(model) -> None:
    """One step of the reference engine: the kernel's phases, agents stepped by Mesa."""
    s, p, sv, iv = model.step_index, model.p, model.sv, model.iv
    by_type = model.agents_by_type
    if p[rules.AX_ON]:
        for sub in range(int(p[rules.N_SUB])):
            _node_substep(model, sub)
    if p[rules.TERM_ON]:
        rules.terminal_prepare(p, sv, iv, s, model.onsets, model.ctx, model.cav_cum)
        if iv[rules.IV_NEW_ONSET] > 0:
            rules.terminal_onset(
                p,
                iv,
                s,
                model.cav_gate,
                model.vesicle,
                model.sensor,
                model.redock,
                model.shadow,
                model.docked,
            )
        if iv[rules.IV_ACTIVE] == 0:
            if iv[rules.IV_RESTING] == 0:  # the first step at rest: every site rests
                rules.terminal_rest(model.fused, model.site_ca, p[rules.DOM_REST])
        else:
            if model.cav_gate.size:
                by_type[CaChannel].do("step")
            if model.sensor.size:
                by_type[ReleaseSite].do("step")
            if p[rules.SHADOW] > 0:
                rules.add_expected(iv, model.expected_step, model.expected)
        rules.terminal_finish(
            p,
            sv,
            iv,
            s,
            model.fused,
            model.site_ca,
            model.q_times,
            model.q_sites,
            model.q_per_onset,
            model.muscle,
        )
    if p[rules.NMDA_ON]:
        rules.nmda_prepare(p, sv, rules.at(model.glu, s), model.ctx)
        by_type[NMDAReceptor].do("step")
        rules.nmda_finish(
            p, sv, iv, s, rules.at(model.clamp, s), model.nmda_gate, model.nmda_block, model.nspikes
        )
    rules.record(
        p, sv, iv, s, model.n_channels, model.nmda_gate.size, model.rec, model.record_every
    )
    model.step_index += 1
