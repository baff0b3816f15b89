"""The nerve's rules, written once and used by both engines.

Every function here is ``@njit(cache=True)`` and sees only arrays and scalars, so the numba
kernel (:mod:`cellsim.nerve.kernel`) calls them inside its loops and the reference engine
(the agents' ``step()`` in :mod:`cellsim.nerve.agents`, driven by
:mod:`cellsim.nerve.reference`) calls the very same compiled functions from Python.  That is
what makes the two engines agree bit for bit: the arithmetic is shared, and random numbers
come from the counter-based stream of :mod:`cellsim.random`.

Channels of the node: agents and state counts
---------------------------------------------
A mammalian node holds ~20 000 fast Na channels, stepped every microsecond.  Stepping each
one with its own uniform would cost ~100 µs per step.  Each channel family is therefore
split in two, both exact:

* a few **channel agents** (``NaChannel``, ...; ``[run] channel_agents`` per family) are
  stepped one by one, each with its own uniform: the Markov rule of one channel;
* the **rest** are held as counts per state (a ``ChannelPopulation`` agent).  Per state and
  step, the number of channels leaving is drawn from Binomial(n, P_exit), with P_exit =
  1 − exp(−R dt) the exact one-step exit probability of a channel whose exits have total
  rate R, and the leavers are split between exits in proportion to the rates (a
  multinomial, drawn as successive binomials).  That is the law of the sum of n channels
  each stepped with its own uniform, so the two halves are one model; the counts cost
  O(states) per step instead of O(channels).

Binomial draws are counter-based too (:func:`binomial`: inversion for small means, Hörmann's
BTRD rejection algorithm otherwise, every uniform keyed by (seed, purpose, step, slot,
draw)), so no draw depends on another and both engines draw the same numbers.

One time step of the model (``dt_us``) is a fixed sequence of phases:

1. the node, ``axon_substeps`` times (``axon_dt_us``): ``axon_prepare`` (transition tables
   at the present V), channel agents, ``population_step`` of each family,
   ``axon_finish`` (open channels → V of node and load → spike → terminal AP queued);
2. ``terminal_prepare`` (terminal AP waveform, Ca-channel tables), channel and sensor
   agents of each release site, ``terminal_finish`` (quanta → EPP → muscle AP);
3. ``nmda_prepare``, NMDA receptor agents, ``nmda_finish``;
4. ``record``.

Array layouts
-------------
``p`` (float64 parameters), ``sv`` (float64 state scalars), ``iv`` (int64 state scalars and
counters) and ``ctx`` (per-step probabilities read by agents) are indexed by the constants
below.  They are layout, not parameters, so reading them as module globals is safe.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from cellsim.random import agent_key, step_key, uniform

# ---- parameter vector p ------------------------------------------------------------------
(
    DT,  # model step (ms): junction and NMDA
    DT_AX,  # node substep (ms)
    N_SUB,  # node substeps per model step
    AX_ON,
    TERM_ON,
    NMDA_ON,
    AX_CLAMP,
    N_CLAMP,
    Q1,  # Q10 factors of Na activation, Na inactivation, K gating at the run's temperature
    Q2,
    Q3,
    AM_B,
    SHIFT_NA,
    SHIFT_K,
    G_NA1,  # nS per open Na channel
    G_KS1,
    G_KF1,
    G_L,
    E_NA,
    E_K,
    E_L,
    C_NODE,
    G_AX,
    C_LOAD,
    G_LOAD,
    E_LOAD,
    SPK_TH,
    SPK_REARM,
    DELAY_STEPS,
    TV_REST,
    TV_AMP,
    TV_RISE,
    TV_DECAY,
    TV_DELAY,
    TV_NORM,
    WINDOW_STEPS,
    SENSOR_WINDOW_STEPS,
    SHIFT_CAV,
    CAV_A0,
    CAV_AS,
    CAV_B0,
    CAV_BS,
    DOM_PER_PA,  # nanodomain µM per pA of unitary current
    I_UNIT,  # unitary current (pA) at 0 mV in this solution (pore occupancy applied)
    GHK_F,  # 2F/RT in mV⁻¹
    DOM_REST,
    S_N,
    S_KON,
    S_KOFF,
    S_B,
    S_GAMMA,
    REFILL_TAU,
    CPS,
    SHADOW,
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
) = range(73)
#: Unbinding rates of the sensor with b Ca bound, b·k_off·B^(b-1), b = 0..8: p[S_DOWN + b]
S_DOWN = 73
N_P = S_DOWN + 9

# ---- float state sv ----------------------------------------------------------------------
SV_V, SV_VL, SV_TERM_V, SV_DOM_MEAN, SV_EPP_R, SV_EPP_D, SV_EPP, SV_NMDA_V, SV_I_STIM = range(9)
N_SV = 9

# ---- int state iv ------------------------------------------------------------------------
(
    IV_ARMED,
    IV_NAF_OPEN,
    IV_NAP_OPEN,
    IV_KS_OPEN,
    IV_KF_OPEN,
    IV_Q_HEAD,
    IV_Q_TAIL,
    IV_LAST_ONSET,
    IV_N_ONSETS,
    IV_ACTIVE,  # 1 while the terminal's channels are stepped, 2 while only sensors are
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
    IV_NEW_ONSET,
    IV_RESTING,  # 1 once every site has been set to rest (nothing to do until the next AP)
) = range(22)
N_IV = 22

# ---- per-step probabilities and values read by agents (ctx) ------------------------------
(
    CX_DOM_PER_OPEN,
    CX_N_OPEN,
    CX_N_CLOSE,
    CX_N_BLOCK,
    CX_N_UNBLOCK,
) = range(5)
N_CX = 5

# ---- channel families of the node ---------------------------------------------------------
NAF, NAP, KS, KF = range(4)
FAMILIES = ("naf", "nap", "ks", "kf")
N_STATES = (8, 4, 2, 5)
OPEN_STATE = (7, 3, 1, 4)
MAX_STATES = 8

# ---- draw purposes (cellsim.random.PURPOSE_NERVE + k) -------------------------------------
PU_NAF = 16
PU_KS = 17
PU_CAV_GATE = 18
PU_NAP = 19
PU_SENSOR = 20
PU_REFILL = 21
PU_NMDA_GATE = 22
PU_NMDA_MG = 23
PU_INIT_AGENTS = 24
PU_INIT_NMDA = 27
PU_POP = 28
PU_KF = 29
PU_INIT_POP = 30
PU_BY_FAMILY = (PU_NAF, PU_NAP, PU_KS, PU_KF)

# ---- recorded columns ---------------------------------------------------------------------
RECORD_COLUMNS = (
    "time_ms",
    "v_mV",
    "stim_nA",
    "na_open_fraction",
    "nap_open_fraction",
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


# ---- counter-based binomial draws ---------------------------------------------------------
# Stirling-series remainders log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2], k < 10
_FC = np.array(
    [
        0.08106146679532726,
        0.04134069595540929,
        0.02767792568499834,
        0.02079067210376509,
        0.01664469118982119,
        0.01387612882307075,
        0.01189670994589177,
        0.01041126526197209,
        0.009255462182712733,
        0.008330563433362871,
    ]
)


@njit(cache=True)
def _stirling_fc(k):
    if k < 10:
        return _FC[k]
    kp = k + 1.0
    kp2 = kp * kp
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp2) / kp2) / kp


@njit(cache=True)
def _binomial_inversion(n, p, log_q, key):
    """Inversion from 0 (p <= 1/2, small mean): one uniform, O(n p) steps.

    ``log_q`` is log(1 - p), which a caller may know already.
    """
    q = 1.0 - p
    r = p / q
    pmf = math.exp(n * log_q)
    cdf = pmf
    u = uniform(key, 0)
    k = 0
    while u > cdf and k < n:
        pmf *= r * (n - k) / (k + 1.0)
        k += 1
        cdf += pmf
    return k


@njit(cache=True)
def _binomial_btrd(n, p, key):
    """Hörmann's BTRD rejection sampler (p <= 1/2, n p >= 10).

    W. Hörmann 1993, "The generation of binomial random variates", J Stat Comput Simul
    46:101.  Uniforms are drawn 0, 1, 2, ... under ``key``, so the result is a function
    of the key alone.
    """
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    v_r = 0.92 - 4.2 / b
    urvr = 0.86 * v_r
    m = math.floor((n + 1) * p)
    r = p / q
    nr = (n + 1) * r
    npq = n * p * q
    draw = 0
    while True:
        v = uniform(key, draw)
        draw += 1
        if v <= urvr:
            u = v / v_r - 0.43
            return math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c)
        if v >= v_r:
            u = uniform(key, draw) - 0.5
            draw += 1
        else:
            u = v / v_r - 0.93
            u = math.copysign(0.5, u) - u
            v = uniform(key, draw) * v_r
            draw += 1
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:
            f = 1.0
            if m < k:
                i = m + 1
                while i <= k:
                    f *= nr / i - r
                    i += 1
            elif m > k:
                i = k + 1
                while i <= m:
                    v *= nr / i - r
                    i += 1
            if v <= f:
                return int(k)
            continue
        v = math.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return int(k)
        if v > t + rho:
            continue
        nm = n - m + 1.0
        h = (
            (m + 0.5) * math.log((m + 1.0) / (r * nm))
            + _stirling_fc(int(m))
            + _stirling_fc(int(n - m))
        )
        nk = n - k + 1.0
        bound = (
            h
            + (n + 1.0) * math.log(nm / nk)
            + (k + 0.5) * math.log(nk * r / (k + 1.0))
            - _stirling_fc(int(k))
            - _stirling_fc(int(n - k))
        )
        if v <= bound:
            return int(k)


@njit(cache=True)
def binomial(n, p, key):
    """A Binomial(n, p) draw, a function of (n, p, key) only (counter-based)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    if n * pp < 10.0:
        k = _binomial_inversion(n, pp, math.log1p(-pp), key)
    else:
        k = _binomial_btrd(n, pp, key)
    return n - k if flip else k


