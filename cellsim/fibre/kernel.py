"""numba kernels for the fibre: arrays and scalars in, arrays updated in place.

One time step applies these phases in order (the reference engine,
:mod:`cellsim.fibre.reference` with the agents of :mod:`cellsim.fibre.agents`,
applies the same rules agent by agent):

0. Scalars of the step, from counts: free Mg, Mg-ATP, Ca-ATP per x-slab and so free
   ATP, free Ca of the triadic slab, free SR Ca (calsequestrin in rapid equilibrium).
1. RyR gating: a coupled channel's voltage sensor follows the action potential
   (time constant ``ap_tau``); it is open when its sensor is active, no Mg sits on its
   inhibitory site and it is not inactivated.  An uncoupled channel opens with a
   probability set by Ca and Mg at its activation site and Mg at its inhibitory site.
   Ca inactivates channels (an open one sees its own Ca domain); they recover slowly.
2. Release: each open RyR releases a Poisson number of SR ions at its mouth, in
   proportion to free SR Ca; a passive leak releases ions onto the longitudinal-SR
   wall; on Mg steps, Mg-ATP complexes dissociate (the Mg-ATP pool is well mixed).
3. Ions (in chunks of rows; chunks with nothing to do are skipped).  A Ca ion in the
   cytosol is bound to ATP this step with the rapid-equilibrium probability of its
   slab (it then moves as ATP does and binds nothing else) or free (it moves as Ca
   and tests binding to the free sites of its voxel).  On substeps (every
   ``mg_substeps`` steps, with the longer step) bound ions test unbinding and free Mg
   ions move and bind (sites or ATP).  Each ion only writes its own row and its
   chunk's lists and counts.
4. Resolution (serial, in ion-row order, so independent of threads): claims take a
   free site of the claimed type in the voxel if one is left (a pump's second site
   only when its first holds Ca); a Mg claim of ATP joins the Mg-ATP pool; then
   unbinds free their sites (a pump's first site keeps its Ca while the second is
   filled).  A site freed this step is not taken this step.
5. SERCA: a pump with both sites Ca-loaded transports both ions into the SR, at a
   rate set by Mg-ATP (with free ATP competing).
6. Parvalbumin moves (every ``pv_substeps`` steps) and its voxel lists rebuild.
7. Regulatory units (synchronous): a unit switches on with Ca on its regulatory
   sites, helped by permissive neighbours; a free unit switches off helped by
   non-permissive neighbours; an attached crossbridge holds its unit on, and the unit
   lets go (detaching it) once its TnC has lost Ca, at ``xb_hold_factor`` of the rate.
8. Sarcomere length relaxes towards a force-dependent target.

Mg ions move and react, and bound ions test unbinding, every ``mg_substeps`` steps with
the longer step (multirate stepping: Mg is a near-uniform reservoir, and every off rate
is slow next to the step).

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
    PURPOSE_BATH,
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
    move_draws_block,
    normal32,
    poisson,
    step_key,
    uniform,
    unit32,
)

# Site types, species and ion states (mirrors cellsim.fibre.state; kept here so
# the kernel imports numpy/numba only).
TN_REG, TN_CAMG, PV, SERCA, SERCA2 = 0, 1, 2, 3, 4
N_SITE_TYPES = 5
#: A Mg ion's claim of ATP (not a site type: ATP is a field, not agents).
ATP_CLAIM = N_SITE_TYPES
NONE, CA, MG = 0, 1, 2
FREE, BOUND, IN_SR, ON_ATP = 0, 1, 2, 3
UNBIND = 9
#: Ions are stepped in chunks of this many rows; each chunk lists its own events
#: (claims, unbinds) so the serial resolution visits events, not every ion, and
#: still in row order whatever the thread count.
EVENT_CHUNK = 1024
#: Within a chunk, rows are visited in blocks of this many: a block with no cytosolic Ca
#: (and, between substeps, whatever its Mg or bound ions) is skipped without reading
#: its rows.  At rest a few dozen Ca ions are in the cytosol among ~10⁵ rows in the
#: SR, so skipping by chunk alone would still read ~10⁴ rows per step.
WORK_BLOCK = 64
BLOCKS_PER_CHUNK = EVENT_CHUNK // WORK_BLOCK
#: A block with at least this many rows to act draws its random numbers in bulk first
#: (cellsim.random.move_draws_block: vector instructions); a sparser one draws per row.
BULK_DRAWS_MIN = 16
#: Clamp: the step of a site's next bath event when it has none (no rate), and when
#: it is yet to be drawn (after a change of bath); sites are visited in blocks of
#: BATH_BLOCK, skipped while the block's earliest event is later.
NEVER = 2**62
UNSCHEDULED = -1
BATH_BLOCK = 64
#: Regulatory units are updated in blocks of this many (one call per block).
RU_BLOCK = 1024
#: The threaded kernel updates the units in parallel from this many blocks up (below
#: it, serially: the region would cost about as much as the work it shares out).
THREADED_UNIT_BLOCKS = 8
#: Release streams of one step: RyR rows, then the leak, then Mg-ATP dissociation.
POOL_STREAM_OFFSET = 1
#: Largest mean drawn at once for a Poisson count (inversion stays exact below it).
POISSON_PIECE = 20.0

# Indices into the float parameter vector ``pf`` built by model.pack_parameters.
(
    F_DT, F_LX, F_LY, F_LZ, F_SIG_CA, F_SIG_MG, F_SIG_PV, F_SIG_ATP, F_CONC_PER_SITE, F_PPU,
    F_AP_DURATION, F_AP_TAU, F_RYR_KD_MG_AP, F_RYR_UNIT, F_CDI_K, F_CDI_KD, F_CDI_DOMAIN,
    F_CDI_KREC, F_CA_SR_REST, F_RYR_KA, F_RYR_KA_MG, F_RYR_KI_MG, F_RYR_PO_MAX, F_LEAK,
    F_SR_VOLUME, F_CSQ_SITES, F_CSQ_KD, F_ATP_TOTAL, F_ATP_KD_CA, F_ATP_KON_MG, F_ATP_KOFF_MG,
    F_SERCA_KCAT, F_SERCA_KM_MGATP, F_SERCA_KI_ATP, F_RU_KON, F_RU_ONE_CA, F_RU_KOFF,
    F_RU_GAMMA, F_XB_ATTACH, F_XB_DETACH, F_XB_HOLD, F_SL_REST, F_SL_SHORT, F_SL_TAU,
    F_CLAMP_CA, F_CLAMP_MG, F_DUTY_MAX, F_INV_VX, F_INV_VY, F_INV_VZ,
) = range(50)  # fmt: skip
N_F = 50
# Indices into the int parameter vector ``pi``.
(
    I_NX, I_NY, I_NZ, I_MG_SUB, I_PV_SUB, I_RU_PER_CHAIN, I_N_PUMPS, I_N_CA, I_N_MG, I_CLAMP,
    I_REG_PER_RU,
) = range(11)  # fmt: skip
N_I = 11
# Indices into the step's scalars ``sc`` (written by step_scalars, read by later phases).
# (S_RELEASED accumulates the ions released through RyRs over the run.)
(
    S_MG_FREE, S_MG_ATP, S_CA_SR_FREE, S_CA_TRIAD, S_SERCA_FACTOR, S_AP_ON, S_CA_ATP,
    S_RELEASED,
) = range(8)  # fmt: skip
N_S = 8

#: The decorator of kernels that only other kernels call.  numba gives every function a
#: CPython wrapper (unboxing each argument: a dozen arrays for the phases) and a C
#: wrapper; for these nothing needs either, and generating them cost a first run several
#: seconds of compiling.  Calling one of them from Python would crash the interpreter, so
#: ``tests/house`` checks that no module outside the kernels does.
inner = njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True)


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
def poisson_count(key, draw0, mean):
    """A Poisson count of any mean: a sum of pieces of mean <= POISSON_PIECE (exact)."""
    if mean <= 0.0:
        return 0
    pieces = math.ceil(mean / POISSON_PIECE)
    n = 0
    for k in range(pieces):
        n += poisson(key, draw0 + k, mean / pieces)
    return n


# ---------------------------------------------------------------- mean-field helpers
@inner
def sr_free_uM(sr_total_myo_uM, pf):
    """Free SR Ca (µM of SR volume) from the SR content (µM of myoplasm), with
    calsequestrin in rapid equilibrium: c + B c / (c + K) = total / v_SR."""
    total = sr_total_myo_uM / pf[F_SR_VOLUME]
    b, k = pf[F_CSQ_SITES], pf[F_CSQ_KD]
    # c² + (b + k - total) c - k total = 0, positive root (stable form)
    q = b + k - total
    disc = math.sqrt(q * q + 4.0 * k * total)
    if q >= 0.0:
        return 2.0 * k * total / (q + disc)
    return 0.5 * (disc - q)


@inner
def serca_factor(mgatp_uM, atp_free_uM, pf):
    """Mg-ATP activation of the pump, with free ATP competing: MgATP / (MgATP + K (1 + ATP/Ki))."""
    km = pf[F_SERCA_KM_MGATP]
    if km <= 0.0:
        return 1.0  # Mg-ATP dependence knocked out
    return mgatp_uM / (mgatp_uM + km * (1.0 + atp_free_uM / pf[F_SERCA_KI_ATP]))


@njit(cache=True)
def ryr_rest_open(ca_uM, mg_uM, pf):
    """Open probability of a Ca/Mg-gated (uncoupled) channel: Ca at its activation site
    competed by Mg, times Mg off its low-affinity inhibitory site (Hill 2)."""
    a = ca_uM / pf[F_RYR_KA]
    act = a / (1.0 + a + mg_uM / pf[F_RYR_KA_MG])
    r = mg_uM / pf[F_RYR_KI_MG]
    return pf[F_RYR_PO_MAX] * act / (1.0 + r * r)


@njit(cache=True)
def cdi_rate(ca_uM, pf):
    """Rate of Ca-dependent inactivation for Ca ``ca_uM`` at the channel (Hill 2)."""
    c2 = ca_uM * ca_uM
    kd = pf[F_CDI_KD]
    return pf[F_CDI_K] * c2 / (c2 + kd * kd)


@inner
def ap_on(time_ms, ap_times_ms, pf):
    """1 while an action potential drives the voltage sensors, else 0."""
    for k in range(ap_times_ms.shape[0]):
        t0 = ap_times_ms[k]
        if t0 <= time_ms < t0 + pf[F_AP_DURATION]:
            return 1
    return 0


@njit(cache=True)
def step_scalars(time_ms, ap_times_ms, ions, sites, sr, sc, atp_free, pf, pi):
    """This step's scalars from counts (phase 0); ``atp_free`` (µM) per x-slab."""
    chunk_catp, chunk_triad, chunk_counted = ions[11], ions[12], ions[15]
    bound_count = sites[11]
    sr_count, mg_pool_count = sr[1], sr[9]
    ppu = pf[F_PPU]
    nx = pi[I_NX]
    bound_mg = 0
    for t in range(N_SITE_TYPES):
        bound_mg += bound_count[t, MG]
    sc[S_MG_FREE] = (pi[I_N_MG] - bound_mg - mg_pool_count[0]) / ppu
    sc[S_MG_ATP] = mg_pool_count[0] / ppu
    # only chunks the last ion phase counted hold Ca (integer sums: order is free)
    catp = np.zeros(nx, dtype=np.int64)
    triad = 0
    for c in range(chunk_triad.shape[0]):
        if chunk_counted[c]:
            triad += chunk_triad[c]
            for ix in range(nx):
                catp[ix] += chunk_catp[c, ix]
    sc[S_CA_TRIAD] = triad / (ppu / nx)
    sc[S_CA_SR_FREE] = sr_free_uM(sr_count[0] / ppu, pf)
    total_catp = 0
    mean_free = 0.0
    for ix in range(nx):
        n = catp[ix]
        total_catp += n
        free = pf[F_ATP_TOTAL] - sc[S_MG_ATP] - n / (ppu / nx)
        atp_free[ix] = max(free, 0.0)
        mean_free += atp_free[ix] / nx
    sc[S_CA_ATP] = total_catp / ppu
    sc[S_SERCA_FACTOR] = serca_factor(sc[S_MG_ATP], mean_free, pf)
    sc[S_AP_ON] = ap_on(time_ms, ap_times_ms, pf)


