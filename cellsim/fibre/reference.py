"""The reference engine of the fibre: the kernel's rules, one agent at a time, in Python.

``step(model)`` advances a :class:`~cellsim.fibre.model.FibreModel` by one time step the
way a Mesa user would write it: each agent's ``step()`` (in :mod:`cellsim.fibre.agents`)
applies its rule, in the phase order and with the conflict rules of
:func:`cellsim.fibre.kernel.advance`, drawing the same numbers from the counter-based
stream.  It is the readable specification of the model and the benchmark baseline; a test
requires the kernel to reproduce it (same events, positions to round-off).  Pure
arithmetic shared with the kernel (free SR Ca from the SR content, the binding-table
sums) calls the kernel's compiled helpers, so both engines compute the same numbers.
"""

from __future__ import annotations

import math

from cellsim import random as crandom
from cellsim.fibre import kernel as K
from cellsim.fibre.state import CA, FREE, NONE, ON_ATP, PV


def step(model) -> None:
    """One time step of the reference engine (agents may apply their rules during it)."""
    model.reference_active = True
    try:
        _step(model)
    finally:
        model.reference_active = False


def _step(model) -> None:
    """One step of the reference engine: agents apply the rules in Python.

    Phase order and conflict rules are those of kernel.advance.
    """
    s, pf, dt = model.state, model.pf, model.pf[K.F_DT]
    step = model.step_index
    if model.pi[K.I_CLAMP] == 0:
        ions, sites, _rates, sr, _fil = model.kernel_arrays()
        K.step_scalars(step * dt, model.ap_times_ms, ions, sites, sr, s.scalars, s.atp_free,
                       pf, model.pi)  # fmt: skip
        for ryr in model.ryr_agents:
            ryr.gate()
        _release(model)
        K.binding_tables(step, s.n_free, s.kon, s.bind_weight, s.p_bind, s.f_atp, s.atp_free,
                         pf, model.pi)  # fmt: skip
        s.chunk_catp[:, :] = 0
        s.chunk_triad[:] = 0
        s.chunk_counted[:] = 1  # the agents below count into any chunk
        for ion in model.ion_agents:
            ion.step()
        _resolve(model)
        for pump in model.pump_agents:
            pump.step()
        if step % int(model.pi[K.I_PV_SUB]) == 0 and s.type_start[PV + 1] > s.type_start[PV]:
            for site in model.site_agents[int(s.type_start[PV]) : int(s.type_start[PV + 1])]:
                site.step()
            K.rebuild_voxel_lists(
                PV,
                s.site_voxel,
                s.site_species,
                s.type_start,
                s.vox_start,
                s.vox_sites,
                s.n_free,
            )
    else:
        _bath(model)
    for ru in model.ru_agents:
        ru.step()
    s.ru_perm[:] = model.ru_next[0]
    s.ru_xb[:] = model.ru_next[1]
    force = int(s.ru_xb.sum()) / (s.n_ru * pf[K.F_DUTY_MAX])
    target = pf[K.F_SL_REST] - pf[K.F_SL_SHORT] * min(force, 1.0)
    s.sarcomere[0] = s.sarcomere[0] + (target - s.sarcomere[0]) * dt / pf[K.F_SL_TAU]


