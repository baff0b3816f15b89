"""The fast engine: one numba kernel that advances the whole nerve model.

The kernel owns no state: every array (agent states, counters, records) is
owned by :class:`cellsim.nerve.model.NerveModel` and passed in.  The serial
parts of a step are the shared phase functions of :mod:`cellsim.nerve.rules`;
only the agent loops are written here, as ``prange`` loops.  Each agent's
draws are a function of (seed, purpose, step, agent index), and open-channel
counts are integer sums done serially after the loop, so the result does not
depend on the number of threads.

Each agent loop exists twice, serial and ``prange``; which one runs depends
only on the agent count, and both apply the same rule with the same draws,
so the choice never changes the result (tested).

Why one kernel for a chunk of steps rather than one call per step: a numba
call with ~30 array arguments costs tens of microseconds to dispatch, which
would dominate a 10 µs time step.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from cellsim.nerve.rules import (
    AX_ON,
    CPS,
    CX_CAV_CLOSE,
    CX_CAV_OPEN,
    CX_MG_BLOCK,
    CX_MG_UNBLOCK,
    CX_N_BLOCK,
    CX_N_CLOSE,
    CX_N_OPEN,
    CX_N_UNBLOCK,
    DOM_REST,
    IV_ACTIVE,
    NMDA_ON,
    PU_CAV_GATE,
    PU_CAV_MG,
    PU_K,
    PU_NA,
    PU_NMDA_GATE,
    PU_NMDA_MG,
    PU_REFILL,
    PU_SENSOR,
    REFILL_P,
    TERM_ON,
    axon_finish,
    axon_prepare,
    k_next,
    na_next,
    nmda_finish,
    nmda_prepare,
    record,
    sensor_next,
    site_domain_ca,
    terminal_finish,
    terminal_prepare,
    two_state_next,
)
from cellsim.random import agent_key, step_key, uniform


# The Na/K and NMDA loop bodies are written out in both the serial and the
# parallel loop: calling a per-agent jitted helper with array arguments made
# the axon loop ~4x slower (measured: 31 vs 7 µs per step for 1560 channels).
@njit(cache=True)
def _axon_serial(seed, step, na, k, na_cum, k_cum):
    """Step every Na, then every K channel agent."""
    key_na, key_k = step_key(seed, PU_NA, step), step_key(seed, PU_K, step)
    for i in range(na.shape[0]):
        na[i] = na_next(na[i], uniform(agent_key(key_na, i), 0), na_cum)
    for j in range(k.shape[0]):
        k[j] = k_next(k[j], uniform(agent_key(key_k, j), 0), k_cum)


@njit(cache=True, parallel=True)
def _axon_parallel(seed, step, na, k, na_cum, k_cum):
    """As ``_axon_serial``, one parallel region for both kinds."""
    key_na, key_k = step_key(seed, PU_NA, step), step_key(seed, PU_K, step)
    n_na = na.shape[0]
    for i in prange(n_na + k.shape[0]):
        if i < n_na:
            na[i] = na_next(na[i], uniform(agent_key(key_na, i), 0), na_cum)
        else:
            j = i - n_na
            k[j] = k_next(k[j], uniform(agent_key(key_k, j), 0), k_cum)


@njit(cache=True)
def _terminal_rest(seed, step, p, sensor, vesicle, fused, site_ca):
    """Between terminal APs: empty sites re-dock, sensors still holding Ca lose it.

    Channels are closed at rest and not stepped; serial, because few sites act.
    """
    key_r = step_key(seed, PU_REFILL, step)
    key_s = step_key(seed, PU_SENSOR, step)
    for i in range(fused.shape[0]):
        fused[i] = 0
        site_ca[i] = p[DOM_REST]
        if vesicle[i] == 0:
            if uniform(agent_key(key_r, i), 0) < p[REFILL_P]:
                vesicle[i] = 1
        elif sensor[i] > 0:  # bound Ca leaves at resting Ca (it may still fuse)
            nb = sensor_next(sensor[i], uniform(agent_key(key_s, i), 0), site_ca[i], p)
            if nb < 0:
                fused[i] = 1
                vesicle[i] = 0
                sensor[i] = 0
            else:
                sensor[i] = nb


@njit(cache=True)
def _site_one(i, keys, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca):
    """One release site during a terminal AP: its Ca channels, then its sensor or refill."""
    cps = int(p[CPS])
    fused[i] = 0
    first = i * cps
    for c in range(first, first + cps):
        gates[c] = two_state_next(
            gates[c], uniform(agent_key(keys[0], c), 0), ctx[CX_CAV_OPEN], ctx[CX_CAV_CLOSE]
        )
        blocks[c] = two_state_next(
            blocks[c], uniform(agent_key(keys[1], c), 0), ctx[CX_MG_BLOCK], ctx[CX_MG_UNBLOCK]
        )
    site_ca[i] = site_domain_ca(gates, blocks, first, cps, p)
    if vesicle[i] == 1:
        nb = sensor_next(sensor[i], uniform(agent_key(keys[2], i), 0), site_ca[i], p)
        if nb < 0:
            fused[i] = 1
            vesicle[i] = 0
            sensor[i] = 0
        else:
            sensor[i] = nb
    elif uniform(agent_key(keys[3], i), 0) < p[REFILL_P]:
        vesicle[i] = 1


@njit(cache=True)
def _site_keys(seed, step):
    keys = np.empty(4, dtype=np.uint64)
    keys[0] = step_key(seed, PU_CAV_GATE, step)
    keys[1] = step_key(seed, PU_CAV_MG, step)
    keys[2] = step_key(seed, PU_SENSOR, step)
    keys[3] = step_key(seed, PU_REFILL, step)
    return keys


@njit(cache=True)
def _sites_serial(seed, step, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca):
    """Step every release site.  Unlike the axon loops this runs only during a
    terminal AP (a few hundred sites), so the shared per-site helper is used."""
    keys = _site_keys(seed, step)
    for i in range(fused.shape[0]):
        _site_one(i, keys, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca)


@njit(cache=True, parallel=True)
def _sites_parallel(seed, step, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca):
    keys = _site_keys(seed, step)
    for i in prange(fused.shape[0]):
        _site_one(i, keys, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca)


@njit(cache=True)
def _nmda_serial(seed, step, ctx, ngate, nblock):
    """Step every NMDA receptor agent: glutamate gate, then Mg block."""
    key_g, key_b = step_key(seed, PU_NMDA_GATE, step), step_key(seed, PU_NMDA_MG, step)
    for i in range(ngate.shape[0]):
        ngate[i] = two_state_next(
            ngate[i], uniform(agent_key(key_g, i), 0), ctx[CX_N_OPEN], ctx[CX_N_CLOSE]
        )
        nblock[i] = two_state_next(
            nblock[i], uniform(agent_key(key_b, i), 0), ctx[CX_N_BLOCK], ctx[CX_N_UNBLOCK]
        )


@njit(cache=True, parallel=True)
def _nmda_parallel(seed, step, ctx, ngate, nblock):
    """As ``_nmda_serial``, in parallel."""
    key_g, key_b = step_key(seed, PU_NMDA_GATE, step), step_key(seed, PU_NMDA_MG, step)
    for i in prange(ngate.shape[0]):
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
    na,
    k,
    na_cum,
    k_cum,
    onsets,
    spikes,
    gates,
    blocks,
    sensor,
    vesicle,
    fused,
    site_ca,
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

    All arguments are arrays or scalars owned by the model; see
    :mod:`cellsim.nerve.rules` for the layouts of ``p``, ``sv``, ``iv``, ``ctx``
    and ``rec``.  ``stim``, ``glu`` and ``clamp`` hold one value per step of
    the whole run (stimulus current, glutamate 0/1, NMDA clamp voltage).
    """
    n_axon = na.shape[0] + k.shape[0]
    n_term = gates.shape[0] + fused.shape[0]
    for s in range(step0, step0 + n_steps):
        if p[AX_ON] > 0:
            axon_prepare(p, sv, na_cum, k_cum)
            if n_axon >= parallel_min:
                _axon_parallel(seed, s, na, k, na_cum, k_cum)
            else:
                _axon_serial(seed, s, na, k, na_cum, k_cum)
            axon_finish(p, sv, iv, s, stim[s], clamp[s], na, k, onsets, spikes)
        if p[TERM_ON] > 0:
            terminal_prepare(p, sv, iv, s, onsets, ctx)
            if iv[IV_ACTIVE] == 0:
                _terminal_rest(seed, s, p, sensor, vesicle, fused, site_ca)
            elif n_term >= parallel_min:
                _sites_parallel(seed, s, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca)
            else:
                _sites_serial(seed, s, p, ctx, gates, blocks, sensor, vesicle, fused, site_ca)
            terminal_finish(p, sv, iv, s, fused, site_ca, q_times, q_sites, q_per_onset, muscle)
        if p[NMDA_ON] > 0:
            nmda_prepare(p, sv, glu[s], ctx)
            if ngate.shape[0] >= parallel_min:
                _nmda_parallel(seed, s, ctx, ngate, nblock)
            else:
                _nmda_serial(seed, s, ctx, ngate, nblock)
            nmda_finish(p, sv, iv, s, clamp[s], ngate, nblock, nspikes)
        record(p, sv, iv, s, na.shape[0], k.shape[0], ngate.shape[0], rec, every)
