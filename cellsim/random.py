"""Counter-based random stream shared by every engine.

Why counter-based
-----------------
A sequential generator gives each draw a value that depends on how many draws
came before it, so the numba kernel (ions processed in parallel chunks) and the
reference engine (agents stepped one by one in Python) would see different
numbers.  Here every draw is a pure function of

    (seed, purpose, step, agent index, draw number)

so the same ion at the same step gets the same numbers whichever engine, thread
count or iteration order is used.  That is what makes "same seed => same
trajectory" testable.

The hash is the SplitMix64 finaliser (Steele, Lea & Flood 2014), applied once
per level of the counter.  Its output passes BigCrush when fed a counter; three
chained rounds decorrelate neighbouring seeds, steps and agents.

Normals come from a 128-layer ziggurat (Marsaglia & Tsang 2000, in Doornik's
2005 floating-point form), which needs one hash per draw in ~99 % of cases and
no transcendental functions on the fast path; rare rejections take further
hashes from a separate sub-counter, so they stay reproducible.

Keys are handed out as int64 (the same 64 bits): a Python int above 2**63
would reach numba as uint64 and break dispatch, and mixing int64 with uint64
inside numba silently promotes to float64.

Usage (from numba code or plain Python; both call the same compiled functions)::

    k = step_key(seed, PURPOSE_MOVE, step)   # once per step and purpose
    a = agent_key(k, ion_index)               # once per agent
    dx = normal(a, 0); dy = normal(a, 1); u = uniform(a, 3)

Hot loops use the agent key itself as 64 random bits and split it (and one
more hash, ``bits(a, 0)``) into 32-bit halves: ``d = draws32(a)``, then
``normal32(d[0], a, 1)`` or ``unit32(d[3])``; see :func:`normal32`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

# Draw purposes: distinct streams so that, e.g., the unbinding test of an ion
# never reuses a number from its displacement.  Append only; never renumber
# (that would change every stored trajectory).
PURPOSE_MOVE = 1
PURPOSE_BIND = 2
# 3 was unbinding; ions now draw it from their PURPOSE_MOVE key (do not reuse 3)
PURPOSE_PLACE = 4
PURPOSE_CHANNEL = 5
PURPOSE_PUMP = 6
PURPOSE_FILAMENT = 7
PURPOSE_RELEASE = 8
PURPOSE_INIT = 9
PURPOSE_BATH = 10  # when a clamped site next exchanges with its bath
PURPOSE_NERVE = 16  # nerve scale uses 16..31

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP_MULT = np.uint64(0xD1B54A32D192ED03)
_INDEX_MULT = np.uint64(0xABC98388FB8FAC03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S7 = np.uint64(7)
_S8 = np.uint64(8)
_MASK7 = np.uint64(127)
_ONE = np.uint64(1)
_REJECT_BASE = np.uint64(1 << 40)
_FRESH_DRAW = np.uint64(1 << 20)
_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_TO_UNIT32 = 1.0 / 4294967296.0  # 2**-32
_TO_SIGNED25 = 1.0 / 16777216.0  # 2**-24: 25 bits onto (-1, 1)
# Integer-to-float conversions go through int64 (the values fit): x86 has a
# single instruction for signed 64-bit integers but not for unsigned ones.


# Not inline="always": numba would copy it into every key and draw it is part of (a
# cost on each first run); with its one explicit signature it is compiled once, and LLVM
# inlines the machine code wherever it is called (checked: no call remains in the kernels).
@njit(uint64(uint64), cache=True)
def mix64(z):
    """SplitMix64 finaliser: a bijective avalanche hash of 64 bits."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def step_key(seed, purpose, step):
    """Key for one (seed, purpose, step); compute once per step, outside loops."""
    z = mix64(np.uint64(seed) * _GOLDEN + np.uint64(purpose))
    return np.int64(mix64(z ^ (np.uint64(step) * _STEP_MULT)))


@njit(cache=True, inline="always")
def agent_key(key, index):
    """Key for one agent (row index) under a step key."""
    return np.int64(mix64(np.uint64(key) ^ (np.uint64(index) * _INDEX_MULT)))


@njit(cache=True, inline="always")
def bits(key, draw):
    """64 random bits: draw number ``draw`` under an agent key."""
    return mix64(np.uint64(key) + (np.uint64(draw) + _ONE) * _GOLDEN)


@njit(cache=True, inline="always")
def uniform(key, draw):
    """A uniform float in [0, 1) with 53 random bits."""
    return float(np.int64(bits(key, draw) >> _S11)) * _TO_UNIT


