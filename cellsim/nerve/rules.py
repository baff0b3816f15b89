"""The nerve's rules, written once and used by both engines.

Every function here is ``@njit(cache=True)`` and sees only arrays and scalars,
so the numba kernel (:mod:`cellsim.nerve.kernel`) calls them inside its loops
and the reference engine (agents' ``step()`` in :mod:`cellsim.nerve.agents`
and :mod:`cellsim.nerve.reference`) calls the very same compiled functions
from Python.  That is what makes the two engines agree bit for bit: the
arithmetic is literally shared, and random numbers come from the
counter-based stream of :mod:`cellsim.random`.

One time step of the model is a fixed sequence of *phases*; the agent loops
between them are the only part that differs between engines:

1. ``axon_prepare``      transition tables of Na and K channels at this V
2. Na/K channel agents   one uniform each → new Markov state
3. ``axon_finish``       count open channels, update V, detect a spike
4. ``terminal_prepare``  terminal AP waveform, Ca-channel transition probabilities
5. site agents           Ca channels (gate, Mg block), then the Ca sensor
6. ``terminal_finish``   quanta → end-plate potential → muscle AP
7. ``nmda_prepare``      gate and Mg-block probabilities at this V
8. NMDA receptor agents
9. ``nmda_finish``       NMDA current → neuron V (or clamp), spikes
10. ``record``

Array layouts
-------------
``p`` (float64 parameters), ``sv`` (float64 state scalars), ``iv`` (int64
state scalars and counters) and ``ctx`` (per-step transition probabilities
read by agents) are indexed by the constants below.  They are layout, not
parameters, so reading them as module globals is safe.
"""

from __future__ import annotations

import math

from numba import njit

from cellsim.random import agent_key, step_key, uniform

# ---- parameter vector p ------------------------------------------------------------
(
    DT,
    AX_ON,
    TERM_ON,
    NMDA_ON,
    PHI,
    SHIFT,
    G_NA1,
    G_K1,
    G_L,
    E_NA,
    E_K,
    E_L,
    C_M,
    SPK_TH,
    DELAY_STEPS,
    TV_REST,
    TV_AMP,
    TV_TAU,
    WINDOW_STEPS,
    CAV_VH,
    CAV_SLOPE,
    CAV_TAU,
    OCC_CA,
    K_MG_BIND,
    K_MG_UNBIND,
    DOM_PER_CH,
    DOM_REST,
    S_N,
    S_KON,
    S_KOFF,
    S_B,
    S_GAMMA,
    REFILL_P,
    CPS,
    Q_NORM,
    EPP_DEC_R,
    EPP_DEC_D,
    MUS_TH,
    MUS_REFR_STEPS,
    N_KB0,
    N_KU0,
    N_A_ON,
    N_A_OFF,
    N_OPEN,
    N_CLOSE,
    N_G1,
    N_GL,
    N_EL,
    N_CM,
    N_EREV,
    N_VTH,
    N_VRESET,
    N_REFR_STEPS,
    N_CLAMP,
    AX_CLAMP,
) = range(55)
N_P = 55

# ---- float state sv -----------------------------------------------------------------
SV_V, SV_TERM_V, SV_DOM_MEAN, SV_EPP_R, SV_EPP_D, SV_EPP, SV_NMDA_V, SV_I_STIM = range(8)
N_SV = 8

# ---- int state iv -------------------------------------------------------------------
(
    IV_ARMED,
    IV_NA_OPEN,
    IV_K_OPEN,
    IV_Q_HEAD,
    IV_Q_TAIL,
    IV_LAST_ONSET,
    IV_N_ONSETS,
    IV_ACTIVE,
    IV_N_SPIKES,
    IV_N_QUANTA,
    IV_N_MUSCLE,
    IV_MUS_ARMED,
    IV_MUS_LAST,
    IV_N_NSPIKES,
    IV_N_REFR_UNTIL,
    IV_N_OU,
    IV_N_UNBLOCKED,
    IV_N_OPEN,
) = range(18)
N_IV = 18

# ---- per-step transition probabilities ctx ------------------------------------------
(
    CX_CAV_OPEN,
    CX_CAV_CLOSE,
    CX_MG_BLOCK,
    CX_MG_UNBLOCK,
    CX_N_OPEN,
    CX_N_CLOSE,
    CX_N_BLOCK,
    CX_N_UNBLOCK,
) = range(8)
N_CX = 8

