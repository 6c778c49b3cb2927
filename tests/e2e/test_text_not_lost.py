"""Typed text is cleared only when the server confirms it is stored.

A note the server refuses, and a note (an agreement, a checklist row) sent after the login
expired, stay in their field and in their draft, with a message that says what to do; after
signing in again in another tab the waiting text is stored, exactly once.
"""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from kader.models import Membership, ProjectRole
from tests.e2e.conftest import accept_dialogs, screenshot

pytestmark = pytest.mark.e2e

# Retries after a 401 back off to at most 8 s (plus jitter); signing in takes a moment too.
AFTER_LOGIN_TIMEOUT_MS = 20_000

MSG_REFUSED = (
    "Not saved: the server refused this text (see the message below). Your text stays here; correct it and save again."
)
MSG_LOGIN = (
    "Not saved: your login has expired. Sign in again in another tab; your draft is waiting here "
    "and is sent as soon as you are signed in."
)


def dutch(msgid):
    """The text the Dutch page shows for a msgid (the msgid itself until it is translated)."""
    with translation.override("nl"):
        return gettext(msgid)


@pytest.fixture
def notes_page(login, people, e2e_session):
    page = accept_dialogs(login(people["secretary"]).new_page())
    page.goto(f"/sessies/{e2e_session.pk}/notuleren/")
    return page


def draft(page, key):
    stored = page.evaluate("key => localStorage.getItem(key)", key)
    return json.loads(stored) if stored else None


def log_out_elsewhere(page):
    """Log out in another tab of the same browser: the session this page relies on ends."""
    other = page.context.new_page()
    other.goto("/")
    other.locator('form[action="/accounts/logout/"] button').first.click()
    expect(other.locator("#id_username")).to_be_visible()
    return other


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw")
    page.locator("main form button").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.parametrize(
    "text",
    [pytest.param("Een NUL-teken \x00 midden in de notitie", id="nul"), pytest.param("x" * 10_001, id="too-long")],
)
def test_a_refused_note_stays_in_the_field_and_in_the_draft(notes_page, e2e_session, text):
    from sessies.models import Note

    page = notes_page
    field = page.locator("#note-text")
    # Set directly: the field's maxlength would stop typing past the limit, as a paste may not.
    field.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }", text)

    with page.expect_response(lambda r: r.request.method == "POST" and "/notities/" in r.url) as answer:
        field.press("Enter")

    assert answer.value.status == 422
    status = page.locator("#note-status")
    expect(status).to_have_text(dutch(MSG_REFUSED))
    expect(status).to_have_class(re.compile(r"\balert-danger\b"))
    expect(page.locator("#note-errors .alert-danger")).to_be_visible()
    assert field.input_value() == text
    assert draft(page, f"note-draft-{e2e_session.pk}")["text"] == text
    # Still there a moment later: nothing retries a refusal or clears it behind the user's back.
    page.wait_for_timeout(2500)
    assert field.input_value() == text
    assert draft(page, f"note-draft-{e2e_session.pk}")["text"] == text
    assert not Note.objects.exists()


def test_a_note_sent_after_the_login_expired_waits_and_is_stored_once_after_signing_in(notes_page, e2e_session, people):
    from sessies.models import Note

    page, text = notes_page, "Wijkteams zien schulden pas laat"
    other = log_out_elsewhere(page)
    page.bring_to_front()
    field = page.locator("#note-text")
    field.fill(text)

    with page.expect_response(lambda r: r.request.method == "POST" and "/notities/" in r.url) as answer:
        field.press("Enter")

    # A 401 the page can act on, not a redirect to a login page that looks like success.
    assert answer.value.status == 401
    assert answer.value.request.redirected_from is None
    assert "loginRequired" in answer.value.headers["hx-trigger"]
    status = page.locator("#note-status")
    expect(status).to_have_text(dutch(MSG_LOGIN))
    expect(page.locator("#login-notice")).to_be_visible()
    expect(field).to_have_value(text)
    assert draft(page, f"note-draft-{e2e_session.pk}")["text"] == text
    screenshot(page, "notes-login-expired")
    # Retries while still signed out change nothing.
    page.wait_for_timeout(3000)
    expect(field).to_have_value(text)
    assert not Note.objects.exists()

    sign_in(other, people["secretary"])

    expect(page.locator("#harvest")).to_contain_text(text, timeout=AFTER_LOGIN_TIMEOUT_MS)
    expect(field).to_have_value("")
    expect(status).to_be_empty()
    expect(page.locator("#login-notice")).to_be_hidden()
    assert draft(page, f"note-draft-{e2e_session.pk}") is None
    # Pressing Enter again (nothing to send) or a late retry adds nothing.
    field.press("Enter")
    page.wait_for_timeout(2500)
    assert list(Note.objects.values_list("text", flat=True)) == [text]


