"""The pavilion in a real browser: headless Chromium (Debian's chromium + chromedriver).

Opens the grid and an item, checks that deep-zoom tiles load without a single failed
request, drags the before/after slider, loads a GLB in model-viewer, and repeats the
deep-zoom check on the static export. Screenshots go to ``tmp_path`` (and to
``$HERITAGE_SCREENSHOTS`` when set). The browser is driven through chromedriver's
WebDriver HTTP API (``webdriver.py``, standard library only). Skips with the reason
when Chromium is absent: ``apt-get install -y chromium chromium-driver``.
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
    from .webdriver import Chromium

    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-unsafe-swiftshader",  # software WebGL for model-viewer
        "--window-size=1024,900",
    ]
    driver = Chromium(CHROMIUM, CHROMEDRIVER, tmp_path_factory.mktemp("chromium-profile"), flags)
    yield driver
    driver.quit()


def _responses(driver) -> list[tuple[int, str]]:
    """(status, url) of every response of the pages' own origin (127.0.0.1) since the
    last call; status 0 is a network failure. Chromium's own background requests to
    other hosts are not the page's and are left out."""
    seen, urls = [], {}
    for entry in driver.log("performance"):
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
    path = driver.screenshot(tmp_path / name)
    target = os.environ.get("HERITAGE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)
    return path


def _check_deep_zoom(driver) -> None:
    """Tiles load, the zoomed-in view gets full-resolution tiles, no request fails."""
    driver.wait("return window.__pavilion && window.__pavilion.tilesLoaded > 0")
    driver.execute("window.__pavilion.viewer.viewport.zoomTo(4, null, true)")
    time.sleep(0.5)
    driver.wait("return window.__pavilion.viewer.world.getItemAt(0).getFullyLoaded()")
    responses = _responses(driver)
    tiles = [url for status, url in responses if "/iiif/" in url and url.endswith("default.jpg")]
    # A full-resolution tile: its region is as large as its size (scale factor 1).
    full_res = [u for u in tiles if u.split("/")[-4].split(",")[2:] == u.split("/")[-3].split(",")]
    assert tiles and full_res, tiles
    assert _failed(responses) == []
    assert driver.execute("return window.__pavilion.tileErrors") == 0


def test_grid_item_zoom_slider_and_model(server: str, browser, tmp_path: Path) -> None:
    browser.get(server + "/")
    assert browser.execute("return document.querySelectorAll('.card').length") == 2
    browser.type(browser.find("#q"), "coffee")
    visible = browser.execute(
        "return [...document.querySelectorAll('.card')].filter(c => !c.hidden)"
        ".map(c => c.textContent)"
    )
    assert len(visible) == 1 and "coffee" in visible[0]
    _shoot(browser, tmp_path, "pavilion-grid.png")
    browser.clear(browser.find("#q"))
    assert browser.execute("return document.querySelectorAll('.card:not([hidden])').length") == 2
    assert _failed(_responses(browser)) == []

    browser.click(browser.find('.card[data-craft="paper-cut"] a'))
    browser.wait("return document.querySelector('article.item') !== null")
    _check_deep_zoom(browser)
    _shoot(browser, tmp_path, "pavilion-item-zoom.png")

    slider = browser.find("img-comparison-slider")
    browser.execute("arguments[0].scrollIntoView({block: 'center'})", slider)
    browser.wait("return customElements.get('img-comparison-slider') !== undefined")
    start = float(browser.execute("return arguments[0].value", slider))
    width = browser.execute("return arguments[0].getBoundingClientRect().width", slider)
    browser.drag(slider, -int(width * 0.3))
    moved = float(browser.execute("return arguments[0].value", slider))
    assert start == pytest.approx(50) and moved < 30, (start, moved)
    _shoot(browser, tmp_path, "pavilion-slider.png")

    model = browser.find("model-viewer")
    browser.execute("arguments[0].scrollIntoView({block: 'center'})", model)
    browser.wait("return document.querySelector('model-viewer').loaded === true", 120)
    browser.wait("return document.querySelector('model-viewer').modelIsVisible === true", 60)
    _shoot(browser, tmp_path, "pavilion-model.png")
    assert _failed(_responses(browser)) == []
    errors = [e for e in browser.log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_static_export_in_browser(collection_dir: Path, browser, tmp_path: Path) -> None:
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
        browser.click(browser.find('.card[data-craft="embroidery"] a'))
        browser.wait("return document.querySelector('article.item') !== null")
        _check_deep_zoom(browser)
        _shoot(browser, tmp_path, "pavilion-static-item.png")
        assert _failed(_responses(browser)) == []
    finally:
        httpd.shutdown()
