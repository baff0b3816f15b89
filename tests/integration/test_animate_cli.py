"""``cellsim run --animate`` and ``cellsim animate`` on real (short) fibre runs."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from cellsim.cli import main
from cellsim.results import read_results

ROOT = Path(__file__).resolve().parents[2]


def _run(scenario, out, *extra):
    args = ["run", str(ROOT / "scenarios" / scenario), "-o", str(out), "-q"]
    args += ["--set", "run.snapshot_every_ms=0.5", *extra]
    assert main(args) == 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("animate")
    _run("twitch.toml", root / "normal", "--set", "run.duration_ms=16", "--animate")
    _run("cramp_low_mg.toml", root / "cramp", "--set", "run.duration_ms=12")
    return root


def _mp4_frames(path):
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    return sum(1 for _ in reader), tuple(meta["size"])


def test_run_animate_writes_a_video_into_the_results_folder(runs, capsys):
    n, size = _mp4_frames(runs / "normal" / "animation.mp4")
    assert n == 200  # default: the whole run in 10 s at 20 fps
    assert size == (640, 720)


def test_side_by_side_mp4_is_time_synchronised(runs, capsys):
    out = runs / "compare.mp4"
    code = main(
        [
            "animate",
            str(runs / "normal"),
            str(runs / "cramp"),
            "-o",
            str(out),
            "--fps",
            "10",
            "--ms-per-s",
            "4",
            "--start-ms",
            "2",
            "--dpi",
            "40",
            "-q",
            "--title",
            "Cramp demo",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.splitlines() == [f"{out} ({out.stat().st_size / 1e6:.1f} MB)"]  # -q: one line
    assert _mp4_frames(out) == (24, (512, 288))  # 2 ms to the cramp run's last snapshot, 11.6 ms


def test_still_at_peak_and_gif(runs, capsys):
    png = runs / "peak.png"
    assert (
        main(
            [
                "animate",
                str(runs / "normal"),
                str(runs / "cramp"),
                "-o",
                str(png),
                "--dpi",
                "40",
                "-q",
            ]
        )
        == 0
    )
    assert Image.open(png).size == (512, 288)
    gif = runs / "one.gif"
    assert (
        main(
            [
                "animate",
                str(runs / "cramp"),
                "-o",
                str(gif),
                "--fps",
                "5",
                "--seconds",
                "1",
                "--dpi",
                "30",
                "-q",
            ]
        )
        == 0
    )
    assert Image.open(gif).n_frames == 5


def test_cli_errors_are_one_line(runs, tmp_path, capsys):
    assert main(["animate", str(runs / "normal"), "-o", str(tmp_path / "x.avi")]) == 2
    err = capsys.readouterr().err
    assert "cannot write '.avi'" in err and "Traceback" not in err
    shifted = tmp_path / "shifted"
    _copy_shifted(runs / "normal", shifted, 1000.0)
    assert main(["animate", str(runs / "normal"), str(shifted), "-o", str(tmp_path / "x.mp4")]) == 2
    assert "do not overlap" in capsys.readouterr().err
    bare = tmp_path / "bare"
    _copy_shifted(runs / "normal", bare, 0.0, snapshots=False)
    assert main(["animate", str(bare), "-o", str(tmp_path / "x.gif")]) == 2
    assert "has no particles to animate" in capsys.readouterr().err


def _copy_shifted(src, dst, dt_ms, snapshots=True):
    """A copy of a results folder with its snapshot times shifted (or none)."""
    import shutil

    shutil.copytree(src, dst)
    snap = read_results(dst).snapshots()
    (dst / "snapshots.npz").unlink()
    if snapshots:
        snap["time_ms"] = snap["time_ms"] + dt_ms
        np.savez_compressed(dst / "snapshots.npz", **snap)
