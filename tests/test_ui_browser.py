"""The chat page in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Run ``scripts/install-chromium.sh`` first (CI does). Screenshots go to ``$RAG_SCREENSHOT_DIR``
(default ``artifacts/screenshots/``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("gradio")
pytest.importorskip("playwright")

from ui.testing import record_connections, serving  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.enable_socket]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("RAG_SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]
LAVROV = "What did Lavrov say about ISIS numbers?"
FOLLOW_UP = "And what about the US?"
WAIT_MS = 90_000


@pytest.fixture(scope="module")
def assistant(module_assistant):
    return module_assistant


@pytest.fixture(scope="module")
def site(assistant):
    with record_connections() as log, serving(assistant) as url:
        yield url, log


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-chromium.sh first")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@contextmanager
def _page(browser, site, width, height):
    """A fresh Chromium profile on the served page. On a clean exit the page must have raised no error,
    and neither it nor the server may have reached past the local server."""
    url, log = site
    requests, errors = [], []
    profile = tempfile.mkdtemp(prefix="rag-chromium-")
    context = browser.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
        viewport={"width": width, "height": height}, service_workers="block")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.wait_for_selector("#rag-input textarea", timeout=WAIT_MS)
        yield page
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
    assert errors == []
    assert _only_local(requests, url) == []
    assert log.outbound == []


def _ask(page, question: str) -> str:
    """Type ``question``, submit it, wait until its answer is complete; returns the answer's text."""
    bots = page.locator("#rag-chat [data-testid='bot']")
    before = bots.count()
    page.fill("#rag-input textarea", question)
    page.press("#rag-input textarea", "Enter")
    page.wait_for_function(
        """(n) => { const b = document.querySelectorAll("#rag-chat [data-testid='bot']");
                   return b.length > n && !b[b.length - 1].querySelector('.rag-streaming'); }""",
        arg=before, timeout=WAIT_MS)
    return bots.last.inner_text()


def _mark_is_in_view(page) -> bool:
    return page.evaluate("""() => {
        const m = document.querySelector('#rag-article mark.rag-hl');
        const box = document.querySelector('#rag-article .rag-article');
        if (!m || !box) return false;
        const r = m.getBoundingClientRect(), b = box.getBoundingClientRect();
        return r.top >= b.top - 1 && r.bottom <= b.bottom + 1 && r.top >= 0 && r.bottom <= window.innerHeight;
    }""")


def _only_local(requests, url):
    return [u for u in requests if not (u.startswith(url.rstrip("/")) or u.startswith(("data:", "blob:")))]


def test_desktop_ask_cite_open_follow_up_and_bad_input(site, browser, assistant):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _page(browser, site, 1366, 900) as page:
        status = page.inner_text("#rag-status")
        assert re.search(r"5\s+documents", status) and "passages indexed" in status

        text = _ask(page, LAVROV)
        assert "1,000" in text and "[1]" in text
        assert page.locator("#rag-chat [data-testid='bot']").last.locator(".rag-sources mark").count() >= 1
        page.screenshot(path=str(SHOTS / "desktop-answer.png"))

        quote = assistant.ask(LAVROV).citations[0].quote
        page.locator("#rag-chat [data-testid='bot']").last.locator(".rag-text button.rag-cite").first.click()
        page.wait_for_selector("#rag-article mark.rag-hl", timeout=WAIT_MS)
        assert page.inner_text("#rag-article mark.rag-hl").strip() == quote
        assert "1,000" in page.inner_text("#rag-article .rag-passage-hl")
        page.wait_for_function("() => document.querySelector('#rag-article .rag-article').scrollTop > 0",
                               timeout=WAIT_MS)
        assert _mark_is_in_view(page)
        page.screenshot(path=str(SHOTS / "desktop-article.png"))

        chat = assistant.chat()
        chat.ask(LAVROV)
        expected = chat.ask(FOLLOW_UP)
        assert expected.text != assistant.ask(FOLLOW_UP).text, "follow-up must depend on the history"
        follow = _ask(page, FOLLOW_UP)
        assert expected.sentences[0].text in follow
        page.screenshot(path=str(SHOTS / "desktop-follow-up.png"))

        for bad, says in (("   ", "empty"), ("x" * 100_000, "100,000 characters")):
            notice = _ask(page, bad)
            assert says in notice
        assert "1,000" in _ask(page, LAVROV)  # the page keeps working

        abstain = _ask(page, "Who won the 2022 football World Cup?")
        assert "does not say" in abstain and "related passages" in abstain.lower()

        page.click("#rag-new")
        page.wait_for_function("() => !document.querySelector(\"#rag-chat [data-testid='bot']\")",
                               timeout=WAIT_MS)


