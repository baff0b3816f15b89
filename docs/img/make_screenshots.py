"""Remake the screenshots in docs/img/ and check that every figure is legible.

Runs every bundled scenario (about 5 minutes on 2 cores), draws its overview figure and
those of its hand-offs, measures the smallest text as it appears on a 1920 x 1080 screen
(``cellsim.render.style.smallest_font_pt``), and writes a small copy (960 x 540 px,
64-colour palette) to ``docs/img/scenarios/<name>.png``.  Then the compare figures and
animation stills of the teaching demos.  Prints one line per figure.

    .venv/bin/python docs/img/make_screenshots.py            # all
    .venv/bin/python docs/img/make_screenshots.py twitch     # only scenarios named so
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
from PIL import Image

import cellsim
from cellsim.render import style

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "img"
SMALL = (960, 540)


def small_png(source: Path, target: Path) -> int:
    """A 960 x 540 palette copy of a 1920 x 1080 PNG; returns its size in bytes."""
    im = Image.open(source).convert("RGB")
    im.thumbnail((SMALL[0], SMALL[0]), Image.Resampling.LANCZOS)
    im.quantize(64, Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target.stat().st_size


def figures(out, name: str):
    """(label, figure) of a run and of its hand-offs."""
    if out.figure is not None:
        yield name, out.figure(out)
    for label, child in out.children.items():
        yield from figures(child, f"{name}__{label}")


def scenarios(only: list[str]) -> None:
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        if only and path.stem not in only:
            continue
        start = time.perf_counter()
        out = cellsim.run(cellsim.load_scenario(path))
        for label, fig in figures(out, path.stem):
            smallest = style.smallest_font_pt(fig)
            with tempfile.TemporaryDirectory() as tmp:
                full = Path(tmp) / "figure.png"
                fig.savefig(full, dpi="figure")
                w, h = Image.open(full).size
                size = small_png(full, OUT / "scenarios" / f"{label}.png")
            plt.close(fig)
            flag = "" if smallest >= style.MIN_FONT_PT - 1e-6 else "  <-- text too small"
            print(
                f"{label:<60} {w}x{h} px, smallest text {smallest:.1f} pt, "
                f"{size / 1e3:.0f} kB, {time.perf_counter() - start:.0f} s{flag}",
                flush=True,
            )


def cellsim_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cellsim", *args], check=True, cwd=ROOT)


def demos() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        r = Path(tmp)
        # the cramp demo: the mouse fast fibre at its normal free Mg and at 0.05 mM
        cellsim_cli("run", "twitch_mouse_fast", "-q", "-o", str(r / "twitch"))
        cellsim_cli("run", "cramp_low_mg", "-q", "-o", str(r / "cramp_low_mg"))
        cellsim_cli("compare", str(r / "twitch"), str(r / "cramp_low_mg"), "-o",
                    str(r / "compare.png"))  # fmt: skip
        small_png(r / "compare.png", OUT / "compare_cramp.png")
        cellsim_cli("animate", str(r / "twitch"), str(r / "cramp_low_mg"), "-q", "-o",
                    str(OUT / "cramp_frame.png"), "--title",
                    "A cramp: without enough magnesium the fibre does not relax")  # fmt: skip
        cellsim_cli("run", "spasm_low_ca", "-q", "-o", str(r / "spasm_low_ca"))
        cellsim_cli("run", "spasm_low_ca", "--set", "environment.ca_ionised_mM=1.2", "-q",
                    "-o", str(r / "spasm_normal_ca"))  # fmt: skip
        cellsim_cli("compare", str(r / "spasm_normal_ca"), str(r / "spasm_low_ca"), "-o",
                    str(r / "spasm.png"))  # fmt: skip
        small_png(r / "spasm.png", OUT / "compare_spasm.png")
        cellsim_cli("animate", str(r / "spasm_normal_ca"), str(r / "spasm_low_ca"), "-q",
                    "-o", str(OUT / "spasm_frame.png"), "--at-ms", "207")  # fmt: skip


if __name__ == "__main__":
    names = sys.argv[1:]
    scenarios(names)
    if not names:
        demos()
