"""Every built page in headless Chromium: no console errors, no failed or off-host requests,
every equation typeset by MathJax, and every static slider changing its figure."""

import functools
import http.server
import shutil
import threading
from urllib.parse import urlparse

import pytest
from bookutil import HTML, record, toc_pages

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
MAX_PAGE_BYTES = 4 * 1024 * 1024
PAGES = [*toc_pages(), "index", "genindex", "search"]
totals = {"pages": 0, "equations": 0, "sliders": 0, "slider moves": 0}
weights = {}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_book):
    assert built_book.returncode == 0, "the book did not build"
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page_report(browser):
    """A fresh page whose errors, failed requests and off-host requests are recorded."""
    context = browser.new_context()
    report = {"console": [], "failed": [], "offhost": []}

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or \
                r.request.url.startswith("data:"):
            r.continue_()
        else:
            report["offhost"].append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    # Generous: a 2-core machine that executes chapters on its other core meanwhile
    # typesets hundreds of equations slowly.
    page.set_default_timeout(300_000)
    page.on("console", lambda m: m.type == "error" and report["console"].append(m.text))
    page.on("pageerror", lambda e: report["console"].append(str(e)))
    page.on("requestfailed", lambda r: report["failed"].append(r.url))
    page.on("response",
            lambda r: r.status >= 400 and report["failed"].append(f"{r.status} {r.url}"))
    yield page, report
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page(server, page_report, name):
    page, report = page_report
    page.goto(f"{server}/{name}.html", wait_until="load")
    page.wait_for_load_state("networkidle")

    # MathJax: every math element sphinx wrote is typeset, none with a TeX error.
    has_mathjax = page.evaluate("() => !!(window.MathJax && MathJax.startup)")
    n_math = page.locator("span.math, div.math").count()
    if n_math:
        assert has_mathjax, "page has math but MathJax did not load"
        page.evaluate("() => MathJax.startup.promise")
        typeset = page.locator("span.math mjx-container, div.math mjx-container").count()
        assert typeset == n_math
        assert page.locator("mjx-merror").count() == 0

    # The static figures read no ipywidgets state: no page carries it.
    assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 0

    # Static sliders: wired, visible, and each one changes the picture.
    figures = page.locator("[data-lib-slider]")
    moves = 0
    for i in range(figures.count()):
        fig = figures.nth(i)
        fig.locator(".lib-slider-controls").wait_for(state="visible")
        img = fig.locator("img.lib-slider-frame")
        inputs = fig.locator("input[type=range]")
        for k in range(inputs.count()):
            slider = inputs.nth(k)
            before_src = img.get_attribute("src")
            before_label = slider.locator("xpath=..").locator("output").inner_text()
            current, top = int(slider.input_value()), int(slider.get_attribute("max"))
            slider.fill(str(0 if current == top else top))
            assert img.get_attribute("src") != before_src, f"slider {k} of figure {i} is dead"
            after_label = slider.locator("xpath=..").locator("output").inner_text()
            assert after_label != before_label
            moves += 1

    # Weight: the page's own bytes (its HTML, with the frames of its sliders inline, and its
    # images) within budget; the theme's and MathJax's shared, cached files counted apart.
    own, shared = page.evaluate("""() => {
        const entries = performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource'));
        let own = 0, shared = 0;
        for (const e of entries) {
            if (e.entryType === 'navigation' || e.name.includes('/_images/')) {
                own += e.decodedBodySize;
            } else {
                shared += e.decodedBodySize;
            }
        }
        return [own, shared];
    }""")
    weights[name] = {"own": own, "shared": shared}
    assert own <= MAX_PAGE_BYTES

    assert report["console"] == []
    assert report["failed"] == []
    assert report["offhost"] == []
    totals["pages"] += 1
    totals["equations"] += n_math
    totals["sliders"] += figures.count()
    totals["slider moves"] += moves


def test_totals():
    """Runs after the pages: the book has equations and working sliders at all."""
    record("browser", {**totals, "page weight bytes": weights})
    assert totals["pages"] == len(PAGES)
    assert totals["equations"] > 0
    assert totals["sliders"] > 0


KOREAN_TERM_JS = """() => {
    const hangul = /[\\uac00-\\ud7a3]+/;
    const el = [...document.querySelectorAll("article strong")]
        .find(e => hangul.test(e.textContent));
    const text = el.textContent.match(hangul)[0];
    const style = getComputedStyle(el);
    const font = (family) => `${style.fontWeight} ${style.fontSize} ${family}`;
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = font('"Book Hangul"');
    const served = ctx.measureText(text).width;
    ctx.font = font('"a font that does not exist"');
    const fallback = ctx.measureText(text).width;
    const span = document.createElement("span");
    span.textContent = text;
    el.appendChild(span);
    const rendered = span.getBoundingClientRect().width;
    span.remove();
    return {text, served, fallback, rendered,
            check: document.fonts.check(font('"Book Hangul"'), text)};
}"""


def test_korean_renders_with_the_served_font(server, browser):
    """This machine has no CJK font: without the book's own, Hangul would be empty boxes."""
    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("response", lambda r: "/_static/fonts/" in r.url and fetched.append(r))
    page.goto(f"{server}/book/loss_landscapes.html", wait_until="load")
    page.evaluate("() => document.fonts.ready")
    term = page.evaluate(KOREAN_TERM_JS)
    context.close()
    record("korean font", {"term": term["text"], "served width": term["served"],
                           "fallback width": term["fallback"],
                           "files": [r.url.rsplit("/", 1)[-1] for r in fetched]})
    assert term["check"], "document.fonts.check: the served Korean font is not loaded"
    assert fetched
    assert all(r.status == 200 and urlparse(r.url).hostname == "127.0.0.1" for r in fetched)
    assert abs(term["rendered"] - term["served"]) < 0.5        # drawn with the served font
    assert abs(term["served"] - term["fallback"]) > 1          # which is not the fallback's
