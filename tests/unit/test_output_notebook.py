"""A run's output in a notebook: short repr, HTML, DataFrame, xarray with units, plot, video."""

from __future__ import annotations

import numpy as np
import pytest

from cellsim.output import RunOutput, unit_of


def _output(**extra) -> RunOutput:
    t = np.arange(0.0, 5.0, 0.5)
    return RunOutput(
        scale="fibre",
        timeseries={"time_ms": t, "ca_free_uM": 0.1 + t, "force_fraction": t / 10},
        summary={
            "scenario": "toy",
            "title": "toy: a test",
            "peak_force_fraction": 0.45,
            "cramp": False,
            "handoffs": {"x": {}},
        },
        seed=7,
        engine="numba",
        events={"stimulus_times_ms": np.array([1.0]), "spike_times_ms": np.array([1.0, 2.5])},
        key_figures=("peak_force_fraction", "cramp"),
        **extra,
    )


def test_units_come_from_the_names():
    assert [unit_of(n) for n in ("ca_free_uM", "time_h", "pth_pmol_L", "epp_mV", "cramp",
                                 "plasma_mg_mM_max", "urine_ca_mg_per_day")] == [
        "µM", "h", "pmol/L", "mV", "", "mM", "mg/day"]  # fmt: skip


def test_repr_is_short_and_html_is_a_table():
    out = _output()
    text = repr(out)
    assert text.startswith("RunOutput('fibre', 'toy', seed 7, 10 rows x 2 series, 0-4.5 ms")
    assert "peak_force_fraction=0.45" in text and "array" not in text and len(text) < 300
    page = out._repr_html_()
    assert "<table>" in page and "toy: a test" in page and "spike_times_ms: 2" in page


def test_dataframe_is_indexed_by_time_with_units():
    df = _output().to_dataframe()
    assert df.index.name == "time_ms" and list(df.columns) == ["ca_free_uM", "force_fraction"]
    assert df.attrs["units"]["ca_free_uM"] == "µM" and df.attrs["seed"] == 7
    assert df["force_fraction"].iloc[-1] == pytest.approx(0.45)


def test_xarray_has_units_as_attributes_and_events_on_their_own_dimensions():
    ds = _output().to_xarray()
    assert ds["ca_free_uM"].dims == ("time_ms",) and ds["ca_free_uM"].attrs["units"] == "µM"
    assert ds["time_ms"].attrs["units"] == "ms"
    assert ds["spike_times_ms"].dims == ("spike_event",) and ds.sizes["spike_event"] == 2
    assert ds.attrs["peak_force_fraction"] == 0.45 and ds.attrs["cramp"] == "False"
    assert "handoffs" not in ds.attrs  # only scalars become attributes


def test_plot_uses_the_runs_figure_or_draws_every_series():
    fig = _output().plot()
    assert len(fig.axes) == 2  # no figure function: one panel per series
    calls = []
    out = _output(
        figure=lambda o: calls.append(o) or __import__("matplotlib.pyplot").pyplot.figure()
    )
    out.plot()
    assert calls == [out]


def test_animate_gives_an_inline_mp4(tmp_path):
    import cellsim

    out = cellsim.run(cellsim.load_scenario("twitch", ["run.duration_ms=8"]))
    video = out.animate(seconds=1.0, fps=5.0, dpi=40.0)
    assert video.data[4:8] == b"ftyp"  # an MP4 container
    assert video._repr_html_().startswith("<video")
    assert video.save(tmp_path / "a.mp4").stat().st_size == len(video.data)
