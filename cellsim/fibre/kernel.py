"""numba kernels for the fibre: arrays and scalars in, arrays updated in place.

One time step applies these phases in order (the reference engine,
``FibreModel._reference_step`` with the agents of :mod:`cellsim.fibre.agents`,
applies the same rules agent by agent):

1. RyR gating: closed channels open (AP-driven, Mg-inhibited; or resting,
   strongly Mg-inhibited), open channels close.
2. Release: each open RyR releases a Poisson number of SR ions at its mouth;
   a passive leak releases ions onto the longitudinal-SR wall.
3. Ions (in chunks of rows; chunks with nothing to move are skipped): a bound
   ion tests unbinding; a free ion moves (Brownian, reflecting walls) and
   tests binding to the free sites of its voxel, with probabilities tabulated
   once per step and voxel (unbinding ones once per run).  Each ion only
   writes its own row and its chunk's list of intentions (claim of a site
   type, or unbind).
4. Resolution (serial, in ion-row order, so independent of threads): claims
   take a free site of the claimed type in the voxel if one is left; then
   unbinds free their sites.  A site freed this step is not taken this step.
5. SERCA: a pump with both Ca slots filled transports both ions into the SR,
   at a rate scaled by Mg-ATP availability (free Mg).
6. Parvalbumin moves (every ``pv_substeps`` steps) and its voxel lists rebuild.
7. Regulatory units (synchronous): permissive transitions depend on
   Ca on their two regulatory sites and on their neighbours' state; crossbridges
   attach to permissive units and hold them on.
8. Sarcomere length relaxes towards a force-dependent target.

Mg ions move and react every ``mg_substeps`` steps with the longer step
(multirate stepping; Mg is a near-uniform reservoir with slow site kinetics).

All randomness comes from :mod:`cellsim.random`, keyed by (seed, purpose,
step, row), so thread count and iteration order never change a result.

``advance`` runs all phases on one thread; ``advance_threaded`` runs phases 3
and 7 in parallel (``prange``) and is otherwise the same code.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from cellsim.random import (
    PURPOSE_BIND,
    PURPOSE_CHANNEL,
    PURPOSE_FILAMENT,
    PURPOSE_MOVE,
    PURPOSE_PLACE,
    PURPOSE_PUMP,
    PURPOSE_RELEASE,
    agent_key,
    draws32,
    high32,
    low32,
    normal,
    normal32,
    poisson,
    step_key,
    uniform,
    unit32,
)

# Site types, species and ion states (mirrors cellsim.fibre.state; kept here so
# the kernel imports numpy/numba only).
TN_REG, TN_CAMG, PV, SERCA = 0, 1, 2, 3
N_SITE_TYPES = 4
NONE, CA, MG = 0, 1, 2
FREE, BOUND, IN_SR = 0, 1, 2
UNBIND = 9
#: Ions are stepped in chunks of this many rows; each chunk lists its own events
#: (claims, unbinds) so the serial resolution visits events, not every ion, and
#: still in row order whatever the thread count.
EVENT_CHUNK = 1024
#: Regulatory units are updated in blocks of this many (one call per block).
RU_BLOCK = 1024

# Indices into the float parameter vector ``pf`` built by model.pack_parameters.
(
    F_DT,
    F_LX,
    F_LY,
    F_LZ,
    F_SIG_CA,
    F_SIG_MG,
    F_SIG_PV,
    F_CONC_PER_SITE,
    F_PPU,
    F_RYR_K_AP,
    F_RYR_K_CLOSE,
    F_RYR_WINDOW,
    F_RYR_KI_AP,
    F_RYR_K_REST,
    F_RYR_KI_REST,
    F_RYR_HILL,
    F_RYR_FLUX,
    F_LEAK,
    F_SERCA_KTR,
    F_SERCA_MG_HALF,
    F_RU_KON,
    F_RU_ONE_CA,
    F_RU_KOFF,
    F_RU_GAMMA,
    F_XB_ATTACH,
    F_XB_DETACH,
    F_SL_REST,
    F_SL_SHORT,
    F_SL_TAU,
    F_CLAMP_CA,
    F_CLAMP_MG,
    F_DUTY_MAX,
    F_INV_VX,
    F_INV_VY,
    F_INV_VZ,
) = range(35)
N_F = 35
# Indices into the int parameter vector ``pi``.
(
    I_NX,
    I_NY,
    I_NZ,
    I_MG_SUB,
    I_PV_SUB,
    I_RU_PER_CHAIN,
    I_N_PUMPS,
    I_SR0,
    I_N_CA,
    I_N_MG,
    I_CLAMP,
) = range(11)
N_I = 11


@njit(cache=True, inline="always")
def reflect(x, length):
    """Reflect a coordinate into [0, length] (walls are mirrors)."""
    if -length <= x <= 2.0 * length:  # at most one reflection: the usual case, branch-free
        return min(abs(x), 2.0 * length - abs(x))
    while x < 0.0 or x > length:
        if x < 0.0:
            x = -x
        if x > length:
            x = 2.0 * length - x
    return x


@njit(cache=True, inline="always")
def voxel_of(x, y, z, inv_x, inv_y, inv_z, nx, ny, nz):
    """Voxel of a position, given voxels per µm and the grid size."""
    ix = min(int(x * inv_x), nx - 1)
    iy = min(int(y * inv_y), ny - 1)
    iz = min(int(z * inv_z), nz - 1)
    return (ix * ny + iy) * nz + iz


@njit(cache=True, inline="always")
def voxel_index(x, y, z, pf, pi):
    """Voxel of a position: the same arithmetic as Geometry.voxel_of."""
    return voxel_of(x, y, z, pf[F_INV_VX], pf[F_INV_VY], pf[F_INV_VZ], pi[I_NX], pi[I_NY], pi[I_NZ])


@njit(cache=True, inline="always")
def prob(rate, dt):
    """Probability of at least one event of a Poisson process in dt."""
    return -math.expm1(-rate * dt)


@njit(cache=True)
def free_mg_uM(bound_count, pf, pi):
    """Free Mg from the conserved total minus bound ions."""
    bound = 0
    for t in range(N_SITE_TYPES):
        bound += bound_count[t, MG]
    return (pi[I_N_MG] - bound) / pf[F_PPU]


@njit(cache=True)
def ryr_phase(step, seed, time_ms, last_ap_ms, mg_uM, ryr_open, pf):
    """Gate every RyR channel once (serial: few channels)."""
    dt = pf[F_DT]
    k_ap = 0.0
    if last_ap_ms >= 0.0 and time_ms - last_ap_ms < pf[F_RYR_WINDOW]:
        k_ap = pf[F_RYR_K_AP] / (1.0 + mg_uM / pf[F_RYR_KI_AP])
    k_rest = pf[F_RYR_K_REST] / (1.0 + (mg_uM / pf[F_RYR_KI_REST]) ** pf[F_RYR_HILL])
    p_open = prob(k_ap + k_rest, dt)
    p_close = prob(pf[F_RYR_K_CLOSE], dt)
    key = step_key(seed, PURPOSE_CHANNEL, step)
    for r in range(ryr_open.shape[0]):
        u = uniform(agent_key(key, r), 0)
        if ryr_open[r] == 1:
            if u < p_close:
                ryr_open[r] = 0
        elif u < p_open:
            ryr_open[r] = 1


@njit(cache=True)
def release_phase(
    step, seed, ryr_open, ryr_y, ryr_z, ion_x, ion_y, ion_z, ion_state, chunk_ca, sr_stack,
    sr_count, pf, pi,
):  # fmt: skip
    """Open RyRs and the passive leak move SR ions into the cytosol (serial)."""
    dt = pf[F_DT]
    sr_fraction = sr_count[0] / max(pi[I_SR0], 1)
    key = step_key(seed, PURPOSE_RELEASE, step)
    n_ryr = ryr_open.shape[0]
    for r in range(n_ryr + 1):
        a = agent_key(key, r)
        if r < n_ryr:
            if ryr_open[r] == 0:
                continue
            n = poisson(a, 0, pf[F_RYR_FLUX] * dt * sr_fraction)
        else:
            n = poisson(a, 0, pf[F_LEAK] * dt * sr_fraction)
        for k in range(n):
            if sr_count[0] == 0:
                return
            sr_count[0] -= 1
            i = sr_stack[sr_count[0]]
            ion_state[i] = FREE
            chunk_ca[i // EVENT_CHUNK] += 1
            if r < n_ryr:  # at the channel mouth, within the first 20 nm
                ion_x[i] = 0.02 * uniform(a, 1 + 2 * k)
                ion_y[i] = ryr_y[r]
                ion_z[i] = ryr_z[r]
            else:  # anywhere on the longitudinal-SR wall
                ion_x[i] = uniform(a, 1 + 2 * k) * pf[F_LX]
                ion_y[i] = pf[F_LY] * (1.0 - 1e-9)
                ion_z[i] = uniform(a, 2 + 2 * k) * pf[F_LZ]


@njit(cache=True)
def unbinding_table(koff, p_unbind, pf, pi):
    """Probability that a bound ion leaves its site in one of its steps, per site
    type and species (Mg steps every ``mg_substeps``).  Constant for a run."""
    for t in range(N_SITE_TYPES):
        p_unbind[t, CA] = prob(koff[t, CA], pf[F_DT])
        p_unbind[t, MG] = prob(koff[t, MG], pf[F_DT] * pi[I_MG_SUB])


@njit(cache=True)
def binding_tables(step, n_free, kon, bind_weight, p_bind, pf, pi):
    """This step's binding tables, per species and voxel: the weight Σ kon·free sites
    and the probability of binding.

    Free sites only change between ion phases, so computing these once per step
    (O(voxels)) spares every ion a sum over site types and an ``expm1``.  Mg
    rows are refreshed only on the steps Mg moves.
    """
    dt = pf[F_DT]
    cps = pf[F_CONC_PER_SITE]
    mg_active = step % pi[I_MG_SUB] == 0
    for sp in (CA, MG):
        if sp == MG and not mg_active:
            continue
        h = dt if sp == CA else dt * pi[I_MG_SUB]
        for v in range(n_free.shape[1]):
            weight = 0.0
            for t in range(N_SITE_TYPES):
                weight += kon[t, sp] * n_free[t, v]
            bind_weight[sp, v] = weight
            p_bind[sp, v] = prob(weight * cps, h)


@njit(cache=True, inline="always")
def choose_site_type(kon, n_free, sp, v, target):
    """The site type a binding ion claims: type t with probability ∝ kon·free sites.

    ``target`` is uniform on [0, Σ kon·free sites) of the ion's voxel.
    """
    event = -1
    cumulative = 0.0
    for t in range(N_SITE_TYPES):
        part = kon[t, sp] * n_free[t, v]
        cumulative += part
        if part > 0.0:
            event = t
            if target < cumulative:
                break
    return event


@njit(cache=True)
def _ion_chunk(c, key, mg_active, ions, site_type, n_free, rates, pf, pi):
    """Rows of chunk c: move free ions and decide their binding; bound ions test unbinding.

    Each ion costs one hash (bound) or two (free): the agent key's 64 bits and
    ``bits(a, 0)`` give three 32-bit normals and the 32-bit binding uniform.
    Writes only its rows of the ion arrays and its own chunk's event list: safe
    in parallel and independent of the thread count.
    """
    (
        ion_x, ion_y, ion_z, ion_species, ion_state, ion_site, ion_event, event_rows, event_count,
        chunk_ca, chunk_mg,
    ) = ions  # fmt: skip
    if chunk_ca[c] == 0 and (chunk_mg[c] == 0 or not mg_active):
        event_count[c] = 0  # nothing to move: all Ca in the SR, Mg resting this step
        return
    kon, _koff, bind_weight, p_bind, p_unbind = rates
    # locals, not pf[...] in the loop: stores to ion_x could alias pf for LLVM
    sig_ca = pf[F_SIG_CA]
    sig_mg = pf[F_SIG_MG]
    lx = pf[F_LX]
    ly = pf[F_LY]
    lz = pf[F_LZ]
    inv_x = pf[F_INV_VX]
    inv_y = pf[F_INV_VY]
    inv_z = pf[F_INV_VZ]
    nx = pi[I_NX]
    ny = pi[I_NY]
    nz = pi[I_NZ]
    lo = c * EVENT_CHUNK
    n_events = 0
    for i in range(lo, min(lo + EVENT_CHUNK, ion_x.shape[0])):
        state = ion_state[i]
        sp = ion_species[i]
        if state == IN_SR or (sp == MG and not mg_active):
            continue
        event = -1
        a = agent_key(key, i)
        if state == BOUND:
            if unit32(high32(a)) < p_unbind[site_type[ion_site[i]], sp]:
                event = UNBIND
        else:
            d0, d1, d2, d3 = draws32(a)
            sigma = sig_ca if sp == CA else sig_mg
            x = reflect(ion_x[i] + sigma * normal32(d0, a, 1), lx)
            y = reflect(ion_y[i] + sigma * normal32(d1, a, 2), ly)
            z = reflect(ion_z[i] + sigma * normal32(d2, a, 3), lz)
            ion_x[i] = x
            ion_y[i] = y
            ion_z[i] = z
            v = voxel_of(x, y, z, inv_x, inv_y, inv_z, nx, ny, nz)
            if unit32(d3) < p_bind[sp, v]:
                target = uniform(a, 4) * bind_weight[sp, v]
                event = choose_site_type(kon, n_free, sp, v, target)
        if event >= 0:
            ion_event[i] = event
            event_rows[lo + n_events] = i
            n_events += 1
    event_count[c] = n_events


# Each phase that runs in parallel exists twice: a serial version, used by
# one-thread runs, and a threaded one (prange).  A function that merely
# contains a parallel loop starts numba's thread pool when it is loaded, which
# costs a launch per step at one thread and, with GNU OpenMP, makes the process
# unsafe to fork (sweeps fork their local workers).  The twins share the body,
# a plain call per chunk of rows: with ``inline="always"`` inside a prange loop
# numba 0.68 wrote the chunks' event counts to the wrong places.


@njit(cache=True)
def ion_phase(step, seed, ions, site_type, n_free, rates, pf, pi):
    """Ions, chunk after chunk (see _ion_chunk)."""
    key = step_key(seed, PURPOSE_MOVE, step)
    mg_active = step % pi[I_MG_SUB] == 0
    for c in range(ions[8].shape[0]):
        _ion_chunk(c, key, mg_active, ions, site_type, n_free, rates, pf, pi)


@njit(cache=True, parallel=True)
def ion_phase_threaded(step, seed, ions, site_type, n_free, rates, pf, pi, n_threads):
    """Ions, chunks in parallel (see _ion_chunk).

    numba hands each thread one contiguous range of the loop; visiting the
    chunks interleaved (thread t gets chunks t, t + T, ...) shares the cheap
    rows (bound ions, which sit first) and the idle ones (SR) fairly.
    """
    key = step_key(seed, PURPOSE_MOVE, step)
    mg_active = step % pi[I_MG_SUB] == 0
    n_chunks = ions[8].shape[0]
    per_thread = (n_chunks + n_threads - 1) // n_threads
    for k in prange(per_thread * n_threads):
        c = (k % per_thread) * n_threads + k // per_thread
        if c < n_chunks:
            _ion_chunk(c, key, mg_active, ions, site_type, n_free, rates, pf, pi)


@njit(cache=True)
def resolve_phase(
    step,
    seed,
    ion_x,
    ion_y,
    ion_z,
    ion_species,
    ion_state,
    ion_site,
    ion_event,
    event_rows,
    event_count,
    site_x,
    site_y,
    site_z,
    site_type,
    site_species,
    site_occupant,
    site_voxel,
    vox_start,
    vox_sites,
    n_free,
    bound_count,
    pf,
    pi,
):
    """Apply claims (lowest row first), then unbinds (serial, deterministic).

    Visits only the rows the ion phase listed, chunk by chunk: row order.
    """
    key = step_key(seed, PURPOSE_PLACE, step)
    for c in range(event_count.shape[0]):
        lo = c * EVENT_CHUNK
        for k in range(event_count[c]):
            i = event_rows[lo + k]
            t = ion_event[i]
            if t == UNBIND:
                continue
            v = voxel_index(ion_x[i], ion_y[i], ion_z[i], pf, pi)
            if n_free[t, v] == 0:
                continue  # another ion took the last free site this step
            lo_site = vox_start[t, v]
            m = vox_start[t, v + 1] - lo_site
            j0 = int(uniform(agent_key(key, i), 0) * m)
            for j in range(m):
                s = vox_sites[lo_site + (j0 + j) % m]
                if site_species[s] == NONE:
                    sp = ion_species[i]
                    site_species[s] = sp
                    site_occupant[s] = i
                    n_free[t, v] -= 1
                    bound_count[t, sp] += 1
                    ion_state[i] = BOUND
                    ion_site[i] = s
                    break
    for c in range(event_count.shape[0]):
        lo = c * EVENT_CHUNK
        for k in range(event_count[c]):
            i = event_rows[lo + k]
            if ion_event[i] != UNBIND:
                continue
            s = ion_site[i]
            t = site_type[s]
            site_species[s] = NONE
            site_occupant[s] = -1
            n_free[t, site_voxel[s]] += 1
            bound_count[t, ion_species[i]] -= 1
            ion_state[i] = FREE
            ion_site[i] = -1
            ion_x[i] = site_x[s]
            ion_y[i] = site_y[s]
            ion_z[i] = site_z[s]


@njit(cache=True)
def serca_phase(
    step,
    seed,
    mg_uM,
    ion_state,
    ion_site,
    chunk_ca,
    site_species,
    site_occupant,
    site_voxel,
    type_start,
    n_free,
    bound_count,
    sr_stack,
    sr_count,
    pf,
    pi,
):
    """Pumps with both slots Ca-loaded transport them into the SR (serial)."""
    f_mg = mg_uM / (mg_uM + pf[F_SERCA_MG_HALF])
    p_transport = prob(pf[F_SERCA_KTR] * f_mg, pf[F_DT])
    key = step_key(seed, PURPOSE_PUMP, step)
    base = type_start[SERCA]
    for q in range(pi[I_N_PUMPS]):
        s0 = base + 2 * q
        if site_species[s0] != CA or site_species[s0 + 1] != CA:
            continue
        if uniform(agent_key(key, q), 0) >= p_transport:
            continue
        for s in (s0, s0 + 1):
            i = site_occupant[s]
            site_species[s] = NONE
            site_occupant[s] = -1
            n_free[SERCA, site_voxel[s]] += 1
            bound_count[SERCA, CA] -= 1
            ion_state[i] = IN_SR
            ion_site[i] = -1
            chunk_ca[i // EVENT_CHUNK] -= 1
            sr_stack[sr_count[0]] = i
            sr_count[0] += 1


@njit(cache=True)
def move_sites_phase(step, seed, site_x, site_y, site_z, site_voxel, lo, hi, pf, pi):
    """Brownian motion of mobile sites (parvalbumin) in rows lo..hi."""
    key = step_key(seed, PURPOSE_MOVE, step)
    sigma = pf[F_SIG_PV]
    for s in range(lo, hi):
        a = agent_key(key, s + 1_000_000_000)  # rows of sites, not ions
        site_x[s] = reflect(site_x[s] + sigma * normal(a, 0), pf[F_LX])
        site_y[s] = reflect(site_y[s] + sigma * normal(a, 1), pf[F_LY])
        site_z[s] = reflect(site_z[s] + sigma * normal(a, 2), pf[F_LZ])
        site_voxel[s] = voxel_index(site_x[s], site_y[s], site_z[s], pf, pi)


@njit(cache=True)
def rebuild_voxel_lists(t, site_voxel, site_species, type_start, vox_start, vox_sites, n_free):
    """Counting sort of the sites of type t by voxel (stable: row order kept)."""
    lo = type_start[t]
    hi = type_start[t + 1]
    n_vox = n_free.shape[1]
    counts = np.zeros(n_vox + 1, dtype=np.int64)
    for v in range(n_vox):
        n_free[t, v] = 0
    for s in range(lo, hi):
        counts[site_voxel[s] + 1] += 1
        if site_species[s] == NONE:
            n_free[t, site_voxel[s]] += 1
    vox_start[t, 0] = lo
    for v in range(n_vox):
        vox_start[t, v + 1] = vox_start[t, v] + counts[v + 1]
    fill = vox_start[t, :n_vox].copy()
    for s in range(lo, hi):
        v = site_voxel[s]
        vox_sites[fill[v]] = s
        fill[v] += 1


@njit(cache=True)
def bath_phase(step, seed, site_type, site_species, lo, hi, kon, koff, pf):
    """Skinned-fibre clamp: sites exchange with a buffered bath of fixed Ca, Mg."""
    dt = pf[F_DT]
    ca = pf[F_CLAMP_CA]
    mg = pf[F_CLAMP_MG]
    key = step_key(seed, PURPOSE_BIND, step)
    for s in range(lo, hi):
        t = site_type[s]
        a = agent_key(key, s)
        sp = site_species[s]
        if sp == NONE:
            r_ca = kon[t, CA] * ca
            rate = r_ca + kon[t, MG] * mg
            if rate > 0.0 and uniform(a, 0) < prob(rate, dt):
                site_species[s] = CA if uniform(a, 1) * rate < r_ca else MG
        elif uniform(a, 0) < prob(koff[t, sp], dt):
            site_species[s] = NONE


@njit(cache=True)
def _regulatory_block(b, key, site_species, reg_start, fil, pf, pi):
    """Next state of the regulatory units of block b and their crossbridges.

    Writes the *_next arrays of its own units; returns how many of its
    crossbridges are attached after the update.
    """
    ru_perm, ru_xb, ru_perm_next, ru_xb_next, _sarcomere = fil
    dt = pf[F_DT]
    per_chain = pi[I_RU_PER_CHAIN]
    gamma = pf[F_RU_GAMMA]
    p_attach = prob(pf[F_XB_ATTACH], dt)
    p_detach = prob(pf[F_XB_DETACH], dt)
    attached = 0
    for r in range(b * RU_BLOCK, min((b + 1) * RU_BLOCK, ru_perm.shape[0])):
        j = r % per_chain
        n_on = 0
        n_off = 0
        if j > 0:
            if ru_perm[r - 1] == 1:
                n_on += 1
            else:
                n_off += 1
        if j < per_chain - 1:
            if ru_perm[r + 1] == 1:
                n_on += 1
            else:
                n_off += 1
        s0 = reg_start + 2 * r
        n_ca = 0
        if site_species[s0] == CA:
            n_ca += 1
        if site_species[s0 + 1] == CA:
            n_ca += 1
        a = agent_key(key, r)  # one hash: two 32-bit uniforms
        u_perm = unit32(low32(a))
        u_xb = unit32(high32(a))
        perm = ru_perm[r]
        xb = ru_xb[r]
        xb_new = xb
        if xb == 1:
            if u_xb < p_detach:
                xb_new = 0
        elif perm == 1 and u_xb < p_attach:
            xb_new = 1
        perm_new = perm
        if perm == 0:
            drive = 1.0 if n_ca == 2 else (pf[F_RU_ONE_CA] if n_ca == 1 else 0.0)
            if drive > 0.0:
                g = 1.0 / gamma  # gamma^(n_on - 1): symmetric about one neighbour
                for _ in range(n_on):
                    g *= gamma
                if u_perm < prob(pf[F_RU_KON] * drive * g, dt):
                    perm_new = 1
        elif xb == 0 and xb_new == 0:  # attached crossbridges hold the unit on
            g = 1.0 / gamma
            for _ in range(n_off):
                g *= gamma
            if u_perm < prob(pf[F_RU_KOFF] * g, dt):
                perm_new = 0
        ru_perm_next[r] = perm_new
        ru_xb_next[r] = xb_new
        attached += xb_new
    return attached


@njit(cache=True)
def filament_phase(step, seed, site_species, reg_start, fil, pf, pi):
    """Regulatory units and crossbridges, updated synchronously.

    Returns the number of attached crossbridges after the update.
    """
    key = step_key(seed, PURPOSE_FILAMENT, step)
    attached = 0
    for b in range((fil[0].shape[0] + RU_BLOCK - 1) // RU_BLOCK):
        attached += _regulatory_block(b, key, site_species, reg_start, fil, pf, pi)
    fil[0][:] = fil[2]
    fil[1][:] = fil[3]
    return attached


@njit(cache=True, parallel=True)
def filament_phase_threaded(step, seed, site_species, reg_start, fil, pf, pi):
    """filament_phase with blocks of units in parallel."""
    key = step_key(seed, PURPOSE_FILAMENT, step)
    attached = 0
    for b in prange((fil[0].shape[0] + RU_BLOCK - 1) // RU_BLOCK):
        attached += _regulatory_block(b, key, site_species, reg_start, fil, pf, pi)
    fil[0][:] = fil[2]
    fil[1][:] = fil[3]
    return attached


@njit(cache=True)
def sarcomere_update(sl_um, force_fraction, pf):
    """Length relaxes (time constant sl_tau) towards rest minus force-driven shortening."""
    target = pf[F_SL_REST] - pf[F_SL_SHORT] * min(force_fraction, 1.0)
    return sl_um + (target - sl_um) * pf[F_DT] / pf[F_SL_TAU]


@njit(cache=True)
def count_chunk_work(ions):
    """Per chunk of rows, Ca ions out of the SR and Mg ions (the rows to visit).

    Recounted at each kernel call, then kept by release and SERCA, so that the
    ion phase skips chunks with nothing to move: SR ions at rest, and Mg ions on
    the steps between their substeps.  Skipping changes no result.
    """
    ion_species, ion_state, chunk_ca, chunk_mg = ions[3], ions[4], ions[9], ions[10]
    chunk_ca[:] = 0
    chunk_mg[:] = 0
    for i in range(ion_species.shape[0]):
        c = i // EVENT_CHUNK
        if ion_species[i] == MG:
            chunk_mg[c] += 1
        elif ion_state[i] != IN_SR:
            chunk_ca[c] += 1


@njit(cache=True)
def phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi):
    """RyR gating, release and the step's binding tables; returns free Mg (µM)."""
    ion_x, ion_y, ion_z, ion_state, chunk_ca = ions[0], ions[1], ions[2], ions[4], ions[9]
    n_free, bound_count = sites[10], sites[11]
    kon, _koff, bind_weight, p_bind, _p_unbind = rates
    sr_stack, sr_count, ryr_open, ryr_y, ryr_z = sr
    time_ms = step * pf[F_DT]
    last_ap = -1.0
    for k in range(ap_times_ms.shape[0]):
        if ap_times_ms[k] <= time_ms:
            last_ap = ap_times_ms[k]
    mg_uM = free_mg_uM(bound_count, pf, pi)
    ryr_phase(step, seed, time_ms, last_ap, mg_uM, ryr_open, pf)
    release_phase(
        step, seed, ryr_open, ryr_y, ryr_z, ion_x, ion_y, ion_z, ion_state, chunk_ca, sr_stack,
        sr_count, pf, pi,
    )  # fmt: skip
    binding_tables(step, n_free, kon, bind_weight, p_bind, pf, pi)
    return mg_uM


