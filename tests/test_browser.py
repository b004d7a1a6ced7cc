"""The clan explorer as a person sees it: Voilà serves notebooks/explorer.ipynb on 127.0.0.1,
headless Chromium (Debian's package, kept off the network) renders it, and the page must show
the demo clan's name, its members table with every row, and a plot image; once the War tab
is clicked, the war's headline, its attacks table and its plots. A screenshot is saved to
``artifacts/explorer.png``.

Without Chromium and ChromeDriver (``apt-get install chromium chromium-driver``) the test is
skipped with a loud reason; ``.ci/run`` installs them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explorer.ipynb"
SCREENSHOT = ROOT / "artifacts" / "explorer.png"
# Chromium flags that keep it headless and off the network (no update, sync or telemetry
# connections, which this machine's closed network would refuse).
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--window-size=1280,1600")
PAGE_TIMEOUT = 180


def _browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        message = ("BROWSER TEST SKIPPED: Chromium and ChromeDriver are not installed "
                   "(apt-get install chromium chromium-driver); the explorer was NOT checked "
                   "in a real browser")
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    return chromium, driver


def _chromium(tmp_path: Path) -> Any:
    """Return a headless Chromium driven by Debian's ChromeDriver, with its profile in
    ``tmp_path`` (the test is skipped, loudly, where they are not installed)."""
    chromium, driver_path = _browser()
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}")
    return webdriver.Chrome(service=Service(driver_path), options=options)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[str]:
    pytest.importorskip("voila")
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD", "COC_CLAN")}
    env["COCFRAMES_CACHE"] = str(tmp_path / "cache")
    log = open(tmp_path / "voila.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--ServerApp.disable_check_xsrf=False"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"voila exited: {(tmp_path / 'voila.log').read_text()[-2000:]}")
            try:
                if requests.get(url + "api/status", timeout=2).status_code < 500:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        else:
            pytest.fail("voila did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_explorer_renders_the_demo_clan_in_a_real_browser(voila: str, tmp_path: Path):
    browser = _chromium(tmp_path)
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    import cocframes as cf

    with cf.Client(demo=True, cache=False) as client:
        clan = client.get_clan(cf.demo.DEMO_CLAN_TAG)
        war = client.get_current_war(cf.demo.DEMO_CLAN_TAG)
        attacks = cf.war_attacks(cf.demo.DEMO_CLAN_TAG, client=client)

    try:
        browser.get(voila)
        # a table re-drawn between finding it and reading it is looked for again
        wait = WebDriverWait(browser, PAGE_TIMEOUT,
                             ignored_exceptions=(StaleElementReferenceException,))
        heading = wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "h3.cocframes-clan"))
        assert clan["name"] in heading[0].text

        def members_rows(b):
            tables = [t for t in b.find_elements(By.CSS_SELECTOR, "table")
                      if t.is_displayed()]
            return tables and len(tables[0].find_elements(By.CSS_SELECTOR, "tbody tr"))

        assert wait.until(members_rows) == clan["members"]
        header = browser.find_element(By.CSS_SELECTOR, "table thead").text
        assert "town_hall" in header and "donations" in header

        def plot_images(b):
            return [img for img in b.find_elements(By.CSS_SELECTOR, "img")
                    if img.is_displayed()
                    and b.execute_script("return arguments[0].naturalWidth", img) > 100]

        images = wait.until(plot_images)
        assert images, "a plot is drawn"
        # Look like a person would see the page: scrolled to the top, everything drawn.
        browser.execute_script("window.scrollTo(0, 0)")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        assert browser.save_screenshot(str(SCREENSHOT))
        assert SCREENSHOT.stat().st_size > 20_000
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "Traceback" not in page and "Error" not in page.split(clan["name"])[0]

        # The War tab loads when first opened: its headline, map and attacks appear.
        [war_tab] = [t for t in browser.find_elements(By.CSS_SELECTOR,
                                                      ".lm-TabBar-tab, .p-TabBar-tab")
                     if t.text.strip() == "War"]
        war_tab.click()
        headline = wait.until(lambda b: [n for n in b.find_elements(
            By.CSS_SELECTOR, ".cocframes-note") if n.is_displayed() and "★" in n.text])
        assert war["state"] in headline[0].text and clan["tag"] in headline[0].text
        assert wait.until(members_rows) == len(attacks)
        assert len(wait.until(plot_images)) >= 2, "the war map and the stars are drawn"
        assert "Traceback" not in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.quit()


@pytest.fixture
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the built documentation site (tests/test_docs_site.py builds it once per session)
    with ``python -m http.server`` on 127.0.0.1; yield its URL."""
    _browser()  # skip before the build when there is no browser to look at it
    from test_docs_site import built_site

    site = built_site(tmp_path_factory)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("http.server did not start within 30 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_docs_site_renders_home_and_api_pages(docs_site: str, tmp_path: Path):
    browser = _chromium(tmp_path)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        wait = WebDriverWait(browser, PAGE_TIMEOUT)
        browser.get(docs_site)
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "nav.md-nav--primary"))
        assert browser.title == "cocframes"
        nav = browser.find_element(By.CSS_SELECTOR, "nav.md-nav--primary")
        labels = nav.get_attribute("textContent")
        for label in ("Getting started", "Column reference", "Troubleshooting", "Quick start",
                      "API reference"):
            assert label in labels, label
        heading = browser.find_element(By.CSS_SELECTOR, "article h1")
        assert heading.is_displayed() and heading.text.strip() == "cocframes"

        browser.get(docs_site + "api/cocframes/")
        members = wait.until(lambda b: b.find_elements(By.ID, "cocframes.members"))
        assert members[0].is_displayed()
        assert "cocframes - cocframes" in browser.title
        signatures = [s.text for s in browser.find_elements(By.CSS_SELECTOR, ".doc-signature")
                      if s.text.startswith("members(")]
        assert signatures and "clan: str" in signatures[0], signatures
        page = browser.find_element(By.TAG_NAME, "article").text
        assert "Return one row per member of clan." in page
        assert "donations_received" in page, "the members' columns"
    finally:
        browser.quit()