def _release(model) -> None:
    """Open channels and the leak release SR ions; on Mg steps Mg-ATP dissociates."""
    s, pf = model.state, model.pf
    sc, dt = s.scalars, pf[K.F_DT]
    gradient = max(sc[K.S_CA_SR_FREE] - sc[K.S_CA_TRIAD], 0.0)
    key = crandom.step_key(model.seed, crandom.PURPOSE_RELEASE, model.step_index)
    n_ryr = len(s.ryr_open)
    for r in range(n_ryr + 1):
        a = crandom.agent_key(key, r)
        if r < n_ryr:
            if s.ryr_open[r] == 0:
                continue
            n = K.poisson_count(a, 0, pf[K.F_RYR_UNIT] * gradient * dt)
        else:
            n = K.poisson_count(a, 0, pf[K.F_LEAK] * sc[K.S_CA_SR_FREE] * dt)
        for k in range(n):
            if s.sr_count[0] == 0:
                break
            s.sr_count[0] -= 1
            i = s.sr_stack[s.sr_count[0]]
            s.ion_state[i] = FREE
            if r < n_ryr:
                sc[K.S_RELEASED] += 1.0
                s.ion_x[i] = 0.02 * crandom.uniform(a, 1001 + 2 * k)
                s.ion_y[i], s.ion_z[i] = s.ryr_y[r], s.ryr_z[r]
            else:
                s.ion_x[i] = crandom.uniform(a, 1001 + 2 * k) * pf[K.F_LX]
                s.ion_y[i] = pf[K.F_LY] * (1.0 - 1e-9)
                s.ion_z[i] = crandom.uniform(a, 1002 + 2 * k) * pf[K.F_LZ]
    if model.step_index % int(model.pi[K.I_MG_SUB]) != 0:
        return
    a = crandom.agent_key(key, n_ryr + K.POOL_STREAM_OFFSET)
    h = dt * int(model.pi[K.I_MG_SUB])
    p_off = -math.expm1(-pf[K.F_ATP_KOFF_MG] * h)
    n = K.poisson_count(a, 0, s.mg_pool_count[0] * p_off)
    for k in range(n):
        if s.mg_pool_count[0] == 0:
            break
        s.mg_pool_count[0] -= 1
        i = s.mg_pool[s.mg_pool_count[0]]
        s.ion_state[i] = FREE
        s.ion_x[i] = crandom.uniform(a, 100_001 + 3 * k) * pf[K.F_LX]
        s.ion_y[i] = crandom.uniform(a, 100_002 + 3 * k) * pf[K.F_LY]
        s.ion_z[i] = crandom.uniform(a, 100_003 + 3 * k) * pf[K.F_LZ]


def _resolve(model) -> None:
    """Claims in row order take a free site of their voxel (or ATP); then unbinds."""
    s, pf = model.state, model.pf
    offset = model.partner_offset
    atp_room = (pf[K.F_ATP_TOTAL] - s.scalars[K.S_CA_ATP]) * pf[K.F_PPU] - s.mg_pool_count[0]
    key = crandom.step_key(model.seed, crandom.PURPOSE_PLACE, model.step_index)
    for ion in model.ion_agents:
        i, t = ion.row, int(s.ion_event[ion.row])
        if t < 0 or t == K.UNBIND:
            continue
        if t == K.ATP_CLAIM:  # a Mg ion binds ATP: it joins the Mg-ATP pool
            if atp_room >= 1.0:
                atp_room -= 1.0
                s.ion_state[i] = ON_ATP
                s.mg_pool[s.mg_pool_count[0]] = i
                s.mg_pool_count[0] += 1
            continue
        v = model.voxel_index(s.ion_x[i], s.ion_y[i], s.ion_z[i])
        if s.n_free[t, v] == 0:
            continue
        lo = int(s.vox_start[t, v])
        m = int(s.vox_start[t, v + 1]) - lo
        j0 = int(crandom.uniform(crandom.agent_key(key, i), 0) * m)
        for k in range(m):
            site = int(s.vox_sites[lo + (j0 + k) % m])
            if s.site_species[site] != NONE:
                continue
            if t == K.SERCA2 and s.site_species[site - offset] != CA:
                continue  # a pump's second site waits for its first
            model.bind_site(site, i)
            break
    for ion in model.ion_agents:
        i = ion.row
        if s.ion_event[i] != K.UNBIND:
            continue
        site = int(s.ion_site[i])
        if s.site_type[site] == K.SERCA and s.site_species[site + offset] != NONE:
            continue  # the second site was taken this step: the first keeps its Ca
        model.free_site(site)
        s.ion_state[i] = FREE
        s.ion_site[i] = -1
        s.ion_x[i], s.ion_y[i], s.ion_z[i] = s.site_x[site], s.site_y[site], s.site_z[site]


def _bath(model) -> None:
    """Skinned-fibre clamp: each troponin site exchanges with the buffered bath when its
    scheduled step comes (the kernel's rule, :func:`cellsim.fibre.kernel.bath_site`)."""
    s = model.state
    tables = K.bath_tables(s.kon, s.koff, model.pf)
    for site in range(int(s.type_start[0]), int(s.type_start[K.TN_CAMG + 1])):
        K.bath_site(model.step_index, model.seed, site, s.site_type, s.site_species,
                    s.site_next, s.bound_count, tables)  # fmt: skip