@njit(cache=True)
def binomial_small_p(n, p, log_q, key):
    """``binomial(n, p, key)`` for p <= 1/2 when log(1 - p) is known (saves a logarithm)."""
    if n <= 0 or p <= 0.0:
        return 0
    if n * p < 10.0:
        return _binomial_inversion(n, p, log_q, key)
    return _binomial_btrd(n, p, key)


# ---- node kinetics: McIntyre, Richardson & Grill 2002 -------------------------------------
@njit(cache=True)
def _vtrap(x, a, c):
    """a x / (1 - exp(-x/c)): finite at x = 0 (value a c)."""
    y = x / c
    if abs(y) < 1e-6:
        return a * c * (1.0 + 0.5 * y)
    return a * x / (-math.expm1(-y))


@njit(cache=True)
def node_rates(v_na, v_k, p, out):
    """MRG 2002 rates (ms⁻¹) at the run's temperature, for gates that see ``v_na`` (Na
    channels) and ``v_k`` (K channels): out = (ap, bp, am, bm, ah, bh, as, bs, an, bn).

    The Kf pair (an, bn) is the fast K of Gaines et al. 2018 (node_motor.mod).
    """
    q1, q2, q3 = p[Q1], p[Q2], p[Q3]
    out[0] = q1 * _vtrap(v_na + 27.0, 0.01, 10.2)
    out[1] = q1 * _vtrap(-(v_na + 34.0), 0.00025, 10.0)
    out[2] = q1 * _vtrap(v_na + p[AM_B], 1.86, 10.3)
    out[3] = q1 * _vtrap(-(v_na + 25.7), 0.086, 9.16)
    out[4] = q2 * _vtrap(-(v_na + 114.0), 0.062, 11.0)
    out[5] = q2 * 2.3 / (1.0 + math.exp(-(v_na + 31.8) / 13.4))
    out[6] = q3 * 0.3 / (1.0 + math.exp(-(v_k + 53.0) / 5.0))
    out[7] = q3 * 0.03 / (1.0 + math.exp(-(v_k + 90.0)))
    out[8] = q3 * _vtrap(v_k + 83.2, 0.0462, 1.1)
    out[9] = q3 * _vtrap(-(v_k + 66.0), 0.0824, 10.5)