# ---- draw purposes (cellsim.random.PURPOSE_NERVE + k) ---------------------------------
PU_NA, PU_K, PU_CAV_GATE, PU_CAV_MG, PU_SENSOR, PU_REFILL, PU_NMDA_GATE, PU_NMDA_MG = (
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
)

# ---- recorded columns ---------------------------------------------------------------
RECORD_COLUMNS = (
    "time_ms",
    "v_mV",
    "stim_uA_per_cm2",
    "na_open_fraction",
    "k_open_fraction",
    "terminal_v_mV",
    "domain_ca_uM",
    "quanta_total",
    "epp_mV",
    "nmda_v_mV",
    "nmda_unblocked_fraction",
    "nmda_open_fraction",
)
N_REC = len(RECORD_COLUMNS)

NA_OPEN_STATE = 7  # three m gates up (m = 3) and h up: state = m + 4 h
K_OPEN_STATE = 4  # four n gates up


# ---- Hodgkin-Huxley rate functions ---------------------------------------------------
@njit(cache=True)
def _vtrap(x, k):
    """x / (1 - exp(-x/k)), finite at x = 0 (the HH alpha_m, alpha_n singularity)."""
    if abs(x / k) < 1e-7:
        return k * (1.0 + 0.5 * x / k)
    return x / (-math.expm1(-x / k))


@njit(cache=True)
def hh_rates(v_gate_mV, phi):
    """HH 1952 rates in ms⁻¹ at the voltage the gates feel (modern convention)."""
    am = 0.1 * _vtrap(v_gate_mV + 40.0, 10.0)
    bm = 4.0 * math.exp(-(v_gate_mV + 65.0) / 18.0)
    ah = 0.07 * math.exp(-(v_gate_mV + 65.0) / 20.0)
    bh = 1.0 / (1.0 + math.exp(-(v_gate_mV + 35.0) / 10.0))
    an = 0.01 * _vtrap(v_gate_mV + 55.0, 10.0)
    bn = 0.125 * math.exp(-(v_gate_mV + 65.0) / 80.0)
    return phi * am, phi * bm, phi * ah, phi * bh, phi * an, phi * bn


@njit(cache=True)
def _fill_row(cum, s, r0, r1, r2, r3, dt):
    """Cumulative probabilities of up to four exits from state s in one step.

    The chance of any exit is 1 - exp(-R dt) (exact for the first event); it is
    split between exits in proportion to their rates.  One uniform then picks
    "which exit, if any".
    """
    total = r0 + r1 + r2 + r3
    if total <= 0.0:
        cum[s, 0] = cum[s, 1] = cum[s, 2] = cum[s, 3] = 0.0
        return
    scale = -math.expm1(-total * dt) / total
    cum[s, 0] = scale * r0
    cum[s, 1] = scale * (r0 + r1)
    cum[s, 2] = scale * (r0 + r1 + r2)
    cum[s, 3] = scale * total


@njit(cache=True)
def fill_na_table(am, bm, ah, bh, dt, cum):
    """Na channel: state = m + 4h (m open m-gates 0..3, h 0/1); exits m±1, h±1."""
    for s in range(8):
        m = s % 4
        h = s // 4
        _fill_row(cum, s, (3 - m) * am, m * bm, ah if h == 0 else 0.0, bh if h == 1 else 0.0, dt)


@njit(cache=True)
def fill_k_table(an, bn, dt, cum):
    """K channel: state = number of open n gates 0..4; exits n±1."""
    for s in range(5):
        _fill_row(cum, s, (4 - s) * an, s * bn, 0.0, 0.0, dt)


@njit(cache=True)
def na_next(state, u, cum):
    """New Na channel state given one uniform draw (rule of a NaChannel agent)."""
    if u < cum[state, 0]:
        return state + 1
    if u < cum[state, 1]:
        return state - 1
    if u < cum[state, 2]:
        return state + 4
    if u < cum[state, 3]:
        return state - 4
    return state


@njit(cache=True)
def k_next(state, u, cum):
    """New K channel state given one uniform draw (rule of a KChannel agent)."""
    if u < cum[state, 0]:
        return state + 1
    if u < cum[state, 1]:
        return state - 1
    return state