# ---------------------------------------------------------------- RyR and release
@inner
def ryr_phase(step, seed, sc, ryr_open, ryr_sensor, ryr_inact, ryr_coupled, pf):
    """Gate every RyR channel once (serial: few channels)."""
    dt = pf[F_DT]
    mg = sc[S_MG_FREE]
    c0 = sc[S_CA_TRIAD]
    p_sensor = prob(1.0 / pf[F_AP_TAU], dt)
    p_unblocked = 1.0 / (1.0 + mg / pf[F_RYR_KD_MG_AP])
    p_rest = ryr_rest_open(c0, mg, pf)
    c_domain = c0 + pf[F_CDI_DOMAIN] * max(sc[S_CA_SR_FREE] - c0, 0.0)
    p_inact_open = prob(cdi_rate(c_domain, pf), dt)
    p_inact_closed = prob(cdi_rate(c0, pf), dt)
    p_recover = prob(pf[F_CDI_KREC], dt)
    ap = sc[S_AP_ON] > 0.5
    key = step_key(seed, PURPOSE_CHANNEL, step)
    for r in range(ryr_open.shape[0]):
        a = agent_key(key, r)
        u_sensor = uniform(a, 0)
        u_open = uniform(a, 1)
        u_cdi = uniform(a, 2)
        if ryr_coupled[r] == 1:
            if ap:
                if ryr_sensor[r] == 0 and u_sensor < p_sensor:
                    ryr_sensor[r] = 1
            elif ryr_sensor[r] == 1 and u_sensor < p_sensor:
                ryr_sensor[r] = 0
            is_open = ryr_sensor[r] == 1 and ryr_inact[r] == 0 and u_open < p_unblocked
        else:
            is_open = ryr_inact[r] == 0 and u_open < p_rest
        if ryr_inact[r] == 1:
            if u_cdi < p_recover:
                ryr_inact[r] = 0
        elif u_cdi < (p_inact_open if is_open else p_inact_closed):
            ryr_inact[r] = 1
        ryr_open[r] = 1 if is_open else 0