#: Node rates are tabulated against the gating voltage from RATE_V_MIN_MV in steps of
#: RATE_DV_MV (linear interpolation; the steepest rate, Kv7's beta_s with a 1 mV slope, is
#: then within 2e-5 of its formula); outside the table the formulas are evaluated.
RATE_V_MIN_MV = -250.0
RATE_DV_MV = 0.01
RATE_ROWS = 45001
N_RATES = 10


@njit(cache=True)
def fill_rate_table(p, table):
    """Rates (columns 0-9) and their one-substep stay factors exp(-rate·dt) (10-19)."""
    out = np.empty(N_RATES)
    dt = p[DT_AX]
    for i in range(table.shape[0]):
        v = RATE_V_MIN_MV + i * RATE_DV_MV
        node_rates(v, v, p, out)
        for j in range(N_RATES):
            table[i, j] = out[j]
            table[i, N_RATES + j] = math.exp(-out[j] * dt)


@njit(cache=True)
def _interpolate(table, v, first, last, rates, stays, p):
    """Columns first..last-1 of the rate table at gating voltage v (formulas off the table)."""
    x = (v - RATE_V_MIN_MV) / RATE_DV_MV
    i = math.floor(x)
    if i < 0 or i >= table.shape[0] - 1:
        out = np.empty(N_RATES)
        node_rates(v, v, p, out)
        for j in range(first, last):
            rates[j] = out[j]
            stays[j] = math.exp(-out[j] * p[DT_AX])
        return
    w = x - i
    a, b = table[i], table[i + 1]
    for j in range(first, last):
        rates[j] = a[j] + w * (b[j] - a[j])
        k = N_RATES + j
        stays[j] = a[k] + w * (b[k] - a[k])


@njit(cache=True)
def _row(cum, s, r0, r1, r2, r3, stay, dt):
    """Cumulative one-step exit probabilities of state s (``stay`` = exp(-R dt)).

    The chance of any exit is 1 - exp(-R dt) (exact for the first event); it is split
    between exits in proportion to their rates.  One uniform then picks "which exit, if
    any" for an agent; a population draws Binomial(n, cum[s, 3]) and splits.  Column 4
    holds log(stay) = -R dt.
    """
    total = r0 + r1 + r2 + r3
    if total <= 0.0:
        cum[s, 0] = cum[s, 1] = cum[s, 2] = cum[s, 3] = cum[s, 4] = 0.0
        return
    p_exit = 1.0 - stay
    scale = p_exit / total
    # exits after the last one with a rate end exactly at p_exit: a rounding difference
    # between scale·total and 1 - stay must never open an exit that does not exist
    cum[s, 0] = scale * r0 if r1 + r2 + r3 > 0.0 else p_exit
    cum[s, 1] = scale * (r0 + r1) if r2 + r3 > 0.0 else p_exit
    cum[s, 2] = scale * (r0 + r1 + r2) if r3 > 0.0 else p_exit
    cum[s, 3] = p_exit
    cum[s, 4] = -total * dt