def test_narrow_window_is_readable_and_citation_opens(site, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _page(browser, site, 390, 844) as page:
        assert "1,000" in _ask(page, LAVROV)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page is {overflow}px wider than a phone screen"
        page.screenshot(path=str(SHOTS / "narrow-answer.png"))
        page.locator("#rag-chat [data-testid='bot']").last.locator("button.rag-cite", has_text="View article").click()
        page.wait_for_selector("#rag-article mark.rag-hl", timeout=WAIT_MS)
        page.wait_for_function("""() => { const m = document.querySelector('#rag-article mark.rag-hl');
                                  const r = m.getBoundingClientRect();
                                  return r.top >= 0 && r.bottom <= window.innerHeight; }""", timeout=WAIT_MS)
        assert _mark_is_in_view(page)
        page.screenshot(path=str(SHOTS / "narrow-article.png"))


def test_upload_and_reindex_from_the_page(site, browser, assistant, tmp_path):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    good = tmp_path / "ferry report.md"
    good.write_text("# Ferry Report\n\nThe Zanzibar ferry carried 412 passengers on Sunday.\n", encoding="utf-8")
    documents = assistant.status().documents
    with _page(browser, site, 1366, 900) as page:
        try:
            page.click("#rag-corpus button:has-text('Corpus')")
            bots = page.locator("#rag-chat [data-testid='bot']")
            page.set_input_files("#rag-upload input[type=file]", str(binary))
            page.wait_for_function("() => document.querySelector('#rag-chat .rag-notice')", timeout=WAIT_MS)
            assert "binary" in bots.last.inner_text()
            assert assistant.status().documents == documents

            page.set_input_files("#rag-upload input[type=file]", str(good))
            page.wait_for_function("() => document.querySelectorAll('#rag-chat .rag-notice').length >= 2",
                                   timeout=WAIT_MS)
            assert "Added ferry report.md as ferry_report.md" in bots.last.inner_text()
            page.wait_for_function(f"() => /{documents + 1}\\s+documents/.test("
                                   "document.querySelector('#rag-status').innerText)", timeout=WAIT_MS)
            assert "412" in _ask(page, "How many passengers did the Zanzibar ferry carry?")

            page.click("#rag-reindex")
            page.wait_for_function("() => /nothing changed/.test(document.querySelector('#rag-status').innerText)",
                                   timeout=WAIT_MS)
        finally:
            (Path(assistant.corpus_dir) / "ferry_report.md").unlink(missing_ok=True)


def test_a_pdf_upload_is_answered_and_its_page_is_shown_as_it_looks(site, browser, assistant, tmp_path):
    from formats_support import filler, make_pdf

    SHOTS.mkdir(parents=True, exist_ok=True)
    salt = "The Varna salt works employed 312 divers in 2019."
    pdf = make_pdf(tmp_path / "coastal review.pdf", [["# Coastal industries review", *filler(5)],
                                                      [*filler(2, 5), salt, *filler(2, 7)], filler(4, 9)])
    with _page(browser, site, 1366, 900) as page:
        page.click("#rag-corpus button:has-text('Corpus')")
        page.set_input_files("#rag-upload input[type=file]", str(pdf))
        page.wait_for_function("() => /Added coastal review.pdf/.test("
                               "document.querySelector('#rag-chat').innerText)", timeout=WAIT_MS)
        text = _ask(page, "How many divers did the Varna salt works employ?")
        assert "312" in text
        page.locator("#rag-chat [data-testid='bot']").last.locator(".rag-text button.rag-cite").first.click()
        page.wait_for_selector("#rag-article img.rag-page-img", timeout=WAIT_MS)
        assert "page 2 of 3" in page.inner_text("#rag-article .rag-file")
        assert page.inner_text("#rag-article mark.rag-hl").strip() == salt
        width = page.evaluate("() => document.querySelector('#rag-article img.rag-page-img').naturalWidth")
        assert width > 500
        page.screenshot(path=str(SHOTS / "pdf-page.png"))
