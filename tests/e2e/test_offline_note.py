"""The secretary's note field never loses what was typed: offline, and across a reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import accept_dialogs

pytestmark = pytest.mark.e2e

# The form retries every 3 s; one retry after coming back, plus the request itself.
RETRY_TIMEOUT_MS = 5000


@pytest.fixture
def notes_page(login, people, e2e_session):
    page = accept_dialogs(login(people["secretary"]).new_page())
    page.goto(f"/sessies/{e2e_session.pk}/notuleren/")
    return page


def test_a_note_typed_offline_is_kept_and_sent_when_back_online(notes_page, e2e_session):
    from sessies.models import Note

    page, text = notes_page, "De huisarts hoort het vaak als eerste"
    field = page.locator("#note-text")
    field.fill(text)
    page.context.set_offline(True)
    field.press("Enter")
    expect(page.locator("#note-status")).not_to_be_empty()
    expect(page.locator("#note-status")).to_have_class(re.compile(r"\balert-warning\b"))
    expect(field).to_have_value(text)
    assert not Note.objects.exists()

    page.context.set_offline(False)
    expect(page.locator("#harvest")).to_contain_text(text, timeout=RETRY_TIMEOUT_MS)
    expect(field).to_have_value("")
    expect(page.locator("#note-status")).to_be_empty()
    assert list(Note.objects.values_list("text", flat=True)) == [text]
    # Nothing left behind to restore on the next visit.
    assert page.evaluate(f"localStorage.getItem('note-draft-{e2e_session.pk}')") is None


def test_a_draft_survives_a_reload(notes_page, e2e_session):
    from sessies.models import Note

    page = notes_page
    field = page.locator("#note-text")
    field.type("Eerste regel")
    field.press("Shift+Enter")  # a new line, not a save
    field.type("tweede regel")
    expect(field).to_have_value("Eerste regel\ntweede regel")

    page.reload()
    expect(page.locator("#note-text")).to_have_value("Eerste regel\ntweede regel")
    expect(page.locator("#note-status")).not_to_be_empty()
    assert not Note.objects.exists()