@njit(cache=True)
def phases_after_ions(step, seed, mg_uM, ions, sites, sr, pf, pi):
    """Resolution of the ions' claims and unbinds, SERCA, parvalbumin motion."""
    (
        ion_x, ion_y, ion_z, ion_species, ion_state, ion_site, ion_event, event_rows, event_count,
        chunk_ca, _chunk_mg,
    ) = ions  # fmt: skip
    (
        site_x, site_y, site_z, site_type, site_species, site_occupant, site_voxel,
        type_start, vox_start, vox_sites, n_free, bound_count,
    ) = sites  # fmt: skip
    sr_stack, sr_count = sr[0], sr[1]
    resolve_phase(
        step, seed, ion_x, ion_y, ion_z, ion_species, ion_state, ion_site, ion_event,
        event_rows, event_count, site_x, site_y, site_z, site_type, site_species,
        site_occupant, site_voxel, vox_start, vox_sites, n_free, bound_count, pf, pi,
    )  # fmt: skip
    serca_phase(
        step, seed, mg_uM, ion_state, ion_site, chunk_ca, site_species, site_occupant,
        site_voxel, type_start, n_free, bound_count, sr_stack, sr_count, pf, pi,
    )  # fmt: skip
    if step % pi[I_PV_SUB] == 0 and type_start[PV + 1] > type_start[PV]:
        move_sites_phase(
            step, seed, site_x, site_y, site_z, site_voxel, type_start[PV],
            type_start[PV + 1], pf, pi,
        )  # fmt: skip
        rebuild_voxel_lists(PV, site_voxel, site_species, type_start, vox_start, vox_sites, n_free)


