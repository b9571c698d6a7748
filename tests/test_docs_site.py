"""The documentation site: `mkdocs build --strict` passes (every internal link and anchor
checked), and the built site works in a real browser: Debian's Chromium, headless, driven
through the Chrome DevTools protocol, against the site served on loopback. Every page of the
navigation renders, clicking a navigation link changes the page, and search finds a config
key."""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--window-size=1280,900", "--remote-debugging-port=0")


def _build(site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(site)], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def _needs(condition: bool, reason: str) -> None:
    """Skip, saying why, when a tool of the docs test is missing; in CI (CI=true), where
    .ci/run installs them all, that is a failure instead."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the documentation tests: {reason}")
    pytest.skip(reason)


def _importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _needs(_importable("mkdocs"), "the docs extra is not installed (pip install '.[docs]'; "
           "scripts/quickstart installs it)")
    out = tmp_path_factory.mktemp("site")
    result = _build(out)
    assert result.returncode == 0, result.stderr
    return out


def test_the_site_builds_strictly_with_every_section(site: Path) -> None:
    """Issue 19's sections are all there; the edge rules are one generated table."""
    for page in ("index", "getting-started", "routing", "security", "rate-limits",
                 "certificates", "operations", "edge-contract", "architecture",
                 "config-reference", "api", "versions", "changelog", "guides/eks-gateway",
                 "guides/eks-chained", "guides/eks-standalone", "guides/aks-gateway",
                 "guides/aks-chained", "guides/aks-standalone", "guides/agc"):
        assert (site / f"{page}.html").is_file(), page
    from ingresslib.stack.model import edge_rules  # noqa: PLC0415

    # Nothing is fetched at run time: no web fonts, no scripts from elsewhere.
    assert "fonts.googleapis.com" not in (site / "index.html").read_text()
    table = (site / "edge-contract.html").read_text()
    for rule in edge_rules():
        assert table.count(f'<span id="{rule.code.lower()}"></span>') == 1


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """The link check is real: a page linking to an anchor that does not exist fails."""
    _needs(_importable("mkdocs"), "the docs extra is not installed")
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copytree(ROOT / "stacks", copy / "stacks")
    shutil.copytree(ROOT / "ingresslib", copy / "ingresslib")
    with (copy / "docs/tests.md").open("a") as f:
        f.write("\nSee [routing](routing.md#no-such-section).\n")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "--site-dir", str(tmp_path / "site")], cwd=copy, env=env,
                            capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode != 0
    assert "routing.md#no-such-section" in result.stderr


class NavigatedAway(Exception):
    """The page navigated while a command ran: its JavaScript context is gone."""


class Browser:
    """One headless Chromium page over the DevTools protocol (websocket-client)."""

    def __init__(self, profile: Path) -> None:
        import websocket  # noqa: PLC0415 (the docs extra)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "Chromium did not start"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            (page,) = [t for t in json.load(response) if t["type"] == "page"]
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.send("Page.enable")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                error = message.get("error", {}).get("message", "")
                if "navigated or closed" in error or "Cannot find context" in error:
                    raise NavigatedAway(error)
                assert "error" not in message, message
                return message["result"]

    def eval(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.eval(expression)
            except NavigatedAway:  # asked while a click's navigation replaced the page
                value = None
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.1)

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)} && "
                      "document.readyState === 'complete'")

    def click(self, selector: str) -> None:
        """A real mouse click at the middle of the element."""
        box = self.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                        " e.scrollIntoView({block: 'center'});"
                        " const r = e.getBoundingClientRect();"
                        " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Browser, str]]:
    _needs(Path(CHROMIUM).is_file(), "Debian's chromium is not installed (apt-get install "
           "chromium; scripts/quickstart installs it as root)")
    _needs(_importable("websocket"), "the docs extra is not installed")
    handler = partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        chromium.close()
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_every_page_of_the_navigation_renders(browser: tuple[Browser, str]) -> None:
    chromium, base = browser
    chromium.open(base + "index.html")
    assert chromium.eval("document.querySelector('article h1').textContent") .startswith(
        "ingresslib")
    pages = chromium.eval("[...new Set([...document.querySelectorAll("
                          "'nav.md-nav--primary a.md-nav__link[href]')]"
                          ".map(a => a.href.split('#')[0]))]")
    assert len(pages) >= 30
    for url in pages:
        chromium.open(url)
        heading = chromium.eval("(document.querySelector('article h1') || {}).textContent")
        assert heading, url
        assert chromium.eval("document.querySelectorAll('article p, article table').length") > 0


def test_clicking_a_navigation_link_changes_the_page(browser: tuple[Browser, str]) -> None:
    chromium, base = browser
    chromium.open(base + "index.html")
    chromium.click("nav.md-nav--primary a.md-nav__link[href='config-reference.html']")
    chromium.wait_for("location.pathname.endsWith('/config-reference.html') && "
                      "document.readyState === 'complete'")
    assert chromium.eval("document.querySelector('article h1').textContent").startswith(
        "Config reference")


def test_search_finds_a_config_key(browser: tuple[Browser, str]) -> None:
    chromium, base = browser
    chromium.open(base + "index.html")
    chromium.click("label.md-search__icon, .md-search__input")
    chromium.eval("document.querySelector('.md-search__input').focus()")
    chromium.send("Input.insertText", text="proxyProtocol")
    hits = chromium.wait_for(
        "[...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)")
    assert any("config-reference.html" in h for h in hits), hits
    assert "proxyprotocol" in chromium.eval(
        "document.querySelector('.md-search-result').textContent.toLowerCase()")


def test_the_rule_table_fits_the_page(browser: tuple[Browser, str]) -> None:
    """Each rule's source is readable without scrolling the table sideways: long source URLs
    wrap inside their column (docs/stylesheets/extra.css) instead of pushing it off the page."""
    chromium, base = browser
    chromium.open(base + "edge-contract.html")
    overflow = chromium.eval(
        "(() => { const t = document.querySelector('article table');"
        " const w = t.closest('.md-typeset__scrollwrap') || t.parentElement;"
        " return w.scrollWidth - w.clientWidth; })()")
    assert overflow <= 0, f"the rule table overflows its page by {overflow} px"
