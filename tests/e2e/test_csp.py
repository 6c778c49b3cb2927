"""The Content-Security-Policy in a real browser: no page breaks it, and htmx keeps working under it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_user
from tests.e2e.conftest import POLL_TIMEOUT_MS, accept_dialogs

pytestmark = pytest.mark.e2e

# Runs in every document before the page's own scripts (injected by the browser, not inline).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class ViolationLog:
    """Every CSP violation a page reports, through its console and its securitypolicyviolation events."""

    def __init__(self):
        self.found = []

    def watch(self, context):
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", self._console)
        return context

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def visit(self, page, url, status=200):
        response = page.goto(url)
        assert response.status == status, f"{url}: HTTP {response.status}"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
        page.wait_for_load_state("load")
        self.collect(page)

    def collect(self, page):
        self.found += [f"{page.url}: {v}" for v in page.evaluate("window.__cspViolations || []")]


@pytest.fixture
def violations():
    return ViolationLog()


@pytest.fixture
def running(e2e_session):
    from sessies import timeline

    return timeline.start(e2e_session.pk, e2e_session.timeline_version)


def test_no_page_breaks_the_policy(
    browser, browser_context_args, login, people, running, violations, django_user_model
):
    from draaiboeken.models import Script
    from sessies import roles

    session = running
    project = session.project
    script = Script.objects.get(slug="gesprekstafel-1-start")
    facilitator = violations.watch(login(people["facilitator"])).new_page()
    for url in [
        "/",
        "/kader/",
        "/kader/fase/1/",
        "/onderzoeken/",
        f"/onderzoeken/{project.pk}/",
        f"/onderzoeken/{project.pk}/checklist/1/",
        "/draaiboeken/",
        f"/draaiboeken/{script.slug}/",
        "/werkvormen/",
        "/sessies/",
        "/sessies/nieuw/",
        f"/sessies/{session.pk}/",
        f"/sessies/{session.pk}/regie/",
        f"/sessies/{session.pk}/projectie/",
    ]:
        violations.visit(facilitator, url)
    violations.visit(facilitator, "/bestaat-niet/", status=404)
    # htmx injected no <style> of its own (its indicator rules are in app.css).
    assert facilitator.locator("style").count() == 0

    secretary = violations.watch(login(people["secretary"])).new_page()
    for url in [f"/sessies/{session.pk}/notuleren/", f"/sessies/{session.pk}/verslag/"]:
        violations.visit(secretary, url)

    admin = make_user(django_user_model, "bea", roles.ADMINS, is_staff=True)
    admin_page = violations.watch(login(admin)).new_page()
    violations.visit(admin_page, "/admin/")
    violations.visit(admin_page, f"/admin/draaiboeken/script/{script.pk}/change/")
    expect(admin_page.locator("#content h2").first).to_be_visible()

    anonymous_context = violations.watch(browser.new_context(**browser_context_args))
    anonymous = anonymous_context.new_page()
    violations.visit(anonymous, "/accounts/login/")
    anonymous_context.close()

    assert violations.found == []


def test_the_language_menu_works_without_an_inline_handler(login, people, running, violations):
    page = violations.watch(login(people["facilitator"])).new_page()
    violations.visit(page, "/kader/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    page.select_option("#language-select", "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/kader/$"))
    violations.collect(page)
    assert violations.found == []


def test_the_live_views_keep_polling_under_the_policy(login, people, running, violations):
    from sessies import harvest

    session = running
    blocks = list(session.blocks.order_by("order"))
    run = accept_dialogs(violations.watch(login(people["facilitator"])).new_page())
    notes = accept_dialogs(violations.watch(login(people["secretary"])).new_page())
    violations.visit(run, f"/sessies/{session.pk}/regie/")
    violations.visit(notes, f"/sessies/{session.pk}/notuleren/")
    expect(notes.locator("#live-block-title")).to_have_text(blocks[0].title)

    # An htmx POST from the run view; the notes view hears of it through its poll.
    run.locator('form[data-action="volgende"] button').click()
    expect(notes.locator("#live-block-title")).to_have_text(blocks[1].title, timeout=POLL_TIMEOUT_MS)

    # A note stored elsewhere reaches the run view's harvest through its poll.
    harvest.add_note(
        session,
        block_id=blocks[1].pk,
        text="Signalen komen te laat binnen",
        tag="opbrengst",
        author=people["secretary"],
    )
    expect(run.locator("#harvest-panel")).to_contain_text("Signalen komen te laat binnen", timeout=POLL_TIMEOUT_MS)

    violations.collect(run)
    violations.collect(notes)
    assert violations.found == []