@njit(cache=True)
def clamp_phase(step, seed, sites, rates, pf):
    """Skinned-fibre clamp: troponin exchanges with the bath (no ions, no SR)."""
    type_start = sites[7]
    bath_phase(
        step, seed, sites[3], sites[4], type_start[TN_REG], type_start[TN_CAMG + 1],
        rates[0], rates[1], pf,
    )  # fmt: skip


@njit(cache=True)
def force_and_length(attached, fil, pf):
    """Force fraction from attached crossbridges; the sarcomere length follows it."""
    force = attached / (fil[0].shape[0] * pf[F_DUTY_MAX])
    sarcomere = fil[4]
    sarcomere[0] = sarcomere_update(sarcomere[0], force, pf)
    return force


@njit(cache=True, nogil=True)  # lets other threads (e.g. a Dask worker's) run
def advance(step0, n_steps, seed, ap_times_ms, ions, sites, rates, sr, fil, pf, pi):
    """Run steps step0 .. step0 + n_steps - 1 (all phases) on one thread; return force.

    The groups of arrays are those of :meth:`cellsim.fibre.model.FibreModel.kernel_arrays`.
    """
    count_chunk_work(ions)
    force = 0.0
    for step in range(step0, step0 + n_steps):
        if pi[I_CLAMP] == 1:
            clamp_phase(step, seed, sites, rates, pf)
        else:
            mg_uM = phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi)
            ion_phase(step, seed, ions, sites[3], sites[10], rates, pf, pi)
            phases_after_ions(step, seed, mg_uM, ions, sites, sr, pf, pi)
        attached = filament_phase(step, seed, sites[4], sites[7][TN_REG], fil, pf, pi)
        force = force_and_length(attached, fil, pf)
    return force


