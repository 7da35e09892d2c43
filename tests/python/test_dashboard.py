"""The dashboards in a real browser (Debian's headless Chromium through Selenium): every page
draws every chart with no console error and no request leaving the site folder, within seed
002's 10 seconds; the KPI cards equal fct_kpi_monthly; a CSM page lists exactly that CSM's
accounts; without the chart library the chart checks fail. A screenshot of each page goes to
CSM_SCREENSHOT_DIR (data/test/screenshots under make test), with pages.json (weight, time)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

import dashboard_browser as browser
from csm import report, serving
from csm.dashboard import render_site
from csm.paths import project_dir

SCREENSHOTS = Path(
    os.environ.get("CSM_SCREENSHOT_DIR", project_dir() / "data" / "test" / "screenshots")
)
PAGES = ["index", "executive", "health", "operations", "support", "satisfaction", "data_quality"]
KPI_PAGES = ["executive", "health", "support", "satisfaction"]
CSM = str(Path(sys.executable).parent / "csm")
VISIBLE_CARDS = """
return Array.from(document.querySelectorAll('.kpi-card')).filter(function (c) {
  return !c.hidden && c.offsetParent !== null;
}).map(function (c) {
  return {key: c.dataset.kpiKey, segment: c.dataset.segment, month: c.dataset.month,
          value: c.dataset.value, status: c.dataset.status,
          text: c.querySelector('.kpi-value').textContent.trim(),
          word: c.querySelector('.status .word').textContent.trim()};
});
"""


@pytest.fixture(scope="module")
def site(serving_db: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dashboards") / "site"
    result = render_site(serving_db, out)
    print(result.line())
    return out


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    problem = browser.available()
    if problem:
        pytest.fail(problem)
    with browser.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def measured(site: Path) -> Iterator[list[dict[str, Any]]]:
    """Weight and load time of each page, written to pages.json when the module ends."""
    rows: list[dict[str, Any]] = []
    yield rows
    library = sum(path.stat().st_size for path in (site / "assets").iterdir())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "pages.json").write_text(
        json.dumps({"assets_bytes": library, "pages": rows}, indent=2)
    )


def _csm_ids(serving_db: duckdb.DuckDBPyConnection) -> list[str]:
    """CSMs by the size of their book, largest first."""
    return [
        row[0]
        for row in serving_db.execute(
            "select csm_id from dim_accounts where csm_id is not null "
            "group by csm_id order by count(*) desc, csm_id"
        ).fetchall()
    ]


def _path(site: Path, serving_db: duckdb.DuckDBPyConnection, page: str) -> Path:
    if page == "csm":
        return site / "csm" / f"{_csm_ids(serving_db)[0]}.html"
    return site / f"{page}.html"


@pytest.mark.parametrize("page", [*PAGES, "csm"])
def test_a_page_draws_every_chart_without_errors_or_outside_requests(
    site: Path,
    driver: WebDriver,
    serving_db: duckdb.DuckDBPyConnection,
    measured: list[dict[str, Any]],
    page: str,
) -> None:
    path = _path(site, serving_db, page)
    loaded = browser.load(driver, path.as_uri())
    browser.screenshot(driver, SCREENSHOTS / f"{page}.png")
    measured.append(
        {
            "page": path.relative_to(site).as_posix(),
            "html_bytes": path.stat().st_size,
            "load_seconds": round(loaded.seconds, 3),
            "render_ms": loaded.render_ms,
            "charts": loaded.charts_rendered,
        }
    )
    assert loaded.problems(site) == []
    html = path.read_text()
    assert loaded.charts_rendered == html.count('data-chart="')
    if page != "index":
        assert loaded.charts_rendered and loaded.charts_rendered > 0
    assert loaded.requests, "the request log is empty: the check could not see anything"
    info = serving.read_publish_info(serving_db)
    header = driver.find_element(By.CSS_SELECTOR, "header .meta").text
    assert f"{info['as_of_timestamp']:%Y-%m-%d %H:%M}" in header
    assert f"{info['published_at']:%Y-%m-%d %H:%M}" in header


def _expected_cards(
    serving_db: duckdb.DuckDBPyConnection, keys: list[str], segment: str, month: str
) -> dict[str, tuple[Any, ...]]:
    """kpi_key -> (segment, value, status, unit) of fct_kpi_monthly as a card must show it:
    the segment's row, or the all row for a KPI that has no segment rows."""
    rows = serving_db.execute(
        "select kpi_key, segment, value, status, display_unit from fct_kpi_monthly k "
        "where kpi_key in (select unnest(?)) and month = cast(? as date) and (segment = ? or "
        "(segment = 'all' and not exists (select 1 from fct_kpi_monthly s "
        " where s.kpi_key = k.kpi_key and s.segment <> 'all')))",
        [keys, f"{month}-01", segment],
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.mark.parametrize("page", KPI_PAGES)
def test_kpi_cards_equal_fct_kpi_monthly_for_all_and_a_segment(
    site: Path, driver: WebDriver, serving_db: duckdb.DuckDBPyConnection, page: str
) -> None:
    latest = report.latest_complete_month(serving_db)
    earlier = serving_db.execute(
        "select strftime(max(month) - interval 3 month, '%Y-%m') from fct_kpi_monthly "
        "where is_complete_month"
    ).fetchone()[0]
    path = site / f"{page}.html"
    loaded = browser.load(driver, path.as_uri())
    assert loaded.problems(site) == []
    keys = re.findall(r'data-kpi-slot="([a-z0-9_]+)"', path.read_text())
    assert keys
    checked = 0
    for segment, month in (("all", latest), ("smb", latest), ("enterprise", earlier)):
        Select(driver.find_element(By.CSS_SELECTOR, "select[data-filter=month]")).select_by_value(
            month
        )
        Select(driver.find_element(By.CSS_SELECTOR, "select[data-filter=segment]")).select_by_value(
            segment
        )
        cards = {card["key"]: card for card in driver.execute_script(VISIBLE_CARDS)}
        expected = _expected_cards(serving_db, keys, segment, month)
        assert sorted(cards) == sorted(expected), (segment, month)
        for key, (row_segment, value, status, unit) in expected.items():
            card = cards[key]
            assert (card["segment"], card["month"]) == (row_segment, month)
            if value is None:
                assert card["value"] == "" and card["text"] == "-"
                continue
            assert float(card["value"]) == pytest.approx(value, rel=1e-12, abs=1e-12)
            assert card["text"] == report.format_value(value, unit)
            assert card["status"] == (status or "no_target")
            assert card["word"]  # the status is a word beside its colour
            checked += 1
    assert checked >= 3 * len(keys) // 2


def test_a_csm_page_lists_exactly_that_csms_accounts(
    site: Path, driver: WebDriver, serving_db: duckdb.DuckDBPyConnection
) -> None:
    csm_id = _csm_ids(serving_db)[0]
    own = {
        row[0]
        for row in serving_db.execute(
            "select account_id from dim_accounts where csm_id = ?", [csm_id]
        ).fetchall()
    }
    everyone = {
        row[0] for row in serving_db.execute("select account_id from dim_accounts").fetchall()
    }
    path = site / "csm" / f"{csm_id}.html"
    loaded = browser.load(driver, path.as_uri())
    assert loaded.problems(site) == []
    table = driver.find_element(By.CSS_SELECTOR, '[data-table="accounts"]')
    listed: list[str] = []
    for _ in range(len(own) // 5 + 2):
        listed += [
            row.get_attribute("data-key")
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr[data-key]")
        ]
        following = table.find_element(By.CSS_SELECTOR, "[data-next]")
        if not following.is_enabled():
            break
        following.click()
    assert len(listed) == len(set(listed))
    assert set(listed) == own
    assert table.get_attribute("data-rows") == str(len(own))
    # nothing of another book anywhere in the file a CSM is sent
    mentioned = set(re.findall(r"acc_\d+", path.read_text())) & everyone
    assert mentioned == own


def _table_rows(driver: WebDriver, table_id: str, pages: int) -> list[list[str]]:
    """The text of every row of a paged table, page by page."""
    table = driver.find_element(By.CSS_SELECTOR, f'[data-table="{table_id}"]')
    rows: list[list[str]] = []
    for _ in range(pages):
        rows += [
            [cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "td")]
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr[data-key]")
        ]
        following = table.find_element(By.CSS_SELECTOR, "[data-next]")
        if not following.is_enabled():
            break
        following.click()
    return rows


def test_the_data_quality_scorecard_shows_each_table_of_the_summary_mart(
    site: Path, driver: WebDriver, serving_db: duckdb.DuckDBPyConnection
) -> None:
    expected = serving_db.execute(
        "select source_table, status, rows_received, quarantined_rows, accuracy "
        "from fct_data_quality_summary order by source_table"
    ).fetchall()
    assert expected, "fct_data_quality_summary is empty"
    loaded = browser.load(driver, (site / "data_quality.html").as_uri())
    assert loaded.problems(site) == []
    shown = {row[0]: row for row in _table_rows(driver, "dq-scorecard", 5)}
    assert sorted(shown) == [row[0] for row in expected]
    words = {"ok": "OK", "warn": "Warning", "error": "Error", None: "Not measured"}
    for table, status, received, quarantined, accuracy in expected:
        cells = shown[table]
        assert cells[1].endswith(words[status]), (table, cells[1])
        assert cells[2] == report.format_value(received, "count")
        assert cells[6] == report.format_value(quarantined, "count")
        assert cells[7].startswith(report.format_value(accuracy, "ratio"))


def test_the_alert_queue_lists_the_open_episodes(
    site: Path, driver: WebDriver, serving_db: duckdb.DuckDBPyConnection
) -> None:
    open_episodes = serving_db.execute(
        "select account_id, rule_key from fct_alerts where closed_on is null"
    ).fetchall()
    queued = serving_db.execute("select account_id, rule_key from fct_alert_queue").fetchall()
    assert open_episodes and sorted(queued) == sorted(open_episodes)
    loaded = browser.load(driver, (site / "health.html").as_uri())
    assert loaded.problems(site) == []
    table = driver.find_element(By.CSS_SELECTOR, '[data-table="alert-queue"]')
    assert table.get_attribute("data-rows") == str(min(len(queued), 500))
    shown = _table_rows(driver, "alert-queue", 3)
    rules = {row[0]: set() for row in queued}
    for account_id, rule_key in queued:
        rules[account_id].add(rule_key)
    for row in shown:
        account_id = re.findall(r"\((acc_\d+)\)", row[2])[0]
        assert row[4] in rules[account_id], row


def test_at_risk_accounts_show_the_churn_models_probability_band_and_driver(
    site: Path, driver: WebDriver, serving_db: duckdb.DuckDBPyConnection
) -> None:
    latest = serving_db.execute(
        "select account_id, churn_probability_90d, risk_band, top_risk_driver "
        "from fct_churn_risk_daily "
        "where activity_date = (select max(activity_date) from fct_account_health_daily)"
    ).fetchall()
    churn = {row[0]: row[1:] for row in latest}
    loaded = browser.load(driver, (site / "health.html").as_uri())
    assert loaded.problems(site) == []
    shown = _table_rows(driver, "at-risk", 2)
    assert shown
    for row in shown:
        account_id = re.findall(r"\((acc_\d+)\)", row[0])[0]
        probability, band, top = churn[account_id]
        expected = f"{report.format_value(probability, 'ratio')} {band}"
        assert row[7] == (f"{expected}: {top.replace('_', ' ')}" if top else expected), row


def test_without_the_chart_library_the_chart_checks_fail(
    site: Path, driver: WebDriver, tmp_path: Path
) -> None:
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    libraries = list((broken / "assets").glob("vega-bundle-*.js"))
    assert len(libraries) == 1
    libraries[0].unlink()
    loaded = browser.load(driver, (broken / "executive.html").as_uri(), timeout=10)
    problems = loaded.problems(broken)
    assert any(p.startswith("charts failed: the chart library did not load") for p in problems)
    assert any(p.startswith("console error:") for p in problems)
    assert any(
        p.startswith("chart ") and p.endswith("is empty: " + str(c))
        for c in loaded.charts
        for p in problems
    )
    assert loaded.charts and all(chart["marks"] == 0 for chart in loaded.charts)


def test_pages_fit_a_phone(site: Path, serving_db: duckdb.DuckDBPyConnection) -> None:
    problem = browser.available()
    if problem:
        pytest.fail(problem)
    with browser.chromium(browser.PHONE) as phone:
        for page in ("executive", "health", "support", "csm"):
            path = _path(site, serving_db, page)
            loaded = browser.load(phone, path.as_uri())
            browser.screenshot(phone, SCREENSHOTS / f"phone-{page}.png")
            assert loaded.problems(site) == []
            assert loaded.viewport_width <= browser.PHONE[0]
            # the page never scrolls sideways: wide tables scroll inside their own box
            assert loaded.scroll_width <= loaded.viewport_width, page


def test_the_site_is_self_contained(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= {f"{p}.html" for p in PAGES}
    libraries = list((site / "assets").glob("vega-bundle-*.js"))
    assert len(libraries) == 1 and libraries[0].stat().st_size > 500_000
    for page in pages:
        html = page.read_text()
        assert "http://" not in html and "https://" not in html, page
        assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html)), page
        sources = re.findall(r'<script src="([^"]+)"', html)
        prefix = "../" if page.parent != site else ""
        assert sources == [f"{prefix}assets/{libraries[0].name}", f"{prefix}assets/dashboard.js"]
        assert libraries[0].read_text()[:200] not in html  # the library is not inlined
        assert page.stat().st_size < 1_500_000, page  # bounded: top rows, paged


def test_csm_dashboard_writes_the_site_and_refuses_a_foreign_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = subprocess.run(
        [CSM, "dashboard", "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"written to {out / 'index.html'}" in result.stdout
    assert (out / "executive.html").is_file() and (out / ".csm-dashboards").is_file()

    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine")
    refused = subprocess.run(
        [CSM, "dashboard", "--out", str(foreign)], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2
    assert "holds files that csm dashboard did not write" in refused.stderr
    assert (foreign / "todo.txt").read_text() == "mine"
