"""The app's runs, saving and opening, without a browser: the same numbers as ``cellsim run``."""

from __future__ import annotations

import numpy as np
import pytest

import cellsim
from cellsim.app import frames, notes, offline, runs
from cellsim.errors import CellsimError


def test_the_fibre_page_runs_the_twitch_scenario_with_its_settings():
    settings = runs.FibreSettings(mg_free_mM=0.15, duration_ms=12.0, seed=3)
    shown = runs.run(runs.fibre_scenario(settings), settings.label())
    same = cellsim.run(
        cellsim.load_scenario(
            "twitch",
            ["environment.mg_free_intracellular_mM=0.15", "run.duration_ms=12.0", "run.seed=3"],
        )
    )
    assert shown.label == "free Mg 0.15 mM, one stimulus"
    assert shown.output.summary["mg_free_mM"] == 0.15
    np.testing.assert_array_equal(
        shown.output.timeseries["force_fraction"], same.timeseries["force_fraction"]
    )
    assert frames.has_fibre_view(shown.output)


def test_stimulus_choices_become_the_protocol():
    doublet = runs.fibre_scenario(runs.FibreSettings(stimulus="doublet", doublet_interval_ms=8))
    assert doublet.data["protocol"]["times_ms"] == [5.0, 13.0]
    train = runs.fibre_scenario(runs.FibreSettings(stimulus="train", train_frequency_hz=40))
    assert train.data["protocol"]["kind"] == "train"
    assert train.data["protocol"]["frequency_hz"] == 40.0
    mouse = runs.fibre_scenario(runs.FibreSettings(parameter_set="mouse_fast_16C", serca_uM=90))
    assert mouse.data["fibre"] == {"parameter_set": "mouse_fast_16C", "serca_uM": 90.0}
    assert runs.fibre_default("mouse_fast_16C", "mg_free_mM") == 1.0


def test_a_bad_value_gets_the_scenario_message():
    with pytest.raises(CellsimError, match="mg_free_intracellular_mM"):
        runs.fibre_scenario(runs.FibreSettings(mg_free_mM=-1.0))


def test_nerve_and_body_pages_build_their_chains():
    nerve = runs.nerve_scenario(runs.NerveSettings(ca_ionised_mM=0.8, drive_hz=20.0))
    assert list(nerve.setups) == ["nerve", "fibre"]
    assert nerve.environment.ca_ionised_mM == 0.8
    assert nerve.data["protocol"]["nerve"]["kind"] == "train"
    body = runs.body_scenario(
        runs.BodySettings(days=3, doses=(runs.Dose("08:00", 500.0, 0.0, True),), nerve_check=False)
    )
    assert list(body.setups) == ["body", "fibre"]
    assert body.data["protocol"]["body"]["handoffs"] == [
        {"day": 3, "time": "22:00", "runs": ["fibre"]}
    ]
    assert body.data["protocol"]["body"]["doses"][0]["ca_mg"] == 500.0


def test_save_then_open_gives_back_what_was_on_screen(tmp_path):
    shown = runs.run(runs.fibre_scenario(runs.FibreSettings(duration_ms=8.0)), "a twitch")
    path = runs.save(shown, tmp_path, "my twitch")
    assert path == tmp_path / "my_twitch" and shown.folder == path
    opened = runs.open_results(tmp_path, "my_twitch")
    assert opened.output.scale == "fibre" and opened.figure_png.startswith(b"\x89PNG")
    np.testing.assert_allclose(
        opened.output.timeseries["force_fraction"],
        shown.output.timeseries["force_fraction"],
        rtol=1e-5,  # timeseries.csv keeps 6 significant digits
    )
    assert frames.has_fibre_view(opened.output)
    assert runs.results_folders(tmp_path) == ["my_twitch"]
    with pytest.raises(CellsimError, match="already exists"):
        runs.save(shown, tmp_path, "my twitch")  # never replaces a folder


def test_the_app_reads_and_writes_only_inside_its_results_folder(tmp_path):
    with pytest.raises(CellsimError, match="only inside"):
        runs.inside(tmp_path / "results", "../elsewhere")
    with pytest.raises(CellsimError, match="only inside"):
        runs.open_results(tmp_path / "results", "/etc")
    assert runs.safe_name("../../x y") == "x_y"
    with pytest.raises(CellsimError, match="give the results folder a name"):
        runs.safe_name("../")


def test_every_bundled_scenario_is_offered_with_its_notes():
    offered = dict(runs.bundled_scenarios())
    assert set(offered) == {p.stem for p in runs.bundled_dir().glob("*.toml")}
    assert all(offered.values()), "a bundled scenario has no description"
    assert "Mechanistic" in runs.scenario_notes("twitch")


def test_each_page_says_what_is_mechanistic_illustrative_and_a_hypothesis():
    for page in ("fibre", "nerve", "body"):
        text = notes.paragraph(page)
        for word in ("Mechanistic", "Illustrative", "Hypothesis"):
            assert word in text, (page, word)
        full = notes.model_notes(page)
        assert full and full.startswith("<ul><li>"), page


def test_the_browser_assets_ship_with_the_package():
    assert offline.missing() == []
    env = offline.environment()
    assert env["SOLARA_ASSETS_PROXY"] == "false"
    assert env["SOLARA_ASSETS_EXTRA_LOCATIONS"] == str(offline.ASSETS)
    assert (offline.ASSETS / "LICENSES" / "README.md").is_file()


def test_players_draw_frames_that_change_with_time():
    a = runs.run(runs.fibre_scenario(runs.FibreSettings(duration_ms=12.0)), "a").output
    b = runs.run(runs.fibre_scenario(runs.FibreSettings(duration_ms=12.0, seed=2)), "b").output
    one = frames.FibrePlayer([(a, "a")], "one run")
    assert one.png(2.0) != one.png(9.0)
    assert one.next_time(2.0) > 2.0
    beside = frames.FibrePlayer([(a, "a"), (b, "b")], "two runs")
    over = frames.OverlayPlayer((b, "b"), (a, "a"), "over")
    assert beside.png(6.0).startswith(b"\x89PNG") and over.png(6.0) != over.png(8.0)