@njit(cache=True)
def fill_node_tables(rates, stays, dt, cum):
    """Transition tables of the four families at the present rates.

    ``cum[f, s, r]``: cumulative probability of exits 0..r of state s of family f.  Exit
    probabilities use exp(-R dt) = Π exp(-r_i dt) over the gates' rates (``stays``).
    Na fast: state m + 4 h, exits m+1, m-1, h 0→1, h 1→0.  Na persistent: open p gates
    0..3, exits ±1.  Ks: 0/1.  Kf: open n gates 0..4, exits ±1.
    """
    ap, bp, am, bm, ah, bh, a_s, b_s, an, bn = (
        rates[0],
        rates[1],
        rates[2],
        rates[3],
        rates[4],
        rates[5],
        rates[6],
        rates[7],
        rates[8],
        rates[9],
    )
    e_ap, e_bp, e_am, e_bm, e_ah, e_bh, e_as, e_bs, e_an, e_bn = (
        stays[0],
        stays[1],
        stays[2],
        stays[3],
        stays[4],
        stays[5],
        stays[6],
        stays[7],
        stays[8],
        stays[9],
    )
    na, nap, ks, kf = cum[NAF], cum[NAP], cum[KS], cum[KF]
    # exp(-R dt) of a state with m of 3 gates up: e_am^(3-m) e_bm^m
    ups = (e_am * e_am * e_am, e_am * e_am, e_am, 1.0)
    downs = (1.0, e_bm, e_bm * e_bm, e_bm * e_bm * e_bm)
    for m in range(4):
        gates = ups[m] * downs[m]
        _row(na, m, (3 - m) * am, m * bm, ah, 0.0, gates * e_ah, dt)
        _row(na, m + 4, (3 - m) * am, m * bm, 0.0, bh, gates * e_bh, dt)
    ups = (e_ap * e_ap * e_ap, e_ap * e_ap, e_ap, 1.0)
    downs = (1.0, e_bp, e_bp * e_bp, e_bp * e_bp * e_bp)
    for s in range(4):
        _row(nap, s, (3 - s) * ap, s * bp, 0.0, 0.0, ups[s] * downs[s], dt)
    _row(ks, 0, a_s, 0.0, 0.0, 0.0, e_as, dt)
    _row(ks, 1, 0.0, b_s, 0.0, 0.0, e_bs, dt)
    e_an2, e_bn2 = e_an * e_an, e_bn * e_bn
    ups5 = (e_an2 * e_an2, e_an2 * e_an, e_an2, e_an, 1.0)
    downs5 = (1.0, e_bn, e_bn2, e_bn2 * e_bn, e_bn2 * e_bn2)
    for s in range(5):
        _row(kf, s, (4 - s) * an, s * bn, 0.0, 0.0, ups5[s] * downs5[s], dt)


@njit(cache=True)
def target(family, s, r):
    """The state an exit leads to (exits: 0 one gate opens, 1 one closes; Na fast also
    2: h opens, 3: h closes)."""
    if r == 0:
        return s + 1
    if r == 1:
        return s - 1
    if r == 2:
        return s + 4
    return s - 4


@njit(cache=True)
def channel_next(family, state, u, cum):
    """Rule of one channel agent: its new state given one uniform."""
    row = cum[family, state]
    if u >= row[3]:
        return state
    if u < row[0]:
        return target(family, state, 0)
    if u < row[1]:
        return target(family, state, 1)
    if u < row[2]:
        return target(family, state, 2)
    return target(family, state, 3)


#: Up to this many leavers of a state pick their exits one by one (a uniform each);
#: more are split by successive binomials.  Both are the same multinomial law.
FEW_LEAVERS = 8


@njit(cache=True)
def population_step(family, counts, cum, key, delta):
    """Rule of a channel population: every channel of ``counts`` steps at once.

    Per state: leavers ~ Binomial(n, P_exit), split between exits in proportion to their
    rates (a multinomial: one uniform per leaver when they are few, successive binomials
    otherwise).  All moves use the counts before the step (synchronous, as agents are).
    ``delta`` is scratch of at least ``counts``' length.
    """
    n_states = counts.shape[0]
    for s in range(n_states):
        delta[s] = 0
    table = cum[family]
    base = 64 * family  # every family and state has its own slots under the step's key
    for s in range(n_states):
        n = counts[s]
        row = table[s]
        p_exit = row[3]
        if n <= 0 or p_exit <= 0.0:
            continue
        slot = base + 8 * s
        if p_exit <= 0.5:
            k = binomial_small_p(n, p_exit, row[4], agent_key(key, slot))
        else:
            k = binomial(n, p_exit, agent_key(key, slot))
        if k == 0:
            continue
        if row[0] >= p_exit:  # a single exit (the others have rate 0)
            delta[s] -= k
            delta[target(family, s, 0)] += k
            continue
        if k <= FEW_LEAVERS:
            split_key = agent_key(key, slot + 5)
            for j in range(k):
                u = uniform(split_key, j) * p_exit
                r = 0
                while r < 3 and u >= row[r]:
                    r += 1
                delta[s] -= 1
                delta[target(family, s, r)] += 1
            continue
        # successive binomials, the widest exit last (it takes the remainder), so that
        # every draw has a small share and a cheap sampler
        widest = 0
        for r in range(1, 4):
            if row[r] - row[r - 1] > row[widest] - (row[widest - 1] if widest > 0 else 0.0):
                widest = r
        left = k
        rest = p_exit
        for r in range(4):
            if r == widest:
                continue
            width = row[r] - (row[r - 1] if r > 0 else 0.0)
            if width <= 0.0:
                continue
            share = width / rest
            x = binomial(left, share if share < 1.0 else 1.0, agent_key(key, slot + 1 + r))
            rest -= width
            if x > 0:
                delta[s] -= x
                delta[target(family, s, r)] += x
                left -= x
            if left == 0:
                break
        if left > 0:
            delta[s] -= left
            delta[target(family, s, widest)] += left
    for s in range(n_states):
        counts[s] += delta[s]