def test_an_agreement_typed_after_the_login_expired_is_kept_and_stored_after_signing_in(
    notes_page, e2e_session, people
):
    from sessies.models import Agreement

    page = notes_page
    other = log_out_elsewhere(page)
    page.bring_to_front()
    form = page.locator("form.agreement-form")
    form.locator('input[name="who"]').fill("Petra")
    form.locator('[name="what"]').fill("Stuurt de cijfers van de schuldhulp rond")

    with page.expect_response(lambda r: r.request.method == "POST" and "/afspraken/" in r.url) as answer:
        form.locator("button").click()

    assert answer.value.status == 401
    expect(form.locator(".save-status")).to_have_text(dutch(MSG_LOGIN))
    expect(form.locator('[name="what"]')).to_have_value("Stuurt de cijfers van de schuldhulp rond")
    assert draft(page, f"agreement-draft-{e2e_session.pk}")["what"] == "Stuurt de cijfers van de schuldhulp rond"
    assert not Agreement.objects.exists()

    sign_in(other, people["secretary"])

    expect(page.locator("#agreements-list")).to_contain_text(
        "Stuurt de cijfers van de schuldhulp rond", timeout=AFTER_LOGIN_TIMEOUT_MS
    )
    expect(page.locator('form.agreement-form [name="what"]')).to_have_value("")
    assert draft(page, f"agreement-draft-{e2e_session.pk}") is None
    assert list(Agreement.objects.values_list("who", "what")) == [("Petra", "Stuurt de cijfers van de schuldhulp rond")]


def test_a_checklist_row_typed_after_the_login_expired_is_kept_and_stored_after_signing_in(
    login, e2e_project, django_user_model
):
    from kader.models import AttentionPoint, ChecklistEntry
    from sessies import roles
    from tests.conftest import make_user

    researcher = make_user(django_user_model, "olga", roles.RESEARCHERS)
    Membership.objects.create(project=e2e_project, user=researcher, role=ProjectRole.RESEARCHER)
    point = AttentionPoint.objects.filter(phase__number=1).order_by("pk").first()
    page = accept_dialogs(login(researcher).new_page())
    page.goto(reverse("projects:checklist", args=[e2e_project.pk, 1]))
    other = log_out_elsewhere(page)
    page.bring_to_front()
    row = page.locator(f"#entry-{point.pk}")
    note = row.locator(f'[name="p{point.pk}-note"]')
    note.fill("Besproken met de wijkteams, nog geen besluit")

    with page.expect_response(lambda r: r.request.method == "POST" and "/checklist/punt/" in r.url) as answer:
        row.locator("form button").click()

    assert answer.value.status == 401
    expect(row.locator(".save-status")).to_have_text(dutch(MSG_LOGIN))
    expect(note).to_have_value("Besproken met de wijkteams, nog geen besluit")
    key = f"checklist-draft-{e2e_project.pk}-{point.pk}"
    assert draft(page, key)[f"p{point.pk}-note"] == "Besproken met de wijkteams, nog geen besluit"

    assert not ChecklistEntry.objects.filter(project=e2e_project, attention_point=point).exists()

    sign_in(other, researcher)

    expect(row.locator(".text-success")).to_be_visible(timeout=AFTER_LOGIN_TIMEOUT_MS)
    expect(row.locator(f'[name="p{point.pk}-note"]')).to_have_value("Besproken met de wijkteams, nog geen besluit")
    assert draft(page, key) is None
    entry = ChecklistEntry.objects.get(project=e2e_project, attention_point=point)
    assert (entry.note, entry.changed_by) == ("Besproken met de wijkteams, nog geen besluit", researcher)


def test_an_unsaved_checklist_row_comes_back_after_a_reload(login, e2e_project, django_user_model):
    from kader.models import AttentionPoint, ChecklistEntry
    from sessies import roles
    from tests.conftest import make_user

    researcher = make_user(django_user_model, "olga", roles.RESEARCHERS)
    Membership.objects.create(project=e2e_project, user=researcher, role=ProjectRole.RESEARCHER)
    point = AttentionPoint.objects.filter(phase__number=1).order_by("pk").first()
    page = accept_dialogs(login(researcher).new_page())
    page.goto(reverse("projects:checklist", args=[e2e_project.pk, 1]))
    page.locator(f'[name="p{point.pk}-note"]').fill("Halverwege getypt")

    page.reload()

    row = page.locator(f"#entry-{point.pk}")
    expect(row.locator(f'[name="p{point.pk}-note"]')).to_have_value("Halverwege getypt")
    expect(row.locator(".save-status")).to_have_text(
        dutch("A draft that was not saved yet has been restored. Save it to keep it.")
    )
    assert not ChecklistEntry.objects.filter(project=e2e_project, attention_point=point).exists()