@njit(cache=True)
def two_state_probs(rate_up, rate_down, dt):
    """Exact one-step probabilities (0→1, 1→0) of a two-state Markov chain."""
    total = rate_up + rate_down
    if total <= 0.0:
        return 0.0, 0.0
    frac = -math.expm1(-total * dt) / total
    return rate_up * frac, rate_down * frac


@njit(cache=True)
def two_state_next(x, u, p_up, p_down):
    """Rule of any two-state agent (gate, block): flip with the step probability."""
    if x == 0:
        return 1 if u < p_up else 0
    return 0 if u < p_down else 1


@njit(cache=True)
def sensor_next(b, u, ca_uM, p):
    """Rule of a release site's Ca sensor with a docked vesicle.

    ``b`` Ca ions bound (0..N).  Binding (N - b)·k_on·Ca, unbinding
    b·k_off·B^(b-1) (cooperativity: bound ions stay longer), and fusion from
    the fully bound state at rate γ (Schneggenburger & Neher 2000).  Returns
    the new ``b``, or -1 if the vesicle fused.
    """
    n = int(p[S_N])
    up = (n - b) * p[S_KON] * ca_uM
    down = b * p[S_KOFF] * p[S_B] ** (b - 1) if b > 0 else 0.0
    fuse = p[S_GAMMA] if b == n else 0.0
    total = up + down + fuse
    if total <= 0.0:
        return b
    scale = -math.expm1(-total * p[DT]) / total
    if u < scale * up:
        return b + 1
    if u < scale * (up + down):
        return b - 1
    if u < scale * total:
        return -1
    return b


@njit(cache=True)
def site_domain_ca(gates, blocks, first, count, p):
    """Ca in the nanodomain of one release site (µM).

    Each open channel whose pore is free of Mg adds the domain Ca of one fully
    conducting channel times the pore's Ca occupancy (rapid equilibrium).
    """
    conducting = 0
    for c in range(first, first + count):
        if gates[c] == 1 and blocks[c] == 0:
            conducting += 1
    return p[DOM_REST] + p[DOM_PER_CH] * p[OCC_CA] * conducting


# ---- phases ---------------------------------------------------------------------------
@njit(cache=True)
def axon_prepare(p, sv, na_cum, k_cum):
    """Transition tables at the gating voltage (V minus the screening shift)."""
    am, bm, ah, bh, an, bn = hh_rates(sv[SV_V] - p[SHIFT], p[PHI])
    fill_na_table(am, bm, ah, bh, p[DT], na_cum)
    fill_k_table(an, bn, p[DT], k_cum)


@njit(cache=True)
def count_equal(states, value):
    """How many entries equal ``value`` (open channels)."""
    n = 0
    for i in range(states.shape[0]):
        if states[i] == value:
            n += 1
    return n


@njit(cache=True)
def axon_finish(p, sv, iv, step, i_stim, clamp_v, na, k, onsets, spikes):
    """Open counts → membrane V (exponential Euler) → spike → terminal AP onset."""
    n_na = count_equal(na, NA_OPEN_STATE)
    n_k = count_equal(k, K_OPEN_STATE)
    iv[IV_NA_OPEN] = n_na
    iv[IV_K_OPEN] = n_k
    g_na = p[G_NA1] * n_na
    g_k = p[G_K1] * n_k
    if p[AX_CLAMP] > 0:
        v = clamp_v  # voltage clamp: the amplifier holds V, channels still gate
    else:
        g_tot = g_na + g_k + p[G_L]
        v_inf = (i_stim + g_na * p[E_NA] + g_k * p[E_K] + p[G_L] * p[E_L]) / g_tot
        v = v_inf + (sv[SV_V] - v_inf) * math.exp(-p[DT] * g_tot / p[C_M])
    sv[SV_V] = v
    sv[SV_I_STIM] = i_stim
    if iv[IV_ARMED] == 1 and v >= p[SPK_TH]:
        iv[IV_ARMED] = 0
        if iv[IV_N_SPIKES] < spikes.shape[0]:
            spikes[iv[IV_N_SPIKES]] = (step + 1) * p[DT]
        iv[IV_N_SPIKES] += 1
        if p[TERM_ON] > 0 and iv[IV_Q_TAIL] < onsets.shape[0]:
            onsets[iv[IV_Q_TAIL]] = step + 1 + int(p[DELAY_STEPS])
            iv[IV_Q_TAIL] += 1
    elif v < p[SPK_TH] - 20.0:
        iv[IV_ARMED] = 1


