"""Two engines, one behaviour: reference (agents' step() in Python) vs numba kernel."""

from __future__ import annotations

import dataclasses

import numba
import numpy as np
import pytest

from cellsim.nerve.agents import CaChannel, KChannel, NaChannel, NMDAReceptor, ReleaseSite
from cellsim.nerve.model import NerveModel
from cellsim.nerve.params import PARAMETER_SETS
from cellsim.nerve.protocol import square_pulses

SMALL = dataclasses.replace(
    PARAMETER_SETS["hh_dodge_rahamimoff_jahr_stevens"],
    area_um2=3.0,
    n_release_sites=12,
    n_nmda=30,
    conduction_delay_ms=0.2,
)


def _model(
    engine,
    duration_ms=4.0,
    parts=("axon", "junction", "nmda"),
    seed=3,
    params=SMALL,
    ca=1.2,
    mg=0.5,
    parallel_min_agents=50_000,
):
    n = round(duration_ms / 0.01)
    stim = square_pulses(np.array([0.2]), 0.5, 100.0, n, 0.01)
    glu = square_pulses(np.array([0.5]), 1.0, 1.0, n, 0.01)
    return NerveModel.from_arrays(
        params,
        ca_o_mM=ca,
        mg_o_mM=mg,
        duration_ms=duration_ms,
        seed=seed,
        parts=parts,
        stim_uA_per_cm2=stim,
        glutamate=glu,
        record_every_steps=5,
        snapshot_every_steps=100,
        engine=engine,
        parallel_min_agents=parallel_min_agents,
    )


def _same(a: NerveModel, b: NerveModel):
    assert a.step_index == b.step_index
    for name in (
        "na",
        "k",
        "cav_gate",
        "cav_block",
        "sensor",
        "vesicle",
        "nmda_gate",
        "nmda_block",
        "iv",
    ):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.spike_times_ms, b.spike_times_ms)
    np.testing.assert_array_equal(a.quanta_times_ms, b.quanta_times_ms)
    np.testing.assert_array_equal(
        a.q_sites[: a.quanta_times_ms.size], b.q_sites[: b.quanta_times_ms.size]
    )
    np.testing.assert_array_equal(a.muscle_ap_times_ms, b.muscle_ap_times_ms)
    np.testing.assert_allclose(a.rec, b.rec, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.sv, b.sv, rtol=1e-12, atol=1e-12)


def test_reference_and_numba_give_the_same_trajectory():
    ref = _model("reference").run()
    fast = _model("numba").run()
    # the run must contain the discrete events being compared, or the test proves nothing
    assert ref.spike_times_ms.size == 1
    assert ref.quanta_times_ms.size > 0
    _same(ref, fast)


def test_reference_engine_is_the_agents_step():
    """One reference step changes the arrays exactly as the agents' own step() calls do."""
    a = _model("reference", duration_ms=0.5)
    b = _model("numba", duration_ms=0.5)
    for _ in range(a.n_steps):
        a.step()
    b.run()
    _same(a, b)


def test_numba_thread_count_does_not_change_the_result():
    saved = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            params = dataclasses.replace(SMALL, area_um2=20.0, n_release_sites=200)
            # parallel_min_agents=0: every agent loop takes the prange path
            runs.append(
                _model(
                    "numba", duration_ms=40.0, params=params, ca=0.6, parallel_min_agents=0
                ).run()
            )
    finally:
        numba.set_num_threads(saved)
    assert runs[0].quanta_times_ms.size > 0
    _same(*runs)


def test_parallel_and_serial_loops_agree():
    params = dataclasses.replace(SMALL, area_um2=20.0, n_release_sites=100)
    a = _model("numba", duration_ms=20.0, params=params, ca=0.6, parallel_min_agents=0).run()
    b = _model("numba", duration_ms=20.0, params=params, ca=0.6).run()
    assert a.spike_times_ms.size >= 1 and a.quanta_times_ms.size > 0
    _same(a, b)


def test_agents_are_views_on_the_arrays():
    m = _model("numba", duration_ms=0.1)
    na = m.agents_by_type[NaChannel]
    assert len(na) == m.na.size
    agent = next(iter(na))
    agent.state = 7
    assert m.na[agent.row] == 7 and agent.is_open and agent.m_gates_open == 3
    k = next(iter(m.agents_by_type[KChannel]))
    m.k[k.row] = 4
    assert k.is_open
    ca = list(m.agents_by_type[CaChannel])
    assert len(ca) == SMALL.n_release_sites * SMALL.channels_per_site
    ca[5].mg_blocked = True
    assert m.cav_block[5] == 1 and ca[5].site == 5 // SMALL.channels_per_site
    site = next(iter(m.agents_by_type[ReleaseSite]))
    assert site.vesicle_docked and site.sensor_bound == 0
    nmda = m.agents_by_type[NMDAReceptor]
    assert len(nmda.select(lambda r: r.mg_blocked)) == int(m.nmda_block.sum())


def test_reference_engine_needs_agents():
    from cellsim.errors import ModelError

    with pytest.raises(ModelError, match="agents"):
        NerveModel.from_arrays(
            SMALL, ca_o_mM=1.2, mg_o_mM=0.5, duration_ms=1.0, engine="reference", agents=False
        )
