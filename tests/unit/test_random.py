"""The counter-based stream: right distributions, reproducible, order-free."""

import numpy as np
from scipy import stats

from cellsim import random as cr


def test_normals_are_standard_normal():
    x = cr.normals_array(11, cr.PURPOSE_MOVE, 7, 100_000, 3).ravel()
    # 300 000 draws: the mean's standard error is 0.0018, the variance's 0.0026
    assert abs(x.mean()) < 0.008
    assert abs(x.var() - 1.0) < 0.012
    assert abs(stats.kurtosis(x)) < 0.03
    assert stats.kstest(x, "norm").pvalue > 1e-3
    # the tails beyond the ziggurat's base (|x| > 3.44) must be populated
    assert 0.3 * 300_000 * 5.8e-4 < np.sum(np.abs(x) > 3.44) < 3 * 300_000 * 5.8e-4


def test_normals_from_32_bit_halves_are_standard_normal():
    # the kernel's fast path: two normals from the halves of one hash
    x = cr.normals32_array(13, cr.PURPOSE_MOVE, 3, 200_000)
    flat = x.ravel()
    assert abs(flat.mean()) < 0.008
    assert abs(flat.var() - 1.0) < 0.012
    assert abs(stats.kurtosis(flat)) < 0.03
    assert stats.kstest(flat, "norm").pvalue > 1e-3
    # wedges and tail (the slow path, about 1 % of draws) must be right too
    assert 0.3 * 400_000 * 5.8e-4 < np.sum(np.abs(flat) > 3.44) < 3 * 400_000 * 5.8e-4
    two_sigma = np.mean(np.abs(flat) > 2.0)  # 0.0455 for N(0, 1); SE 3.3e-4
    assert abs(two_sigma - 0.0455) < 0.0015
    # the two halves of one hash are independent
    assert abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]) < 0.01
    assert abs(np.corrcoef(x[:, 0] ** 2, x[:, 1] ** 2)[0, 1]) < 0.01


def test_uniforms_are_uniform_and_in_range():
    u = cr.uniforms_array(5, cr.PURPOSE_BIND, 0, 100_000, 2).ravel()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_same_counter_same_number_and_neighbours_independent():
    key = cr.agent_key(cr.step_key(1, cr.PURPOSE_MOVE, 10), 42)
    assert cr.normal(key, 0) == cr.normals_array(1, cr.PURPOSE_MOVE, 10, 43, 1)[42, 0]
    # consecutive steps, agents and purposes give uncorrelated streams
    a = cr.uniforms_array(1, cr.PURPOSE_MOVE, 10, 50_000, 1).ravel()
    b = cr.uniforms_array(1, cr.PURPOSE_MOVE, 11, 50_000, 1).ravel()
    c = cr.uniforms_array(1, cr.PURPOSE_BIND, 10, 50_000, 1).ravel()
    d = cr.uniforms_array(2, cr.PURPOSE_MOVE, 10, 50_000, 1).ravel()
    for other in (b, c, d):
        assert abs(np.corrcoef(a, other)[0, 1]) < 0.02
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.02


def test_poisson_mean_and_variance():
    key = cr.step_key(3, cr.PURPOSE_RELEASE, 0)
    draws = np.array([cr.poisson(cr.agent_key(key, i), 0, 2.5) for i in range(20_000)])
    assert abs(draws.mean() - 2.5) < 0.07
    assert abs(draws.var() - 2.5) < 0.15


def test_bulk_draws_are_the_per_agent_draws():
    # the kernel's busy blocks draw in bulk; sparse ones per ion: both must give the
    # same numbers, or results would depend on how busy a block of rows is
    key = cr.step_key(3, cr.PURPOSE_MOVE, 11)
    n, lo = 4096, 1_000
    keys = np.empty(n, dtype=np.int64)
    normals = np.empty((3, n))
    units = np.empty(n)
    inside = np.zeros(n, dtype=np.bool_)
    cr.move_draws_block(key, lo, n, keys, normals, units, inside)
    assert 0.85 < inside.mean() < 0.97  # ~97 % of each normal's draws take the fast path
    for j in range(n):
        a = cr.agent_key(key, lo + j)
        d = cr.draws32(a)
        assert keys[j] == a
        assert units[j] == cr.unit32(d[3])
        if inside[j]:
            for k in range(3):
                assert normals[k, j] == cr.normal32(d[k], a, k + 1)
