"""Adding a scale needs only its module and a registry line (the toy of toy_scale.py)."""

from __future__ import annotations

import textwrap

import pytest

import cellsim
from cellsim import scales
from cellsim.results import read_results, write_results


@pytest.fixture
def toy_registered(monkeypatch):
    monkeypatch.setitem(scales.REGISTRY, "toy", "tests.house.toy_scale:TOY")
    yield
    scales._LOADED.pop("toy", None)


def test_a_toy_scale_runs_alone_from_a_file(toy_registered, tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text(
        textwrap.dedent("""
        [scenario]
        name = "toy"
        [environment]
        ca_ionised_mM = 0.8
        [toy]
        tau_ms = 5
        [protocol]
        start_uM = 100
        """)
    )
    scenario = cellsim.load_scenario(path)
    out = cellsim.run(scenario)
    assert out.summary["target_uM"] == 800.0
    assert out.summary["final_uM"] == pytest.approx(800.0, rel=1e-3)
    back = read_results(write_results(out, tmp_path / "r", scenario=scenario.data, name="toy",
                                      wall_time_s=0.0))  # fmt: skip
    assert back.summary["scenario"] == "toy"


def test_a_toy_scale_takes_hand_offs_from_the_body(toy_registered, tmp_path):
    path = tmp_path / "chain.toml"
    path.write_text(
        textwrap.dedent("""
        [scenario]
        name = "toy_chain"
        [body]
        [toy]
        [[protocol.body.handoffs]]
        day = 1
        time = "12:00"
        [run]
        seed = 2
        [run.body]
        duration_days = 1
        """)
    )
    out = cellsim.run(cellsim.load_scenario(path))
    record = out.summary["handoffs"]["day1_1200_toy"]
    assert record["final_uM"] == pytest.approx(record["ca_ionised_mM"] * 1000.0, rel=1e-2)
    assert out.children["day1_1200_toy"].scale == "toy"
