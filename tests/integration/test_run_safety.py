"""Two ``cellsim run`` processes into one folder: the second is refused at once, the first
finishes, and nothing is left behind but its results."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cellsim.cli import main
from cellsim.results import read_results

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_run_into_a_busy_folder_is_refused(tmp_path, capsys):
    target = tmp_path / "twitch"
    first = subprocess.Popen(
        [sys.executable, "-m", "cellsim", "run", str(ROOT / "scenarios" / "twitch.toml"),
         "-q", "-o", str(target), "--set", "run.duration_ms=60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = tmp_path / ".twitch.lock"
    deadline = time.monotonic() + 120
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock.exists(), first.communicate()
    started = time.monotonic()
    assert main(["run", "twitch", "-q", "-o", str(target)]) == 2
    assert time.monotonic() - started < 10  # refused at once, not after a simulation
    assert f"another cellsim run (process {first.pid})" in capsys.readouterr().err
    _out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert read_results(target).manifest["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["twitch"]  # no lock, no leftovers