@njit(cache=True)
def multinomial_fill(n, probs, n_states, key, counts):
    """Split n channels between states with probabilities ``probs`` (successive binomials)."""
    left = n
    rest = 1.0
    for s in range(n_states):
        if s == n_states - 1:
            counts[s] = left
            break
        share = probs[s] / rest if rest > 0.0 else 1.0
        x = binomial(left, min(share, 1.0), agent_key(key, s))
        counts[s] = x
        left -= x
        rest -= probs[s]


@njit(cache=True)
def steady_state(family, rates, probs):
    """Steady-state occupancy of each state at fixed rates (independent gates)."""
    ap, bp, am, bm, ah, bh, a_s, b_s, an, bn = (
        rates[0],
        rates[1],
        rates[2],
        rates[3],
        rates[4],
        rates[5],
        rates[6],
        rates[7],
        rates[8],
        rates[9],
    )
    if family == NAF:
        m_inf, h_inf = am / (am + bm), ah / (ah + bh)
        for s in range(8):
            m = s % 4
            pm = _choose(3, m) * m_inf**m * (1.0 - m_inf) ** (3 - m)
            probs[s] = pm * (h_inf if s >= 4 else 1.0 - h_inf)
    elif family == NAP:
        x = ap / (ap + bp)
        for s in range(4):
            probs[s] = _choose(3, s) * x**s * (1.0 - x) ** (3 - s)
    elif family == KS:
        x = a_s / (a_s + b_s)
        probs[0], probs[1] = 1.0 - x, x
    else:
        x = an / (an + bn)
        for s in range(5):
            probs[s] = _choose(4, s) * x**s * (1.0 - x) ** (4 - s)


@njit(cache=True)
def _choose(n, k):
    out = 1.0
    for i in range(k):
        out = out * (n - i) / (i + 1)
    return out


@njit(cache=True)
def init_family(seed, family, v_na, v_k, p, agents, n_population, counts):
    """Channels of one family at steady state at the starting voltage.

    Agents: each state drawn by inversion of the steady-state distribution; the
    ``n_population`` others: a multinomial.  Both counter-based.
    """
    rates = np.empty(10)
    node_rates(v_na, v_k, p, rates)
    probs = np.zeros(MAX_STATES)
    n_states = N_STATES[family]
    steady_state(family, rates, probs)
    key = step_key(seed, PU_INIT_AGENTS, family)
    for i in range(agents.shape[0]):
        u = uniform(agent_key(key, i), 0)
        acc = 0.0
        state = n_states - 1
        for s in range(n_states):
            acc += probs[s]
            if u < acc:
                state = s
                break
        agents[i] = state
    if counts.shape[0] > 0:
        multinomial_fill(n_population, probs, n_states, step_key(seed, PU_INIT_POP, family), counts)


@njit(cache=True)
def axon_prepare(p, sv, table, rates, stays, cum):
    """Rates and transition tables at the present V (each family at its own gating V)."""
    v = sv[SV_V]
    _interpolate(table, v - p[SHIFT_NA], 0, 6, rates, stays, p)
    _interpolate(table, v - p[SHIFT_K], 6, N_RATES, rates, stays, p)
    fill_node_tables(rates, stays, p[DT_AX], cum)


@njit(cache=True)
def open_count(family, agents, counts):
    """Open channels of a family: agents in the open state plus the population's."""
    state = OPEN_STATE[family]
    n = counts[state] if counts.shape[0] > state else 0
    for i in range(agents.shape[0]):
        if agents[i] == state:
            n += 1
    return n


@njit(cache=True)
def node_and_load(v, vl, g_ch, i_ch, dt, p):
    """Node and internodal load after ``dt`` with the channels' conductances held fixed.

    The pair is a linear system x' = A x + b (x = node V, load V):

        C_n v' = -(g_ch + G_ax) v + G_ax vl + i_ch
        C_l vl' = G_ax v - (G_ax + G_l) vl + G_l E_l

    solved exactly, x(dt) = x* + exp(A dt)(x - x*), with exp(A dt) from A's two (real,
    negative) eigenvalues.  ``g_ch`` (nS) and ``i_ch`` (pA) are the node's channel and leak
    conductance and their driving current (with any stimulus).  Exact integration matters:
    the node's time constant against the load is ~1 µs, and an operator-split update
    distorts the slow mode that sets the strength-duration time constant.
    """
    c_n, c_l = p[C_NODE], p[C_LOAD]
    g_ax, g_l = p[G_AX], p[G_LOAD]
    a11 = -(g_ch + g_ax) / c_n
    a12 = g_ax / c_n
    a21 = g_ax / c_l
    a22 = -(g_ax + g_l) / c_l
    b1 = i_ch / c_n
    b2 = g_l * p[E_LOAD] / c_l
    det = a11 * a22 - a12 * a21
    x1 = (a12 * b2 - a22 * b1) / det  # the fixed point x* = -A⁻¹ b
    x2 = (a21 * b1 - a11 * b2) / det
    d1, d2 = v - x1, vl - x2
    half_tr = 0.5 * (a11 + a22)
    disc = math.sqrt(max(half_tr * half_tr - det, 0.0))
    l1, l2 = half_tr + disc, half_tr - disc
    e1, e2 = math.exp(l1 * dt), math.exp(l2 * dt)
    if disc > 1e-12:
        # exp(A dt) = [e1 (A - l2 I) - e2 (A - l1 I)] / (l1 - l2)
        w1, w2 = e1 / (l1 - l2), e2 / (l1 - l2)
        m11 = w1 * (a11 - l2) - w2 * (a11 - l1)
        m12 = (w1 - w2) * a12
        m21 = (w1 - w2) * a21
        m22 = w1 * (a22 - l2) - w2 * (a22 - l1)
    else:
        m11 = e1 * (1.0 + (a11 - half_tr) * dt)
        m12 = e1 * a12 * dt
        m21 = e1 * a21 * dt
        m22 = e1 * (1.0 + (a22 - half_tr) * dt)
    return x1 + m11 * d1 + m12 * d2, x2 + m21 * d1 + m22 * d2


