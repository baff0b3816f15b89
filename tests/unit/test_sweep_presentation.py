"""How sweeps are presented: the dry-run table, expectations in the report, the plots.

Tables of results are made here by hand (no model runs), so what the report must say
is known.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cellsim.errors import ScenarioError
from cellsim.sweep.plan import table
from cellsim.sweep.report import check_expectation, expectations_text, make_plots
from cellsim.sweep.spec import parse_sweep

ROOT = Path(__file__).resolve().parents[2]
MG = "environment.mg_free_intracellular_mM"


def spec_with(expect, parameters=None, metrics=("half_relaxation_ms", "cramp")):
    data = {
        "sweep": {"base": str(ROOT / "scenarios/twitch.toml"), "metrics": list(metrics),
                  "replicates": 2},
        "parameter": parameters or [{"key": MG, "values": [0.1, 0.2, 0.5, 1.0]}],
        "expect": expect,
    }  # fmt: skip
    return parse_sweep(data, "test.toml")


def frame(rows):
    """A sweep table: one dict per run (status ok)."""
    df = pd.DataFrame(rows)
    df["status"] = "ok"
    df["point"] = df.groupby([c for c in df.columns if c.startswith(("env", "p_"))]).ngroup()
    if "cramp" in df:
        df["cramp"] = df["cramp"].astype("boolean")
    return df


def relaxation_rows(halves):
    rows = []
    for mg, pair in zip([0.1, 0.2, 0.5, 1.0], halves, strict=True):
        for h in pair:
            rows.append({MG: mg, "half_relaxation_ms": h, "cramp": h is None or math.isnan(h)})
    return rows


def test_dry_run_columns_are_aligned():
    lines = table(
        ["run", "rep", "seed", "environment.mg_free_intracellular_mM", "status", "hash"],
        [["0", "0", "144830732", "0.1", "pending", "667d8c60"],
         None,
         ["23", "2", "1458663406", "3", "ok", "415f4d14"]],
        right=4,
        more=20,
    )  # fmt: skip
    header, first, gap, last = lines
    assert gap == "  ... 20 more runs ..."
    for word in ("status", "hash"):  # left-aligned columns start together
        k = header.index(word)
        assert first[k - 1] == " " and first[k] != " " and last[k] != " "
    for word in ("seed", "environment.mg_free_intracellular_mM"):  # numbers end together
        end = header.index(word) + len(word)
        assert first[end - 1] != " " and last[end - 1] != " " and first[end] == " "


def test_cli_dry_run_is_aligned(capsys):
    from cellsim.cli import main

    path = ROOT / "scenarios/sweeps/absorption_vs_split.toml"
    assert main(["sweep", str(path), "--dry-run", "--workers", "1", "-o", "/nonexistent"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[1]
    rows = lines[2:17]
    k = header.index("status")
    assert all(r[k:].startswith("pending") for r in rows)
    assert lines[0].endswith("scenarios/body_supplement_together_vs_apart.toml (body)")
    assert "/../" not in lines[0]


def test_expectation_held_with_never_relaxed_as_slowest():
    spec = spec_with([{"metric": "half_relaxation_ms", "falls_with": MG},
                      {"metric": "cramp", "falls_with": MG}])  # fmt: skip
    df = frame(relaxation_rows([(None, None), (70.0, 66.0), (45.0, 47.0), (36.0, 35.0)]))
    df["half_relaxation_ms"] = df["half_relaxation_ms"].astype(float)
    assert check_expectation(spec, df, spec.expect[0]) == ("held", [])
    assert check_expectation(spec, df, spec.expect[1]) == ("held", [])


def test_expectation_that_fails_says_where():
    spec = spec_with([{"metric": "half_relaxation_ms", "rises_with": MG, "says": "wrong way"}])
    df = frame(relaxation_rows([(80.0, 82.0), (70.0, 66.0), (45.0, 47.0), (36.0, 35.0)]))
    verdict, reasons = check_expectation(spec, df, spec.expect[0])
    assert verdict == "did not hold"
    assert reasons == ["falls from 81 ms to 68 ms between free Mg 0.1 mM and 0.2 mM"]
    text = "\n".join(expectations_text(spec, df))
    assert "*wrong way* (`half_relaxation_ms` rises with" in text and "**did not hold**" in text


def test_changes_within_noise_are_not_a_failure():
    spec = spec_with([{"metric": "half_relaxation_ms", "falls_with": MG}])
    # a 1 ms wobble at 0.5 mM with replicates 6 ms apart: noise, not a trend
    df = frame(relaxation_rows([(80.0, 86.0), (70.0, 76.0), (71.0, 77.0), (36.0, 42.0)]))
    assert check_expectation(spec, df, spec.expect[0])[0] == "held"


def test_expectation_per_level_of_the_other_parameter():
    params = [{"name": "p_share", "key": "", "values": [0.5, 0.9],
               "link": {"protocol.doses[0].ca_mg": [500, 900]}},
              {"name": "p_spacing", "key": "", "values": [0, 4, 12],
               "link": {"protocol.doses[1].time": ["08:00", "12:00", "20:00"]}}]  # fmt: skip
    spec = spec_with(
        [{"metric": "ca_absorbed_mg", "rises_with": "p_spacing"}],
        parameters=params,
        metrics=("ca_absorbed_mg",),
    )
    rows = [
        {"p_share": s, "p_spacing": h, "ca_absorbed_mg": v}
        for s, values in ((0.5, (600, 580, 650)), (0.9, (600, 610, 640)))
        for h, v in zip((0, 4, 12), values, strict=True)
    ]
    verdict, reasons = check_expectation(spec, frame(rows), spec.expect[0])
    assert verdict == "held in 1 of 2 cases"
    assert len(reasons) == 1 and reasons[0].startswith("falls from 600 mg to 580 mg")


def test_bad_expectations_are_clear_errors():
    with pytest.raises(ScenarioError, match="not one of the sweep's metrics"):
        spec_with([{"metric": "pca50", "falls_with": MG}])
    with pytest.raises(ScenarioError, match="give one of rises_with or falls_with"):
        spec_with([{"metric": "cramp"}])
    with pytest.raises(ScenarioError, match="not a varied parameter"):
        spec_with([{"metric": "cramp", "rises_with": "environment.ca_ionised_mM"}])


def test_plots_show_never_relaxed_and_booleans_as_a_share(tmp_path):
    import matplotlib.pyplot as plt

    from cellsim.render import style

    spec = spec_with([])
    df = frame(relaxation_rows([(None, None), (70.0, None), (45.0, 47.0), (36.0, 35.0)]))
    df["half_relaxation_ms"] = df["half_relaxation_ms"].astype(float)
    captured = {}
    real_save = plt.Figure.savefig

    def keep(fig, path, *a, **k):
        captured[Path(path).name] = [t for _, t in style.text_sizes(fig)], fig.axes[0]
        assert style.too_small(fig) == []
        return real_save(fig, path, *a, **k)

    plt.Figure.savefig = keep
    try:
        made = make_plots(spec, df, tmp_path)
    finally:
        plt.Figure.savefig = real_save
    names = sorted(p.name for p in made)
    assert names == [
        "cramp_vs_environment_mg_free_intracellular_mM.png",
        "half_relaxation_ms_vs_environment_mg_free_intracellular_mM.png",
    ]
    texts, ax = captured[names[1]]
    assert "▲ never relaxed (3 runs)" in texts
    assert ax.get_xlabel() == "intracellular free Mg (mM)"
    assert ax.get_ylabel() == "half-relaxation time (ms)"
    texts, ax = captured[names[0]]
    assert ax.get_ylabel() == "runs with a cramp (% of runs)"
    shares = ax.get_lines()[0].get_ydata()
    assert np.allclose(shares, [100, 50, 0, 0])  # a share of runs, not a mean of 0s and 1s
    assert any("share of 2 runs per point" in t for t in texts)
