"""Animations from synthetic results folders: what a frame shows, files, errors.

The folders are written with ``write_results`` from hand-made arrays shaped like
``fibre.recording.SnapshotRecorder.arrays`` (no simulation), so every check here
knows exactly what the frame should show.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cellsim.errors import CellsimError, ResultsError
from cellsim.output import RunOutput
from cellsim.render.animation import Scene, animate, choose_panels, render_still
from cellsim.render.fibre_view import CA
from cellsim.render.runs import common_window, frame_times, load_runs
from cellsim.results import write_results

REST, RELEASE, PEAK = 0, 5, 12  # snapshot indices
S = 20  # snapshots, one per ms


def synthetic_run(folder, *, mg_mM=0.5, t0=0.0, events=None, snapshots=True, name="synth"):
    """A small fibre-like results folder: Ca floods in at 5 ms, force peaks at 12 ms."""
    rng = np.random.default_rng(1)
    times = t0 + np.arange(S, dtype=float)
    n_ca = [2 if k < 4 else (400 if k < 9 else 40) for k in range(S)]
    ca = [
        np.column_stack([rng.uniform(0, 1, n), rng.uniform(0, 0.2, n), rng.uniform(0, 0.2, n)])
        for n in n_ca
    ]
    force = np.clip((np.arange(S) - 4) / 8.0, 0, 1)
    force[PEAK + 1 :] = np.linspace(0.9, 0.2, S - PEAK - 1)
    sl = 2.5 - 0.3 * force
    n_mg, n_reg, n_serca = 200, 120, 60
    reg_species = np.zeros((S, n_reg), np.int8)
    reg_species[:, :20] = 2
    reg_species[RELEASE : PEAK + 1, 20:100] = 1
    ryr_open = np.zeros((S, 64), np.int8)
    ryr_open[RELEASE - 1 : RELEASE + 2] = 1
    snap = {
        "time_ms": times,
        "box_um": np.array([1.0, 0.2, 0.2]),
        "ca_xyz_um": np.concatenate(ca).astype(np.float32),
        "ca_offsets": np.concatenate(([0], np.cumsum(n_ca))).astype(np.int64),
        "mg_xyz_um": rng.uniform(0, 0.2, (S, n_mg, 3)).astype(np.float32),
        "mg_state": rng.integers(0, 2, (S, n_mg)).astype(np.int8),
        "pv_xyz_um": np.zeros((S, 0, 3), np.float32),
        "pv_species": np.zeros((S, 0), np.int8),
        "reg_xyz_um": np.column_stack(
            [np.linspace(0.02, 0.98, n_reg), np.full(n_reg, 0.1), np.full(n_reg, 0.1)]
        ),
        "reg_species": reg_species,
        "serca_xyz_um": np.column_stack(
            [np.linspace(0, 1, n_serca), np.full(n_serca, 0.2), np.full(n_serca, 0.1)]
        ),
        "serca_species": np.zeros((S, n_serca), np.int8),
        "ryr_yz_um": np.stack(
            np.meshgrid(np.linspace(0.0125, 0.1875, 8), np.linspace(0.0125, 0.1875, 8)), -1
        ).reshape(64, 2),
        "ryr_open": ryr_open,
        "force_fraction": force,
        "sarcomere_length_um": sl,
    }
    series = {
        "time_ms": times,
        "ca_free_uM": np.array(n_ca) / 24.0,
        "tn_reg_ca_fraction": (reg_species == 1).mean(1),
        "tn_reg_mg_fraction": (reg_species == 2).mean(1),
        "pv_ca_fraction": np.zeros(S),
        "pv_mg_fraction": np.zeros(S),
        "sr_ca_uM": np.linspace(1000, 800, S),
        "force_fraction": force,
        "sarcomere_length_um": sl,
    }
    out = RunOutput(
        scale="fibre",
        timeseries=series,
        summary={"title": f"{name}: synthetic", "parameter_set": "human", "mg_free_mM": mg_mM},
        seed=1,
        engine="numba",
        snapshots=snap if snapshots else {},
        events=events or {"stimulus_times_ms": np.array([4.0])},
    )
    return write_results(
        out, folder, scenario={"scenario": {"name": name}}, name=name, wall_time_s=0.0, figure=False
    )


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    spikes = {
        "spike_times_ms": np.array([1.0, 3.0, 4.5, 15.0, 30.0]),
        "muscle_ap_times_ms": np.array([1.5, 3.5, 5.0]),
    }
    return {
        "normal": synthetic_run(root / "normal", mg_mM=0.5),
        "low": synthetic_run(root / "low", mg_mM=0.15),
        "late": synthetic_run(root / "late", t0=100.0),
        "nerve": synthetic_run(root / "nerve", events=spikes),
        "bare": synthetic_run(root / "bare", snapshots=False),
    }


def _scene(paths, panels=None, dpi=60):
    runs = load_runs(paths)
    window = common_window(runs)
    return Scene(runs, window, choose_panels(runs, panels), dpi=dpi)


def _ca_pixels(scene, t_ms):
    """Pixels of the Ca colour inside the cytosol (y 0 to 0.2 µm) of the fibre panel."""
    scene.update(t_ms)
    scene.fig.canvas.draw()
    rgb = np.asarray(scene.fig.canvas.buffer_rgba())[..., :3].astype(int)
    ax = scene.fibres[0].cisterna.axes
    (x0, y0), (x1, y1) = ax.transData.transform([(0.0, 0.0), (1.0, 0.2)])
    h = rgb.shape[0]
    box = rgb[int(h - y1) + 1 : int(h - y0) - 1, int(x0) + 1 : int(x1) - 1]
    target = np.array([int(CA[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(box - target).sum(-1) < 40).sum())


def test_ca_colour_fills_the_fibre_during_release(folders):
    scene = _scene([folders["normal"]], panels=["fibre"])
    rest, release = _ca_pixels(scene, REST), _ca_pixels(scene, RELEASE + 0.5)
    assert release > 10 * max(rest, 1) and release > 300


def test_sarcomere_is_shorter_at_peak_force(folders):
    scene = _scene([folders["normal"]], panels=["sarcomere", "force"])
    scene.fig.canvas.draw()
    view = scene.sarcomeres[0]
    scene.update(REST)
    rest = view.width_px()
    scene.update(PEAK)
    peak = view.width_px()
    assert peak < 0.92 * rest  # 2.2 / 2.5 µm = 0.88
    assert "-12 %" in view.text.get_text()
    assert len(view.bridges.get_xdata()) > 0  # crossbridges drawn under force


def test_side_by_side_has_both_runs(folders, tmp_path):
    one = render_still([folders["normal"]], tmp_path / "one.png", dpi=40)
    two = render_still([folders["normal"], folders["low"]], tmp_path / "two.png", dpi=40)
    assert two.width_px == 2 * one.width_px and two.height_px == one.height_px
    assert Image.open(tmp_path / "two.png").size == (two.width_px, two.height_px)
    scene = _scene([folders["normal"], folders["low"]])
    titles = [t.get_text() for t in scene.fig.texts]  # column titles above each column
    assert "free Mg 0.5 mM" in titles and "free Mg 0.15 mM" in titles


def test_raster_panel_appears_with_nerve_spikes(folders, tmp_path):
    runs = load_runs([folders["nerve"]])
    assert choose_panels(runs)[-1] == "spikes"
    assert "spikes" not in choose_panels(load_runs([folders["normal"]]))
    scene = _scene([folders["nerve"]])
    raster = scene.veils[0].axes
    segments = [len(c.get_segments()) for c in raster.collections]
    assert sorted(segments) == [3, 4]  # 4 spikes and 3 muscle APs inside 0-19 ms
    scene.update(10.0)
    assert scene.veils[0].get_x() == 10.0  # the future is veiled
    info = animate([folders["nerve"]], tmp_path / "spasm.gif", fps=5, seconds=1, dpi=30)
    assert Image.open(info.path).n_frames == 5


def test_gif_has_requested_frames_and_size(folders, tmp_path):
    info = animate(
        [folders["normal"], folders["low"]],
        tmp_path / "c.gif",
        fps=10,
        ms_per_s=5.0,
        start_ms=2,
        end_ms=12,
        dpi=30,
    )
    im = Image.open(info.path)
    assert im.n_frames == 20 == info.frames
    assert im.size == (2 * 6.4 * 30, 7.2 * 30) == (info.width_px, info.height_px)


def test_mp4_decodes_with_requested_frames_and_size(folders, tmp_path):
    import imageio_ffmpeg

    info = animate([folders["normal"]], tmp_path / "c.mp4", fps=8, seconds=2, dpi=40)
    frames = imageio_ffmpeg.read_frames(str(info.path))
    meta = next(frames)
    n = sum(1 for _ in frames)
    assert n == 16 == info.frames
    assert tuple(meta["size"]) == (256, 288) == (info.width_px, info.height_px)
    assert not list(tmp_path.glob(".*partial*"))


def test_frame_times_follow_fps_and_slow_motion():
    t = frame_times((0.0, 10.0), fps=10, ms_per_s=5.0)
    assert len(t) == 20 and t[1] - t[0] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"out": "x.avi"}, "cannot write '.avi'"),
        ({"out": "x"}, "no extension"),
        ({"fps": 0}, "--fps"),
        ({"dpi": 1e5}, "--dpi"),
        ({"ms_per_s": 1e-6}, "too many"),
        ({"seconds": 2, "ms_per_s": 5}, "either"),
        ({"start_ms": 15, "end_ms": 12}, "window is empty"),
        ({"labels": ["a", "b"]}, "label"),
        ({"panels": ["spikes"]}, "nerve spike times"),
    ],
)
def test_bad_options_are_clear_errors(folders, tmp_path, kwargs, message):
    kwargs = {"out": "x.mp4", **kwargs}
    out = tmp_path / kwargs.pop("out")
    with pytest.raises(CellsimError, match=message):
        animate([folders["normal"]], out, **kwargs)
    assert not out.exists()


def test_missing_snapshots_and_non_overlapping_runs(folders, tmp_path):
    with pytest.raises(ResultsError, match="a fibre run has no particles to animate"):
        animate([folders["bare"]], tmp_path / "x.mp4")
    with pytest.raises(ResultsError, match="do not overlap"):
        animate([folders["normal"], folders["late"]], tmp_path / "x.mp4")
    with pytest.raises(ResultsError, match="no such results folder"):
        animate([tmp_path / "nowhere"], tmp_path / "x.gif")


def test_render_reads_results_only_and_never_imports_a_model():
    import subprocess
    import sys

    code = (
        "import sys, cellsim.render.animation, cellsim.cli.animate;"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    models = [
        m
        for m in loaded
        if m.split(".")[:2] in (["cellsim", s] for s in ("fibre", "nerve", "body"))
    ]
    assert not models and "numba" not in loaded and "mesa" not in loaded


def test_frames_are_legible_on_a_1080p_screen(folders):
    from cellsim.render import style

    scene = _scene([folders["normal"], folders["low"]], dpi=100)
    assert scene.frame_size(100) == (1280, 720)  # 16:9
    scene.update(PEAK)
    assert style.too_small(scene.fig) == []
    plt_close(scene)


def plt_close(scene):
    import matplotlib.pyplot as plt

    plt.close(scene.fig)


def test_counts_bars_show_bound_and_free_ca(folders):
    scene = _scene([folders["normal"]], panels=["fibre"])
    counts = scene.counts[0]
    scene.update(REST)
    rest = [b.get_width() for b in counts.bars]
    scene.update(PEAK)
    peak = [b.get_width() for b in counts.bars]
    # free Ca, Ca on troponin, Mg on troponin, Ca in pumps (see synthetic_run)
    assert rest == [2, 0, 20, 0] and peak == [40, 80, 20, 0]
    assert counts.values[1].get_text() == "80"
    assert counts.limit >= 400  # one scale: the most particles any bar holds, here 400 free Ca
    plt_close(scene)


def test_gif_stores_only_what_changed_and_decodes_exactly(folders, tmp_path):
    from cellsim.render.animation import gif_palette, save_gif

    info = animate([folders["normal"], folders["low"]], tmp_path / "d.gif", seconds=2, dpi=100)
    assert info.fps == 10 and info.frames == 20  # a GIF's default frame rate
    size = info.path.stat().st_size
    # the cramp demo's bound (<= 4 MB for 100 frames at 1280 x 720) per frame
    assert size <= 40_000 * info.frames, size
    # exact: the decoded frames are the rendered ones, mapped to the shared palette
    runs = load_runs([folders["normal"], folders["low"]])
    scene = Scene(runs, info.window_ms, choose_panels(runs), dpi=100, ms_per_s=info.ms_per_s)
    scene.start_blit()
    palette = gif_palette()
    times = frame_times(info.window_ms, info.fps, info.ms_per_s)
    frames = []
    for t in times:
        scene.update(float(t))
        rgba = np.asarray(scene.render()).reshape(720, 1280, 4)
        frames.append(Image.fromarray(rgba[..., :3]).quantize(palette=palette, dither=0))
    gif = Image.open(info.path)
    for k in (0, 7, 19):
        gif.seek(k)
        assert np.array_equal(np.asarray(gif.convert("RGB")), np.asarray(frames[k].convert("RGB")))
    # and much smaller than the same frames stored whole
    naive = tmp_path / "naive.gif"
    frames[0].save(naive, save_all=True, append_images=frames[1:], duration=100, optimize=False)
    assert size < 0.5 * naive.stat().st_size
    save_gif(frames, tmp_path / "again.gif", 10)
    assert (tmp_path / "again.gif").stat().st_size == size
    plt_close(scene)


def test_column_titles_say_what_happened(folders, tmp_path):
    runs = load_runs([folders["normal"]])
    assert runs[0].label == "free Mg 0.5 mM"
    assert runs[0].sublabel == "normal (from synth)"
    quiet = synthetic_run(tmp_path / "spasm_normal_ca", name="spasm_low_ca")
    import json

    summary = json.loads((quiet / "summary.json").read_text())
    summary.update(peak_force_fraction=0.01, cramp=False, spike_count=0, stimulus_pulses=0)
    (quiet / "summary.json").write_text(json.dumps(summary))
    sub = load_runs([quiet])[0].sublabel
    assert sub == "spasm_normal_ca (from spasm_low_ca): 0 spontaneous spikes, no twitch"
    assert "relaxes" not in sub


def test_runs_without_particles_say_what_to_animate_instead(tmp_path):
    child = synthetic_run(tmp_path / "child", name="chain")
    out = RunOutput(
        scale="body",
        timeseries={"time_h": np.arange(3.0), "plasma_ica_mM": np.ones(3)},
        summary={},
        seed=1,
        engine="scipy",
    )
    from cellsim.results import read_results

    r = read_results(child)
    out.children["day7_2200_fibre"] = RunOutput(
        scale="fibre", timeseries=r.timeseries, summary=r.summary, seed=1, engine="numba",
        snapshots=r.snapshots(),
    )  # fmt: skip
    body = write_results(out, tmp_path / "body", scenario={"output": {"snapshots": True}},
                         name="chain", wall_time_s=0, figure=False)  # fmt: skip
    with pytest.raises(ResultsError) as err:
        animate([body], tmp_path / "x.mp4")
    text = str(err.value)
    assert "a body run has no particles to animate" in text
    assert "snapshots = true" not in text
    assert f"cellsim animate {body / 'day7_2200_fibre'}" in text
    animate([body / "day7_2200_fibre"], tmp_path / "ok.png")  # the suggestion works
