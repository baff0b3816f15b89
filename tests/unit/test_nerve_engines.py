"""Two engines, one behaviour: reference (agents' step() in Python) vs numba kernel.

And the node's two kinds of channel agent are one law: state counts stepped by binomial
draws behave like the same channels stepped one by one.
"""

from __future__ import annotations

import dataclasses

import numba
import numpy as np
import pytest

from cellsim.nerve import rules
from cellsim.nerve.agents import (
    CaChannel,
    ChannelPopulation,
    KChannel,
    NaChannel,
    NMDAReceptor,
    ReleaseSite,
)
from cellsim.nerve.model import NerveModel
from cellsim.nerve.params import PARAMETER_SETS
from cellsim.nerve.protocol import square_pulses

SMALL = dataclasses.replace(
    PARAMETER_SETS["mammalian_motor_37C"],
    n_release_sites=40,
    n_nmda=30,
    conduction_delay_ms=0.2,
)
DT_MS = 0.005


def _model(
    engine,
    duration_ms=2.5,
    parts=("axon", "junction", "nmda"),
    seed=3,
    params=SMALL,
    ca=2.0,
    mg=0.5,
    channel_agents=4,
    parallel_min_agents=50_000,
    expected_release=True,
):
    n = round(duration_ms / DT_MS)
    stim = square_pulses(np.array([0.2]), 0.1, 1.0, n, DT_MS)
    glu = square_pulses(np.array([0.5]), 1.0, 1.0, n, DT_MS)
    return NerveModel.from_arrays(
        params,
        ca_o_mM=ca,
        mg_o_mM=mg,
        duration_ms=duration_ms,
        seed=seed,
        parts=parts,
        stim_nA=stim,
        glutamate=glu,
        record_every_steps=5,
        snapshot_every_steps=100,
        engine=engine,
        channel_agents=channel_agents,
        expected_release=expected_release,
        parallel_min_agents=parallel_min_agents,
    )


def _same(a: NerveModel, b: NerveModel):
    assert a.step_index == b.step_index
    for f in range(4):
        np.testing.assert_array_equal(a.channel_states[f], b.channel_states[f], err_msg=f"{f}")
        np.testing.assert_array_equal(a.channel_counts[f], b.channel_counts[f], err_msg=f"{f}")
    for name in ("cav_gate", "sensor", "vesicle", "redock", "nmda_gate", "nmda_block", "iv"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.spike_times_ms, b.spike_times_ms)
    np.testing.assert_array_equal(a.quanta_times_ms, b.quanta_times_ms)
    n_q = a.quanta_times_ms.size
    np.testing.assert_array_equal(a.q_sites[:n_q], b.q_sites[:n_q])
    np.testing.assert_array_equal(a.muscle_ap_times_ms, b.muscle_ap_times_ms)
    np.testing.assert_allclose(a.rec, b.rec, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.sv, b.sv, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.expected, b.expected, rtol=1e-12, atol=1e-15)


def test_reference_and_numba_give_the_same_trajectory():
    ref = _model("reference").run()
    fast = _model("numba").run()
    # the run must contain the discrete events being compared, or the test proves nothing
    assert ref.spike_times_ms.size == 1
    assert ref.quanta_times_ms.size > 0
    assert ref.expected_quanta_per_ap.size == 1 and ref.expected_quanta_per_ap[0] > 0
    populations = ref.agents_by_type[ChannelPopulation]
    assert (
        sum(pop.n_channels for pop in populations) + sum(s.size for s in ref.channel_states)
        == ref.n_channels.sum()
    )
    _same(ref, fast)


def test_reference_engine_is_the_agents_step():
    """Stepping the model record by record (agents' own step()) equals one kernel run."""
    a = _model("reference", duration_ms=0.5)
    b = _model("numba", duration_ms=0.5)
    while a.running:
        a.step()
    b.run()
    _same(a, b)


def test_numba_thread_count_does_not_change_the_result():
    saved = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            params = dataclasses.replace(SMALL, n_release_sites=600)
            # parallel_min_agents=0: the release-site loop takes the prange path
            runs.append(
                _model("numba", duration_ms=12.0, params=params, parallel_min_agents=0).run()
            )
    finally:
        numba.set_num_threads(saved)
    assert runs[0].quanta_times_ms.size > 0
    _same(*runs)


