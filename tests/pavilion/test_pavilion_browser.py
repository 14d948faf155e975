"""The pavilion in a real browser: headless Chromium (Debian's chromium + chromedriver).

Opens the grid and an item, checks that deep-zoom tiles load without a single failed
request, drags the before/after slider, loads a GLB in model-viewer, and repeats the
deep-zoom check on the static export. Screenshots go to ``tmp_path`` (and to
``$HERITAGE_SCREENSHOTS`` when set). Skips with the reason when Chromium is absent:
``apt-get install -y chromium chromium-driver`` and ``pip install selenium``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from heritagekit.pavilion.app import create_app
from heritagekit.pavilion.catalog import Collection

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
selenium = pytest.importorskip(
    "selenium", reason="selenium is not installed (pip install selenium)"
)
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver "
    "(apt-get install -y chromium chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(collection_dir: Path):
    import uvicorn

    coll = Collection.open(collection_dir)
    port = _free_port()
    config = uvicorn.Config(create_app(coll), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not uv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)
    coll.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-unsafe-swiftshader",  # software WebGL for model-viewer
        "--window-size=1280,1400",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver, script: str, timeout: float = 20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def _responses(driver) -> list[tuple[int, str]]:
    """(status, url) of every response of the pages' own origin (127.0.0.1) since the
    last call; status 0 is a network failure. Chromium's own background requests to
    other hosts are not the page's and are left out."""
    seen, urls = [], {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.responseReceived":
            seen.append((params["response"]["status"], params["response"]["url"]))
        elif message["method"] == "Network.loadingFailed":
            seen.append((0, urls.get(params["requestId"], "") + " " + params.get("errorText", "")))
    return [(status, url) for status, url in seen if url.startswith("http://127.0.0.1")]


def _failed(responses: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(status, url) for status, url in responses if not 200 <= status < 400]


def _shoot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    driver.save_screenshot(str(path))
    target = os.environ.get("HERITAGE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)
    return path


def _check_deep_zoom(driver) -> None:
    """Tiles load, the zoomed-in view gets full-resolution tiles, no request fails."""
    _wait(driver, "return window.__pavilion && window.__pavilion.tilesLoaded > 0")
    driver.execute_script("window.__pavilion.viewer.viewport.zoomTo(4, null, true)")
    time.sleep(0.5)
    _wait(driver, "return window.__pavilion.viewer.world.getItemAt(0).getFullyLoaded()")
    responses = _responses(driver)
    tiles = [url for status, url in responses if "/iiif/" in url and url.endswith("default.jpg")]
    # A full-resolution tile: its region is as large as its size (scale factor 1).
    full_res = [u for u in tiles if u.split("/")[-4].split(",")[2:] == u.split("/")[-3].split(",")]
    assert tiles and full_res, tiles
    assert _failed(responses) == []
    assert driver.execute_script("return window.__pavilion.tileErrors") == 0


def test_grid_item_zoom_slider_and_model(server: str, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    cards = browser.find_elements(By.CSS_SELECTOR, ".card")
    assert len(cards) == 2
    browser.find_element(By.ID, "q").send_keys("coffee")
    visible = [c for c in browser.find_elements(By.CSS_SELECTOR, ".card") if c.is_displayed()]
    assert len(visible) == 1 and "coffee" in visible[0].text
    _shoot(browser, tmp_path, "pavilion-grid.png")
    browser.find_element(By.ID, "q").clear()
    assert _failed(_responses(browser)) == []

    link = browser.find_element(By.CSS_SELECTOR, '.card[data-craft="paper-cut"] a')
    link.click()
    _wait(browser, "return document.querySelector('article.item') !== null")
    _check_deep_zoom(browser)
    _shoot(browser, tmp_path, "pavilion-item-zoom.png")

    slider = browser.find_element(By.CSS_SELECTOR, "img-comparison-slider")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
    _wait(browser, "return customElements.get('img-comparison-slider') !== undefined")
    start = float(browser.execute_script("return arguments[0].value", slider))
    ActionChains(browser, duration=0).move_to_element(slider).click_and_hold().move_by_offset(
        -int(slider.size["width"] * 0.3), 0
    ).release().perform()
    moved = float(browser.execute_script("return arguments[0].value", slider))
    assert start == pytest.approx(50) and moved < 30, (start, moved)
    _shoot(browser, tmp_path, "pavilion-slider.png")

    model = browser.find_element(By.CSS_SELECTOR, "model-viewer")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", model)
    _wait(browser, "return document.querySelector('model-viewer').loaded === true", 40)
    _wait(browser, "return document.querySelector('model-viewer').modelIsVisible === true", 20)
    _shoot(browser, tmp_path, "pavilion-model.png")
    assert _failed(_responses(browser)) == []
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_static_export_in_browser(collection_dir: Path, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from heritagekit.pavilion.export import build_site

    coll = Collection.open(collection_dir)
    site = build_site(coll, tmp_path / "site").out
    coll.close()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        browser.get(base + "/index.html")
        assert _failed(_responses(browser)) == []
        browser.find_element(By.CSS_SELECTOR, '.card[data-craft="embroidery"] a').click()
        _wait(browser, "return document.querySelector('article.item') !== null")
        _check_deep_zoom(browser)
        _shoot(browser, tmp_path, "pavilion-static-item.png")
        assert _failed(_responses(browser)) == []
    finally:
        httpd.shutdown()
