"""``cellsim compare`` on synthetic results folders: what is drawn, the takeaway, errors.

The folders are written with ``write_results`` from hand-made series whose relaxation
half-times, plasma levels and spike counts are known, so the takeaway text can be
checked against numbers computed here.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cellsim.cli import main
from cellsim.errors import CellsimError, ResultsError
from cellsim.output import RunOutput
from cellsim.render import style
from cellsim.render.compare import compare, figure, load_runs, takeaway
from cellsim.results import write_results


def twitch_folder(folder, *, mg_mM, half_ms, name="twitch", peak=0.9, children=None):
    """A twitch whose force peaks at 20 ms and falls exponentially to half in ``half_ms``.

    ``half_ms = None`` stays up: it never relaxes.
    """
    t = np.arange(0.0, 150.0, 0.5)
    rise = np.clip((t - 5.0) / 15.0, 0.0, 1.0)
    if half_ms is None:
        fall = np.ones_like(t)
    else:
        fall = np.where(t > 20.0, 0.5 ** ((t - 20.0) / half_ms), 1.0)
    force = peak * rise * fall
    series = {
        "time_ms": t,
        "ca_free_uM": 20.0 * np.exp(-np.abs(t - 10.0) / 3.0),
        "tn_reg_ca_fraction": 0.8 * rise * fall,
        "tn_reg_mg_fraction": 0.2 * (1 - rise * fall),
        "force_fraction": force,
        "sarcomere_length_um": 2.5 - 0.25 * force,
    }
    summary = {"title": f"free Mg {mg_mM}", "mg_free_mM": mg_mM, "parameter_set": "human"}
    out = RunOutput(
        scale="fibre",
        timeseries=series,
        summary=summary,
        seed=1,
        engine="numba",
        events={"stimulus_times_ms": np.array([5.0])},
        children=children or {},
    )
    scenario = {"scenario": {"name": name}, "environment": {"mg_free_intracellular_mM": mg_mM}}
    return write_results(out, folder, scenario=scenario, name=name, wall_time_s=0.0, figure=False)


def plasma_output(ica_mM: float, days: int = 7, children=None, handoffs=None) -> RunOutput:
    h = np.arange(0.0, days * 24.0 + 1, 1.0)
    wobble = 0.01 * np.sin(2 * np.pi * h / 24.0)
    series = {
        "time_h": h,
        "plasma_ica_mM": ica_mM + wobble,
        "plasma_mg_mM": 0.85 + 0 * h,
        "mg_icf_free_mM": 0.5 + 0 * h,
        "pth_pmol_L": 3.0 + 0 * h,
    }
    summary = {"title": "body"}
    if handoffs:
        summary["handoffs"] = handoffs
    return RunOutput(
        scale="body",
        timeseries=series,
        summary=summary,
        seed=1,
        engine="scipy",
        children=children or {},
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    return {
        "normal": twitch_folder(root / "normal", mg_mM=0.5, half_ms=20.0),
        "slow": twitch_folder(root / "slow", mg_mM=0.15, half_ms=34.0, name="cramp"),
        "cramp": twitch_folder(root / "cramp", mg_mM=0.1, half_ms=None, name="cramp2"),
        "root": root,
    }


def _half_time(folder) -> float:
    """Half-relaxation read off the written series (the definition compare uses)."""
    from cellsim.results import read_results

    ts = read_results(folder).timeseries
    f, t = ts["force_fraction"], ts["time_ms"]
    k = int(np.argmax(f))
    return float(t[k + np.flatnonzero(f[k:] < 0.5 * f[k])[0]] - t[k])


def test_takeaway_states_the_change_in_relaxation_half_time(runs):
    loaded, _ = load_runs([runs["normal"], runs["slow"]])
    delta = _half_time(runs["slow"]) - _half_time(runs["normal"])
    assert 13.0 < delta < 15.0  # 34 - 20 ms, to the 0.5 ms sampling
    text = takeaway(loaded)
    assert text == (f"relaxation half-time {delta:+.0f} ms at free Mg 0.15 mM (vs free Mg 0.5 mM)")


def test_takeaway_says_never_relaxes(runs):
    loaded, _ = load_runs([runs["normal"], runs["slow"], runs["cramp"]])
    text = takeaway(loaded)
    assert "never relaxes at free Mg 0.1 mM" in text
    assert "relaxation half-time +14 ms at free Mg 0.15 mM" in text
    assert text.endswith("(vs free Mg 0.5 mM)")


def test_runs_are_labelled_by_what_differs(runs, tmp_path):
    same = twitch_folder(tmp_path / "same", mg_mM=0.5, half_ms=20.0, name="other")
    loaded, _ = load_runs([runs["normal"], same])
    # nothing in the conditions or scenario keys differs: their names tell them apart
    assert [r.label for r in loaded] == ["twitch", "other"]
    loaded, _ = load_runs([runs["normal"], same], ["A", "B"])
    assert [r.label for r in loaded] == ["A", "B"]


def test_figure_has_shared_axes_stimulus_and_is_legible(runs, tmp_path):
    info = compare([runs["normal"], runs["cramp"]], tmp_path / "c.png")
    assert info.kind == "twitch"
    assert Image.open(info.path).size == (1920, 1080) == (info.width_px, info.height_px)
    loaded, _ = load_runs([runs["normal"], runs["cramp"]])
    fig, _, text = figure(loaded)
    texts = [t for _, t in style.text_sizes(fig)]
    assert text in texts and " stimulus" in texts
    assert style.too_small(fig) == []
    ax_force, ax_sl = fig.axes[2:4]
    assert ax_force.get_ylim() == (0.0, 105.0)  # force in % of maximum, fixed
    assert ax_sl.get_ylim() == (2.0, 2.55)
    assert len(ax_force.get_lines()) >= 2  # one line per run on the same axes


def test_plasma_runs_compare_the_biggest_difference(tmp_path):
    a = write_results(
        plasma_output(1.20), tmp_path / "a", scenario={}, name="diet_a", wall_time_s=0.0,
        figure=False,
    )  # fmt: skip
    b = write_results(
        plasma_output(1.00), tmp_path / "b", scenario={}, name="diet_b", wall_time_s=0.0,
        figure=False,
    )  # fmt: skip
    info = compare([a, b], tmp_path / "p.png")
    assert info.kind == "plasma"
    assert info.takeaway.startswith(
        "plasma ionised Ca -0.2 mM (17 %) on the last day at diet_b (vs diet_a)"
    )


def test_nerve_runs_show_spike_counts(tmp_path):
    def nerve(folder, spikes, name):
        t = np.arange(0.0, 100.0, 1.0)
        out = RunOutput(
            scale="nerve",
            timeseries={"time_ms": t, "v_mV": -65 + 0 * t},
            summary={"ca_o_mM": 0.7 if spikes else 1.2, "mg_o_mM": 0.5},
            seed=1,
            engine="numba",
            events={"spike_times_ms": np.linspace(10, 90, spikes)},
        )
        scenario = {"environment": {"ca_ionised_mM": 0.7 if spikes else 1.2}}
        return write_results(out, folder, scenario=scenario, name=name, wall_time_s=0,
                             figure=False)  # fmt: skip

    low, normal = nerve(tmp_path / "low", 6, "spasm"), nerve(tmp_path / "normal", 0, "spasm")
    info = compare([low, normal], tmp_path / "n.png")
    assert info.kind == "spikes"
    assert info.takeaway == (
        "axon spikes without any stimulus: 6 at ionised Ca 0.7 mM, 0 at ionised Ca 1.2 mM"
    )


def test_chains_compare_their_handoff_subfolders(tmp_path):
    def chain(folder, ica, half_ms, mg):
        child_dir = tmp_path / f"child_{folder}"
        twitch_folder(child_dir, mg_mM=mg, half_ms=half_ms)
        from cellsim.results import read_results

        child = read_results(child_dir)
        child_out = RunOutput(
            scale="fibre",
            timeseries=child.timeseries,
            summary=child.summary,
            seed=1,
            engine="numba",
            events=child.events(),
        )
        out = plasma_output(ica, children={"day7_2200_fibre": child_out},
                            handoffs={"day7_2200_fibre": {"time_h": 166.0}})  # fmt: skip
        return write_results(out, tmp_path / folder, scenario={}, name=folder, wall_time_s=0,
                             figure=False)  # fmt: skip

    a, b = chain("rich", 1.2, 20.0, 0.5), chain("poor", 1.1, 34.0, 0.3)
    info = compare([a, b], tmp_path / "chain.png")
    assert info.kind == "plasma+twitch"
    assert info.takeaway.startswith("at day7_2200_fibre: relaxation half-time +14 ms")
    with pytest.raises(ResultsError, match="--handoff day1: not a hand-off"):
        compare([a, b], tmp_path / "x.png", handoff="day1")


def test_errors_are_clear(runs, tmp_path):
    with pytest.raises(CellsimError, match=r"cannot write '\.gif'"):
        compare([runs["normal"]], tmp_path / "x.gif")
    with pytest.raises(CellsimError, match="1 label"):
        compare([runs["normal"], runs["slow"]], tmp_path / "x.png", labels_=["only one"])
    body = write_results(plasma_output(1.2), tmp_path / "body", scenario={}, name="b",
                         wall_time_s=0, figure=False)  # fmt: skip
    with pytest.raises(ResultsError, match="nothing in common"):
        compare([runs["normal"], body], tmp_path / "x.png")


def test_cli_prints_the_takeaway_and_the_file(runs, tmp_path, capsys):
    out = tmp_path / "cli.png"
    assert main(["compare", str(runs["normal"]), str(runs["slow"]), "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("relaxation half-time +14 ms at free Mg 0.15 mM")
    assert str(out) in printed[1] and "1920x1080" in printed[1]
    assert main(["compare", str(runs["normal"]), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