def test_parallel_and_serial_loops_agree():
    params = dataclasses.replace(SMALL, n_release_sites=300)
    a = _model("numba", duration_ms=6.0, params=params, parallel_min_agents=0).run()
    b = _model("numba", duration_ms=6.0, params=params).run()
    assert a.spike_times_ms.size >= 1 and a.quanta_times_ms.size > 0
    _same(a, b)


def test_agents_are_views_on_the_arrays():
    m = _model("numba", duration_ms=0.1)
    na = m.agents_by_type[NaChannel]
    assert len(na) == m.channel_states[rules.NAF].size == 4
    agent = next(iter(na))
    agent.state = 7
    assert m.channel_states[rules.NAF][agent.row] == 7 and agent.is_open
    assert agent.m_gates_open == 3 and agent.h_open
    k = next(iter(m.agents_by_type[KChannel]))
    m.channel_states[rules.KS][k.row] = 1
    assert k.is_open
    naf = next(p for p in m.agents_by_type[ChannelPopulation] if p.name == "naf")
    assert naf.n_channels == SMALL.n_naf - 4
    naf.counts[7] += 5
    assert m.channel_counts[rules.NAF][7] == naf.n_open
    ca = list(m.agents_by_type[CaChannel])
    assert len(ca) == SMALL.n_release_sites * SMALL.channels_per_site
    ca[5].gates_up = 2
    assert m.cav_gate[5] == 2 and ca[5].is_open and ca[5].site == 5 // SMALL.channels_per_site
    site = next(iter(m.agents_by_type[ReleaseSite]))
    assert site.vesicle_docked and site.sensor_bound == 0
    nmda = m.agents_by_type[NMDAReceptor]
    assert len(nmda.select(lambda r: r.mg_blocked)) == int(m.nmda_block.sum())


def test_every_channel_can_be_an_agent():
    m = _model("numba", duration_ms=0.1, channel_agents=-1, parts=("axon",))
    assert m.channel_states[rules.NAF].size == SMALL.n_naf
    assert all(c.size == 0 for c in m.channel_counts)


def test_reference_engine_needs_agents():
    from cellsim.errors import ModelError

    with pytest.raises(ModelError, match="agents"):
        NerveModel.from_arrays(
            SMALL, ca_o_mM=1.2, mg_o_mM=0.5, duration_ms=1.0, engine="reference", agents=False
        )


def _clamped_open_counts(channel_agents: int, seeds: range) -> np.ndarray:
    """Open fast Na channels 0.15 ms after a step from rest to -40 mV, one value per seed."""
    params = dataclasses.replace(SMALL, g_naf_S_per_cm2=0.3)  # ~2000 channels: fast enough
    duration = 0.2
    n = round(duration / DT_MS)
    clamp = np.full(n, -40.0)
    clamp[:10] = -80.0
    out = []
    for seed in seeds:
        m = NerveModel.from_arrays(
            params,
            ca_o_mM=1.2,
            mg_o_mM=0.5,
            duration_ms=duration,
            seed=seed,
            parts=("axon",),
            clamp_mV=clamp,
            clamped=("axon",),
            record_every_steps=n,
            channel_agents=channel_agents,
            agents=False,
        )
        m.run()
        out.append(int(m.iv[rules.IV_NAF_OPEN]))
    return np.asarray(out, dtype=float)


def test_state_counts_and_channel_agents_are_one_law():
    """Counts stepped by binomial draws = the same channels stepped one by one.

    Voltage clamp from rest to -40 mV: 0.15 ms later the number of open fast Na channels
    has the same mean and variance whichever way the channels are stepped (different
    draws, one law).  Tolerance: 4 standard errors of the difference of means, and a
    variance ratio within the 99.9 % F-interval of 300 seeds (0.69-1.45).
    """
    counts = _clamped_open_counts(0, range(300))
    agents = _clamped_open_counts(-1, range(1000, 1300))
    se = np.sqrt(counts.var(ddof=1) / counts.size + agents.var(ddof=1) / agents.size)
    assert abs(counts.mean() - agents.mean()) < 4 * se
    assert 0.69 < counts.var(ddof=1) / agents.var(ddof=1) < 1.45
    assert counts.mean() > 20  # the clamp really opened channels
