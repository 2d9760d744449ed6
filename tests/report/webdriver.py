"""A small W3C WebDriver client (stdlib HTTP) for headless Debian Chromium through /usr/bin/chromedriver."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any

from mcptest.launch.wait import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def available() -> bool:
    """True when both Debian's chromium and chromium-driver are installed."""
    return all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))


class Browser:
    """One headless Chromium session; ``close()`` ends the session, the driver and the browser."""

    def __init__(self, width: int = 1000, height: int = 900, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="mcptest-chromium-")
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.session = ""
        try:
            self._wait_ready()
            options = {"binary": CHROMIUM, "args": [*FLAGS, f"--user-data-dir={self.profile}",
                                                     f"--window-size={width},{height}"]}
            caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}}
            self.session = self._send("POST", "/session", caps)["sessionId"]
        except BaseException:
            self.close()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if self._send("GET", "/status", timeout=2).get("ready"):
                    return
            except OSError:
                pass
            if self.driver.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromedriver did not become ready (exit code {self.driver.poll()})")
            time.sleep(0.05)  # a readiness poll with a deadline, not a wait for a fixed time

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"WebDriver {method} {path}: {exc.read().decode(errors='replace')[:500]}") from None

    def _session(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._send(method, f"/session/{self.session}{path}", body)

    def open(self, url: str) -> None:
        """Load a page and wait until it is loaded (WebDriver's navigation waits for the load event)."""
        self._session("POST", "/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """Run JavaScript in the page (``return ...`` gives a value back)."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def click(self, css: str) -> None:
        """Click the element matching a CSS selector, as a user would."""
        element = self._session("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]
        self._session("POST", f"/element/{element}/click", {})

    def resize(self, width: int, height: int) -> None:
        """Resize the browser window."""
        self._session("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path: str) -> None:
        """Save a PNG of the viewport."""
        import base64

        with open(path, "wb") as file:
            file.write(base64.b64decode(self._session("GET", "/screenshot")))

    def close(self) -> None:
        """End the session, then the driver's whole process group (the browser included)."""
        try:
            if self.session:
                self._send("DELETE", f"/session/{self.session}", timeout=30)
        except (OSError, RuntimeError):
            pass
        if self.driver.poll() is None:
            os.killpg(self.driver.pid, signal.SIGTERM)
            try:
                self.driver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.driver.pid, signal.SIGKILL)
                self.driver.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)
