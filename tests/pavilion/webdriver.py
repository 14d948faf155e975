"""A minimal W3C WebDriver client for Debian's chromedriver, on the standard library.

The browser test needs a handful of commands (open a URL, run a script, click, type,
drag, take a screenshot, read the network log); speaking the WebDriver HTTP protocol
directly keeps the test free of any Python browser package: chromium and
chromium-driver from apt are all it needs.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference


class WebDriverError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Chromium:
    """One headless Chromium session driven through chromedriver on loopback."""

    def __init__(
        self, chromium: str, chromedriver: str, profile: Path, args: list[str], timeout: float = 120
    ) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [chromedriver, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.timeout = timeout
        deadline = time.time() + 20
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except (OSError, WebDriverError):
                pass
            if time.time() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise WebDriverError("chromedriver did not start")
            time.sleep(0.1)
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [*args, f"--user-data-dir={profile}"],
            },
            "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"},
        }
        try:
            value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        except BaseException:
            self.process.kill()
            raise
        self.session = f"/session/{value['sessionId']}"
        # Software WebGL can hold the page's main thread for tens of seconds on a busy
        # CPU-only machine: scripts and page loads get generous limits.
        limit_ms = int(timeout * 1000)
        self._session_call("POST", "/timeouts", {"script": limit_ms, "pageLoad": limit_ms})

    def _call(self, method: str, path: str, payload: dict | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout + 30) as response:
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("value", {})
            raise WebDriverError(f"{method} {path}: {detail.get('message', error)}") from None
        return body.get("value")

    def _session_call(self, method: str, path: str, payload: dict | None = None) -> Any:
        return self._call(method, self.session + path, payload)

    # --- commands --------------------------------------------------------------------
    def get(self, url: str) -> None:
        self._session_call("POST", "/url", {"url": url})

    def execute(self, script: str, *args: Any) -> Any:
        return self._session_call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css: str) -> dict:
        return self._session_call("POST", "/element", {"using": "css selector", "value": css})

    def click(self, element: dict) -> None:
        self._session_call("POST", f"/element/{element[ELEMENT]}/click", {})

    def type(self, element: dict, text: str) -> None:
        self._session_call("POST", f"/element/{element[ELEMENT]}/value", {"text": text})

    def clear(self, element: dict) -> None:
        self._session_call("POST", f"/element/{element[ELEMENT]}/clear", {})

    def drag(self, element: dict, dx: int) -> None:
        """Press the mouse at the element's centre, move by ``dx`` pixels, release."""
        moves = [
            {"type": "pointerMove", "duration": 0, "origin": element, "x": 0, "y": 0},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "duration": 100, "origin": "pointer", "x": dx, "y": 0},
            {"type": "pointerUp", "button": 0},
        ]
        mouse = {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}}
        self._session_call("POST", "/actions", {"actions": [{**mouse, "actions": moves}]})
        self._session_call("DELETE", "/actions")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self._session_call("GET", "/screenshot")))
        return path

    def log(self, kind: str) -> list[dict]:
        """chromedriver's log entries of ``kind`` ("performance", "browser") since the last call."""
        return self._session_call("POST", "/se/log", {"type": kind})

    def wait(self, script: str, timeout: float = 20.0) -> Any:
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.execute(script)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for: {script}")

    def quit(self) -> None:
        try:
            self._session_call("DELETE", "")
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
