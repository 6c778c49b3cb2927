"""A note deleted in another tab: every action on it says so and keeps what was typed."""

import pytest
from django.urls import reverse

from sessies import harvest
from sessies.models import Agreement, Note
from tests.conftest import HTMX

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def gone(running, secretary):
    note = harvest.add_note(
        running, block_id=running.current_block_id, text="Verdwenen opbrengst", tag="opbrengst", author=secretary
    )
    harvest.delete_note(note)
    return note


def url(name, note):
    return reverse(f"sessions:{name}", args=[note.session_id, note.pk])


@pytest.mark.parametrize("name", ["note_delete", "note_star"])
def test_it_says_the_note_was_deleted_meanwhile(client, gone, secretary, name):
    client.force_login(secretary)

    response = client.post(url(name, gone), {"is_key": "1"}, headers=HTMX)

    assert response.status_code == 409
    assert "This note was deleted meanwhile" in response.content.decode()
    assert 'id="harvest"' in response.content.decode()
    gone.refresh_from_db()
    assert gone.deleted_at is not None
    assert gone.is_key is False


def test_it_answers_the_run_view_with_its_own_live_partial(client, gone, facilitator):
    client.force_login(facilitator)

    response = client.post(url("note_star", gone), {"is_key": "1", "from": "run"}, headers=HTMX)

    assert response.status_code == 409
    assert "This note was deleted meanwhile" in response.content.decode()
    assert 'id="poller"' in response.content.decode()


def test_it_keeps_the_typed_edit_of_a_note_deleted_meanwhile(client, gone, secretary):
    client.force_login(secretary)

    response = client.post(
        url("note_edit", gone),
        {"text": "Mijn verbeterde tekst", "tag": "opbrengst", "version": gone.version + 1},
        headers=HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert "Someone deleted this note meanwhile." in content
    assert "Mijn verbeterde tekst" in content
    assert Note.objects.get(pk=gone.pk).text == "Verdwenen opbrengst"


def test_it_redirects_a_plain_post_with_a_message(client, gone, secretary):
    client.force_login(secretary)

    response = client.post(url("note_delete", gone), follow=True)

    assert response.redirect_chain[-1][0] == reverse("sessions:notes", args=[gone.session_id])
    assert "This note was deleted meanwhile" in response.content.decode()


def test_it_restores_once_when_restored_twice(client, gone, secretary):
    client.force_login(secretary)

    first = client.post(url("note_restore", gone), headers=HTMX)
    second = client.post(url("note_restore", gone), headers=HTMX)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Note.objects.alive().filter(pk=gone.pk).count() == 1


def test_it_treats_an_agreement_deleted_meanwhile_as_deleted(client, running, secretary):
    agreement = Agreement.objects.create(session=running, who="Bram", what="Stuurt de notulen door")
    client.force_login(secretary)
    delete_url = reverse("sessions:agreement_delete", args=[running.pk, agreement.pk])

    first = client.post(delete_url, headers=HTMX)
    second = client.post(delete_url, headers=HTMX)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Stuurt de notulen door" not in second.content.decode()
    assert not Agreement.objects.exists()


def test_it_still_hides_notes_of_other_sessions(client, gone, outsider):
    client.force_login(outsider)

    response = client.post(url("note_delete", gone), headers=HTMX)

    assert response.status_code == 404