def _ziggurat_tables(layers=128):
    """Layer edges X[0..layers] of Doornik's ZIGNOR ziggurat for N(0, 1).

    Solved here rather than pasted so the constants are checkable: R is the
    start of the tail and V the common area of every layer.
    """
    r = 3.442619855899
    v = 9.91256303526217e-3
    x = np.empty(layers + 1)
    f = math.exp(-0.5 * r * r)
    x[0] = v / f
    x[1] = r
    for i in range(2, layers):
        x[i] = math.sqrt(-2.0 * math.log(v / x[i - 1] + f))
        f = math.exp(-0.5 * x[i] * x[i])
    x[layers] = 0.0
    ratio = np.empty(layers)
    for i in range(layers):
        ratio[i] = x[i + 1] / x[i]
    return x, ratio, r


_ZIG_X, _ZIG_RATIO, _ZIG_R = _ziggurat_tables()


@njit(cache=True)
def _tail(key, draw, attempt, negative):
    """Marsaglia's tail algorithm beyond R, from hashes of ``(key, draw + k·2**40)``
    for k = attempt, attempt + 1, ... (sub-counters no caller uses)."""
    while True:
        h1 = bits(key, draw + attempt * _REJECT_BASE)
        h2 = bits(key, draw + (attempt + _ONE) * _REJECT_BASE)
        attempt += np.uint64(2)
        u1 = (float(np.int64(h1 >> _S11)) + 0.5) * _TO_UNIT
        u2 = (float(np.int64(h2 >> _S11)) + 0.5) * _TO_UNIT
        xt = -math.log(u1) / _ZIG_R
        yt = -math.log(u2)
        if 2.0 * yt > xt * xt:
            return -(_ZIG_R + xt) if negative else _ZIG_R + xt


@njit(cache=True, inline="always")
def _under_density(x, layer, w):
    """Wedge test of a ziggurat layer: does ``w`` (uniform) put x under the density?"""
    f0 = math.exp(-0.5 * (_ZIG_X[layer] * _ZIG_X[layer] - x * x))
    f1 = math.exp(-0.5 * (_ZIG_X[layer + 1] * _ZIG_X[layer + 1] - x * x))
    return f1 + w * (f0 - f1) < 1.0


@njit(cache=True, inline="always")
def normal(key, draw):
    """A standard normal deviate: draw number ``draw`` under an agent key.

    Fast path: one hash, one table lookup, one multiply.  The rare wedge and
    tail cases draw extra hashes from sub-counters far above any draw number
    a caller uses, so they remain deterministic.
    """
    attempt = np.uint64(0)
    while True:
        h = bits(key, np.uint64(draw) + attempt * _REJECT_BASE)
        attempt += _ONE
        layer = np.int64(h & _MASK7)
        # 53 bits for a signed uniform in (-1, 1); the layer bits are below them
        u = 2.0 * (float(np.int64(h >> _S11)) * _TO_UNIT) - 1.0
        if abs(u) < _ZIG_RATIO[layer]:
            return u * _ZIG_X[layer]
        if layer == 0:
            return _tail(key, np.uint64(draw), attempt, u < 0.0)
        x = u * _ZIG_X[layer]
        h3 = bits(key, np.uint64(draw) + attempt * _REJECT_BASE)
        attempt += _ONE
        if _under_density(x, layer, float(np.int64(h3 >> _S11)) * _TO_UNIT):
            return x


@njit(cache=True, inline="always")
def low32(h):
    """The low 32 bits of a 64-bit hash."""
    return np.uint64(h) & _LOW32


@njit(cache=True, inline="always")
def high32(h):
    """The high 32 bits of a 64-bit hash."""
    return np.uint64(h) >> _S32


@njit(cache=True, inline="always")
def draws32(key):
    """Four 32-bit draws from two hashes: the halves of ``key`` and of ``bits(key, 0)``.

    Returned as integers below 2**32, so plain Python (the reference engine)
    can pass them back to :func:`normal32` and :func:`unit32` unchanged.
    """
    h1 = np.uint64(key)
    h2 = bits(key, 0)
    return h1 & _LOW32, h1 >> _S32, h2 & _LOW32, h2 >> _S32


@njit(cache=True, inline="always")
def unit32(h32):
    """A uniform float in [0, 1) from 32 random bits (resolution 2**-32)."""
    return float(np.int64(np.uint64(h32) & _LOW32)) * _TO_UNIT32


