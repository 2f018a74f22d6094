"""End to end: a notebook served by Voilà on localhost, played with real clicks in headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent / "browser" / "play.ipynb"
SHOTS = os.environ.get("SYMTUTOR_SCREENSHOTS")  # a folder to keep the screenshots in, if set


def _missing() -> str | None:
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "Chromium is not installed (Debian: apt-get install chromium)"
    for module in ("voila", "playwright"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed"
    return None


@pytest.fixture
def voila_url():
    why = _missing()
    if why:
        if os.environ.get("SYMTUTOR_REQUIRE_BROWSER"):
            pytest.fail(f"SYMTUTOR_REQUIRE_BROWSER is set but {why}")
        pytest.skip(why + "; CI installs it and sets SYMTUTOR_REQUIRE_BROWSER")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:  # loopback only
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("Voilà did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_practice_and_sandpit_played_in_headless_chromium(voila_url, tmp_path):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    shots = Path(SHOTS) if SHOTS else tmp_path
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1300})
            page.goto(voila_url, timeout=120_000)
            page.wait_for_selector("text=Exercise 1/3", timeout=120_000)
            answer = page.locator("input[placeholder^='type your answer']")
            answer.fill("3 e^(3x - 3)")
            page.wait_for_selector("text=I read:", timeout=30_000)
            page.get_by_role("button", name="Check").click()
            page.wait_for_selector("text=Correct!", timeout=30_000)
            page.wait_for_selector("text=Score: 1.00 / 1", timeout=30_000)
            practice_box = page.locator(".widget-vbox").filter(has_text="Exercise 1/3").first
            practice_box.screenshot(path=str(shots / "practice.png"))

            def probe(x: str, y: str) -> None:
                page.locator(".widget-inline-hbox:has-text('x (m)') input").fill(x)
                page.locator(".widget-inline-hbox:has-text('y (m)') input").fill(y)
                page.get_by_role("button", name="Probe").click()

            probe("3", "3")
            page.wait_for_selector("text=probe(s) left", timeout=30_000)
            probe("4.21", "3.33")
            page.wait_for_selector("text=local minimum", timeout=30_000)
            probe("1.36", "2.24")
            page.wait_for_selector("text=The phone was at (1.35, 2.24)", timeout=30_000)
            sandpit_box = page.locator(".widget-vbox").filter(has_text="Found it!").first
            sandpit_box.screenshot(path=str(shots / "sandpit.png"))
            page.screenshot(path=str(shots / "page.png"), full_page=True)
            assert (shots / "page.png").stat().st_size > 10_000
        finally:
            browser.close()
