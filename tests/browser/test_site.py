"""The built site in a real browser: a reader's path through it, dark mode, phones, search, accessibility.

Drives headless Chromium with Playwright over a site built from content/ and served by
``digest.serve.make_server``. Skipped when Playwright or Chromium is missing.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

#: Runs in the page: the accessibility checks the theme promises (WCAG 2.1 AA where it applies).
A11Y_JS = r"""
() => {
  const problems = [];
  const html = document.documentElement;
  if (!html.lang) problems.push("no lang on <html>");
  if (!document.title.trim()) problems.push("empty <title>");
  const desc = document.querySelector('meta[name="description"]');
  if (!desc || !desc.content.trim()) problems.push("no meta description");
  for (const sel of ["header", "nav", "main", "footer"]) {
    if (!document.querySelector(sel)) problems.push("no <" + sel + "> landmark");
  }
  if (document.querySelectorAll("main").length !== 1) problems.push("not exactly one <main>");
  const h1 = document.querySelectorAll("h1");
  if (h1.length !== 1) problems.push(h1.length + " h1 elements");
  let last = 0;
  for (const h of document.querySelectorAll("h1,h2,h3,h4,h5,h6")) {
    const level = +h.tagName[1];
    if (last === 0 && level !== 1) problems.push("first heading is " + h.tagName);
    if (last && level > last + 1) problems.push("heading jumps " + last + "→" + level + ": " + h.textContent.trim());
    last = level;
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) {
    if (ids[el.id]) problems.push("duplicate id " + el.id);
    ids[el.id] = true;
  }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push("img without alt");
  for (const a of document.querySelectorAll("a[href]")) {
    const name = (a.getAttribute("aria-label") || a.textContent || "").trim();
    if (!name) problems.push("link without text: " + a.getAttribute("href"));
  }
  for (const input of document.querySelectorAll("input, select, textarea")) {
    if (input.type === "hidden") continue;
    const labelled = input.id && document.querySelector('label[for="' + input.id + '"]');
    if (!labelled && !input.getAttribute("aria-label")) problems.push("unlabelled " + input.tagName);
  }
  // Text contrast: every visible element with its own text against its effective background.
  const rgba = (s) => { const m = s.match(/[\d.]+/g) || [0, 0, 0, 0]; return [+m[0], +m[1], +m[2], m[3] === undefined ? 1 : +m[3]]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) {
      const c = layers[i];
      out = [0, 1, 2].map((k) => c[k] * c[3] + out[k] * (1 - c[3]));
    }
    return out;
  };
  const checked = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none" || rect.width === 0 || rect.height === 0) continue;
    if (rect.bottom < 0 || rect.top < -5000) continue;  // e.g. the skip link parked off screen
    const fg = rgba(style.color), bg = background(el);
    const fgBlend = [0, 1, 2].map((k) => fg[k] * fg[3] + bg[k] * (1 - fg[3]));
    const a = lum(fgBlend), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const need = large ? 3 : 4.5;
    checked.push(ratio);
    if (ratio < need) problems.push("contrast " + ratio.toFixed(2) + " < " + need + ": <" + el.tagName.toLowerCase()
      + " class='" + el.className + "'> " + el.textContent.trim().slice(0, 40));
  }
  return {problems: problems, checkedText: checked.length, minContrast: Math.min.apply(null, checked)};
}
"""

#: The width the page needs (more than the viewport means horizontal scrolling).
OVERFLOW_JS = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


class Console:
    """Collects console errors, page errors and failed or external requests of one page."""

    def __init__(self, page, allowed_prefix: str) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        # The preview server's live-reload poll (/__digest__/version) is cut off by every navigation.
        page.on("requestfailed", lambda req: "/__digest__/" not in req.url
                and self.errors.append(f"request failed: {req.url}"))
        page.on("response", lambda res: res.status >= 400 and self.errors.append(f"HTTP {res.status}: {res.url}"))

        def request(req) -> None:
            if not req.url.startswith((allowed_prefix, "data:", "about:")):
                self.external.append(req.url)

        page.on("request", request)


def new_page(browser, base: str, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    return context, page, Console(page, base)


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def test_reader_follows_a_story_a_related_headline_and_searches(browser, served_site, artifacts):
    context, page, console = new_page(browser, served_site, viewport={"width": 1280, "height": 800})
    page.goto(served_site)
    assert page.title() and page.locator(".story").count() > 3
    assert page.locator(".group-title").count() >= 2  # grouped by day
    page.screenshot(path=str(artifacts / "front-1280x800.png"), full_page=False)

    # Follow the first story from the front page to its article.
    first = page.locator(".story-headline a").first
    headline = first.inner_text().strip()
    first.click()
    page.wait_for_load_state()
    assert re.search(r"/articles/[a-z0-9-]+/index\.html$", page.url)
    assert heading(page) == headline
    assert page.locator(".brief li").count() >= 1  # "In brief"
    page.screenshot(path=str(artifacts / "article-1280x800.png"), full_page=False)

    # Follow a related headline (from the first article page that has one).
    related = page.locator("section.related:not(.elsewhere) a")
    if related.count() == 0:
        page.goto(served_site)
        for href in page.locator(".story-related a").evaluate_all("els => els.map(e => e.href)")[:1]:
            page.goto(href)
        related = page.locator("section.related:not(.elsewhere) a")
    assert related.count() > 0, "no article with related headlines in the sample content"
    before = page.url
    target = related.first.inner_text().strip()
    related.first.click()
    page.wait_for_load_state()
    assert page.url != before and heading(page) == target

    # Search from the navigation: a word of this headline finds this article.
    word = max(re.findall(r"[A-Za-z]{4,}", target), key=len)
    page.locator("nav.site-nav a", has_text="Search").click()
    page.wait_for_load_state()
    page.fill("#search-q", word)
    page.wait_for_selector("#search-results li")
    titles = page.locator("#search-results .story-headline a").all_inner_texts()
    assert target in titles, (word, titles)
    assert "?q=" in page.url  # the query is kept in the address
    page.screenshot(path=str(artifacts / "search-1280x800.png"), full_page=False)
    page.locator("#search-results .story-headline a", has_text=target).first.click()
    page.wait_for_load_state()
    assert heading(page) == target

    # A search that matches nothing says so.
    page.goto(served_site + "search/index.html?q=zzzqqqxxv")
    page.wait_for_function("document.getElementById('search-status').textContent.length > 0")
    assert "No stories match" in page.locator("#search-status").inner_text()
    assert page.locator("#search-results li").count() == 0

    assert console.errors == []
    assert console.external == []  # no fonts, CDNs or trackers
    context.close()


def test_dark_mode_follows_the_system_setting(browser, served_site, artifacts):
    luminance = "() => { const m = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);" \
                " return (0.2126*m[0] + 0.7152*m[1] + 0.0722*m[2]) / 255; }"
    for scheme, check in (("light", lambda v: v > 0.8), ("dark", lambda v: v < 0.2)):
        context, page, console = new_page(browser, served_site, viewport={"width": 1280, "height": 800},
                                          color_scheme=scheme)
        page.goto(served_site)
        assert check(page.evaluate(luminance)), scheme
        if scheme == "dark":
            page.screenshot(path=str(artifacts / "front-dark-1280x800.png"))
            page.locator(".story-headline a").first.click()
            page.wait_for_load_state()
            assert check(page.evaluate(luminance))
            page.screenshot(path=str(artifacts / "article-dark-1280x800.png"))
        assert console.errors == []
        context.close()


@pytest.mark.parametrize("width,height", [(320, 640), (390, 844), (1440, 900)])
def test_no_horizontal_scrolling_from_320_to_1440(browser, served_site, artifacts, width, height):
    context, page, console = new_page(browser, served_site, viewport={"width": width, "height": height})
    page.goto(served_site)
    paths = ["", "tags/index.html", "archive/index.html", "search/index.html?q=bus"]
    paths.append(page.locator(".story-headline a").first.get_attribute("href"))
    for path in paths:
        page.goto(served_site + path)
        assert page.evaluate(OVERFLOW_JS) <= width, (path, width)
    if (width, height) == (390, 844):
        page.goto(served_site)
        page.screenshot(path=str(artifacts / "front-390x844.png"))
        page.goto(served_site + paths[-1])
        page.screenshot(path=str(artifacts / "article-390x844.png"))
    assert console.errors == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility(browser, served_site, scheme):
    context, page, console = new_page(browser, served_site, viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    page.goto(served_site)
    article = page.locator(".story-headline a").first.get_attribute("href")
    tag = page.locator(".chips a").first.get_attribute("href")
    section = page.locator("nav.site-nav a").nth(1).get_attribute("href")
    pages = ["", article, tag, section, "tags/index.html", "archive/index.html", "search/index.html?q=bus", "404.html"]
    for path in pages:
        page.goto(served_site + path)
        report = page.evaluate(A11Y_JS)
        assert report["problems"] == [], (path, report["problems"])
        assert report["checkedText"] > 10, path
    # Keyboard: the first Tab shows the skip link with a visible focus ring, and it leads to <main>.
    page.goto(served_site + article)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => { const e = document.activeElement, s = getComputedStyle(e);"
                            " return [e.className, s.outlineStyle, parseFloat(s.outlineWidth), e.getBoundingClientRect().top]; }")
    assert focused[0] == "skip" and focused[1] != "none" and focused[2] >= 2 and focused[3] >= 0, focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    ring = page.evaluate("() => [document.activeElement.tagName, getComputedStyle(document.activeElement).outlineStyle]")
    assert ring[0] == "A" and ring[1] != "none", ring
    assert console.errors == []
    context.close()


def test_reading_needs_no_javascript(browser, served_site):
    context, page, console = new_page(browser, served_site, viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page.goto(served_site)
    page.locator(".story-headline a").first.click()
    page.wait_for_load_state()
    assert page.locator(".body p").count() >= 1 and page.locator(".brief li").count() >= 1
    page.goto(served_site + "search/index.html")
    assert "needs JavaScript" in page.locator("main").inner_text()
    context.close()


def test_search_works_from_disk_without_a_server(browser, built_site):
    context, page, console = new_page(browser, "file://", viewport={"width": 1280, "height": 800})
    index = (built_site / "search" / "index.html").as_uri()
    page.goto(index + "?q=electric")
    page.wait_for_selector("#search-results li")
    first = page.locator("#search-results .story-headline a").first
    assert "lectric" in first.inner_text() or page.locator("#search-results li").count() > 0
    first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).scheme == "file" and Path(urlsplit(page.url).path).name == "index.html"
    assert page.locator("h1").count() == 1
    assert console.errors == [] and console.external == []
    context.close()


def test_accessibility_check_catches_problems(browser):
    """The in-page checker is able to fail: a page with every kind of mistake."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        "<html><head><title>x</title></head><body><main><h2>skip</h2><h1>a</h1><h1>b</h1><h4>deep</h4>"
        "<p style='color:#bbb;background:#fff'>pale text</p><a href='x'></a><img src='data:,'>"
        "<input id='q'></main></body></html>"
    )
    problems = " | ".join(page.evaluate(A11Y_JS)["problems"])
    for expected in ("no lang", "no meta description", "no <nav> landmark", "2 h1 elements", "first heading is H2",
                     "heading jumps 1→4", "contrast", "link without text", "img without alt", "unlabelled INPUT"):
        assert expected in problems, expected
    context.close()
