"""The fibre's one-thread kernel variants: each kind of run compiles only the phases it uses.

``advance_fixed_sites`` (no parvalbumin) and ``advance_clamp`` leave out phases their
fibres never reach, so they give the bits of the full kernel; and each kind of run is its
own first run for the compile lock and the "compiling kernels" notice.
"""

import numpy as np
import pytest

import cellsim
from cellsim import jit
from cellsim.chain import compiled_scales
from cellsim.cli.run import compile_notice
from cellsim.fibre import kernel as K
from tests.conftest import fibre_model, fibre_scenario


def test_a_fibre_without_parvalbumin_runs_the_bits_of_the_full_kernel():
    scenario = fibre_scenario({"parameter_set": "human"}, run={"duration_ms": 3.0, "seed": 3})
    variant = fibre_model(scenario, threads=1)
    assert variant._serial_kernel() is K.advance_fixed_sites
    full = fibre_model(scenario, threads=1)
    full._serial_kernel = lambda: K.advance
    variant.run()
    full.run()
    assert variant.state.ion_state.any() and (variant.state.ion_x != 0).any()
    for name in ("ion_x", "ion_state", "site_species", "sr_count", "ru_perm", "ru_xb",
                 "sarcomere", "scalars"):  # fmt: skip
        np.testing.assert_array_equal(
            getattr(variant.state, name), getattr(full.state, name), err_msg=name
        )


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_each_kind_of_fibre_run_is_a_first_run_of_its_own(cache):
    keys = {
        name: compiled_scales(cellsim.load_scenario(name).setups)
        for name in ("twitch", "twitch_mouse_fast", "force_pca")
    }
    assert keys == {
        "twitch": ["fibre-fixed-sites"],
        "twitch_mouse_fast": ["fibre"],
        "force_pca": ["fibre-clamp"],
    }
    with jit.first_compile(keys["twitch"]):  # a twitch ran: its kernel is cached
        pass
    assert compile_notice(keys["twitch"]) == ""
    assert compile_notice(keys["force_pca"]).startswith("compiling kernels for fibre (first")
    assert (
        compiled_scales(cellsim.load_scenario("force_pca", ["run.engine=reference"]).setups) == []
    )
