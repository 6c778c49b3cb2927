"""The people page in a browser: each form swaps its own section in place (htmx), a refusal shows
its message there, and the page raises no Content-Security-Policy or script error.

Runs with the browser tests (marker e2e), on the fixtures of tests/e2e/conftest.py.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kader.models import Contact, Membership, ProjectRole
from tests.conftest import make_user
from tests.e2e import conftest as e2e
from tests.factories import ResearchProjectFactory

pytestmark = pytest.mark.e2e

# The browser tests' fixtures (Debian's chromium, the live server, signing in), shared from tests/e2e.
browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
base_url = e2e.base_url
push_server_url = e2e.push_server_url
e2e_library = e2e.e2e_library
people = e2e.people
login = e2e.login


def watch_errors(page):
    """Collect console errors (CSP violations are reported there) and uncaught script errors."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_researcher_keeps_the_projects_people_in_place(live_server, login, people, django_user_model):
    from sessies import roles

    researcher = make_user(django_user_model, "olga", roles.RESEARCHERS)
    project = ResearchProjectFactory(researchers=[researcher])
    page = login(researcher).new_page()
    errors = watch_errors(page)
    page.goto(live_server.url + reverse("projects:people", args=[project.pk]))
    # A marker on the document: a full page load (instead of a swap) would lose it.
    page.evaluate("document.body.dataset.loadedOnce = 'yes'")

    members = page.locator("#people-members")
    members.get_by_label("Account").select_option(label="Gijs")
    members.get_by_label(re.compile("Rol in het project|Project role")).select_option("gespreksleider")
    members.locator("form.member-form button").click()
    expect(members.locator("[role=status]")).to_contain_text("Gijs")
    expect(members.locator("li.people-row", has_text="Gijs")).to_have_count(1)
    assert Membership.objects.filter(project=project, user=people["facilitator"], role=ProjectRole.FACILITATOR).exists()

    # Removing Gijs is allowed; then Olga is the last one who leads, and stays.
    members.locator("li.people-row", has_text="Gijs").get_by_role("button").click()
    expect(members.locator("li.people-row", has_text="Gijs")).to_have_count(0)
    members.locator("li.people-row", has_text="Olga").get_by_role("button").click()
    expect(members.locator(".alert-danger")).to_contain_text("Olga")
    assert project.memberships.count() == 1

    contacts = page.locator("#people-contacts")
    contacts.get_by_label("Naam").fill("Karin <b>Jansen</b>")
    contacts.get_by_label("E-mailadres").fill("karin@example.org")
    contacts.locator("form.contact-form button").click()
    expect(contacts.locator("li.people-row")).to_contain_text("Karin <b>Jansen</b>")  # shown as text
    contact = Contact.objects.get(project=project)

    # A second contact with the same address is refused in place, the typed name kept.
    contacts.get_by_label("Naam").fill("Tweede Karin")
    contacts.get_by_label("E-mailadres").fill("KARIN@example.org")
    contacts.locator("form.contact-form button").click()
    expect(contacts.locator("form.contact-form")).to_contain_text("KARIN@example.org")
    expect(contacts.get_by_label("Naam")).to_have_value("Tweede Karin")
    assert Contact.objects.filter(project=project).count() == 1

    contacts.locator(f"#contact-{contact.pk}").get_by_role("link", name=re.compile("^(Bewerken|Edit)")).click()
    edit = contacts.locator(f"#contact-{contact.pk} form")
    edit.get_by_label("Naam").fill("Karin Jansen")
    edit.get_by_role("button", name=re.compile("Opslaan|Save")).click()
    expect(contacts.locator(f"#contact-{contact.pk}")).to_contain_text("Karin Jansen")
    contact.refresh_from_db()
    assert contact.name == "Karin Jansen"

    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"
    # The browser logs the two refusals (422) as failed loads; anything else is an error.
    refusals = "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    assert errors == [refusals, refusals]