@njit(cache=True)
def axon_finish(p, sv, iv, step, sub, i_stim_nA, clamp_v, n_open, onsets, spikes):
    """Open counts → V of node and load (exact for fixed conductances) → spike → terminal AP.

    ``n_open`` holds the open counts of the four families.  Units: nS, pF, mV, pA.
    """
    iv[IV_NAF_OPEN] = n_open[NAF]
    iv[IV_NAP_OPEN] = n_open[NAP]
    iv[IV_KS_OPEN] = n_open[KS]
    iv[IV_KF_OPEN] = n_open[KF]
    dt = p[DT_AX]
    g_na = p[G_NA1] * (n_open[NAF] + n_open[NAP])
    g_k = p[G_KS1] * n_open[KS] + p[G_KF1] * n_open[KF]
    if p[AX_CLAMP] > 0:
        # voltage clamp: the amplifier holds V, channels still gate; the load follows
        v = clamp_v
        g_load = p[G_AX] + p[G_LOAD]
        vl_inf = (p[G_AX] * v + p[G_LOAD] * p[E_LOAD]) / g_load
        sv[SV_VL] = vl_inf + (sv[SV_VL] - vl_inf) * math.exp(-dt * g_load / p[C_LOAD])
    else:
        g_ch = g_na + g_k + p[G_L]
        i_ch = g_na * p[E_NA] + g_k * p[E_K] + p[G_L] * p[E_L] + 1000.0 * i_stim_nA
        v, sv[SV_VL] = node_and_load(sv[SV_V], sv[SV_VL], g_ch, i_ch, dt, p)
    sv[SV_V] = v
    sv[SV_I_STIM] = i_stim_nA
    if iv[IV_ARMED] == 1 and v >= p[SPK_TH]:
        iv[IV_ARMED] = 0
        if iv[IV_N_SPIKES] < spikes.shape[0]:
            spikes[iv[IV_N_SPIKES]] = (step * p[N_SUB] + sub + 1) * dt
        iv[IV_N_SPIKES] += 1
        if p[TERM_ON] > 0 and iv[IV_Q_TAIL] < onsets.shape[0]:
            onsets[iv[IV_Q_TAIL]] = step + 1 + int(p[DELAY_STEPS])
            iv[IV_Q_TAIL] += 1
    elif v < p[SPK_REARM]:
        iv[IV_ARMED] = 1


# ---- presynaptic terminal ----------------------------------------------------------------
@njit(cache=True)
def terminal_voltage(p, since_steps):
    """The terminal AP: rest + amplitude · (1 - e^(-x/τr))³ e^(-x/τd) / max, x from its start."""
    x = since_steps * p[DT] - p[TV_DELAY]
    if x <= 0.0:
        return p[TV_REST]
    w = (-math.expm1(-x / p[TV_RISE])) ** 3 * math.exp(-x / p[TV_DECAY])
    return p[TV_REST] + p[TV_AMP] * w / p[TV_NORM]


@njit(cache=True)
def ghk_factor(v_mV, p):
    """(2FV/RT) / (exp(2FV/RT) - 1): the voltage dependence of the Ca flux, 1 at 0 mV."""
    z = p[GHK_F] * v_mV
    if abs(z) < 1e-6:
        return 1.0 - 0.5 * z
    return z / math.expm1(z)


