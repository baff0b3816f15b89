"""The teaching app's response times, measured in the browser a teacher would use.

    python benchmarks/bench_app.py [--rounds 3] [--playback-s 5] [--shots DIR]

Starts ``cellsim app`` and drives headless Chromium (``/usr/bin/chromium``) through the
lesson of ``tests/app/test_app_browser.py``, then measures, per round:

* **click to twitch**: free Mg moved from 0.5 to 0.15 mM and Run pressed, until the new
  150 ms human twitch is on screen (warm: the kernels are loaded), with the run's own
  wall and CPU time (the CPU time is the cost without other load on the machine);
* **playback**: simulated ms advanced per second of wall clock while playing, and the
  frames per second the browser received.

The machine's load average is printed: other processes on the 2 cores lengthen the wall
times.  Results are appended to ``benchmarks/results/app.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.app import browser as B  # noqa: E402
from tests.app.test_app_browser import drive  # noqa: E402


def click_to_twitch(page, mg_key: str) -> dict:
    """Move free Mg one way, press Run, wait for the new figure; seconds and the run's time."""
    B.press_slider(page, "Free Mg (mM)", mg_key, 7)
    old = B.figure_src(page)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Run").click()
    B.wait_for_new_figure(page, old)
    seconds = time.perf_counter() - t0
    info = page.locator(".run-info").first.inner_text()  # "last run: 3.1 s (3.0 s CPU)"
    wall, cpu = (float(x.split()[0]) for x in info.removeprefix("last run: ").split("("))
    return {"click_to_twitch_s": seconds, "run_wall_s": wall, "run_cpu_s": cpu}


def playback(page, seconds: float) -> dict:
    """Play from the start; simulated ms per wall second and distinct frames per second."""
    page.get_by_role("button", name="Reset").click()
    while B.sim_time(page) > 1.0:  # the reset reached the page
        page.wait_for_timeout(20)
    start = B.sim_time(page)
    B.play(page)
    while B.sim_time(page) == start:  # the first frame of the playback
        page.wait_for_timeout(10)
    sources = set()
    t0, sim0 = time.perf_counter(), B.sim_time(page)
    while time.perf_counter() - t0 < seconds:
        sources.add(B.figure_src(page))
        page.wait_for_timeout(20)
    sim1, wall = B.sim_time(page), time.perf_counter() - t0
    B.pause(page)
    return {"playback_ms_per_s": (sim1 - sim0) / wall, "frames_per_s": len(sources) / wall}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--playback-s", type=float, default=5.0)
    ap.add_argument("--shots", type=Path, help="also save a screenshot of each page here")
    args = ap.parse_args()
    if args.shots:
        os.environ["CELLSIM_APP_SHOTS"] = str(args.shots)
    B.require_chromium()
    from playwright.sync_api import sync_playwright

    record: dict = {"load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with B.app_server(tmp / "results", tmp / "server.log") as (url, _proc, up_s):
            record["server_up_s"] = up_s
            with sync_playwright() as pw, B.offline_page(pw) as (page, console, external):
                lesson: dict = {}
                drive(page, url, tmp / "results", lesson)
                record["lesson"] = {k: v for k, v in lesson.items() if isinstance(v, float)}
                page.get_by_role("tab", name="Fibre").click()
                page.get_by_role("button", name="Run").wait_for()
                rounds = []
                for k in range(args.rounds):
                    rounds.append(
                        click_to_twitch(page, "ArrowRight" if k % 2 == 0 else "ArrowLeft")
                    )
                    rounds[-1].update(playback(page, args.playback_s))
                record["rounds"] = rounds
                record["console_errors"] = B.console_errors(console)
                record["external_requests"] = external
    record["load_after"] = os.getloadavg()[0]
    for key in ("click_to_twitch_s", "run_wall_s", "run_cpu_s", "playback_ms_per_s",
                "frames_per_s"):  # fmt: skip
        values = [r[key] for r in record["rounds"]]
        record[f"median_{key}"] = statistics.median(values)
        print(f"{key:<22} median {statistics.median(values):6.2f}   "
              f"all {', '.join(f'{v:.2f}' for v in values)}")  # fmt: skip
    print(f"server up {record['server_up_s']:.1f} s, load {record['load_before']:.1f} -> "
          f"{record['load_after']:.1f}; lesson: "
          + ", ".join(f"{k} {v:.1f}" for k, v in record["lesson"].items()))  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "app.jsonl"
    with out.open("a") as fh:
        fh.write(json.dumps({"when": time.strftime("%Y-%m-%d %H:%M"), **record}) + "\n")


if __name__ == "__main__":
    main()
