"""The fast engine: one numba kernel that advances the whole nerve model.

The kernel owns no state: every array (agent states, population counts, counters, records)
is owned by :class:`cellsim.nerve.model.NerveModel` and passed in.  The phases of a step
are the shared functions of :mod:`cellsim.nerve.rules`; only the agent loops are written
here.  Each agent's draws are a function of (seed, purpose, step, agent index), every
population draw of (seed, substep, family, state, exit), and open-channel counts and
quanta are integer sums done serially, so the result does not depend on the number of
threads.

The release-site loop exists twice, serial and ``prange``; which one runs depends only on
the number of sites, and both apply the same rule with the same draws, so the choice never
changes the result (tested).  The node's agent loops are short (a few representative
channels per family; the rest are state counts), so they are serial.

Loop bodies are written out rather than calling a per-site helper: a jitted call per site
with a dozen array arguments cost ~50 ns (measured: 95 µs against 6 µs per step for 1700
sites), more than the rule itself.  Why one kernel call for a chunk of steps: a numba call
with ~40 array arguments costs tens of microseconds to dispatch.
"""

from __future__ import annotations

from numba import njit, prange

from cellsim.nerve.rules import (
    AX_ON,
    CPS,
    CX_N_BLOCK,
    CX_N_CLOSE,
    CX_N_OPEN,
    CX_N_UNBLOCK,
    DOM_REST,
    DT,
    IV_ACTIVE,
    IV_NEW_ONSET,
    IV_RESTING,
    N_SUB,
    NMDA_ON,
    PU_BY_FAMILY,
    PU_CAV_GATE,
    PU_NMDA_GATE,
    PU_NMDA_MG,
    PU_POP,
    PU_SENSOR,
    REFILL_TAU,
    SHADOW,
    TERM_ON,
    add_expected,
    at,
    axon_finish,
    axon_prepare,
    cav_next,
    channel_next,
    nmda_finish,
    nmda_prepare,
    open_count,
    population_step,
    record,
    redock_ms,
    sensor_expectation_step,
    sensor_next,
    site_domain_ca,
    terminal_finish,
    terminal_onset,
    terminal_prepare,
    terminal_rest,
    two_state_next,
)
from cellsim.random import agent_key, step_key, uniform


@njit(cache=True)
def _sites_serial(
    seed, step, p, ctx, cav_cum, gates, sensor, vesicle, fused, site_ca, redock, active
):
    """Every release site: its Ca channels (``active`` 1: during the AP), then its sensor."""
    key_gate, key_sensor = step_key(seed, PU_CAV_GATE, step), step_key(seed, PU_SENSOR, step)
    cps = int(p[CPS])
    for i in range(fused.shape[0]):
        fused[i] = 0
        if active == 1:
            first = i * cps
            for c in range(first, first + cps):
                gates[c] = cav_next(gates[c], uniform(agent_key(key_gate, c), 0), cav_cum)
            site_ca[i] = site_domain_ca(gates, first, cps, p, ctx)
        else:
            site_ca[i] = p[DOM_REST]
        if vesicle[i] == 1 and (active == 1 or sensor[i] > 0):
            nb = sensor_next(sensor[i], uniform(agent_key(key_sensor, i), 0), site_ca[i], p)
            if nb < 0:
                fused[i] = 1
                vesicle[i] = 0
                sensor[i] = 0
                redock[i] = redock_ms(seed, step, i, (step + 1) * p[DT], p[REFILL_TAU])
            else:
                sensor[i] = nb


@njit(cache=True, parallel=True)
def _sites_parallel(
    seed, step, p, ctx, cav_cum, gates, sensor, vesicle, fused, site_ca, redock, active
):
    """As ``_sites_serial``, in parallel (the same body, the same draws)."""
    key_gate, key_sensor = step_key(seed, PU_CAV_GATE, step), step_key(seed, PU_SENSOR, step)
    cps = int(p[CPS])
    for i in prange(fused.shape[0]):
        fused[i] = 0
        if active == 1:
            first = i * cps
            for c in range(first, first + cps):
                gates[c] = cav_next(gates[c], uniform(agent_key(key_gate, c), 0), cav_cum)
            site_ca[i] = site_domain_ca(gates, first, cps, p, ctx)
        else:
            site_ca[i] = p[DOM_REST]
        if vesicle[i] == 1 and (active == 1 or sensor[i] > 0):
            nb = sensor_next(sensor[i], uniform(agent_key(key_sensor, i), 0), site_ca[i], p)
            if nb < 0:
                fused[i] = 1
                vesicle[i] = 0
                sensor[i] = 0
                redock[i] = redock_ms(seed, step, i, (step + 1) * p[DT], p[REFILL_TAU])
            else:
                sensor[i] = nb


