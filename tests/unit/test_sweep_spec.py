"""Sweep files: expansion as a pure function (grids, ranges, LHS, seeds) and clear errors."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from cellsim.errors import ScenarioError
from cellsim.sweep.spec import (
    expand,
    load_sweep,
    parse_key,
    parse_sweep,
    replicate_seed,
    sample_points,
    set_key,
)
from cellsim.sweep.tasks import build_tasks


def spec_of(parameters, **sweep):
    data = {
        "sweep": {"base": "../body_baseline_rda.toml", "metrics": ["ca_absorbed_mg"], **sweep},
        "parameter": parameters,
    }
    return parse_sweep(data, "test.toml")


def test_grid_size_and_order():
    spec = spec_of(
        [
            {"key": "body.overrides.a", "values": [1, 2, 3]},
            {"key": "body.overrides.b", "range": [0.0, 1.0], "steps": 4},
        ],
        replicates=2,
    )
    runs = expand(spec)
    assert spec.n_points == 12 and spec.n_runs == len(runs) == 24
    assert [r.index for r in runs] == list(range(24))
    # point-major, replicate-minor; the last parameter varies fastest
    assert runs[0].params == {"body.overrides.a": 1, "body.overrides.b": 0.0}
    assert runs[2].params == {"body.overrides.a": 1, "body.overrides.b": 0.3333333333}
    assert (runs[1].point, runs[1].replicate) == (0, 1)
    assert runs[-1].params == {"body.overrides.a": 3, "body.overrides.b": 1.0}


def test_ranges_linear_and_log_are_tidy():
    lin = spec_of([{"key": "run.x", "range": [0.0, 1.0], "steps": 11}]).parameters[0]
    assert lin.grid()[3] == 0.3  # not 0.30000000000000004
    log = spec_of([{"key": "run.x", "range": [0.1, 10.0], "steps": 3, "scale": "log"}])
    assert log.parameters[0].grid() == [0.1, 1.0, 10.0]
    one = spec_of([{"key": "run.x", "range": [2.0, 3.0], "steps": 1}]).parameters[0]
    assert one.grid() == [2.0]


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_lhs_bounds_strata_and_determinism(scale):
    params = [
        {"key": "run.x", "range": [0.1, 10.0], "scale": scale},
        {"key": "run.y", "range": [-1.0, 1.0]},
        {"key": "run.z", "values": ["a", "b"]},
    ]
    spec = spec_of(params, design="lhs", samples=20, seed=42)
    pts = np.array([p[:2] for p in sample_points(spec)], dtype=float)
    assert pts.shape == (20, 2)
    assert (pts[:, 0] >= 0.1).all() and (pts[:, 0] <= 10.0).all()
    assert (pts[:, 1] >= -1.0).all() and (pts[:, 1] <= 1.0).all()
    # Latin hypercube: one sample in each of the 20 strata of each dimension
    u0 = (np.log(pts[:, 0] / 0.1) / math.log(100.0)) if scale == "log" else (pts[:, 0] - 0.1) / 9.9
    assert sorted(np.floor(u0 * 20).astype(int)) == list(range(20))
    assert sorted(np.floor((pts[:, 1] + 1) / 2 * 20).astype(int)) == list(range(20))
    assert sorted({p[2] for p in sample_points(spec)}) == ["a", "b"]
    assert sample_points(spec) == sample_points(spec_of(params, design="lhs", samples=20, seed=42))
    assert sample_points(spec) != sample_points(spec_of(params, design="lhs", samples=20, seed=43))


def test_random_design_is_reproducible():
    params = [{"key": "run.x", "range": [1.0, 2.0]}]
    a = expand(spec_of(params, design="random", samples=5, seed=9, replicates=2))
    b = expand(spec_of(params, design="random", samples=5, seed=9, replicates=2))
    assert [r.params for r in a] == [r.params for r in b] and len(a) == 10
    assert len({r.params["run.x"] for r in a}) == 5


def test_seed_derivation():
    params = [{"key": "run.x", "values": [1, 2, 3]}]
    runs = expand(spec_of(params, replicates=3, seed=7))
    by_rep = {r.replicate: {x.seed for x in runs if x.replicate == r.replicate} for r in runs}
    assert all(len(s) == 1 for s in by_rep.values())  # common: same seed at every point
    assert len({next(iter(s)) for s in by_rep.values()}) == 3
    assert all(0 <= r.seed < 2**31 for r in runs)
    # documented derivation: SeedSequence(seed, spawn_key=(1, r)), first word, 31 bits
    ss = np.random.SeedSequence(7).spawn(2)[1].spawn(3)[2]
    assert runs[2].seed == int(ss.generate_state(1, np.uint32)[0]) & 0x7FFFFFFF
    # more replicates later do not change the seeds of the first ones
    more = expand(spec_of(params, replicates=5, seed=7))
    assert [r.seed for r in more if r.replicate < 3 and r.point == 0] == [
        r.seed for r in runs if r.point == 0
    ]
    indep = expand(spec_of(params, replicates=3, seed=7, seeds="independent"))
    assert len({r.seed for r in indep}) == 9
    assert replicate_seed(7, 0, 0) != replicate_seed(8, 0, 0)


def test_linked_keys_move_together():
    spec = spec_of(
        [
            {
                "name": "share",
                "values": [0.9, 0.5],
                "link": {
                    "protocol.doses[0].ca_mg": [900, 500],
                    "protocol.doses[1].ca_mg": [100, 500],
                },
            }
        ]
    )
    runs = expand(spec)
    assert runs[1].params == {"share": 0.5}
    assert runs[1].overrides == {"protocol.doses[0].ca_mg": 500, "protocol.doses[1].ca_mg": 500}


def test_keys_with_list_indices():
    assert parse_key("protocol.doses[1].time") == ["protocol", "doses", 1, "time"]
    data = {"protocol": {"doses": [{"time": "08:00"}, {"time": "09:00"}]}}
    set_key(data, "protocol.doses[1].time", "12:00", "w")
    set_key(data, "run.seed", 3, "w")
    assert data["protocol"]["doses"][1]["time"] == "12:00" and data["run"] == {"seed": 3}
    with pytest.raises(ScenarioError, match=r"has 2 entries there, so index 5 does not exist"):
        set_key(data, "protocol.doses[5].time", "12:00", "w")
    with pytest.raises(ScenarioError, match=r"expected table\.key"):
        parse_key("protocol..x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\nreplicate=2\n"
            "[[parameter]]\nkey='run.x'\nvalues=[1]",
            r"\[sweep\]: unknown key 'replicate'. Did you mean 'replicates'\?",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameters]]\nkey='run.x'\nvalues=[1]",
            r"unknown key 'parameters'. Did you mean 'parameter'\?",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameter]]\nkey='run.x'\nvalue=[1]",
            r"\[parameter 1\]: unknown key 'value'. Did you mean 'values'",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameter]]\nkey='run.x'",
            r"give either values = \[...\] or range = \[low, high\]",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameter]]\nkey='run.x'\nrange=[0, 1]",
            r"a range on a grid needs steps",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameter]]\nkey='run.x'\nrange=[0, 1]\n"
            "steps=3\nscale='log'",
            r"a log scale needs low > 0",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\ndesign='lhs'\n[[parameter]]\nkey='run.x'\n"
            "range=[1, 2]",
            r"design 'lhs' needs samples = n",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameter]]\nname='n'\nvalues=[1, 2]\n"
            "[parameter.link]\n'run.x'=[1]",
            r"link 'run.x' needs a list of 2 values",
        ),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\ndesign='grd'\n[[parameter]]\nkey='run.x'\n"
            "values=[1]",
            r"Did you mean 'grid'\?",
        ),
        ("[sweep]\nbase='b.toml'\nmetrics=['m']", r"no \[\[parameter\]\] tables"),
        (
            "[sweep]\nbase='b.toml'\nmetrics=['m']\n[[parameter]]\nkey='x'\nvalues=[1]",
            r"name a table and a key",
        ),
    ],
)
def test_bad_sweep_files(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message) as err:
        load_sweep(path)
    assert str(path) in str(err.value)


def test_cap_refuses_with_count_and_how_to_raise(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(
        textwrap.dedent("""
        [sweep]
        base = "b.toml"
        metrics = ["m"]
        replicates = 5
        max_runs = 100
        [[parameter]]
        key = "run.x"
        range = [0, 1]
        steps = 30
    """)
    )
    with pytest.raises(ScenarioError) as err:
        load_sweep(path)
    text = str(err.value)
    assert "150 runs (30 points x 5 replicates)" in text and "max_runs = 100" in text
    assert "--max-runs 150" in text
    assert load_sweep(path, max_runs=150).n_runs == 150


def test_parameter_key_rejected_by_base_scenario(tmp_path):
    (tmp_path / "base.toml").write_text('[scenario]\nname = "b"\n[body]\n')
    path = tmp_path / "s.toml"
    path.write_text(
        textwrap.dedent("""
        [sweep]
        base = "base.toml"
        metrics = ["ca_absorbed_mg"]
        [[parameter]]
        key = "body.gfr_mL_per_mn"
        values = [80, 100]
    """)
    )
    with pytest.raises(ScenarioError, match=r"gfr_mL_per_mn.*Did you mean 'gfr_mL_per_min'") as e:
        build_tasks(load_sweep(path))
    assert "base.toml" in str(e.value) and "fix the [[parameter]]" in str(e.value)


def test_missing_base_file_is_named(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "[sweep]\nbase='nope.toml'\nmetrics=['m']\n[[parameter]]\nkey='run.x'\nvalues=[1]\n"
    )
    with pytest.raises(ScenarioError, match=r"nope\.toml: no such file"):
        build_tasks(load_sweep(path))


def test_bundled_sweep_files_expand():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "scenarios" / "sweeps"
    files = sorted(folder.glob("*.toml"))
    assert {f.stem for f in files} >= {
        "relaxation_vs_mg",
        "tetany_map",
        "force_pca_vs_mg",
        "absorption_vs_split",
        "release_vs_ca",
    }
    for f in files:
        spec = load_sweep(f)
        tasks = build_tasks(spec)
        assert len(tasks) == spec.n_runs <= spec.max_runs
        assert len({t.run_hash for t in tasks}) == len(tasks)


def test_run_seed_is_owned_by_the_sweep(tmp_path):
    (tmp_path / "base.toml").write_text('[scenario]\nname = "b"\n[body]\n')
    path = tmp_path / "s.toml"
    path.write_text(
        "[sweep]\nbase='base.toml'\nmetrics=['m']\n[fixed]\n'run.seed'=3\n"
        "[[parameter]]\nkey='run.duration_days'\nvalues=[1]\n"
    )
    with pytest.raises(ScenarioError, match=r"change \[sweep\] seed instead of run.seed"):
        build_tasks(load_sweep(path))
