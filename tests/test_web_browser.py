"""The pages in headless Chromium (Debian's package, driven by Playwright) against a real server.

Playwright never downloads a browser here: it launches /usr/bin/chromium, and the
tests skip with the reason when that is absent (`.ci/run` installs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from rhetorscope.web import Settings
from test_web_server import REFERENCE, fixture_corpus, running_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("web-browser") / "corpus.sqlite"
    fixture_corpus(db)
    with running_server(Settings(db=str(db), workers=1, queue=4)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page that fails the test on any console error (a CSP violation is one)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_analyze_the_reference_document(page: object, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#text", REFERENCE.read_text(encoding="utf-8"))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/report/[0-9a-f]{16}$"))
    marks = page.locator(".analysis mark.hl")
    assert marks.count() >= 1
    outline = page.locator("nav.outline")
    assert outline.get_by_text("Sergey Lavrov").count() >= 5 and outline.get_by_text("Interviewer").count() == 1
    assert page.locator(".outline .backlink").first.inner_text() == "repeated in s5"

    marks.first.hover()
    card = page.locator("#finding-card")
    card.wait_for(state="visible")
    assert "confidence" in card.inner_text() and card.locator(".card-title strong").count() >= 1

    page.keyboard.press("Escape")
    assert card.is_hidden()
    marks.first.focus()  # keyboard users reach highlights with Tab and get the same card
    card.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert card.is_hidden()

    with page.expect_download() as download:
        page.get_by_role("link", name="HTML report").click()
    assert download.value.suggested_filename.endswith(".html")


def test_technique_card_shows_name_definition_and_confidence(page: object, base_url: str) -> None:
    page.goto(base_url + "/corpus?q=once+again")
    page.locator(".hit-head a").first.click()
    page.wait_for_url(re.compile(r"/documents/\d+"))
    mark = page.locator(".analysis mark.hl").first
    mark.click()
    card = page.locator("#finding-card")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Loaded language" in text or "Doubt" in text
    assert "83%" in text and "test fixture" in text
    assert len(card.locator(".card-def").first.inner_text()) > 20  # the definition from the taxonomy


def test_search_and_facet_flow(page: object, base_url: str) -> None:
    page.goto(base_url + "/corpus")
    page.fill("#q", "sanctions")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=sanctions"))
    assert page.locator(".total").inner_text() == "4 matching paragraphs"
    assert page.locator(".snippet mark").first.inner_text().lower() == "sanctions"
    page.locator('.facet[data-facet="source"] a', has_text="channel-alpha").click()
    page.wait_for_url(re.compile(r"source=channel-alpha"))
    assert page.locator(".total").inner_text() == "2 matching paragraphs"
    page.locator('.facet[data-facet="technique"] a', has_text="Doubt").click()
    assert page.locator(".total").inner_text() == "1 matching paragraph"
    page.locator('.facet[data-facet="technique"] a.active').click()  # removes the filter again
    assert page.locator(".total").inner_text() == "2 matching paragraphs"


def test_trends_and_repeats_pages(page: object, base_url: str) -> None:
    page.goto(base_url + "/trends?group=category")
    captions = page.locator(".trend figcaption").all_inner_texts()
    assert any("Manipulative wording" in c for c in captions) and any("Attack on reputation" in c for c in captions)
    page.goto(base_url + "/repeats?min_count=3")
    cluster = page.locator(".cluster").filter(has_text="sanctions have failed")
    cluster.locator("summary").click()
    cluster.locator(".occurrences a").first.click()
    page.wait_for_url(re.compile(r"/documents/\d+#[0-9a-f]{16}-s1$"))


def test_phone_width_has_no_horizontal_scroll_and_keyboard_reaches_the_form(page: object, base_url: str) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.fill("#text", REFERENCE.read_text(encoding="utf-8"))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/report/"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_compare_page_chart_and_csv_export(page: object, base_url: str) -> None:
    page.goto(base_url + "/compare")
    page.select_option("select[name=by]", "source")
    page.click("#compare-form button[type=submit]")
    page.wait_for_url(re.compile(r"/compare\?by=source"))
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert any("channel-alpha" in h for h in headers) and any("small, not tested" in h for h in headers)
    chart = page.locator(".compare-chart img")
    chart.wait_for()
    page.wait_for_function("document.querySelector('.compare-chart img').complete")
    assert page.evaluate("document.querySelector('.compare-chart img').naturalWidth") > 300
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = download.value
    assert saved.suggested_filename == "compare.csv"
    assert Path(saved.path()).read_text(encoding="utf-8").startswith("group,group_paragraphs,small")


def test_search_export_and_talking_point_timeline(page: object, base_url: str) -> None:
    page.goto(base_url + "/corpus?q=sanctions")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    assert download.value.suggested_filename == "search.json"
    page.goto(base_url + "/repeats?min_count=3")
    page.locator(".cluster").filter(has_text="sanctions have failed").locator("a.timeline-link").click()
    page.wait_for_url(re.compile(r"/repeats/\d+$"))
    assert page.locator(".first-source").inner_text() == "channel-alpha"
    assert page.locator(".steps .step").count() >= 3
    page.wait_for_function("document.querySelector('.timeline img').complete")
    assert page.evaluate("document.querySelector('.timeline img').naturalWidth") > 300
