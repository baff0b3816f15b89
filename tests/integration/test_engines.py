"""The reference engine (plain-Python agents) and the numba kernel agree.

Same seed => the same discrete events (binding, unbinding, channel gating,
transport, filament switching) and positions equal to round-off; and the
numba result does not depend on the number of threads.
"""

import numba
import numpy as np
import pytest

from tests.conftest import fibre_model, fibre_scenario

DISCRETE = (
    "ion_species",
    "ion_state",
    "ion_site",
    "site_species",
    "site_occupant",
    "site_voxel",
    "n_free",
    "bound_count",
    "sr_count",
    "sr_stack",
    "mg_pool_count",
    "mg_pool",
    "ryr_open",
    "ryr_sensor",
    "ryr_inact",
    "chunk_catp",
    "chunk_triad",
    "site_next",
    "ru_perm",
    "ru_xb",
)
CONTINUOUS = (
    "ion_x", "ion_y", "ion_z", "site_x", "site_y", "site_z", "sarcomere", "scalars", "f_atp",
)  # fmt: skip


def _run(scenario, engine, threads=None, **settings):
    model = fibre_model(scenario, engine, **settings)
    if threads:
        model.threads = threads  # 2 runs the threaded kernel, 1 the serial one
    model.run()
    return model


@pytest.fixture(scope="module")
def twitch_scenario():
    fibre = {
        "parameter_set": "mouse_fast_16C",
        "length_x_um": 0.3,
        "particle_weight": 25.0,
        "mg_substeps": 2,
        "pv_substeps": 3,
        # Ca/Mg-gated channels open often and inactivate fast, so every RyR rule acts
        "ryr_cicr_po_max": 1.0,
        "ryr_rest_ka_uM": 0.05,
        "cdi_k_per_ms": 5.0,
        "cdi_kd_uM": 5.0,
        "cdi_krec_per_ms": 2.0,
    }
    return fibre_scenario(
        fibre,
        protocol={"kind": "pulses", "times_ms": [0.2]},
        run={"duration_ms": 1.5, "dt_us": 5.0, "seed": 9},
    )


def _assert_same(a, b):
    for name in DISCRETE:
        np.testing.assert_array_equal(getattr(a.state, name), getattr(b.state, name), err_msg=name)
    for name in CONTINUOUS:
        np.testing.assert_allclose(
            getattr(a.state, name), getattr(b.state, name), rtol=0, atol=1e-12, err_msg=name
        )


def test_reference_engine_reproduces_the_kernel(twitch_scenario):
    fast = _run(twitch_scenario, "numba")
    slow = _run(twitch_scenario, "reference")
    # the run must exercise every rule for the comparison to mean something
    s = fast.state
    assert s.sr_count[0] < s.sr_count_initial  # release happened
    df = fast.datacollector.get_model_vars_dataframe()
    assert df["ryr_open_fraction"].max() > 0 and df["ryr_inactivated_fraction"].max() > 0
    assert s.ryr_sensor.max() == 1  # the action potential activated voltage sensors
    assert df["ca_atp_uM"].max() > 0 and df["mg_atp_uM"].min() > 0  # ATP buffers both
    assert s.bound_count[4, 1] > 0 or df["serca_ca_fraction"].max() > 0  # pumps load
    _assert_same(fast, slow)
    df_fast = fast.datacollector.get_model_vars_dataframe()
    df_slow = slow.datacollector.get_model_vars_dataframe()
    np.testing.assert_allclose(df_fast.to_numpy(), df_slow.to_numpy(), rtol=0, atol=1e-9)


def test_reference_engine_reproduces_the_kernel_in_a_clamp():
    scenario = fibre_scenario(
        {"parameter_set": "human", "particle_weight": 8.0},
        protocol={"kind": "clamp", "clamp_pca": [6.0, 5.0], "clamp_hold_ms": 2.0},
        run={"seed": 2},
    )
    fast = _run(scenario, "numba")
    slow = _run(scenario, "reference")
    # the run must switch the filament on for the comparison to mean something
    assert fast.state.ru_perm.sum() > 0 and fast.state.ru_xb.sum() > 0
    _assert_same(fast, slow)


def test_thread_count_does_not_change_the_result(twitch_scenario):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has a single thread on this machine")
    one = _run(twitch_scenario, "numba", threads=1, duration_ms=4.0)
    two = _run(twitch_scenario, "numba", threads=2, duration_ms=4.0)
    for name in DISCRETE + CONTINUOUS:
        np.testing.assert_array_equal(
            getattr(one.state, name), getattr(two.state, name), err_msg=name
        )
