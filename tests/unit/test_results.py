"""Results folders are written atomically and read back faithfully."""

import json

import numpy as np
import pytest

from cellsim.errors import ResultsError
from cellsim.output import RunOutput
from cellsim.results import read_results, write_results


def _output(figure=None):
    return RunOutput(
        scale="fibre",
        seed=4,
        engine="numba",
        timeseries={"time_ms": np.arange(3.0), "ca_free_uM": np.array([0.1, 2, 1])},
        summary={"peak": 2.0, "nan_value": float("nan"), "flag": True},
        snapshots={"x": np.ones((2, 3), np.float32)},
        figure=figure,
    )


def test_round_trip(tmp_path):
    out = write_results(
        _output(),
        tmp_path / "run",
        scenario={"scenario": {"name": "t"}},
        name="t",
        wall_time_s=1.25,
        figure=False,
    )
    back = read_results(out)
    assert back.manifest["seed"] == 4 and back.manifest["engine"] == "numba"
    assert set(back.manifest["versions"]) >= {"cellsim", "numpy", "numba", "mesa"}
    assert back.summary == {"peak": 2.0, "nan_value": None, "flag": True}
    np.testing.assert_allclose(back.timeseries["ca_free_uM"], [0.1, 2, 1])
    assert back.snapshots()["x"].shape == (2, 3)
    assert 'name = "t"' in back.scenario_text


def test_failure_leaves_nothing_that_looks_finished(tmp_path):
    def broken_figure(_out):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_results(
            _output(broken_figure),
            tmp_path / "run",
            scenario={"scenario": {"name": "t"}},
            name="t",
            wall_time_s=0,
        )
    assert list(tmp_path.iterdir()) == []


def test_failed_rewrite_keeps_the_old_results(tmp_path):
    target = write_results(
        _output(), tmp_path / "run", scenario={}, name="t", wall_time_s=0, figure=False
    )

    def broken_figure(_out):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_results(
            _output(broken_figure), target, scenario={}, name="t", wall_time_s=0, overwrite=True
        )
    assert json.loads((target / "manifest.json").read_text())["seed"] == 4
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_refuses_to_overwrite_a_foreign_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("precious")
    with pytest.raises(ResultsError, match="not a cellsim results folder"):
        write_results(_output(), tmp_path / "mine", scenario={}, name="t", wall_time_s=0)


def test_incomplete_folder_is_reported(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(ResultsError, match="not a complete cellsim results folder"):
        read_results(tmp_path / "half")
