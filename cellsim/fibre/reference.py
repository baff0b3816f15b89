"""The reference engine of the fibre: the kernel's rules, one agent at a time, in Python.

``step(model)`` advances a :class:`~cellsim.fibre.model.FibreModel` by one time step the
way a Mesa user would write it: each agent's ``step()`` (in :mod:`cellsim.fibre.agents`)
applies its rule, in the phase order and with the conflict rules of
:func:`cellsim.fibre.kernel.advance`, drawing the same numbers from the counter-based
stream.  It is the readable specification of the model and the benchmark baseline; a test
requires the kernel to reproduce it (same events, positions to round-off).
"""

from __future__ import annotations

import math

from cellsim import random as crandom
from cellsim.fibre import kernel as K
from cellsim.fibre.state import CA, FREE, MG, NONE, PV


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
        time_ms = step * dt
        past = model.ap_times_ms[model.ap_times_ms <= time_ms]
        last_ap = float(past.max()) if past.size else -1.0
        model.mg_uM_cached = mg_uM = model.mg_uM_now
        k_ap = 0.0
        if last_ap >= 0.0 and time_ms - last_ap < pf[K.F_RYR_WINDOW]:
            k_ap = pf[K.F_RYR_K_AP] / (1.0 + mg_uM / pf[K.F_RYR_KI_AP])
        k_rest = pf[K.F_RYR_K_REST] / (1.0 + (mg_uM / pf[K.F_RYR_KI_REST]) ** pf[K.F_RYR_HILL])
        p_open = -math.expm1(-(k_ap + k_rest) * dt)
        p_close = -math.expm1(-pf[K.F_RYR_K_CLOSE] * dt)
        for ryr in model.ryr_agents:
            ryr.gate(p_open, p_close)
        _release(model)
        _binding_tables(model)
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

    s, pf = model.state, model.pf
    sr_fraction = s.sr_count[0] / max(int(model.pi[K.I_SR0]), 1)
    key = crandom.step_key(model.seed, crandom.PURPOSE_RELEASE, model.step_index)
    n_ryr = len(s.ryr_open)
    for r in range(n_ryr + 1):
        a = crandom.agent_key(key, r)
        if r < n_ryr:
            if s.ryr_open[r] == 0:
                continue
            n = crandom.poisson(a, 0, pf[K.F_RYR_FLUX] * pf[K.F_DT] * sr_fraction)
        else:
            n = crandom.poisson(a, 0, pf[K.F_LEAK] * pf[K.F_DT] * sr_fraction)
        for k in range(n):
            if s.sr_count[0] == 0:
                return
            s.sr_count[0] -= 1
            i = s.sr_stack[s.sr_count[0]]
            s.ion_state[i] = FREE
            if r < n_ryr:
                s.ion_x[i] = 0.02 * crandom.uniform(a, 1 + 2 * k)
                s.ion_y[i], s.ion_z[i] = s.ryr_y[r], s.ryr_z[r]
            else:
                s.ion_x[i] = crandom.uniform(a, 1 + 2 * k) * pf[K.F_LX]
                s.ion_y[i] = pf[K.F_LY] * (1.0 - 1e-9)
                s.ion_z[i] = crandom.uniform(a, 2 + 2 * k) * pf[K.F_LZ]


def _binding_tables(model) -> None:
    """This step's binding probabilities per species and voxel (as
    kernel.binding_tables; unbinding ones are set once, at build)."""
    s, pf, pi = model.state, model.pf, model.pi
    mg_sub = int(pi[K.I_MG_SUB])
    for sp in (CA, MG):
        if sp == MG and model.step_index % mg_sub != 0:
            continue
        h = pf[K.F_DT] if sp == CA else pf[K.F_DT] * mg_sub
        for v in range(s.n_free.shape[1]):
            weight = 0.0
            for t in range(K.N_SITE_TYPES):
                weight += s.kon[t, sp] * s.n_free[t, v]
            s.bind_weight[sp, v] = weight
            s.p_bind[sp, v] = -math.expm1(-(weight * pf[K.F_CONC_PER_SITE]) * h)


def _resolve(model) -> None:
    """Claims in row order take a free site of their voxel; then unbinds."""

    s = model.state
    key = crandom.step_key(model.seed, crandom.PURPOSE_PLACE, model.step_index)
    for ion in model.ion_agents:
        i, t = ion.row, int(s.ion_event[ion.row])
        if t < 0 or t == K.UNBIND:
            continue
        v = model.voxel_index(s.ion_x[i], s.ion_y[i], s.ion_z[i])
        if s.n_free[t, v] == 0:
            continue
        lo = int(s.vox_start[t, v])
        m = int(s.vox_start[t, v + 1]) - lo
        j0 = int(crandom.uniform(crandom.agent_key(key, i), 0) * m)
        for k in range(m):
            site = int(s.vox_sites[lo + (j0 + k) % m])
            if s.site_species[site] == NONE:
                model.bind_site(site, i)
                break
    for ion in model.ion_agents:
        i = ion.row
        if s.ion_event[i] != K.UNBIND:
            continue
        site = int(s.ion_site[i])
        model.free_site(site, int(s.ion_species[i]))
        s.ion_state[i] = FREE
        s.ion_site[i] = -1
        s.ion_x[i], s.ion_y[i], s.ion_z[i] = s.site_x[site], s.site_y[site], s.site_z[site]


def _bath(model) -> None:

    s, pf = model.state, model.pf
    key = crandom.step_key(model.seed, crandom.PURPOSE_BIND, model.step_index)
    for site in range(int(s.type_start[0]), int(s.type_start[K.TN_CAMG + 1])):
        t, sp = int(s.site_type[site]), int(s.site_species[site])
        a = crandom.agent_key(key, site)
        if sp == NONE:
            r_ca = s.kon[t, CA] * pf[K.F_CLAMP_CA]
            rate = r_ca + s.kon[t, MG] * pf[K.F_CLAMP_MG]
            if rate > 0.0 and crandom.uniform(a, 0) < -math.expm1(-rate * pf[K.F_DT]):
                s.site_species[site] = CA if crandom.uniform(a, 1) * rate < r_ca else MG
        elif crandom.uniform(a, 0) < -math.expm1(-s.koff[t, sp] * pf[K.F_DT]):
            s.site_species[site] = NONE