@njit(cache=True)
def terminal_prepare(p, sv, iv, step, onsets, ctx, cav_cum):
    """Start a terminal AP if one is due; set the waveform, the Ca-channel table and the
    nanodomain Ca that one open channel adds.

    ``iv[IV_ACTIVE]``: 1 while the channels are stepped (``terminal_window_ms``), 2 while
    only sensors holding Ca are (to ``sensor_window_ms``), 0 at rest.
    ``iv[IV_NEW_ONSET]`` is 1 on the step an AP starts after rest, 2 if the previous AP's
    sensors were still being stepped.
    """
    was_active = iv[IV_ACTIVE]
    iv[IV_NEW_ONSET] = 0
    while iv[IV_Q_HEAD] < iv[IV_Q_TAIL] and onsets[iv[IV_Q_HEAD]] <= step:
        iv[IV_LAST_ONSET] = onsets[iv[IV_Q_HEAD]]
        iv[IV_Q_HEAD] += 1
        iv[IV_N_ONSETS] += 1
        iv[IV_NEW_ONSET] = 2 if was_active > 0 else 1
    since = step - iv[IV_LAST_ONSET]
    if iv[IV_LAST_ONSET] >= 0 and since < p[WINDOW_STEPS]:
        iv[IV_ACTIVE] = 1
    elif iv[IV_LAST_ONSET] >= 0 and since < p[SENSOR_WINDOW_STEPS]:
        iv[IV_ACTIVE] = 2
    else:
        iv[IV_ACTIVE] = 0
    if iv[IV_ACTIVE] != 1:
        sv[SV_TERM_V] = p[TV_REST]  # at rest the channels are not stepped: no table needed
        return
    v = terminal_voltage(p, since)
    sv[SV_TERM_V] = v
    vg = v - p[SHIFT_CAV]
    alpha = p[CAV_A0] * math.exp(vg / p[CAV_AS])
    beta = p[CAV_B0] * math.exp(-vg / p[CAV_BS])
    e_a, e_b = math.exp(-alpha * p[DT]), math.exp(-beta * p[DT])
    # a P/Q channel: two independent activation gates; open with both up (m²)
    _row(cav_cum, 0, 2.0 * alpha, 0.0, 0.0, 0.0, e_a * e_a, p[DT])
    _row(cav_cum, 1, alpha, beta, 0.0, 0.0, e_a * e_b, p[DT])
    _row(cav_cum, 2, 0.0, 2.0 * beta, 0.0, 0.0, e_b * e_b, p[DT])
    ctx[CX_DOM_PER_OPEN] = p[I_UNIT] * ghk_factor(v, p) * p[DOM_PER_PA]


@njit(cache=True)
def terminal_onset(p, iv, step, gates, vesicle, sensor, redock, shadow, docked):
    """What happens at every site when a terminal AP starts (both engines call it).

    * Channels are closed: between APs the terminal rests at -80 mV, where a P/Q gate
      closes within ~10 µs and both gates are almost never up.
    * An emptied site whose new vesicle has arrived (its re-docking time has passed) has
      it docked: refill is evaluated when it matters, exactly.
    * After rest, sensors are empty (Ca still bound at the end of the sensor window, a
      rare event, has left).  Resting Ca (50 nM) binding is left out: it would give
      spontaneous quanta, which this model does not have.
    * The expected-release observer restarts from an empty sensor on a docked vesicle.

    ``docked`` records, per AP, the fraction of sites holding a vesicle (depletion).
    """
    now_ms = step * p[DT]
    n_sites = vesicle.shape[0]
    for c in range(gates.shape[0]):
        gates[c] = 0
    n_docked = 0
    for i in range(n_sites):
        if vesicle[i] == 0 and redock[i] <= now_ms:
            vesicle[i] = 1
        n_docked += vesicle[i]
        if iv[IV_NEW_ONSET] == 1:
            sensor[i] = 0
    k = iv[IV_N_ONSETS] - 1
    if 0 <= k < docked.shape[0]:
        docked[k] = n_docked / max(n_sites, 1)
    if p[SHADOW] > 0:
        for i in range(n_sites):
            for b in range(shadow.shape[1]):
                shadow[i, b] = 0.0
            shadow[i, 0] = 1.0


@njit(cache=True)
def cav_next(state, u, cav_cum):
    """Rule of a Ca-channel agent: 0, 1 or 2 gates up; open with 2."""
    row = cav_cum[state]
    if u >= row[3]:
        return state
    if u < row[0]:
        return state + 1
    return state - 1


@njit(cache=True)
def site_domain_ca(gates, first, count, p, ctx):
    """Nanodomain Ca at one release site (µM): rest + every open channel's point source."""
    n_open = 0
    for c in range(first, first + count):
        if gates[c] == 2:
            n_open += 1
    return p[DOM_REST] + ctx[CX_DOM_PER_OPEN] * n_open


@njit(cache=True)
def sensor_next(b, u, ca_uM, p):
    """Rule of a release site's Ca sensor with a docked vesicle.

    ``b`` Ca ions bound (0..N).  Binding (N - b)·k_on·Ca, unbinding b·k_off·B^(b-1)
    (cooperativity: bound ions stay longer), and fusion from the fully bound state at rate
    γ (Schneggenburger & Neher 2000).  Returns the new ``b``, or -1 if the vesicle fused.
    """
    n = int(p[S_N])
    up = (n - b) * p[S_KON] * ca_uM
    down = p[S_DOWN + b]
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
def sensor_expectation_step(prob, ca_uM, p, active):
    """The same sensor rule applied to a probability vector: returns the chance of fusing
    in this step and advances ``prob`` (the exact law of the agent given its Ca).

    As for the agent, after the AP (``active`` 2) an empty sensor does not bind resting
    Ca: only states b >= 1 move, and a site whose bound states hold less than 1e-12 is
    left alone (its further fusion chance is below that).  States are visited upwards;
    what flows up from state b is carried into b + 1 after b + 1's own outflow is
    computed, and what flows down goes into b - 1, which is done, so every outflow uses
    the probabilities before the step (no copy needed).
    """
    n = int(p[S_N])
    first = 0
    if active == 2:
        first = 1
        bound = 0.0
        for b in range(1, n + 1):
            bound += prob[b]
        if bound < 1e-12:
            return 0.0
    fused = 0.0
    carry = 0.0
    for b in range(first, n + 1):
        pb = prob[b]
        up = (n - b) * p[S_KON] * ca_uM
        down = p[S_DOWN + b]
        fuse = p[S_GAMMA] if b == n else 0.0
        total = up + down + fuse
        leave = pb * (-math.expm1(-total * p[DT])) / total if pb > 0.0 and total > 0.0 else 0.0
        prob[b] = pb - leave * total + carry
        if b > 0:  # in the tail, b = 1 loses its Ca to the frozen empty state
            prob[b - 1] += leave * down
        carry = leave * up
        fused += leave * fuse
    return fused