@njit(cache=True)
def _expected(p, site_ca, shadow, expected_step, active):
    """The expected-release observer: every site's sensor as a probability vector."""
    for i in range(site_ca.shape[0]):
        expected_step[i] = sensor_expectation_step(shadow[i], site_ca[i], p, active)


@njit(cache=True)
def _nmda(seed, step, ctx, ngate, nblock):
    """Step every NMDA receptor agent: glutamate gate, then Mg block."""
    key_g, key_b = step_key(seed, PU_NMDA_GATE, step), step_key(seed, PU_NMDA_MG, step)
    for i in range(ngate.shape[0]):
        ngate[i] = two_state_next(
            ngate[i], uniform(agent_key(key_g, i), 0), ctx[CX_N_OPEN], ctx[CX_N_CLOSE]
        )
        nblock[i] = two_state_next(
            nblock[i], uniform(agent_key(key_b, i), 0), ctx[CX_N_BLOCK], ctx[CX_N_UNBLOCK]
        )


@njit(cache=True, nogil=True)  # lets other threads (e.g. a Dask worker's) run
def advance(
    step0,
    n_steps,
    seed,
    p,
    sv,
    iv,
    ctx,
    stim,
    glu,
    clamp,
    agents,
    counts,
    table,
    rates,
    stays,
    cum,
    delta,
    n_open,
    n_channels,
    onsets,
    spikes,
    cav_cum,
    gates,
    sensor,
    vesicle,
    fused,
    site_ca,
    redock,
    shadow,
    expected_step,
    expected,
    docked,
    q_times,
    q_sites,
    q_per_onset,
    muscle,
    ngate,
    nblock,
    nspikes,
    rec,
    every,
    parallel_min,
):
    """Advance the model by ``n_steps`` steps starting at step index ``step0``.

    All arguments are arrays or scalars owned by the model; see :mod:`cellsim.nerve.rules`
    for the layouts of ``p``, ``sv``, ``iv``, ``ctx`` and ``rec``.  ``agents`` and ``counts``
    are tuples of one array per channel family (agents' states; the population's counts per
    state).  ``stim``, ``glu`` and ``clamp`` hold one value per step of the run (or one
    value when their part does not read them).
    """
    n_sub = int(p[N_SUB])
    for s in range(step0, step0 + n_steps):
        if p[AX_ON] > 0:
            i_stim, v_clamp = at(stim, s), at(clamp, s)
            for sub in range(n_sub):
                substep = s * n_sub + sub
                axon_prepare(p, sv, table, rates, stays, cum)
                for f in range(4):
                    rows = agents[f]
                    if rows.shape[0] > 0:
                        key = step_key(seed, PU_BY_FAMILY[f], substep)
                        for i in range(rows.shape[0]):
                            rows[i] = channel_next(f, rows[i], uniform(agent_key(key, i), 0), cum)
                pop_key = step_key(seed, PU_POP, substep)
                for f in range(4):
                    if counts[f].shape[0] > 0:
                        population_step(f, counts[f], cum, pop_key, delta)
                    n_open[f] = open_count(f, agents[f], counts[f])
                axon_finish(p, sv, iv, s, sub, i_stim, v_clamp, n_open, onsets, spikes)
        if p[TERM_ON] > 0:
            terminal_prepare(p, sv, iv, s, onsets, ctx, cav_cum)
            if iv[IV_NEW_ONSET] > 0:
                terminal_onset(p, iv, s, gates, vesicle, sensor, redock, shadow, docked)
            active = iv[IV_ACTIVE]
            if active == 0:
                if iv[IV_RESTING] == 0:  # the first step at rest: every site rests
                    terminal_rest(fused, site_ca, p[DOM_REST])
            else:
                if fused.shape[0] >= parallel_min:
                    _sites_parallel(
                        seed,
                        s,
                        p,
                        ctx,
                        cav_cum,
                        gates,
                        sensor,
                        vesicle,
                        fused,
                        site_ca,
                        redock,
                        active,
                    )
                else:
                    _sites_serial(
                        seed,
                        s,
                        p,
                        ctx,
                        cav_cum,
                        gates,
                        sensor,
                        vesicle,
                        fused,
                        site_ca,
                        redock,
                        active,
                    )
                if p[SHADOW] > 0:
                    _expected(p, site_ca, shadow, expected_step, active)
                    add_expected(iv, expected_step, expected)
            terminal_finish(p, sv, iv, s, fused, site_ca, q_times, q_sites, q_per_onset, muscle)
        if p[NMDA_ON] > 0:
            nmda_prepare(p, sv, at(glu, s), ctx)
            _nmda(seed, s, ctx, ngate, nblock)
            nmda_finish(p, sv, iv, s, at(clamp, s), ngate, nblock, nspikes)
        record(p, sv, iv, s, n_channels, ngate.shape[0], rec, every)