@njit(cache=True)
def terminal_prepare(p, sv, iv, step, onsets, ctx):
    """Start a terminal AP if one is due; set the waveform and channel probabilities."""
    while iv[IV_Q_HEAD] < iv[IV_Q_TAIL] and onsets[iv[IV_Q_HEAD]] <= step:
        iv[IV_LAST_ONSET] = onsets[iv[IV_Q_HEAD]]
        iv[IV_Q_HEAD] += 1
        iv[IV_N_ONSETS] += 1
    since = step - iv[IV_LAST_ONSET]
    active = iv[IV_LAST_ONSET] >= 0 and since < p[WINDOW_STEPS]
    iv[IV_ACTIVE] = 1 if active else 0
    v = p[TV_REST]
    if active:
        x = since * p[DT] / p[TV_TAU]
        v += p[TV_AMP] * x * math.exp(1.0 - x)
    sv[SV_TERM_V] = v
    z = (v - p[CAV_VH]) / (2.0 * p[CAV_SLOPE])
    ctx[CX_CAV_OPEN], ctx[CX_CAV_CLOSE] = two_state_probs(
        math.exp(z) / p[CAV_TAU], math.exp(-z) / p[CAV_TAU], p[DT]
    )
    ctx[CX_MG_BLOCK], ctx[CX_MG_UNBLOCK] = two_state_probs(p[K_MG_BIND], p[K_MG_UNBIND], p[DT])


@njit(cache=True)
def terminal_finish(p, sv, iv, step, fused, site_ca, q_times, q_sites, q_per_onset, muscle):
    """Quanta released this step → end-plate potential → muscle action potential."""
    n_sites = fused.shape[0]
    quanta = 0
    for i in range(n_sites):
        if fused[i] == 1:
            j = iv[IV_N_QUANTA]
            if j < q_times.shape[0]:
                q_times[j] = (step + 1) * p[DT]
                q_sites[j] = i
            iv[IV_N_QUANTA] += 1
            quanta += 1
    if quanta > 0 and 0 < iv[IV_N_ONSETS] <= q_per_onset.shape[0]:
        q_per_onset[iv[IV_N_ONSETS] - 1] += quanta
    total = 0.0
    for i in range(n_sites):
        total += site_ca[i]
    sv[SV_DOM_MEAN] = total / max(n_sites, 1)
    sv[SV_EPP_R] = sv[SV_EPP_R] * p[EPP_DEC_R] + p[Q_NORM] * quanta
    sv[SV_EPP_D] = sv[SV_EPP_D] * p[EPP_DEC_D] + p[Q_NORM] * quanta
    epp = sv[SV_EPP_D] - sv[SV_EPP_R]
    sv[SV_EPP] = epp
    if epp >= p[MUS_TH]:
        if iv[IV_MUS_ARMED] == 1 and step - iv[IV_MUS_LAST] >= p[MUS_REFR_STEPS]:
            if iv[IV_N_MUSCLE] < muscle.shape[0]:
                muscle[iv[IV_N_MUSCLE]] = (step + 1) * p[DT]
            iv[IV_N_MUSCLE] += 1
            iv[IV_MUS_ARMED] = 0
            iv[IV_MUS_LAST] = step
    else:
        iv[IV_MUS_ARMED] = 1


@njit(cache=True)
def nmda_prepare(p, sv, glutamate, ctx):
    """Gate and Woodhull Mg-block probabilities at the neuron's present V."""
    v = sv[SV_NMDA_V]
    ctx[CX_N_OPEN], ctx[CX_N_CLOSE] = two_state_probs(p[N_OPEN] * glutamate, p[N_CLOSE], p[DT])
    k_block = p[N_KB0] * math.exp(-p[N_A_ON] * v)
    k_unblock = p[N_KU0] * math.exp(p[N_A_OFF] * v)
    ctx[CX_N_BLOCK], ctx[CX_N_UNBLOCK] = two_state_probs(k_block, k_unblock, p[DT])


