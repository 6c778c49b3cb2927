"""WCAG 2.1 A/AA checks with axe-core on the main pages, keyboard reach and visible focus.

Each page is also saved as a screenshot in test-artifacts/screenshots/ for a look by eye.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AXE_JS, screenshot

pytestmark = pytest.mark.e2e

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Beyond WCAG's own rules: the structure a screen-reader user navigates by.
AXE_EXTRA_RULES = ["heading-order", "landmark-one-main", "page-has-heading-one", "region", "landmark-unique"]
AXE_RUN = """async ([tags, extra]) => {
  const rules = Object.fromEntries(extra.map(rule => [rule, {enabled: true}]));
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(' ').trim()),
  }));
}"""


@pytest.fixture
def live_session(e2e_session, people):
    """The planned session, started, with notes (one starred) and an agreement."""
    from sessies import harvest, timeline
    from sessies.models import Agreement

    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    blocks = list(session.blocks.order_by("order"))
    first = blocks[0]
    question = first.steps.filter(kind="vraag").first() or blocks[1].steps.filter(kind="vraag").first()
    harvest.add_note(
        session,
        block_id=question.block_id,
        question_id=question.pk,
        text="Professionals zien signalen, maar weten niet bij wie ze terechtkunnen",
        tag="opbrengst",
        author=people["secretary"],
    )
    harvest.add_note(
        session,
        block_id=first.pk,
        text="* Vroeg signaleren vraagt vertrouwen",
        tag="opbrengst",
        author=people["secretary"],
    )
    harvest.add_note(
        session,
        block_id=first.pk,
        text="c: Ik wist niet dat ik hulp kon vragen",
        tag="opbrengst",
        author=people["secretary"],
    )
    Agreement.objects.create(session=session, block=first, who="Petra", what="Signalenlijst rondsturen", when="1 maart")
    session.refresh_from_db()
    return session


def axe_violations(page):
    # A button just clicked is still hovered or focused, its colours halfway through Bootstrap's
    # transition: axe would judge a colour no one sees for long. Judge the page at rest.
    page.mouse.move(0, 0)
    page.evaluate(
        "() => { if (document.activeElement) document.activeElement.blur();"
        " document.getAnimations().forEach(animation => animation.finish()); }"
    )
    # Evaluated by the test driver rather than added as a <script> tag: the page's CSP
    # (rightly) refuses inline scripts.
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(AXE_RUN, [AXE_TAGS, AXE_EXTRA_RULES])


def check_pages(page, pages):
    """Visit each page, save a screenshot, and collect axe's violations per page."""
    found = {}
    for name, url in pages:
        response = page.goto(url)
        assert response.ok, f"{url}: HTTP {response.status}"
        page.wait_for_load_state("load")
        screenshot(page, name)
        violations = axe_violations(page)
        if violations:
            found[url] = violations
    return found


def report(found):
    lines = []
    for url, violations in found.items():
        for v in violations:
            lines.append(f"{url}: {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"][:8])
    return "\n".join(lines)


def test_main_pages_have_no_wcag_violations(login, people, live_session):
    session = live_session
    facilitator = login(people["facilitator"]).new_page()
    found = check_pages(
        facilitator,
        [
            ("dashboard", "/"),
            ("kader", "/kader/"),
            ("draaiboek-gesprekstafel-1", "/draaiboeken/gesprekstafel-1-start/"),
            ("sessie", f"/sessies/{session.pk}/"),
            ("regie", f"/sessies/{session.pk}/regie/"),
            ("projectie", f"/sessies/{session.pk}/projectie/"),
            ("sessie-plannen", "/sessies/nieuw/"),
        ],
    )
    secretary = login(people["secretary"]).new_page()
    found |= check_pages(
        secretary,
        [
            ("notuleren", f"/sessies/{session.pk}/notuleren/"),
            ("verslag", f"/sessies/{session.pk}/verslag/"),
            ("verslag-versturen", f"/sessies/{session.pk}/verslag/versturen/"),
        ],
    )
    assert not found, "axe found WCAG 2.1 A/AA violations:\n" + report(found)


def test_the_login_page_has_no_wcag_violations(page):
    found = check_pages(page, [("login", "/accounts/login/")])
    assert not found, report(found)


# Keyboard: every control reachable with Tab, and the focused one visibly marked.

INTERACTIVE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), "
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)
# Every control gets a number; a radio group is one tab stop (the arrow keys move within it).
MARK_INTERACTIVE = """(selector) => {
  const visible = el => el.type === 'radio' ? !!el.labels.length
      : !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && getComputedStyle(el).visibility !== 'hidden';
  const keys = new Set();
  document.querySelectorAll(selector).forEach((el, index) => {
    if (!visible(el) || el.closest('[hidden], template')) return;
    el.dataset.kbd = el.type === 'radio' ? 'radio-group:' + el.name : el.tagName.toLowerCase() + '#' + index;
    keys.add(el.dataset.kbd);
  });
  return [...keys];
}"""
FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  // The outline sits just outside the element: compare it with the background around it.
  let around = [255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg.length >= 3 && (bg.length === 3 || bg[3] > 0.5)) { around = bg; break; }
  }
  const style = getComputedStyle(el);
  const [l1, l2] = [luminance(rgba(style.outlineColor)), luminance(around)].sort((a, b) => b - a);
  return {
    key: el.dataset.kbd || el.outerHTML.slice(0, 160),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    contrast: (l1 + 0.05) / (l2 + 0.05),
    html: el.outerHTML.slice(0, 160),
  };
}"""


def tab_through(page, max_steps):
    """Press Tab until the focus comes round to the first stop again: {key: focus info}."""
    seen, first = {}, None
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_INFO)
        if info is None:
            continue
        if info["key"] == first:
            break
        first = first or info["key"]
        seen[info["key"]] = info
    return seen


@pytest.mark.parametrize("view, role", [("regie", "facilitator"), ("notuleren", "secretary")])
def test_live_views_work_by_keyboard_with_visible_focus(login, people, live_session, view, role):
    page = login(people[role]).new_page()
    page.goto(f"/sessies/{live_session.pk}/{view}/")
    # Open every details element so that its content counts too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    expected = set(page.evaluate(MARK_INTERACTIVE, INTERACTIVE))
    seen = tab_through(page, max_steps=2 * len(expected) + 10)
    missing = [
        page.locator(f'[data-kbd="{key}"]').first.evaluate("el => el.outerHTML.slice(0, 160)")
        for key in expected - set(seen)
    ]
    assert not missing, f"not reachable by Tab in {view}: {missing}"
    # Visible focus: an outline of at least 2 px with 3:1 contrast to its surroundings (WCAG 1.4.11).
    invisible = [
        f"{info['html']} (contrast {info['contrast']:.1f})"
        for info in seen.values()
        if not info["outline"] or info["contrast"] < 3
    ]
    assert not invisible, f"focus not visible in {view}: {invisible}"
    # The skip link comes first, shows itself when focused and leads to the content.
    skip = page.locator(INTERACTIVE.split(",")[0]).first
    expect(skip).to_have_attribute("href", "#main")
    skip.focus()
    assert skip.bounding_box()["width"] > 10
    page.keyboard.press("Enter")
    # The fragment navigation is reported asynchronously; wait for it instead of reading at once.
    expect(page).to_have_url(re.compile(r"#main$"))
    screenshot(page, f"{view}-keyboard")