@inner
def release_phase(step, seed, sc, ions, sr, pf, pi):
    """Open RyRs and the passive leak move SR ions into the cytosol; on Mg steps
    Mg-ATP complexes dissociate (serial)."""
    ion_x, ion_y, ion_z, ion_state = ions[0], ions[1], ions[2], ions[4]
    chunk_ca, chunk_sub, block_ca, block_sub = ions[9], ions[10], ions[13], ions[14]
    sr_stack, sr_count, ryr_open, ryr_y, ryr_z = sr[0], sr[1], sr[2], sr[3], sr[4]
    mg_pool, mg_pool_count = sr[8], sr[9]
    dt = pf[F_DT]
    gradient = max(sc[S_CA_SR_FREE] - sc[S_CA_TRIAD], 0.0)
    key = step_key(seed, PURPOSE_RELEASE, step)
    n_ryr = ryr_open.shape[0]
    for r in range(n_ryr + 1):
        a = agent_key(key, r)
        if r < n_ryr:
            if ryr_open[r] == 0:
                continue
            n = poisson_count(a, 0, pf[F_RYR_UNIT] * gradient * dt)
        else:
            n = poisson_count(a, 0, pf[F_LEAK] * sc[S_CA_SR_FREE] * dt)
        for k in range(n):
            if sr_count[0] == 0:
                break
            sr_count[0] -= 1
            i = sr_stack[sr_count[0]]
            ion_state[i] = FREE
            count_work(chunk_ca, block_ca, i, 1)
            if r < n_ryr:  # at the channel mouth, within the first 20 nm
                sc[S_RELEASED] += 1.0
                ion_x[i] = 0.02 * uniform(a, 1001 + 2 * k)
                ion_y[i] = ryr_y[r]
                ion_z[i] = ryr_z[r]
            else:  # anywhere on the longitudinal-SR wall
                ion_x[i] = uniform(a, 1001 + 2 * k) * pf[F_LX]
                ion_y[i] = pf[F_LY] * (1.0 - 1e-9)
                ion_z[i] = uniform(a, 1002 + 2 * k) * pf[F_LZ]
    if step % pi[I_MG_SUB] != 0:
        return
    a = agent_key(key, n_ryr + POOL_STREAM_OFFSET)
    h = dt * pi[I_MG_SUB]
    n = poisson_count(a, 0, mg_pool_count[0] * prob(pf[F_ATP_KOFF_MG], h))
    for k in range(n):
        if mg_pool_count[0] == 0:
            break
        mg_pool_count[0] -= 1
        i = mg_pool[mg_pool_count[0]]
        ion_state[i] = FREE
        count_work(chunk_sub, block_sub, i, 1)
        ion_x[i] = uniform(a, 100_001 + 3 * k) * pf[F_LX]  # the pool is well mixed
        ion_y[i] = uniform(a, 100_002 + 3 * k) * pf[F_LY]
        ion_z[i] = uniform(a, 100_003 + 3 * k) * pf[F_LZ]


# ---------------------------------------------------------------- binding tables
@njit(cache=True)
def unbinding_table(koff, p_unbind, pf, pi):
    """Probability that a bound ion leaves its site in one of its steps, per site
    type and species (bound ions act every ``mg_substeps`` steps).  Constant for a run."""
    for t in range(N_SITE_TYPES):
        p_unbind[t, CA] = prob(koff[t, CA], pf[F_DT] * pi[I_MG_SUB])
        p_unbind[t, MG] = prob(koff[t, MG], pf[F_DT] * pi[I_MG_SUB])