@njit(cache=True)
def nmda_finish(p, sv, iv, step, clamp_v, gate, block, nspikes):
    """NMDA current through open, unblocked receptors → neuron V, or hold the clamp."""
    n_ou = 0
    n_unblocked = 0
    n_open = 0
    for i in range(gate.shape[0]):
        if block[i] == 0:
            n_unblocked += 1
            if gate[i] == 1:
                n_ou += 1
        if gate[i] == 1:
            n_open += 1
    iv[IV_N_OU] = n_ou
    iv[IV_N_UNBLOCKED] = n_unblocked
    iv[IV_N_OPEN] = n_open
    if p[N_CLAMP] > 0:
        sv[SV_NMDA_V] = clamp_v
        return
    if step < iv[IV_N_REFR_UNTIL]:
        sv[SV_NMDA_V] = p[N_VRESET]
        return
    g = p[N_G1] * n_ou
    g_tot = g + p[N_GL]
    v_inf = (g * p[N_EREV] + p[N_GL] * p[N_EL]) / g_tot
    v = v_inf + (sv[SV_NMDA_V] - v_inf) * math.exp(-p[DT] * g_tot / p[N_CM])
    if v >= p[N_VTH]:
        if iv[IV_N_NSPIKES] < nspikes.shape[0]:
            nspikes[iv[IV_N_NSPIKES]] = (step + 1) * p[DT]
        iv[IV_N_NSPIKES] += 1
        iv[IV_N_REFR_UNTIL] = step + 1 + int(p[N_REFR_STEPS])
        v = p[N_VRESET]
    sv[SV_NMDA_V] = v


@njit(cache=True)
def record(p, sv, iv, step, n_na, n_k, n_nmda, rec, every):
    """Write one row of the time series after ``step`` if it falls on the stride."""
    if (step + 1) % every != 0:
        return
    r = (step + 1) // every
    if r >= rec.shape[0]:
        return
    rec[r, 0] = (step + 1) * p[DT]
    rec[r, 1] = sv[SV_V]
    rec[r, 2] = sv[SV_I_STIM]
    rec[r, 3] = iv[IV_NA_OPEN] / max(n_na, 1)
    rec[r, 4] = iv[IV_K_OPEN] / max(n_k, 1)
    rec[r, 5] = sv[SV_TERM_V]
    rec[r, 6] = sv[SV_DOM_MEAN]
    rec[r, 7] = iv[IV_N_QUANTA]
    rec[r, 8] = sv[SV_EPP]
    rec[r, 9] = sv[SV_NMDA_V]
    rec[r, 10] = iv[IV_N_UNBLOCKED] / max(n_nmda, 1)
    rec[r, 11] = iv[IV_N_OPEN] / max(n_nmda, 1)


@njit(cache=True)
def agent_uniform(seed, purpose, step, index, draw):
    """The uniform an agent draws: for the reference engine, called from Python.

    Keys stay uint64 inside numba; passing them through Python ints would
    change their numba type (int64 vs uint64) and so the numbers.  The kernel
    computes ``step_key`` once per step and gets the identical value.
    """
    return uniform(agent_key(step_key(seed, purpose, step), index), draw)


PU_INIT_NA, PU_INIT_K, PU_INIT_CAV, PU_INIT_NMDA = 24, 25, 26, 27


@njit(cache=True)
def init_axon(seed, v_gate_mV, phi, na, k):
    """Draw every Na and K channel from its steady state at the starting voltage.

    Gates are independent at steady state, so m ~ Binomial(3, m∞), h ~
    Bernoulli(h∞), n ~ Binomial(4, n∞); draws are counter-based as elsewhere.
    """
    am, bm, ah, bh, an, bn = hh_rates(v_gate_mV, phi)
    m_inf = am / (am + bm)
    h_inf = ah / (ah + bh)
    n_inf = an / (an + bn)
    key = step_key(seed, PU_INIT_NA, 0)
    for i in range(na.shape[0]):
        a = agent_key(key, i)
        m = 0
        for j in range(3):
            if uniform(a, j) < m_inf:
                m += 1
        h = 1 if uniform(a, 3) < h_inf else 0
        na[i] = m + 4 * h
    key = step_key(seed, PU_INIT_K, 0)
    for i in range(k.shape[0]):
        a = agent_key(key, i)
        n = 0
        for j in range(4):
            if uniform(a, j) < n_inf:
                n += 1
        k[i] = n


@njit(cache=True)
def init_bernoulli(seed, purpose, prob, out):
    """Set each entry of ``out`` to 1 with probability ``prob`` (steady-state blocks)."""
    key = step_key(seed, purpose, 0)
    for i in range(out.shape[0]):
        out[i] = 1 if uniform(agent_key(key, i), 0) < prob else 0
