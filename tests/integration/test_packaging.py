"""The bundled scenarios and sweeps ship with the package: a non-editable install runs
``cellsim list`` and ``cellsim run twitch`` from an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "cellsim" / "scenarios"


def test_the_checkout_links_scenarios_to_the_package_data():
    """README's commands use ``scenarios/...``: the link keeps them working."""
    assert (ROOT / "scenarios").resolve() == BUNDLED.resolve()
    assert (BUNDLED / "twitch.toml").is_file() and (BUNDLED / "sweeps").is_dir()


@pytest.mark.slow
def test_a_built_wheel_runs_bundled_scenarios_from_an_empty_folder(tmp_path):
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)], check=True,
                   timeout=900)  # fmt: skip
    wheel = next(tmp_path.glob("cellsim*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {
        n.rsplit("/", 1)[1] for n in names if re.fullmatch(r"cellsim/scenarios/\w+\.toml", n)
    }
    assert shipped == {p.name for p in BUNDLED.glob("*.toml")}
    sweeps = {n.rsplit("/", 1)[1] for n in names if n.startswith("cellsim/scenarios/sweeps/")}
    assert sweeps == {p.name for p in (BUNDLED / "sweeps").glob("*.toml")}

    site = tmp_path / "site"  # a non-editable install: files copied, no link to the checkout
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True,
                   timeout=600)  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=empty, env=env, capture_output=True,
                              text=True, timeout=900)  # fmt: skip

    where = run("-c", "import cellsim; print(cellsim.__file__)")
    assert where.stdout.strip() == str(site / "cellsim" / "__init__.py")
    listing = run("-m", "cellsim", "list")
    assert listing.returncode == 0, listing.stderr
    assert f"in {site / 'cellsim' / 'scenarios'}:" in listing.stdout.splitlines()[0]
    assert "twitch.toml" in listing.stdout and "tetany_map.toml" in listing.stdout
    twitch = run("-m", "cellsim", "run", "twitch", "-q", "--set", "run.duration_ms=20")
    assert twitch.returncode == 0, twitch.stderr
    assert (empty / "results" / "twitch" / "manifest.json").is_file()
    sweep = run("-m", "cellsim", "validate", "tetany_map")
    assert sweep.returncode == 0 and re.search(r"ok \(sweep of \d+ runs", sweep.stdout)
