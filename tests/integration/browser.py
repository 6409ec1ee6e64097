"""A real headless Chromium, driven over the DevTools protocol on a pipe.

``--remote-debugging-pipe`` makes Chromium read protocol messages (JSON, each ended by a
NUL byte) on file descriptor 3 and write its answers and events on descriptor 4, so the
tests need no WebDriver, no websocket library and no port. Only what the digest tests
need: open a local file at a given viewport, read layout numbers, collect console
messages and every network request, take a screenshot.

Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``); ``find_chromium``
returns None when it is missing, and the tests skip with that reason.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageLoad:
    """What one page did while it loaded and rendered."""

    width: int  # document width (scrollWidth of the root element), CSS pixels
    viewport: int  # window.innerWidth
    height: int
    console: list[dict[str, Any]] = field(default_factory=list)  # console messages and errors
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    screenshot: bytes = b""
    probe: Any = None  # the value of the ``probe`` expression, if one was given


class Browser:
    def __init__(self, process: subprocess.Popen[bytes], write: int, read: int) -> None:
        self._process = process
        self._write = os.fdopen(write, "wb", buffering=0)
        self._read = os.fdopen(read, "rb", buffering=0)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._write.write(json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def _receive(self, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer")
            chunk = self._read.read(65536)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(raw))

    def drain(self, seconds: float) -> None:
        """Collect events for a while (layout, late console messages)."""
        os.set_blocking(self._read.fileno(), False)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                try:
                    chunk = self._read.read(65536)
                except BlockingIOError:
                    chunk = None
                if chunk:
                    self._buffer += chunk
                    while b"\0" in self._buffer:
                        raw, _, self._buffer = self._buffer.partition(b"\0")
                        self.events.append(json.loads(raw))
                else:
                    time.sleep(0.05)
        finally:
            os.set_blocking(self._read.fileno(), True)

    def load(
        self,
        path: Path,
        *,
        width: int,
        height: int = 900,
        mobile: bool = False,
        fragment: str = "",
        probe: str | None = None,
        media: str = "",
    ) -> PageLoad:
        """Open ``path`` (at ``#fragment``) in a fresh tab at ``width`` CSS pixels and
        report on it; ``probe`` is a JavaScript expression evaluated once it has loaded
        (through the protocol, so the page's own no-script policy does not apply);
        ``media="print"`` lays the page out as for printing."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        if media:
            self.send("Emulation.setEmulatedMedia", session, media=media)
        self.events.clear()
        url = path.resolve().as_uri() + (f"#{fragment}" if fragment else "")
        self.send("Page.navigate", session, url=url)
        self._wait_for(session, "Page.loadEventFired")
        self.drain(0.5)
        metrics = self.send(
            "Runtime.evaluate",
            session,
            expression="JSON.stringify({width: document.documentElement.scrollWidth,"
            " viewport: window.innerWidth, height: document.documentElement.scrollHeight})",
            returnByValue=True,
        )["result"]["value"]
        numbers = json.loads(metrics)
        probed = None
        if probe is not None:
            probed = self.send("Runtime.evaluate", session, expression=probe, returnByValue=True)[
                "result"
            ].get("value")
        shot = self.send(
            "Page.captureScreenshot", session, format="png", captureBeyondViewport=False
        )
        events = [e for e in self.events if e.get("sessionId") == session]
        self.send("Target.closeTarget", targetId=target)
        return PageLoad(
            width=numbers["width"],
            viewport=numbers["viewport"],
            height=numbers["height"],
            console=[_console(e) for e in events if _is_console(e)],
            requests=[
                e["params"]["request"]["url"]
                for e in events
                if e.get("method") == "Network.requestWillBeSent"
            ],
            screenshot=base64.b64decode(shot["data"]),
            probe=probed,
        )

    def _wait_for(self, session: str, method: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(
            e.get("method") == method and e.get("sessionId") == session for e in self.events
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} from Chromium")
            self.events.append(self._receive(timeout))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError, TimeoutError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._write.close()
        self._read.close()


def _is_console(event: dict[str, Any]) -> bool:
    return event.get("method") in (
        "Runtime.consoleAPICalled",
        "Runtime.exceptionThrown",
        "Log.entryAdded",
    )


def _console(event: dict[str, Any]) -> dict[str, Any]:
    params = event["params"]
    if event["method"] == "Log.entryAdded":
        entry = params["entry"]
        return {"level": entry.get("level"), "text": entry.get("text"), "url": entry.get("url")}
    if event["method"] == "Runtime.exceptionThrown":
        return {"level": "error", "text": params["exceptionDetails"].get("text")}
    return {"level": params.get("type"), "text": str(params.get("args"))}


@contextmanager
def chromium(executable: str) -> Iterator[Browser]:
    """A headless Chromium with no network, no extensions and a throw-away profile."""
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds() -> None:  # the protocol's pipes become descriptors 3 and 4
        os.dup2(to_chrome_r, 3)
        os.dup2(from_chrome_w, 4)

    process = subprocess.Popen(
        [
            executable,
            "--headless=new",
            "--remote-debugging-pipe",
            "--no-sandbox",  # root in a container has no user namespace sandbox
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--metrics-recording-only",
            "--proxy-server=127.0.0.1:9",  # nothing leaves this machine, even by mistake
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(3, 4),  # kept open after child_fds puts the pipes there
        preexec_fn=child_fds,
    )
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    browser = Browser(process, to_chrome_w, from_chrome_r)
    try:
        yield browser
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
