"""``cellsim app`` in a real browser: every page, offline, no console errors.

Starts the server as a teacher would (``cellsim app``), drives the distribution's headless
Chromium with Playwright, and blocks every request that would leave the machine.  Fails
(never skips) when Chromium or Playwright is missing.  Timings are printed (``-s``), not
asserted: ``benchmarks/bench_app.py`` reports them.  With ``CELLSIM_APP_SHOTS=DIR`` it
also saves a screenshot of each page there (``docs/img/app_*.png`` come from it).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.app import browser as B


def _shot(page, name: str) -> None:
    folder = os.environ.get("CELLSIM_APP_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"app_{name}.png"))


def drive(page, url: str, results: Path, timings: dict) -> None:
    """Every page once: the flow of a lesson, with the checks that matter."""
    t0 = time.perf_counter()
    page.goto(url)
    run = page.get_by_role("button", name="Run")
    run.wait_for(timeout=180_000)
    timings["page_load_s"] = time.perf_counter() - t0

    # --- Fibre: the default human twitch (cold if the server is still warming up)
    placeholder = B.figure_src(page)
    assert placeholder, "the Fibre page shows no figure before a run"
    run.click()
    timings["first_run_s"] = B.wait_for_new_figure(page, placeholder, ".fibre-player img")
    first = B.figure(page).screenshot()
    page.get_by_role("button", name="Pin for comparison").click()
    page.get_by_text("pinned: free Mg 0.5 mM").wait_for(timeout=10_000)

    # move free Mg from 0.5 to 0.05 mM (below the fibre's spontaneous-release threshold) and
    # run again: the new twitch, beside the pinned one
    assert B.press_slider(page, "Free Mg (mM)", "ArrowLeft", 9) == 0.05
    page.locator(".fibre-echo", has_text="free Mg 0.05 mM").wait_for(timeout=10_000)
    old = B.figure_src(page)
    t_click = time.perf_counter()
    run.click()
    B.wait_for_new_figure(page, old)
    timings["click_to_twitch_s"] = time.perf_counter() - t_click
    timings["run_info"] = page.locator(".run-info").first.inner_text()
    second = B.figure(page).screenshot()
    assert second != first, "the figure did not change after moving the slider and running"
    widths = page.evaluate("() => document.querySelector('img.figure').naturalWidth")
    assert widths > 900, f"pinned and current runs are not side by side ({widths} px wide)"
    assert page.locator(".summary", has_text="free Mg 0.05 mM").count()
    _shot(page, "fibre")

    # playback: the cursor moves through simulated time and the picture changes
    t_before, src_before = B.sim_time(page), B.figure_src(page)
    page.get_by_role("button", name="Reset").click()
    page.locator(".sim-time", has_text="t = 0.1 ms").wait_for(timeout=10_000)
    B.play(page)
    deadline = time.perf_counter() + 30
    while B.sim_time(page) == 0.1 and time.perf_counter() < deadline:
        page.wait_for_timeout(20)  # the first frame of the playback
    wall0, sim0 = time.perf_counter(), B.sim_time(page)
    page.wait_for_timeout(3000)
    sim1, wall1 = B.sim_time(page), time.perf_counter()
    B.pause(page)
    timings["playback_ms_per_s"] = (sim1 - sim0) / (wall1 - wall0)
    assert sim1 > sim0 > 0.1, f"playback did not advance (t 0.1 -> {sim0} -> {sim1} ms)"
    assert B.figure_src(page) != src_before or B.sim_time(page) != t_before

    # another browser session has its own state: no run, no pinned run, free Mg at 0.5
    other = page.context.browser.new_page()
    other.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    other.goto(url)
    other.get_by_role("button", name="Run").wait_for(timeout=60_000)
    assert other.locator("img.placeholder").count() == 1
    assert other.locator(".v-input", has_text="Free Mg (mM): 0.5").count() == 1
    assert other.get_by_text("pinned:").count() == 0
    other.close()

    # save what is on screen as a results folder
    page.get_by_text("save or open a results folder").first.click()
    page.get_by_label("name of a new folder").first.fill("lesson-cramp")
    page.get_by_role("button", name="Save results folder").first.click()
    page.locator(".save-message", has_text="saved").wait_for(timeout=30_000)
    manifest = json.loads((results / "lesson-cramp" / "manifest.json").read_text())
    assert manifest["scale"] == "fibre"

    # --- Nerve: low ionised Ca, a short run; spikes and the muscle's response
    page.get_by_role("tab", name="Nerve").click()
    page.get_by_text("ionised Ca outside").first.wait_for(timeout=30_000)
    B.press_slider(page, "ionised Ca outside (mM)", "ArrowLeft", 2)
    B.press_slider(page, "duration (ms)", "Home")
    old = B.figure_src(page)
    page.get_by_role("button", name="Run").click()
    timings["nerve_run_s"] = B.wait_for_new_figure(page, old, "img.nerve-figure")
    _shot(page, "nerve")

    # --- Body: a week of diet and an evening supplement, then the twitch at the hand-off
    page.get_by_role("tab", name="Body").click()
    page.get_by_text("diet Mg (mg/day)").first.wait_for(timeout=30_000)
    old = B.figure_src(page)
    page.get_by_role("button", name="Run").click()
    timings["body_run_s"] = B.wait_for_new_figure(page, old, "img.twitch-figure")
    assert B.figure_src(page, "img.body-figure")
    _shot(page, "body")

    # --- Scenarios & results: a bundled scenario opens and runs; its notes are shown
    page.get_by_role("tab", name="Scenarios & results").click()
    page.get_by_role("button", name="Open and run").wait_for(timeout=30_000)
    assert page.get_by_text("A single twitch of a human limb-muscle fibre").count()
    page.get_by_role("button", name="Open and run").click()
    page.locator(".scenario-on-screen").wait_for(timeout=180_000)
    B.figure(page).wait_for(timeout=30_000)
    _shot(page, "scenarios")


def test_the_app_runs_offline_in_a_browser(tmp_path):
    B.require_chromium()
    from playwright.sync_api import sync_playwright  # in the [test] extra

    timings: dict = {}
    started = time.perf_counter()
    with B.app_server(tmp_path / "results", tmp_path / "server.log") as (url, _proc, up_s):
        timings["server_up_s"] = up_s
        with sync_playwright() as pw, B.offline_page(pw) as (page, console, external):
            drive(page, url, tmp_path / "results", timings)
            assert not external, f"the page tried to reach the internet: {external[:5]}"
            assert not B.console_errors(console), B.console_errors(console)
    timings["test_s"] = time.perf_counter() - started
    print("app timings:", {k: round(v, 2) if isinstance(v, float) else v
                           for k, v in timings.items()})  # fmt: skip
