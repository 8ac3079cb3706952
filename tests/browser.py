"""Open a local page in headless Chromium over the DevTools protocol (on a pipe: no port, no extra package) and
report every request it made that left the file, every console error and uncaught exception, a JavaScript
value, and a screenshot."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LOCAL = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:")


@dataclass
class PageReport:
    """What a page did while it loaded and settled."""

    external: list[str] = field(default_factory=list)  # requests to anything but the file itself and data: URLs
    errors: list[str] = field(default_factory=list)  # console errors, failed asserts, uncaught exceptions
    value: object = None  # the last value of the ``ready`` expression
    screenshot: bytes = b""


def chromium() -> str | None:
    """The Chromium executable, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Pipe:
    def __init__(self, exe: str, profile: Path, size: tuple[int, int]) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def child_fds() -> None:  # Chromium reads commands on fd 3 and writes answers on fd 4
            os.dup2(cmd_r, 3)
            os.dup2(out_w, 4)

        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                 "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
                 f"--window-size={size[0]},{size[1]}", "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen([exe, *flags], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=child_fds)
        os.close(cmd_r)
        os.close(out_w)
        self.messages: queue.Queue = queue.Queue()
        self.events: list[dict] = []
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        while True:
            chunk = os.read(self._out_r, 1 << 16)
            if not chunk:
                self.messages.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self.messages.put(json.loads(raw))

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._next += 1
        msg: dict = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self.messages.get(timeout=max(0.1, deadline - time.time()))
            if m is None:
                raise RuntimeError("chromium closed the pipe")
            if m.get("id") == self._next:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def drain(self, seconds: float) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                m = self.messages.get(timeout=0.1)
            except queue.Empty:
                continue
            if m is None:
                return
            self.events.append(m)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.call("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._cmd_w)


def open_page(exe: str, page: Path, profile: Path, ready: str = "true", settle_s: float = 30.0,
              size: tuple[int, int] = (1400, 1000)) -> PageReport:
    """Load ``page`` (a local file), wait until the JavaScript expression ``ready`` is truthy (at most
    ``settle_s`` seconds) and a little more, then take a screenshot of the viewport."""
    pipe = _Pipe(exe, profile, size)
    report = PageReport()
    try:
        targets = pipe.call("Target.getTargets")["targetInfos"]
        target = next(t for t in targets if t["type"] == "page")
        session = pipe.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            pipe.call(f"{domain}.enable", session=session)
        pipe.call("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        deadline = time.time() + settle_s
        while time.time() < deadline:
            result = pipe.call("Runtime.evaluate", {"expression": ready, "returnByValue": True}, session=session)
            report.value = result.get("result", {}).get("value")
            if report.value:
                break
            pipe.drain(0.5)
        pipe.drain(1.5)  # late requests and errors
        shot = pipe.call("Page.captureScreenshot", {"format": "png"}, session=session)
        report.screenshot = base64.b64decode(shot["data"])
    finally:
        pipe.close()
    for m in pipe.events:
        method, params = m.get("method"), m.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(LOCAL):
                report.external.append(url)
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            report.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            report.errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            report.errors.append(params["entry"].get("text", "error"))
    return report
