"""What the page needs to keep typed text safe: a confirmation that names the stored note,
a 401 with an htmx signal (not a login page) when the login is gone, and one note per token."""

import json

import pytest
from django.urls import reverse

from sessies import harvest
from sessies.models import Note, NoteQuerySet, NoteTag, Session
from tests.conftest import HTMX

pytestmark = pytest.mark.usefixtures("english")


def note_data(session, text, token):
    return {
        "text": text,
        "tag": NoteTag.HARVEST,
        "block": session.current_block_id,
        "question": "",
        "client_token": token,
    }


def create_url(session):
    return reverse("sessions:note_create", args=[session.pk])


# The confirmation


def test_a_stored_note_is_confirmed_by_its_client_token(client, running, secretary):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, "Signalen", "tok-1"), headers=HTMX)

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"noteSaved": {"token": "tok-1"}}
    assert Note.objects.get().client_token == "tok-1"


def test_a_retried_note_is_confirmed_again_and_stored_once(client, running, secretary):
    client.force_login(secretary)
    client.post(create_url(running), note_data(running, "Signalen", "tok-2"), headers=HTMX)

    response = client.post(create_url(running), note_data(running, "Signalen", "tok-2"), headers=HTMX)

    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"noteSaved": {"token": "tok-2"}}
    assert Note.objects.count() == 1


@pytest.mark.parametrize("text", ["NUL \x00 in de tekst", "x" * 10_001, "   "])
def test_a_refused_note_is_not_confirmed(client, running, secretary, text):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, text, "tok-3"), headers=HTMX)

    assert response.status_code == 422
    assert "HX-Trigger" not in response
    assert not Note.objects.exists()


# No login: htmx gets a 401 it can act on, a browser still the login page


def test_an_htmx_post_without_login_gets_401_with_an_htmx_signal(client, running):
    page = f"http://testserver{reverse('sessions:notes', args=[running.pk])}"

    response = client.post(
        create_url(running), note_data(running, "Na het verlopen", "tok-4"), headers={**HTMX, "HX-Current-URL": page}
    )

    assert response.status_code == 401
    assert "Location" not in response
    assert response["HX-Reswap"] == "none"
    login_url = f"/accounts/login/?next=/sessies/{running.pk}/notuleren/"
    assert json.loads(response["HX-Trigger"]) == {"loginRequired": {"loginUrl": login_url}}
    assert response.content.decode() == "Your login has expired. Sign in again in another tab; what you typed is kept."
    assert not Note.objects.exists()


def test_an_htmx_poll_without_login_gets_401(client, running):
    response = client.get(reverse("sessions:live", args=[running.pk]), headers=HTMX)

    assert response.status_code == 401
    assert json.loads(response["HX-Trigger"])["loginRequired"]["loginUrl"] == (
        f"/accounts/login/?next=/sessies/{running.pk}/stand/"
    )


def test_a_foreign_current_url_is_not_used_as_next(client, running):
    response = client.post(
        create_url(running),
        note_data(running, "x", "tok-5"),
        headers={**HTMX, "HX-Current-URL": "https://evil.example/phish"},
    )

    assert response.status_code == 401
    # Back to the endpoint itself rather than to another site.
    assert json.loads(response["HX-Trigger"])["loginRequired"]["loginUrl"] == (
        f"/accounts/login/?next=/sessies/{running.pk}/notities/"
    )


def test_a_plain_get_without_login_still_redirects_to_the_login_page(client, running):
    response = client.get(reverse("sessions:notes", args=[running.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/sessies/{running.pk}/notuleren/"


def test_a_plain_post_without_login_still_redirects_to_the_login_page(client, running):
    response = client.post(create_url(running), note_data(running, "x", "tok-6"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Note.objects.exists()


def test_an_htmx_request_with_a_login_is_not_touched(client, running, secretary):
    client.force_login(secretary)

    response = client.get(reverse("sessions:notes", args=[running.pk]), headers=HTMX)

    assert response.status_code == 200


# One note per token, also when two requests both miss the lookup


def test_a_token_that_loses_the_race_returns_the_stored_note(running, secretary, monkeypatch):
    first = harvest.add_note(
        running,
        block_id=running.current_block_id,
        text="Eerste",
        tag=NoteTag.HARVEST,
        author=secretary,
        client_token="race",
    )
    version = Session.objects.get(pk=running.pk).version
    # The concurrent request's lookup ran before the first insert was committed: it saw nothing.
    original_first = NoteQuerySet.first
    misses = []

    def first_misses_once(queryset):
        if not misses:
            misses.append(True)
            return None
        return original_first(queryset)

    monkeypatch.setattr(NoteQuerySet, "first", first_misses_once)

    again = harvest.add_note(
        running,
        block_id=running.current_block_id,
        text="Eerste",
        tag=NoteTag.HARVEST,
        author=secretary,
        client_token="race",
    )

    assert misses == [True]
    assert again.pk == first.pk
    assert Note.objects.filter(client_token="race").count() == 1
    # Nothing changed, so the live views have nothing to pick up.
    assert Session.objects.get(pk=running.pk).version == version
