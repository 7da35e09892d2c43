"""Headless Chromium for the dashboard tests: Debian's chromium and chromedriver driven by
Selenium (no driver or browser download: the driver path is given and SE_OFFLINE is set).

Run as a script to measure a rendered site: page weight and load time of every page, a
screenshot of each (`python tests/python/dashboard_browser.py SITE_DIR OUT_DIR`)."""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path(os.environ.get("CSM_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CSM_CHROMEDRIVER", "/usr/bin/chromedriver"))
# without the background-networking flags Chromium calls home, which the closed network refuses
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
DESKTOP = (1366, 900)
PHONE = (390, 844)
MIN_WINDOW_WIDTH = 500  # headless Chromium's narrowest window
LOAD_LIMIT_SECONDS = 10.0  # seed 002: "All dashboards load within 10 seconds"

# every chart: its SVG (or canvas) exists, has a size and holds data marks
CHART_STATE = """
return Array.from(document.querySelectorAll('[data-chart]')).map(function (box) {
  var svg = box.querySelector('svg');
  var canvas = box.querySelector('canvas');
  var drawn = svg || canvas;
  var rect = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
  var marks = svg ? svg.querySelectorAll('g.role-mark > *').length : (canvas ? 1 : 0);
  return {id: box.getAttribute('data-chart'), width: rect.width, height: rect.height,
          marks: marks};
});
"""
BROWSER_PAGES = ("chrome://", "chrome-untrusted://", "devtools://")
RESOURCES = "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"


def available() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing: `make browser` installs Debian's chromium and driver"
    return None


@contextmanager
def chromium(size: tuple[int, int] = DESKTOP) -> Iterator[WebDriver]:
    """A headless Chromium with a fresh profile, its console and network logs recorded."""
    os.environ.setdefault("SE_OFFLINE", "true")
    with tempfile.TemporaryDirectory(prefix="csm-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={size[0]},{size[1]}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        if size[0] < MIN_WINDOW_WIDTH:  # a phone: emulate its screen (windows are wider)
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": True},
            )
        try:
            yield driver
        finally:
            driver.quit()


@dataclass
class PageLoad:
    url: str
    seconds: float  # from navigation to every chart drawn (or the give-up)
    render_ms: int | None  # the page's own performance.now() when its charts were drawn
    charts_rendered: int | None
    charts_failed: str | None
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    charts: list[dict[str, object]] = field(default_factory=list)
    scroll_width: int = 0
    viewport_width: int = 0

    def problems(self, site: Path) -> list[str]:
        """What is wrong with the page: console errors, requests leaving the site folder,
        charts not drawn or empty, a load over the limit."""
        found = [f"console error: {text}" for text in self.console_errors]
        root = site.resolve().as_uri() + "/"
        found += [
            f"request outside the site: {url}"
            for url in self.requests
            if not (url.startswith(root) or url.startswith(("data:", "about:", "blob:")))
        ]
        if self.charts_failed:
            found.append(f"charts failed: {self.charts_failed}")
        if self.charts_rendered is None:
            found.append("the charts never finished drawing")
        elif self.charts_rendered != len(self.charts):
            found.append(f"{self.charts_rendered} of {len(self.charts)} charts drawn")
        for chart in self.charts:
            if not (chart["width"] and chart["height"] and chart["marks"]):
                found.append(f"chart {chart['id']} is empty: {chart}")
        if self.seconds > LOAD_LIMIT_SECONDS:
            found.append(f"load took {self.seconds:.1f}s (limit {LOAD_LIMIT_SECONDS:.0f}s)")
        return found


def _requests(driver: WebDriver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        # Chromium's own pages (the first tab's chrome://new-tab-page) are not the dashboard's
        if message["params"].get("documentURL", "").startswith(BROWSER_PAGES):
            continue
        urls.append(message["params"]["request"]["url"])
    return urls


def load(driver: WebDriver, url: str, timeout: float = 30.0) -> PageLoad:
    """Open url and wait until its charts are drawn (or failed, or the timeout)."""
    driver.get_log("browser")
    driver.get_log("performance")
    started = time.monotonic()
    driver.get(url)
    state: dict[str, str | None] = {}
    while time.monotonic() - started < timeout:
        state = driver.execute_script(
            "var b = document.body; return b ? {done: b.getAttribute('data-charts-rendered'),"
            " failed: b.getAttribute('data-charts-failed'),"
            " ms: b.getAttribute('data-render-ms')} : {};"
        )
        if state.get("done") is not None or state.get("failed") is not None:
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    requests = _requests(driver) + list(driver.execute_script(RESOURCES))
    done = state.get("done")
    ms = state.get("ms")
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    return PageLoad(
        url=url,
        seconds=seconds,
        render_ms=int(ms) if ms else None,
        charts_rendered=int(done) if done is not None else None,
        charts_failed=state.get("failed"),
        console_errors=errors,
        requests=requests,
        charts=list(driver.execute_script(CHART_STATE)),
        scroll_width=int(widths[0]),
        viewport_width=int(widths[1]),
    )


def screenshot(driver: WebDriver, path: Path) -> Path:
    """The whole page (beyond the window) as a PNG."""
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def site_pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html")) + sorted(site.glob("csm/*.html"))[:1]


def measure(site: Path, out: Path, runs: int = 3) -> list[dict[str, object]]:
    """Weight and load time of each page (the first CSM page stands for all), best of
    `runs` warm loads and the first (cold) one, with a screenshot of each."""
    library = sum(p.stat().st_size for p in (site / "assets").iterdir())
    results = []
    with chromium() as driver:
        for page in site_pages(site):
            loads = [load(driver, page.as_uri()) for _ in range(runs)]
            name = page.relative_to(site).as_posix()
            screenshot(driver, out / (name.replace("/", "_").removesuffix(".html") + ".png"))
            results.append(
                {
                    "page": name,
                    "html_bytes": page.stat().st_size,
                    "assets_bytes": library,
                    "first_load_s": round(loads[0].seconds, 3),
                    "best_load_s": round(min(x.seconds for x in loads), 3),
                    "render_ms": min(x.render_ms or 0 for x in loads),
                    "charts": loads[-1].charts_rendered,
                    "problems": loads[-1].problems(site),
                }
            )
    return results


if __name__ == "__main__":
    site_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    measured = measure(site_dir, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "pages.json").write_text(json.dumps(measured, indent=2))
    for row in measured:
        print(json.dumps({k: v for k, v in row.items()}))