@njit(cache=True, inline="always")
def normal32(h32, key, draw):
    """A standard normal deviate from 32 random bits ``h32``.

    The hot loops split one 64-bit hash into two such halves, so an ion's three
    displacements and its binding test cost two hashes instead of six.  The
    fast path is the ziggurat's rectangle test (7 bits pick the layer, 25 bits
    the abscissa: far finer than any statistic a simulation can resolve); the
    wedge and tail cases (about 1 % of draws) go to :func:`_normal32_edge`,
    which takes further hashes of ``(key, draw)`` and stays exact.
    """
    x, inside = normal32_rectangle(h32)
    if inside:
        return x
    h = np.uint64(h32)
    u = (float(np.int64(h >> _S7)) + 0.5) * _TO_SIGNED25 - 1.0
    # int64, not the literal a caller passes: one compiled _normal32_edge serves draws
    # 1, 2 and 3 instead of one specialisation each
    return _normal32_edge(u, np.int64(h & _MASK7), key, np.int64(draw))


@njit(cache=True, inline="always")
def normal32_rectangle(h32):
    """The fast path of :func:`normal32`: ``(deviate, True)`` when ``h32`` falls in its
    ziggurat layer's rectangle (about 97 % of draws), else ``(anything, False)``.

    Branch-free, so a loop of it over many agents compiles to vector instructions.
    """
    h = np.uint64(h32)
    layer = np.int64(h & _MASK7)
    u = (float(np.int64(h >> _S7)) + 0.5) * _TO_SIGNED25 - 1.0
    return u * _ZIG_X[layer], abs(u) < _ZIG_RATIO[layer]


@njit(cache=True)
def move_draws_block(key, lo, n, keys, normals, units, inside):
    """The draws of :func:`draws32` for agents ``lo .. lo + n - 1`` under ``key``, in bulk.

    For agent ``lo + j``: ``keys[j]`` is its key ``a = agent_key(key, lo + j)``,
    ``normals[k, j]`` is ``normal32(d_k, a, k + 1)`` for k = 0, 1, 2
    and ``units[j]`` is ``unit32(d_3)``, where ``inside[j]`` says all three normals took
    the fast path; where it is False the caller draws them with :func:`normal32`
    (same numbers, exact).  One loop without branches: it runs on vector instructions,
    about twice as fast per agent as the draws one agent at a time.
    """
    for j in range(n):
        keys[j] = agent_key(key, lo + j)
        a = np.uint64(keys[j])
        h2 = bits(a, 0)
        x0, in0 = normal32_rectangle(a & _LOW32)
        x1, in1 = normal32_rectangle(a >> _S32)
        x2, in2 = normal32_rectangle(h2 & _LOW32)
        normals[0, j] = x0
        normals[1, j] = x1
        normals[2, j] = x2
        units[j] = float(np.int64(h2 >> _S32)) * _TO_UNIT32
        inside[j] = in0 & in1 & in2


@njit(cache=True)
def _normal32_edge(u, layer, key, draw):
    """Finish a ziggurat attempt that fell outside its layer's rectangle.

    Tail (layer 0): Marsaglia's tail algorithm.  Wedge: accept under the
    density, otherwise reject the attempt and draw a fresh, complete ziggurat
    normal (a rejected attempt may be replaced by any exact sampler).
    """
    d = np.uint64(draw)
    if layer == 0:
        return _tail(key, d, _ONE, u < 0.0)
    x = u * _ZIG_X[layer]
    if _under_density(x, layer, float(np.int64(bits(key, d + _REJECT_BASE) >> _S11)) * _TO_UNIT):
        return x
    return normal(key, d + _FRESH_DRAW)


@njit(cache=True)
def normals_array(seed, purpose, step, n, draws):
    """Normals for agents 0..n-1, ``draws`` each: for tests and benchmarks."""
    out = np.empty((n, draws))
    k = step_key(seed, purpose, step)
    for i in range(n):
        a = agent_key(k, i)
        for j in range(draws):
            out[i, j] = normal(a, j)
    return out


@njit(cache=True)
def uniforms_array(seed, purpose, step, n, draws):
    """Uniforms for agents 0..n-1, ``draws`` each: for tests and benchmarks."""
    out = np.empty((n, draws))
    k = step_key(seed, purpose, step)
    for i in range(n):
        a = agent_key(k, i)
        for j in range(draws):
            out[i, j] = uniform(a, j)
    return out


@njit(cache=True)
def normals32_array(seed, purpose, step, n):
    """Two :func:`normal32` deviates per agent (both halves of one hash), for tests."""
    out = np.empty((n, 2))
    k = step_key(seed, purpose, step)
    for i in range(n):
        a = agent_key(k, i)
        out[i, 0] = normal32(low32(a), a, 1)
        out[i, 1] = normal32(high32(a), a, 2)
    return out


@njit(cache=True, inline="always")
def poisson(key, draw, mean):
    """Poisson(mean) by inversion; exact, for the small means of one step."""
    u = uniform(key, draw)
    k = 0
    p = math.exp(-mean)
    cumulative = p
    while u > cumulative and k < 10000:
        k += 1
        p *= mean / k
        cumulative += p
    return k
