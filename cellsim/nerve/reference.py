"""The reference engine of the nerve: the kernel's phases with every agent stepped by Mesa.

``step(model)`` advances a :class:`~cellsim.nerve.model.NerveModel` by one time step: the
shared rule functions of :mod:`cellsim.nerve.rules` prepare each phase, and each agent's
``step()`` (in :mod:`cellsim.nerve.agents`) applies its rule, as a Mesa user would write
it.  A test requires the numba kernel to reproduce it step for step.
"""

from __future__ import annotations

from cellsim.nerve import rules
from cellsim.nerve.agents import CaChannel, KChannel, NaChannel, NMDAReceptor, ReleaseSite


def step(model) -> None:
    """One time step of the reference engine (agents may apply their rules during it)."""
    model.reference_active = True
    try:
        _step(model)
    finally:
        model.reference_active = False


def _step(model) -> None:
    """One step of the reference engine: the kernel's phases, agents stepped by Mesa."""
    s, p, sv, iv = model.step_index, model.p, model.sv, model.iv
    by_type = model.agents_by_type
    if p[rules.AX_ON]:
        rules.axon_prepare(p, sv, model.na_cum, model.k_cum)
        by_type[NaChannel].do("step")
        by_type[KChannel].do("step")
        rules.axon_finish(
            p,
            sv,
            iv,
            s,
            model.stim[s],
            model.clamp[s],
            model.na,
            model.k,
            model.onsets,
            model.spikes,
        )
    if p[rules.TERM_ON]:
        rules.terminal_prepare(p, sv, iv, s, model.onsets, model.ctx)
        if model.cav_gate.size:
            by_type[CaChannel].do("step")
        if model.sensor.size:
            by_type[ReleaseSite].do("step")
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
        rules.nmda_prepare(p, sv, model.glu[s], model.ctx)
        by_type[NMDAReceptor].do("step")
        rules.nmda_finish(
            p, sv, iv, s, model.clamp[s], model.nmda_gate, model.nmda_block, model.nspikes
        )
    rules.record(
        p,
        sv,
        iv,
        s,
        model.na.size,
        model.k.size,
        model.nmda_gate.size,
        model.rec,
        model.record_every,
    )
    model.step_index += 1