@njit(cache=True)
def binding_tables(step, n_free, kon, bind_weight, p_bind, f_atp, atp_free, pf, pi):
    """This step's binding tables, per species and voxel: the weight Σ kon·free sites
    (with ATP for Mg) and the probability of binding; and per x-slab the fraction of
    cytosolic Ca on ATP (rapid equilibrium, Kd = k_off / k_on).

    Free sites only change between ion phases, so computing these once per step
    (O(voxels)) spares every ion a sum over site types and an ``expm1``.  Mg
    rows are refreshed only on the steps Mg moves.
    """
    dt = pf[F_DT]
    cps = pf[F_CONC_PER_SITE]
    per_slab = pi[I_NY] * pi[I_NZ]
    for ix in range(pi[I_NX]):
        kappa = atp_free[ix] / pf[F_ATP_KD_CA] if pf[F_ATP_KD_CA] > 0.0 else 0.0
        f_atp[ix] = kappa / (1.0 + kappa)
    mg_active = step % pi[I_MG_SUB] == 0
    for sp in (CA, MG):
        if sp == MG and not mg_active:
            continue
        h = dt if sp == CA else dt * pi[I_MG_SUB]
        for v in range(n_free.shape[1]):
            weight = 0.0
            for t in range(N_SITE_TYPES):
                weight += kon[t, sp] * n_free[t, v]
            if sp == MG:
                weight += pf[F_ATP_KON_MG] * atp_free[v // per_slab] / cps
            bind_weight[sp, v] = weight
            p_bind[sp, v] = prob(weight * cps, h)


@njit(cache=True, inline="always")
def choose_site_type(kon, n_free, sp, v, target):
    """The site type a binding ion claims: type t with probability ∝ kon·free sites
    (ATP_CLAIM for the rest of the weight: Mg binding ATP).

    ``target`` is uniform on [0, Σ weights) of the ion's voxel.
    """
    event = ATP_CLAIM
    cumulative = 0.0
    for t in range(N_SITE_TYPES):
        part = kon[t, sp] * n_free[t, v]
        cumulative += part
        if part > 0.0 and target < cumulative:
            return t
    if sp == CA:  # Ca never claims ATP: round-off at the top of the range
        for t in range(N_SITE_TYPES - 1, -1, -1):
            if kon[t, sp] * n_free[t, v] > 0.0:
                return t
    return event


# ---------------------------------------------------------------- ions
@njit(cache=True, inline="always")
def count_work(per_chunk, per_block, i, change):
    """Ion i joins (+1) or leaves (-1) a kind of work: the tallies of its chunk and of its
    block of rows (``ions[9], ions[13]``: cytosolic Ca, visited every step;
    ``ions[10], ions[14]``: free Mg and bound ions, visited on substeps).

    Callers take the arrays from the tuple once, outside their loops: taking an array
    from a tuple costs reference counting, more than this update.
    """
    per_chunk[i // EVENT_CHUNK] += change
    per_block[i // WORK_BLOCK] += change


@njit(cache=True, inline="always")
def bulk_scratch():
    """Room for one block's bulk draws (see cellsim.random.move_draws_block): made once per
    step by the serial ion phase, once per chunk by the threaded one (each its own)."""
    return (
        np.empty(WORK_BLOCK, dtype=np.int64),
        np.empty((3, WORK_BLOCK)),
        np.empty(WORK_BLOCK),
        np.zeros(WORK_BLOCK, dtype=np.bool_),
    )


@inner
def _ion_chunk(c, key, sub_active, ions, sites, rates, pf, pi, scratch):
    """Rows of chunk c: move cytosolic ions and decide their binding; bound ions test
    unbinding (on substeps, like free Mg: the slow part of the system).  ``scratch`` holds
    a busy block's bulk draws (:func:`bulk_scratch`).

    Each ion costs one hash (bound) or two (cytosolic): the agent key's 64 bits and
    ``bits(a, 0)`` give three 32-bit normals and one 32-bit uniform, which decides
    both the Ca-ATP state and binding.  Writes only its rows of the ion arrays and
    its own chunk's event list and counts: safe in parallel and independent of the
    thread count.
    """
    (
        ion_x, ion_y, ion_z, ion_species, ion_state, ion_site, ion_event, event_rows, event_count,
        _chunk_ca, _chunk_sub, chunk_catp, chunk_triad, block_ca, block_sub, _counted,
    ) = ions  # fmt: skip
    site_type, site_species, type_start = sites[3], sites[4], sites[7]
    n_free = sites[10]
    nx = pi[I_NX]
    for ix in range(nx):
        chunk_catp[c, ix] = 0
    chunk_triad[c] = 0
    ions[15][c] = 1
    kon, _koff, bind_weight, p_bind, p_unbind, f_atp = (
        rates[0], rates[1], rates[2], rates[3], rates[4], rates[5],
    )  # fmt: skip
    # locals, not pf[...] in the loop: stores to ion_x could alias pf for LLVM
    sig_ca = pf[F_SIG_CA]
    sig_mg = pf[F_SIG_MG]
    sig_atp = pf[F_SIG_ATP]
    lx = pf[F_LX]
    ly = pf[F_LY]
    lz = pf[F_LZ]
    inv_x = pf[F_INV_VX]
    inv_y = pf[F_INV_VY]
    inv_z = pf[F_INV_VZ]
    ny = pi[I_NY]
    nz = pi[I_NZ]
    per_slab = ny * nz
    partner_offset = type_start[SERCA2] - type_start[SERCA]
    lo = c * EVENT_CHUNK
    n_events = 0
    n_rows = ion_x.shape[0]
    keys, normals, units, inside = scratch
    for b in range(c * BLOCKS_PER_CHUNK, min((c + 1) * BLOCKS_PER_CHUNK, block_ca.shape[0])):
        active = block_ca[b] + (block_sub[b] if sub_active else 0)
        if active == 0:
            continue  # no row of this block acts this step
        b_lo = b * WORK_BLOCK
        b_hi = min(b_lo + WORK_BLOCK, n_rows)
        # a busy block draws its numbers in bulk (vector instructions), a sparse one per row
        bulk = active >= BULK_DRAWS_MIN
        if bulk:
            move_draws_block(key, b_lo, b_hi - b_lo, keys, normals, units, inside)
        for i in range(b_lo, b_hi):
            state = ion_state[i]
            sp = ion_species[i]
            if state == IN_SR or (sp == MG and state == ON_ATP):
                continue  # stored in the SR, or Mg in the Mg-ATP pool
            if (state == BOUND or sp == MG) and not sub_active:
                continue  # bound ions and free Mg act on substeps only
            event = -1
            j = i - b_lo
            a = keys[j] if bulk else agent_key(key, i)
            if state == BOUND:
                s = ion_site[i]
                t = site_type[s]
                # a pump's first site keeps its Ca while the second holds one
                first_held = t == SERCA and site_species[s + partner_offset] != NONE
                if unit32(high32(a)) < p_unbind[t, sp] and not first_held:
                    event = UNBIND
            else:
                if bulk and inside[j]:
                    u = units[j]
                    n0, n1, n2 = normals[0, j], normals[1, j], normals[2, j]
                else:
                    d0, d1, d2, d3 = draws32(a)
                    u = unit32(d3)
                    n0, n1, n2 = normal32(d0, a, 1), normal32(d1, a, 2), normal32(d2, a, 3)
                x0 = ion_x[i]
                sigma = sig_mg
                f = 0.0
                on_atp = False
                if sp == CA:
                    ix0 = min(int(x0 * inv_x), nx - 1)
                    f = f_atp[ix0]
                    on_atp = u < f
                    sigma = sig_atp if on_atp else sig_ca
                x = reflect(x0 + sigma * n0, lx)
                y = reflect(ion_y[i] + sigma * n1, ly)
                z = reflect(ion_z[i] + sigma * n2, lz)
                ion_x[i] = x
                ion_y[i] = y
                ion_z[i] = z
                v = voxel_of(x, y, z, inv_x, inv_y, inv_z, nx, ny, nz)
                if on_atp:
                    ion_state[i] = ON_ATP
                    chunk_catp[c, v // per_slab] += 1
                else:
                    ion_state[i] = FREE
                    if sp == CA and v < per_slab:
                        chunk_triad[c] += 1
                    # u is uniform on [f, 1) here: rescaled, it is the binding test
                    if u - f < (1.0 - f) * p_bind[sp, v]:
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


@inner
def _clear_chunk(c, ions):
    """An idle chunk's event list and Ca counts are emptied (once: until it is counted again)."""
    chunk_catp = ions[11]
    ions[15][c] = 0
    ions[8][c] = 0
    ions[12][c] = 0
    for ix in range(chunk_catp.shape[1]):
        chunk_catp[c, ix] = 0


# A chunk is idle this step when it holds no cytosolic Ca and it is a step between
# substeps or it holds no free Mg or bound ion.  The test reads arrays taken from the
# tuple once, before the loop: taking them inside it (as an inlined helper would) costs
# reference counting per chunk, ten times the test itself.


@inner
def ion_phase(step, seed, ions, sites, rates, pf, pi):
    """Ions, chunk after chunk (see _ion_chunk)."""
    key = step_key(seed, PURPOSE_MOVE, step)
    sub_active = step % pi[I_MG_SUB] == 0
    chunk_ca, chunk_sub, chunk_counted = ions[9], ions[10], ions[15]
    scratch = bulk_scratch()
    for c in range(chunk_ca.shape[0]):
        if chunk_ca[c] > 0 or (sub_active and chunk_sub[c] > 0):
            _ion_chunk(c, key, sub_active, ions, sites, rates, pf, pi, scratch)
        elif chunk_counted[c]:
            _clear_chunk(c, ions)


@njit(cache=True, parallel=True)
def ion_phase_threaded(step, seed, ions, sites, rates, pf, pi, n_threads):
    """Ions, chunks in parallel (see _ion_chunk).

    numba hands each thread one contiguous range of the loop; visiting the
    chunks interleaved (thread t gets chunks t, t + T, ...) shares the cheap
    rows (bound ions, which sit first) and the idle ones (SR) fairly.
    """
    key = step_key(seed, PURPOSE_MOVE, step)
    sub_active = step % pi[I_MG_SUB] == 0
    chunk_ca, chunk_sub, chunk_counted = ions[9], ions[10], ions[15]
    n_chunks = chunk_ca.shape[0]
    per_thread = (n_chunks + n_threads - 1) // n_threads
    for k in prange(per_thread * n_threads):
        c = (k % per_thread) * n_threads + k // per_thread
        if c >= n_chunks:
            continue
        if chunk_ca[c] > 0 or (sub_active and chunk_sub[c] > 0):
            _ion_chunk(c, key, sub_active, ions, sites, rates, pf, pi, bulk_scratch())
        elif chunk_counted[c]:
            _clear_chunk(c, ions)


# ---------------------------------------------------------------- resolution
@njit(cache=True, inline="always")
def _site_available(s, t, site_species, partner_offset):
    """A free site that may be taken: a pump's second site only if its first holds Ca."""
    if site_species[s] != NONE:
        return False
    return t != SERCA2 or site_species[s - partner_offset] == CA


@njit(cache=True)
def bind_ion(i, s, ions, sites, partner_offset):
    """Ion i takes site s (bookkeeping shared by the resolution and the reference)."""
    ion_species, ion_state, ion_site = ions[3], ions[4], ions[5]
    site_type, site_species, site_occupant, site_voxel = sites[3], sites[4], sites[5], sites[6]
    n_free, bound_count = sites[10], sites[11]
    t = site_type[s]
    sp = ion_species[i]
    site_species[s] = sp
    site_occupant[s] = i
    n_free[t, site_voxel[s]] -= 1
    bound_count[t, sp] += 1
    ion_state[i] = BOUND
    ion_site[i] = s
    if t == SERCA and sp == CA:  # the pump's second site becomes available
        b = s + partner_offset
        if site_species[b] == NONE:
            n_free[SERCA2, site_voxel[b]] += 1


@njit(cache=True)
def release_site(s, sites, partner_offset):
    """Site s loses its ion (the ion's own row is the caller's)."""
    site_type, site_species, site_occupant, site_voxel = sites[3], sites[4], sites[5], sites[6]
    n_free, bound_count = sites[10], sites[11]
    t = site_type[s]
    bound_count[t, site_species[s]] -= 1
    site_species[s] = NONE
    site_occupant[s] = -1
    if t == SERCA:
        n_free[SERCA, site_voxel[s]] += 1
        b = s + partner_offset
        if site_species[b] == NONE:  # the second site is no longer available
            n_free[SERCA2, site_voxel[b]] -= 1
    elif t == SERCA2:
        if site_species[s - partner_offset] == CA:
            n_free[SERCA2, site_voxel[s]] += 1
    else:
        n_free[t, site_voxel[s]] += 1


@inner
def resolve_phase(step, seed, sc, ions, sites, sr, pf, pi):
    """Apply claims (lowest row first), then unbinds (serial, deterministic).

    Visits only the rows the ion phase listed, chunk by chunk: row order.
    """
    ion_x, ion_y, ion_z, ion_species = ions[0], ions[1], ions[2], ions[3]
    ion_state, ion_site, ion_event = ions[4], ions[5], ions[6]
    event_rows, event_count = ions[7], ions[8]
    chunk_ca, chunk_sub, block_ca, block_sub = ions[9], ions[10], ions[13], ions[14]
    site_x, site_y, site_z, site_type, site_species = (
        sites[0],
        sites[1],
        sites[2],
        sites[3],
        sites[4],
    )
    type_start, vox_start, vox_sites, n_free = sites[7], sites[8], sites[9], sites[10]
    mg_pool, mg_pool_count = sr[8], sr[9]
    partner_offset = type_start[SERCA2] - type_start[SERCA]
    atp_room = (pf[F_ATP_TOTAL] - sc[S_CA_ATP]) * pf[F_PPU] - mg_pool_count[0]
    key = step_key(seed, PURPOSE_PLACE, step)
    for c in range(event_count.shape[0]):
        lo = c * EVENT_CHUNK
        for k in range(event_count[c]):
            i = event_rows[lo + k]
            t = ion_event[i]
            if t == UNBIND:
                continue
            if t == ATP_CLAIM:  # Mg joins the Mg-ATP pool
                if atp_room >= 1.0:
                    atp_room -= 1.0
                    ion_state[i] = ON_ATP
                    mg_pool[mg_pool_count[0]] = i
                    mg_pool_count[0] += 1
                    count_work(chunk_sub, block_sub, i, -1)
                continue
            v = voxel_index(ion_x[i], ion_y[i], ion_z[i], pf, pi)
            if n_free[t, v] == 0:
                continue  # another ion took the last free site this step
            lo_site = vox_start[t, v]
            m = vox_start[t, v + 1] - lo_site
            j0 = int(uniform(agent_key(key, i), 0) * m)
            for j in range(m):
                s = vox_sites[lo_site + (j0 + j) % m]
                if _site_available(s, t, site_species, partner_offset):
                    bind_ion(i, s, ions, sites, partner_offset)
                    if ion_species[i] == CA:  # a bound Ca ion acts on substeps
                        count_work(chunk_ca, block_ca, i, -1)
                        count_work(chunk_sub, block_sub, i, 1)
                    break
    for c in range(event_count.shape[0]):
        lo = c * EVENT_CHUNK
        for k in range(event_count[c]):
            i = event_rows[lo + k]
            if ion_event[i] != UNBIND:
                continue
            s = np.int64(ion_site[i])  # int64, as serca_phase's: one release_site compiled
            if site_type[s] == SERCA and site_species[s + partner_offset] != NONE:
                continue  # the second site was taken this step: the first keeps its Ca
            release_site(s, sites, partner_offset)
            ion_state[i] = FREE
            ion_site[i] = -1
            if ion_species[i] == CA:
                count_work(chunk_ca, block_ca, i, 1)
                count_work(chunk_sub, block_sub, i, -1)
            ion_x[i] = site_x[s]
            ion_y[i] = site_y[s]
            ion_z[i] = site_z[s]


@inner
def serca_phase(step, seed, sc, ions, sites, sr, pf, pi):
    """Pumps with both sites Ca-loaded transport them into the SR (serial)."""
    ion_state, ion_site, chunk_sub, block_sub = ions[4], ions[5], ions[10], ions[14]
    site_species, site_occupant, type_start = sites[4], sites[5], sites[7]
    sr_stack, sr_count = sr[0], sr[1]
    partner_offset = type_start[SERCA2] - type_start[SERCA]
    p_transport = prob(pf[F_SERCA_KCAT] * sc[S_SERCA_FACTOR], pf[F_DT])
    key = step_key(seed, PURPOSE_PUMP, step)
    base = type_start[SERCA]
    for q in range(pi[I_N_PUMPS]):
        s0 = base + q
        s1 = s0 + partner_offset
        if site_species[s0] != CA or site_species[s1] != CA:
            continue
        if uniform(agent_key(key, q), 0) >= p_transport:
            continue
        for s in (s1, s0):  # second site first: the first then frees the pump
            i = site_occupant[s]
            release_site(s, sites, partner_offset)
            ion_state[i] = IN_SR
            ion_site[i] = -1
            count_work(chunk_sub, block_sub, i, -1)
            sr_stack[sr_count[0]] = i
            sr_count[0] += 1


# ---------------------------------------------------------------- parvalbumin, bath
@inner
def move_sites_phase(step, seed, site_x, site_y, site_z, site_voxel, lo, hi, pf, pi):
    """Brownian motion of mobile sites (parvalbumin) in rows lo..hi."""
    key = step_key(seed, PURPOSE_MOVE, step)
    sigma = pf[F_SIG_PV]
    for s in range(lo, hi):
        a = agent_key(key, s + 1_000_000_000)  # rows of sites, not ions
        d0, d1, d2, _d3 = draws32(a)  # two hashes for three normals, as for ions
        site_x[s] = reflect(site_x[s] + sigma * normal32(d0, a, 1), pf[F_LX])
        site_y[s] = reflect(site_y[s] + sigma * normal32(d1, a, 2), pf[F_LY])
        site_z[s] = reflect(site_z[s] + sigma * normal32(d2, a, 3), pf[F_LZ])
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
def bath_tables(kon, koff, pf):
    """Per site type, for the clamp's bath: the binding rate of Ca and of Ca and Mg
    together (ms⁻¹), the probability of binding in one step, and per occupant species the
    probability of leaving in one step.  Constant while the bath is."""
    dt = pf[F_DT]
    n_types = kon.shape[0]
    r_ca = np.empty(n_types)
    rate = np.empty(n_types)
    p_bind = np.empty(n_types)
    p_off = np.zeros((n_types, 3))
    for t in range(n_types):
        r_ca[t] = kon[t, CA] * pf[F_CLAMP_CA]
        rate[t] = r_ca[t] + kon[t, MG] * pf[F_CLAMP_MG]
        p_bind[t] = prob(rate[t], dt)
        for sp in (CA, MG):
            p_off[t, sp] = prob(koff[t, sp], dt)
    return r_ca, rate, p_bind, p_off


@njit(cache=True, inline="always")
def steps_to_event(seed, step, s, draw, p):
    """Steps from ``step`` to a site's next bath event (1: at ``step`` itself).

    The event has probability ``p`` in each step, so the wait is geometric: drawn once
    (an inversion of one uniform) instead of one test per step.  Keyed by the step and
    the site, and ``draw`` (0 when scheduling after a change of bath, 1 after an event).
    """
    if p <= 0.0:
        return NEVER
    if p >= 1.0:
        return 1
    u = uniform(agent_key(step_key(seed, PURPOSE_BATH, step), s), draw)
    waits = math.floor(math.log1p(-u) / math.log1p(-p))
    if waits >= 1e18:  # beyond any run
        return NEVER
    return 1 + np.int64(waits)


@njit(cache=True)
def bath_site(step, seed, s, site_type, site_species, site_next, bound_count, tables):
    """Site s's exchange with the bath at ``step``; returns the step of its next event.

    Same law as one Bernoulli test per step: an empty site binds with probability
    ``p_bind`` (Ca or Mg in proportion to their rates), an occupied one empties with
    ``p_off`` of its occupant; the step of the next event is drawn when the last one
    happens (or when the bath changes: ``site_next`` is then UNSCHEDULED).  Shared by
    the kernel and the reference engine.
    """
    r_ca, rate, p_bind, p_off = tables
    t = site_type[s]
    nxt = site_next[s]
    if nxt == UNSCHEDULED:  # a new bath: the wait starts at this step
        sp = site_species[s]
        p = p_bind[t] if sp == NONE else p_off[t, sp]
        nxt = step - 1 + steps_to_event(seed, step, s, 0, p)
    if nxt == step:
        sp = site_species[s]
        if sp == NONE:
            a = agent_key(step_key(seed, PURPOSE_BIND, step), s)
            new = CA if uniform(a, 1) * rate[t] < r_ca[t] else MG
            site_species[s] = new
            bound_count[t, new] += 1
            p = p_off[t, new]
        else:
            site_species[s] = NONE
            bound_count[t, sp] -= 1
            p = p_bind[t]
        nxt = min(step + steps_to_event(seed, step, s, 1, p), NEVER)
    site_next[s] = nxt
    return nxt


@inner
def bath_block_minima(site_next, block_next, lo, hi):
    """Per block of BATH_BLOCK sites from row lo, the earliest step any of them acts."""
    for b in range(block_next.shape[0]):
        earliest = NEVER
        for s in range(lo + b * BATH_BLOCK, min(lo + (b + 1) * BATH_BLOCK, hi)):
            earliest = min(earliest, site_next[s])
        block_next[b] = earliest


@inner
def bath_phase(step, seed, sites, tables, lo, hi):
    """Skinned-fibre clamp: the troponin sites (rows lo..hi) exchange with a buffered bath
    of fixed Ca and Mg.  Only blocks holding a site whose event falls on this step are
    visited: most per-step probabilities are 1e-7 to 6e-4."""
    site_type, site_species, bound_count = sites[3], sites[4], sites[11]
    site_next, block_next = sites[12], sites[13]
    for b in range(block_next.shape[0]):
        if block_next[b] > step:
            continue
        earliest = NEVER
        for s in range(lo + b * BATH_BLOCK, min(lo + (b + 1) * BATH_BLOCK, hi)):
            nxt = site_next[s]
            if nxt <= step:
                nxt = bath_site(step, seed, s, site_type, site_species, site_next,
                                bound_count, tables)  # fmt: skip
            earliest = min(earliest, nxt)
        block_next[b] = earliest


# ---------------------------------------------------------------- thin filament
@njit(cache=True, inline="always")
def unit_drive(n_ca, n_reg, one_ca_factor):
    """Drive of a regulatory unit from the Ca on its regulatory sites: 1 with all
    sites filled, ``one_ca_factor`` with one of two."""
    if n_ca == n_reg:
        return 1.0
    if n_ca == 1:
        return one_ca_factor
    return 0.0


@inner
def filament_tables(pf, pi):
    """This run's per-step probabilities of the regulatory units (rates are constant).

    Indexed by the unit's Ca count on its regulatory sites and its on (or off)
    neighbours; computed with the very operations of the per-unit rule, so the numbers
    are the same bits as ``prob(rate, dt)`` for each unit.  Rows: 0 switching on, 1
    switching off when free, 2 switching off while a crossbridge holds it.
    """
    dt = pf[F_DT]
    n_reg = pi[I_REG_PER_RU]
    gamma = pf[F_RU_GAMMA]
    table = np.zeros((3, n_reg + 1, 3))
    for n_ca in range(n_reg + 1):
        drive = unit_drive(n_ca, n_reg, pf[F_RU_ONE_CA])
        for n in range(3):
            g = 1.0 / gamma  # gamma^(n - 1): symmetric about one neighbour
            for _ in range(n):
                g *= gamma
            table[0, n_ca, n] = prob(pf[F_RU_KON] * drive * g, dt)
            rate = pf[F_RU_KOFF] * g
            table[1, n_ca, n] = prob(rate, dt)
            rate *= pf[F_XB_HOLD] * (1.0 - drive)
            table[2, n_ca, n] = prob(rate, dt)
    return table


@inner
def _regulatory_block(b, key, site_species, reg_start, fil, table, pf, pi):
    """Next state of the regulatory units of block b and their crossbridges.

    Writes the *_next arrays of its own units; returns how many of its
    crossbridges are attached after the update.  A unit that is off, has no
    crossbridge and no Ca on its regulatory sites cannot change this step: it draws
    no random number (draws depend only on (seed, step, unit), so skipping it changes
    no other unit's draw).
    """
    ru_perm, ru_xb, ru_perm_next, ru_xb_next, _sarcomere = fil
    dt = pf[F_DT]
    per_chain = pi[I_RU_PER_CHAIN]
    n_reg = pi[I_REG_PER_RU]
    p_attach = prob(pf[F_XB_ATTACH], dt)
    p_detach = prob(pf[F_XB_DETACH], dt)
    attached = 0
    for r in range(b * RU_BLOCK, min((b + 1) * RU_BLOCK, ru_perm.shape[0])):
        perm = ru_perm[r]
        xb = ru_xb[r]
        s0 = reg_start + n_reg * r
        n_ca = 0
        for k in range(n_reg):
            if site_species[s0 + k] == CA:
                n_ca += 1
        if perm == 0 and xb == 0 and n_ca == 0:
            ru_perm_next[r] = 0
            ru_xb_next[r] = 0
            continue
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
        a = agent_key(key, r)  # one hash: two 32-bit uniforms
        u_perm = unit32(low32(a))
        u_xb = unit32(high32(a))
        xb_new = xb
        if xb == 1:
            if u_xb < p_detach:
                xb_new = 0
        elif perm == 1 and u_xb < p_attach:
            xb_new = 1
        perm_new = perm
        if perm == 0:
            if n_ca > 0 and u_perm < table[0, n_ca, n_on]:
                perm_new = 1
        # off only with no crossbridge event this step; held on, it lets go as TnC loses Ca
        elif xb_new == xb and u_perm < table[2 if xb == 1 else 1, n_ca, n_off]:
            perm_new = 0
            xb_new = 0
        ru_perm_next[r] = perm_new
        ru_xb_next[r] = xb_new
        attached += xb_new
    return attached


@inner
def _commit_units(fil):
    """The units' next state becomes their state (a plain loop: numba's slice
    assignment costs thirty times as much for a few thousand units)."""
    ru_perm, ru_xb, ru_perm_next, ru_xb_next = fil[0], fil[1], fil[2], fil[3]
    for r in range(ru_perm.shape[0]):
        ru_perm[r] = ru_perm_next[r]
        ru_xb[r] = ru_xb_next[r]


@inner
def filament_phase(step, seed, site_species, reg_start, fil, table, pf, pi):
    """Regulatory units and crossbridges, updated synchronously (``table``:
    :func:`filament_tables`).

    Returns the number of attached crossbridges after the update.
    """
    key = step_key(seed, PURPOSE_FILAMENT, step)
    attached = 0
    for b in range((fil[0].shape[0] + RU_BLOCK - 1) // RU_BLOCK):
        attached += _regulatory_block(b, key, site_species, reg_start, fil, table, pf, pi)
    _commit_units(fil)
    return attached


@njit(cache=True, parallel=True)
def filament_phase_threaded(step, seed, site_species, reg_start, fil, table, pf, pi):
    """filament_phase with blocks of units in parallel."""
    key = step_key(seed, PURPOSE_FILAMENT, step)
    attached = 0
    for b in prange((fil[0].shape[0] + RU_BLOCK - 1) // RU_BLOCK):
        attached += _regulatory_block(b, key, site_species, reg_start, fil, table, pf, pi)
    _commit_units(fil)
    return attached


@inner
def sarcomere_update(sl_um, force_fraction, pf):
    """Length relaxes (time constant sl_tau) towards rest minus force-driven shortening."""
    target = pf[F_SL_REST] - pf[F_SL_SHORT] * min(force_fraction, 1.0)
    return sl_um + (target - sl_um) * pf[F_DT] / pf[F_SL_TAU]


# ---------------------------------------------------------------- bookkeeping
@njit(cache=True)
def count_chunk_work(ions):
    """Per chunk and per block of rows, the cytosolic Ca ions (visited every step) and
    the free Mg and bound ions (visited on substeps).

    Counted when a model is built or its arrays were changed outside the kernel, then
    kept by release, resolution and SERCA, so that the ion phase skips chunks and blocks
    with nothing to do: SR ions and pooled Mg always, bound ions and Mg between
    substeps.  Skipping changes no result.
    """
    ion_species, ion_state = ions[3], ions[4]
    chunk_ca, chunk_sub, block_ca, block_sub = ions[9], ions[10], ions[13], ions[14]
    chunk_ca[:] = 0
    chunk_sub[:] = 0
    block_ca[:] = 0
    block_sub[:] = 0
    ions[15][:] = 1  # every chunk's lists and counts are cleared or recounted next step
    for i in range(ion_species.shape[0]):
        st = ion_state[i]
        if st == IN_SR or (st == ON_ATP and ion_species[i] == MG):
            continue
        if st == BOUND or ion_species[i] == MG:
            count_work(chunk_sub, block_sub, i, 1)
        else:
            count_work(chunk_ca, block_ca, i, 1)


@njit(cache=True)
def count_mobile_ca(ions, pf, pi):
    """Recount the chunks' Ca-ATP per x-slab and free Ca in the triadic slab
    (what an ion phase leaves for the next step's scalars): used at build."""
    ion_x, ion_y, ion_z, ion_species, ion_state = ions[0], ions[1], ions[2], ions[3], ions[4]
    chunk_catp, chunk_triad = ions[11], ions[12]
    chunk_catp[:, :] = 0
    chunk_triad[:] = 0
    ions[15][:] = 1
    per_slab = pi[I_NY] * pi[I_NZ]
    for i in range(ion_x.shape[0]):
        if ion_species[i] != CA:
            continue
        c = i // EVENT_CHUNK
        v = voxel_index(ion_x[i], ion_y[i], ion_z[i], pf, pi)
        if ion_state[i] == ON_ATP:
            chunk_catp[c, v // per_slab] += 1
        elif ion_state[i] == FREE and v < per_slab:
            chunk_triad[c] += 1


# ---------------------------------------------------------------- one step
@njit(cache=True, inline="always")  # a few calls: inlined, not compiled apart
def phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi):
    """Scalars, RyR gating, release and the step's binding tables."""
    sc, atp_free = sr[10], rates[6]
    step_scalars(step * pf[F_DT], ap_times_ms, ions, sites, sr, sc, atp_free, pf, pi)
    ryr_phase(step, seed, sc, sr[2], sr[5], sr[6], sr[7], pf)
    release_phase(step, seed, sc, ions, sr, pf, pi)
    binding_tables(
        step, sites[10], rates[0], rates[2], rates[3], rates[5], atp_free, pf, pi
    )  # fmt: skip


@njit(cache=True, inline="always")  # a few calls: inlined, not compiled apart
def phases_after_ions(step, seed, ions, sites, sr, pf, pi):
    """Resolution of the ions' claims and unbinds, SERCA, parvalbumin motion."""
    claims_and_pumps(step, seed, ions, sites, sr, pf, pi)
    parvalbumin_phase(step, seed, sites, pf, pi)


@njit(cache=True, inline="always")
def claims_and_pumps(step, seed, ions, sites, sr, pf, pi):
    """Resolution of the ions' claims and unbinds, then SERCA (every fibre with ions)."""
    sc = sr[10]
    resolve_phase(step, seed, sc, ions, sites, sr, pf, pi)
    serca_phase(step, seed, sc, ions, sites, sr, pf, pi)


@njit(cache=True, inline="always")
def parvalbumin_phase(step, seed, sites, pf, pi):
    """Parvalbumin moves (every ``pv_substeps`` steps) and its voxel lists rebuild; a
    fibre without parvalbumin rows has nothing to do here (see advance_fixed_sites)."""
    site_x, site_y, site_z, site_species, site_voxel = (
        sites[0],
        sites[1],
        sites[2],
        sites[4],
        sites[6],
    )
    type_start, vox_start, vox_sites, n_free = sites[7], sites[8], sites[9], sites[10]
    if step % pi[I_PV_SUB] == 0 and type_start[PV + 1] > type_start[PV]:
        move_sites_phase(
            step, seed, site_x, site_y, site_z, site_voxel, type_start[PV],
            type_start[PV + 1], pf, pi,
        )  # fmt: skip
        rebuild_voxel_lists(PV, site_voxel, site_species, type_start, vox_start, vox_sites, n_free)


@njit(cache=True, inline="always")  # a few calls: inlined, not compiled apart
def force_and_length(attached, fil, pf):
    """Force fraction from attached crossbridges; the sarcomere length follows it."""
    force = attached / (fil[0].shape[0] * pf[F_DUTY_MAX])
    sarcomere = fil[4]
    sarcomere[0] = sarcomere_update(sarcomere[0], force, pf)
    return force


@njit(cache=True, nogil=True)  # lets other threads (e.g. a Dask worker's) run
def advance(step0, n_steps, seed, ap_times_ms, ions, sites, rates, sr, fil, pf, pi, recount):
    """Run steps step0 .. step0 + n_steps - 1 (all phases) on one thread; return force
    (a clamp, ``pi[I_CLAMP] == 1``, runs :func:`advance_clamp` instead, and a fibre
    without parvalbumin :func:`advance_fixed_sites`).

    The groups of arrays are those of :meth:`cellsim.fibre.model.FibreModel.kernel_arrays`;
    ``recount`` recounts the chunks' work first (after changes outside the kernel).
    """
    if recount:
        count_chunk_work(ions)
    table = filament_tables(pf, pi)
    force = 0.0
    for step in range(step0, step0 + n_steps):
        phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi)
        ion_phase(step, seed, ions, sites, rates, pf, pi)
        phases_after_ions(step, seed, ions, sites, sr, pf, pi)
        attached = filament_phase(step, seed, sites[4], sites[7][TN_REG], fil, table, pf, pi)
        force = force_and_length(attached, fil, pf)
    return force


@njit(cache=True, nogil=True)
def advance_clamp(step0, n_steps, seed, ap_times_ms, ions, sites, rates, sr, fil, pf, pi, recount):
    """advance() of a skinned-fibre clamp (``pi[I_CLAMP] == 1``: troponin exchanges with
    the bath; no ions, no SR), on one thread.

    A kernel of its own, so that a run compiles only the phases it uses: an ion run never
    compiles the bath's, and a clamp never the ions'.
    """
    if recount:
        count_chunk_work(ions)
    table = filament_tables(pf, pi)
    bath = bath_tables(rates[0], rates[1], pf)
    bath_lo, bath_hi = sites[7][TN_REG], sites[7][TN_CAMG + 1]
    # the bath may have changed, or the reference engine stepped: blocks' earliest events
    bath_block_minima(sites[12], sites[13], bath_lo, bath_hi)
    force = 0.0
    for step in range(step0, step0 + n_steps):
        bath_phase(step, seed, sites, bath, bath_lo, bath_hi)
        attached = filament_phase(step, seed, sites[4], sites[7][TN_REG], fil, table, pf, pi)
        force = force_and_length(attached, fil, pf)
    return force


@njit(cache=True, nogil=True)
def advance_fixed_sites(
    step0, n_steps, seed, ap_times_ms, ions, sites, rates, sr, fil, pf, pi, recount
):
    """advance() of a fibre without parvalbumin rows (the human set), on one thread: the
    same phases but parvalbumin's, which would find nothing to move.

    A kernel of its own, so that such a run does not compile the motion of mobile sites.
    """
    if recount:
        count_chunk_work(ions)
    table = filament_tables(pf, pi)
    force = 0.0
    for step in range(step0, step0 + n_steps):
        phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi)
        ion_phase(step, seed, ions, sites, rates, pf, pi)
        claims_and_pumps(step, seed, ions, sites, sr, pf, pi)
        attached = filament_phase(step, seed, sites[4], sites[7][TN_REG], fil, table, pf, pi)
        force = force_and_length(attached, fil, pf)
    return force


@njit(cache=True, nogil=True)
def advance_threaded(
    step0, n_steps, seed, ap_times_ms, ions, sites, rates, sr, fil, pf, pi, recount, n_threads
):
    """advance() with the ion and filament phases on ``n_threads`` of numba's threads
    (set with ``numba.set_num_threads``); same results.

    The filament's units go to the threads only when there are enough of them
    (THREADED_UNIT_BLOCKS): a block of units is a few µs of work, about what a
    parallel region's start and barrier cost.
    """
    if recount:
        count_chunk_work(ions)
    threaded_units = fil[0].shape[0] >= THREADED_UNIT_BLOCKS * RU_BLOCK
    table = filament_tables(pf, pi)
    bath = bath_tables(rates[0], rates[1], pf)
    bath_lo, bath_hi = sites[7][TN_REG], sites[7][TN_CAMG + 1]
    if pi[I_CLAMP] == 1:  # the bath may have changed, or the reference engine stepped
        bath_block_minima(sites[12], sites[13], bath_lo, bath_hi)
    force = 0.0
    for step in range(step0, step0 + n_steps):
        if pi[I_CLAMP] == 1:
            bath_phase(step, seed, sites, bath, bath_lo, bath_hi)
        else:
            phases_before_ions(step, seed, ap_times_ms, ions, sites, rates, sr, pf, pi)
            ion_phase_threaded(step, seed, ions, sites, rates, pf, pi, n_threads)
            phases_after_ions(step, seed, ions, sites, sr, pf, pi)
        if threaded_units:
            attached = filament_phase_threaded(
                step, seed, sites[4], sites[7][TN_REG], fil, table, pf, pi
            )
        else:
            attached = filament_phase(step, seed, sites[4], sites[7][TN_REG], fil, table, pf, pi)
        force = force_and_length(attached, fil, pf)
    return force


# ---------------------------------------------------------------- observation
@njit(cache=True)
def observe(ions, sites, sr, fil, pf, pi, out):
    """Fill ``out`` with the recorded quantities (see model.OBSERVABLES).

    Counts come from the kept tallies (bound ions per site type, the pools) and from the
    rows of the chunks that hold cytosolic Ca: no pass over every row.
    """
    ion_species, ion_state, block_ca = ions[3], ions[4], ions[13]
    type_start, bound_count = sites[7], sites[11]
    sr_count, ryr_open, ryr_inact, mg_pool_count = sr[1], sr[2], sr[6], sr[9]
    ru_xb, sarcomere = fil[1], fil[4]
    ppu = pf[F_PPU]
    n_free_ca = 0
    n_atp_ca = 0
    n_rows = ion_state.shape[0]
    for b in range(block_ca.shape[0]):
        if block_ca[b] == 0:
            continue
        for i in range(b * WORK_BLOCK, min((b + 1) * WORK_BLOCK, n_rows)):
            if ion_species[i] == CA:
                if ion_state[i] == FREE:
                    n_free_ca += 1
                elif ion_state[i] == ON_ATP:
                    n_atp_ca += 1
    bound_mg = 0
    for t in range(N_SITE_TYPES):
        bound_mg += bound_count[t, MG]
    out[0] = n_free_ca / ppu
    out[1] = n_atp_ca / ppu
    out[2] = (pi[I_N_MG] - bound_mg - mg_pool_count[0]) / ppu
    out[3] = mg_pool_count[0] / ppu
    k = 4
    for t in (TN_REG, TN_CAMG, PV):
        total = max(type_start[t + 1] - type_start[t], 1)
        out[k] = bound_count[t, CA] / total
        out[k + 1] = bound_count[t, MG] / total
        k += 2
    pumps = bound_count[SERCA, CA] + bound_count[SERCA2, CA]
    out[k] = pumps / max(type_start[SERCA2 + 1] - type_start[SERCA], 1)
    out[k + 1] = sr_count[0] / ppu
    out[k + 2] = sr_free_uM(sr_count[0] / ppu, pf)
    n_open = 0
    n_inact = 0
    for r in range(ryr_open.shape[0]):
        n_open += ryr_open[r]
        n_inact += ryr_inact[r]
    n_ryr = max(ryr_open.shape[0], 1)
    out[k + 3] = n_open / n_ryr
    out[k + 4] = n_inact / n_ryr
    attached = 0
    for r in range(ru_xb.shape[0]):
        attached += ru_xb[r]
    out[k + 5] = attached / (max(ru_xb.shape[0], 1) * pf[F_DUTY_MAX])
    out[k + 6] = sarcomere[0]
    out[k + 7] = sr[10][S_RELEASED] / ppu