@njit(cache=True)
def redock_ms(seed, step, site, now_ms, tau_ms):
    """When an emptied site docks a new vesicle: now + Exp(τ_refill) (exact, continuous)."""
    u = uniform(agent_key(step_key(seed, PU_REFILL, step), site), 0)
    return now_ms - tau_ms * math.log1p(-u)


@njit(cache=True)
def terminal_finish(p, sv, iv, step, fused, site_ca, q_times, q_sites, q_per_onset, muscle):
    """Quanta released this step → end-plate potential → muscle action potential."""
    n_sites = fused.shape[0]
    quanta = 0
    if iv[IV_ACTIVE] == 0:
        # at rest nothing fuses and every site is at resting Ca: only the EPP decays
        if iv[IV_RESTING] == 0:
            iv[IV_RESTING] = 1
            sv[SV_DOM_MEAN] = p[DOM_REST]
    else:
        iv[IV_RESTING] = 0
        total = 0.0
        for i in range(n_sites):
            total += site_ca[i]
            if fused[i] == 1:
                j = iv[IV_N_QUANTA]
                if j < q_times.shape[0]:
                    q_times[j] = (step + 1) * p[DT]
                    q_sites[j] = i
                iv[IV_N_QUANTA] += 1
                quanta += 1
        sv[SV_DOM_MEAN] = total / max(n_sites, 1)
    if quanta > 0 and 0 < iv[IV_N_ONSETS] <= q_per_onset.shape[0]:
        q_per_onset[iv[IV_N_ONSETS] - 1] += quanta
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
def terminal_rest(fused, site_ca, rest_uM):
    """Between terminal APs: nothing fuses, every nanodomain is at resting Ca."""
    for i in range(fused.shape[0]):
        fused[i] = 0
        site_ca[i] = rest_uM


@njit(cache=True)
def add_expected(iv, expected_step, expected):
    """Add this step's expected fusions of every site (in site order) to the present AP's."""
    n = iv[IV_N_ONSETS] - 1
    if n < 0 or n >= expected.shape[0]:
        return
    total = 0.0
    for i in range(expected_step.shape[0]):
        total += expected_step[i]
        expected_step[i] = 0.0
    expected[n] += total


@njit(cache=True)
def at(values, step):
    """``values[step]`` of a per-step input, or its one value when the input is constant."""
    return values[step] if values.shape[0] > 1 else values[0]


# ---- NMDA receptors ---------------------------------------------------------------------
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
def record(p, sv, iv, step, n_channels, n_nmda, rec, every):
    """Write one row of the time series after ``step`` if it falls on the stride.

    ``n_channels``: the number of channels of each family (agents and population).
    """
    if (step + 1) % every != 0:
        return
    r = (step + 1) // every
    if r >= rec.shape[0]:
        return
    rec[r, 0] = (step + 1) * p[DT]
    rec[r, 1] = sv[SV_V]
    rec[r, 2] = sv[SV_I_STIM]
    rec[r, 3] = iv[IV_NAF_OPEN] / max(n_channels[NAF], 1)
    rec[r, 4] = iv[IV_NAP_OPEN] / max(n_channels[NAP], 1)
    rec[r, 5] = (iv[IV_KS_OPEN] + iv[IV_KF_OPEN]) / max(n_channels[KS] + n_channels[KF], 1)
    rec[r, 6] = sv[SV_TERM_V]
    rec[r, 7] = sv[SV_DOM_MEAN]
    rec[r, 8] = iv[IV_N_QUANTA]
    rec[r, 9] = sv[SV_EPP]
    rec[r, 10] = sv[SV_NMDA_V]
    rec[r, 11] = iv[IV_N_UNBLOCKED] / max(n_nmda, 1)
    rec[r, 12] = iv[IV_N_OPEN] / max(n_nmda, 1)


@njit(cache=True)
def agent_uniform(seed, purpose, step, index, draw):
    """The uniform an agent draws: for the reference engine, called from Python.

    Keys stay inside numba; passing them through Python ints could change their numba
    type and so the numbers.  The kernel computes ``step_key`` once per step and gets the
    identical value.
    """
    return uniform(agent_key(step_key(seed, purpose, step), index), draw)


@njit(cache=True)
def population_key(seed, substep):
    """The key of every population draw of one node substep (the reference engine's)."""
    return step_key(seed, PU_POP, substep)


@njit(cache=True)
def init_bernoulli(seed, purpose, prob, out):
    """Set each entry of ``out`` to 1 with probability ``prob`` (steady-state blocks)."""
    key = step_key(seed, purpose, 0)
    for i in range(out.shape[0]):
        out[i] = 1 if uniform(agent_key(key, i), 0) < prob else 0
