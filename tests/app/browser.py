"""Drive ``cellsim app`` in the distribution's headless Chromium (Playwright, no download).

Used by ``test_app_browser.py`` and ``benchmarks/bench_app.py``.  Every request that
would leave the machine is blocked and recorded, so a page that needs the internet fails.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def require_chromium() -> None:
    """Fail (never skip) without the browser: CI installs it (``apt-get install chromium``)."""
    if not os.access(CHROMIUM, os.X_OK):
        raise AssertionError(
            f"{CHROMIUM} is missing: apt-get install -y chromium (the browser test needs it)"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(results: Path, log: Path, timeout_s: float = 180.0):
    """``cellsim app`` on a free port; yields (url, process, seconds until it answered)."""
    port = free_port()
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cellsim", "app", "--port", str(port), "--results",
             str(results)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"the app exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the app did not answer in {timeout_s} s") from None
                time.sleep(0.1)
        yield url, proc, time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextlib.contextmanager
def offline_page(playwright, width: int = 1400, height: int = 1000):
    """A page that may only talk to this machine; yields (page, console, external)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    console: list[tuple[str, str]] = []
    external: list[str] = []
    try:
        page = browser.new_page(viewport={"width": width, "height": height})

        def route(r):
            url = r.request.url
            if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
                r.continue_()
            else:
                external.append(url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: console.append((m.type, m.text)))
        page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
        yield page, console, external
    finally:
        browser.close()


def figure(page, css: str = "img.figure"):
    return page.locator(css).last


def figure_src(page, css: str = "img.figure") -> str | None:
    loc = figure(page, css)
    return loc.get_attribute("src") if loc.count() else None


def wait_for_new_figure(page, old_src, css: str = "img.figure", timeout_s: float = 180.0):
    """Seconds until a run finished and the figure has a new picture."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        busy = page.locator(".run-status", has_text="running").count() > 0
        failed = page.get_by_text("The run failed").count() > 0
        if failed:
            raise AssertionError(page.get_by_text("The run failed").first.inner_text())
        src = figure_src(page, css)
        if not busy and src and src != old_src:
            return time.perf_counter() - t0
        page.wait_for_timeout(50)
    raise AssertionError(f"no new figure ({css}) within {timeout_s} s")


def slider(page, label: str):
    return page.locator(".v-input", has_text=label).locator("[role=slider]").first


def press_slider(page, label: str, key: str, times: int = 1) -> float:
    """Move a slider with the keyboard; return its new value once the server echoed it."""
    thumb = slider(page, label)
    thumb.focus()
    for _ in range(times):
        page.keyboard.press(key)
    value = float(thumb.get_attribute("aria-valuenow"))
    # the label shows the value the server holds: wait for it
    page.locator(".v-input", has_text=f"{label}: {value:g}").first.wait_for(timeout=10_000)
    return value


def sim_time(page) -> float:
    text = page.locator(".sim-time").first.inner_text()  # "t = 12.3 ms"
    return float(text.split("=")[1].split()[0])


def console_errors(console) -> list:
    return [c for c in console if c[0] in ("error", "pageerror")]


def play(page) -> None:
    """Start the playback clock (the first button of the ``Play`` widget)."""
    page.locator(".widget-play button").nth(0).click()


def pause(page) -> None:
    page.locator(".widget-play button").nth(1).click()