@njit(cache=True, nogil=True)
def advance_threaded(
    step0, n_steps, seed, ap_times_ms, ions, sites, rates, sr, fil, pf, pi, n_threads
):
    """advance() with the ion and filament phases on ``n_threads`` of numba's threads
    (set with ``numba.set_num_threads``); same results."""
    count_chunk_work(ions)
    force = 0.0
    for step in range(step0, step0 + n_steps):
        if pi[I_CLAMP] == 1:
            clamp_phase(step, seed, sites, rates, pf)
        else:
            mg_uM = phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi)
            ion_phase_threaded(step, seed, ions, sites[3], sites[10], rates, pf, pi, n_threads)
            phases_after_ions(step, seed, mg_uM, ions, sites, sr, pf, pi)
        attached = filament_phase_threaded(step, seed, sites[4], sites[7][TN_REG], fil, pf, pi)
        force = force_and_length(attached, fil, pf)
    return force


@njit(cache=True)
def observe(
    ion_species,
    ion_state,
    site_type,
    site_species,
    type_start,
    sr_count,
    ryr_open,
    ru_xb,
    sarcomere,
    pf,
    out,
):
    """Fill ``out`` with the recorded quantities (see model.OBSERVABLES)."""
    ppu = pf[F_PPU]
    n_free_ca = 0
    n_free_mg = 0
    for i in range(ion_state.shape[0]):
        if ion_state[i] == FREE:
            if ion_species[i] == CA:
                n_free_ca += 1
            else:
                n_free_mg += 1
    out[0] = n_free_ca / ppu
    out[1] = n_free_mg / ppu
    k = 2
    for t in range(N_SITE_TYPES):
        lo = type_start[t]
        hi = type_start[t + 1]
        n_ca = 0
        n_mg = 0
        for s in range(lo, hi):
            if site_species[s] == CA:
                n_ca += 1
            elif site_species[s] == MG:
                n_mg += 1
        total = max(hi - lo, 1)
        out[k] = n_ca / total
        out[k + 1] = n_mg / total
        k += 2
    out[k] = sr_count[0] / ppu
    n_open = 0
    for r in range(ryr_open.shape[0]):
        n_open += ryr_open[r]
    out[k + 1] = n_open / max(ryr_open.shape[0], 1)
    attached = 0
    for r in range(ru_xb.shape[0]):
        attached += ru_xb[r]
    out[k + 2] = attached / (max(ru_xb.shape[0], 1) * pf[F_DUTY_MAX])
    out[k + 3] = sarcomere[0]
