"""Notes, the key harvest and agreements: the secretary's endpoints."""

import pytest
from django.urls import reverse

from sessies import harvest
from sessies.models import NOTE_MAX_LENGTH, Agreement, Note, NoteTag, Session
from tests.conftest import HTMX
from tests.factories import SessionFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def note(running, secretary):
    return harvest.add_note(
        running,
        block_id=running.current_block_id,
        text="Signalen komen te laat binnen",
        tag=NoteTag.HARVEST,
        author=secretary,
    )


def version_of(session):
    return Session.objects.get(pk=session.pk).version


def create_url(session):
    return reverse("sessions:note_create", args=[session.pk])


def note_data(session, text, **extra):
    data = {"text": text, "tag": NoteTag.HARVEST, "block": session.current_block_id, "question": "", "client_token": ""}
    data.update(extra)
    return data


# Creating notes


def test_it_creates_a_note_with_htmx(client, running, secretary):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, "Huisartsen zien het eerst"), headers=HTMX)

    assert response.status_code == 200
    note = Note.objects.get()
    assert (note.text, note.tag, note.is_key, note.author) == (
        "Huisartsen zien het eerst",
        NoteTag.HARVEST,
        False,
        secretary,
    )
    assert note.block_id == running.current_block_id
    assert note.question is None
    content = response.content.decode()
    # The answer is the note, put first in its (empty) group, and the counts: not the whole harvest.
    assert f'hx-swap-oob="afterbegin:#notes-{note.block_id}-0"' in content
    assert f'id="note-{note.pk}"' in content and 'id="harvest"' not in content
    assert '<span class="text-muted small" id="harvest-count" hx-swap-oob="true">(1)</span>' in content
    assert "Huisartsen zien het eerst" in content
    assert version_of(running) == running.version + 1


def test_it_creates_a_note_for_a_question_with_a_plain_post(client, running, secretary):
    second = running.blocks.get(order=2)
    question = second.outline.main_questions()[0]
    client.force_login(secretary)

    response = client.post(
        create_url(running), note_data(running, "Wachtlijsten", block=second.pk, question=question.pk)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:notes", args=[running.pk])
    note = Note.objects.get()
    assert (note.block, note.question) == (second, question)


def test_it_refuses_a_question_of_another_block(client, running, secretary):
    other_question = running.blocks.get(order=3).outline.main_questions()[0]
    client.force_login(secretary)

    response = client.post(
        create_url(running), note_data(running, "Verkeerde vraag", question=other_question.pk), headers=HTMX
    )

    assert response.status_code == 422
    assert "That question does not belong to the chosen block." in response.content.decode()
    assert not Note.objects.exists()


def test_it_refuses_a_block_of_another_session(client, running, secretary, project, facilitator):
    other = SessionFactory(project=project, title="Andere", facilitator=facilitator, secretary=secretary)
    client.force_login(secretary)

    response = client.post(
        create_url(running), note_data(running, "Elders", block=other.blocks.first().pk), headers=HTMX
    )

    assert response.status_code == 422
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "typed, text, tag, starred",
    [
        ("a: Let op privacy", "Let op privacy", NoteTag.ATTENTION, False),
        ("af: Olga belt de GGD", "Olga belt de GGD", NoteTag.AGREEMENT, False),
        ("c: 'Ik werd van loket naar loket gestuurd'", "'Ik werd van loket naar loket gestuurd'", NoteTag.QUOTE, False),
        ("* Vroeg signaleren werkt", "Vroeg signaleren werkt", NoteTag.HARVEST, True),
        ("*a: Belangrijk aandachtspunt", "Belangrijk aandachtspunt", NoteTag.ATTENTION, True),
        ("A: hoofdletters", "hoofdletters", NoteTag.ATTENTION, False),
        ("Gewoon: een dubbele punt", "Gewoon: een dubbele punt", NoteTag.HARVEST, False),
        ("a:", "a:", NoteTag.HARVEST, False),
    ],
)
def test_it_tags_a_note_by_its_prefix(client, running, secretary, typed, text, tag, starred):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, typed), headers=HTMX)

    assert response.status_code == 200
    note = Note.objects.get()
    assert (note.text, note.tag, note.is_key) == (text, tag, starred)


def test_it_does_not_duplicate_a_retried_note(client, running, secretary):
    client.force_login(secretary)
    data = note_data(running, "Eén keer opslaan", client_token="b2c4-retry")
    client.post(create_url(running), data, headers=HTMX)
    version = version_of(running)

    response = client.post(create_url(running), data, headers=HTMX)

    assert response.status_code == 200
    assert Note.objects.filter(text="Eén keer opslaan").count() == 1
    assert version_of(running) == version


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_it_refuses_an_empty_note_quietly(client, running, secretary, text):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, text), headers=HTMX)

    assert response.status_code == 422
    assert not Note.objects.exists()
    assert version_of(running) == running.version


def test_it_refuses_a_note_that_is_too_long_and_keeps_the_text(client, running, secretary):
    text = "x" * (NOTE_MAX_LENGTH + 1)
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, text))

    assert response.status_code == 422
    content = response.content.decode()
    assert "A note can be at most 10000 characters (this one has 10001)." in content
    assert f">{text}</textarea>" in content
    assert not Note.objects.exists()


def test_it_tells_htmx_why_a_note_is_too_long(client, running, secretary):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, "y" * (NOTE_MAX_LENGTH + 1)), headers=HTMX)

    assert response.status_code == 422
    assert "A note can be at most 10000 characters" in response.content.decode()
    assert not Note.objects.exists()


def test_it_accepts_a_note_of_exactly_the_maximum(client, running, secretary):
    client.force_login(secretary)

    response = client.post(create_url(running), note_data(running, "z" * NOTE_MAX_LENGTH), headers=HTMX)

    assert response.status_code == 200
    assert len(Note.objects.get().text) == NOTE_MAX_LENGTH


def test_it_stores_text_as_typed(client, running, secretary):
    client.force_login(secretary)
    typed = '  <script>alert(1)</script>\nregel twee & "meer"  '

    response = client.post(create_url(running), note_data(running, typed), headers=HTMX)

    assert response.status_code == 200
    assert Note.objects.get().text == typed
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_it_lets_the_facilitator_write_a_note(client, running, facilitator):
    client.force_login(facilitator)

    response = client.post(create_url(running), note_data(running, "Van de gespreksleider"), headers=HTMX)

    assert response.status_code == 200
    assert Note.objects.get().author == facilitator


def test_it_lets_an_admin_write_a_note(client, running, admin_user):
    client.force_login(admin_user)

    response = client.post(create_url(running), note_data(running, "Van de beheerder"))

    assert response.status_code == 302
    assert Note.objects.get().author == admin_user


def test_it_refuses_notes_from_a_researcher(client, running, researcher):
    client.force_login(researcher)

    response = client.post(create_url(running), note_data(running, "Mag ik ook?"), headers=HTMX)

    assert response.status_code == 403
    assert not Note.objects.exists()


def test_it_keeps_the_outsider_out(client, running, outsider):
    client.force_login(outsider)

    response = client.post(create_url(running), note_data(running, "Ongevraagd"))

    assert response.status_code == 404
    assert not Note.objects.exists()


def test_it_shows_a_new_note_in_the_facilitators_next_poll(client, running, secretary, facilitator):
    client.force_login(secretary)
    client.post(create_url(running), note_data(running, "Nieuwe opbrengst voor de regie"), headers=HTMX)
    client.force_login(facilitator)

    response = client.get(
        reverse("sessions:live", args=[running.pk]), {"view": "run", "v": running.version}, headers=HTMX
    )

    assert response.status_code == 200
    assert "Nieuwe opbrengst voor de regie" in response.content.decode()


# Editing


def edit_url(note):
    return reverse("sessions:note_edit", args=[note.session_id, note.pk])


def test_it_shows_the_editor(client, note, secretary):
    client.force_login(secretary)

    response = client.get(edit_url(note), headers=HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="note-editor' in content
    assert 'name="version" value="1"' in content
    assert "Signalen komen te laat binnen</textarea>" in content


def test_it_edits_a_note_with_its_version(client, note, secretary):
    client.force_login(secretary)
    version = version_of(note.session)

    response = client.post(
        edit_url(note), {"text": "Signalen komen veel te laat", "tag": NoteTag.ATTENTION, "version": 1}, headers=HTMX
    )

    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.text, note.tag, note.version) == ("Signalen komen veel te laat", NoteTag.ATTENTION, 2)
    assert "Signalen komen veel te laat" in response.content.decode()
    assert version_of(note.session) == version + 1


def test_it_redirects_a_plain_edit_to_the_secretary_view(client, note, secretary):
    client.force_login(secretary)

    response = client.post(edit_url(note), {"text": "Aangepast", "tag": NoteTag.HARVEST, "version": 1})

    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:notes", args=[note.session_id])
    note.refresh_from_db()
    assert note.text == "Aangepast"


def test_it_shows_both_texts_on_a_conflicting_edit(client, note, secretary, facilitator):
    harvest.edit_note(note, text="Tekst van de gespreksleider", tag=NoteTag.HARVEST, expected_version=1, by=facilitator)
    client.force_login(secretary)

    response = client.post(
        edit_url(note), {"text": "Tekst van de secretaris", "tag": NoteTag.HARVEST, "version": 1}, headers=HTMX
    )

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed this note meanwhile." in content
    assert '<blockquote class="mb-1 conflict-theirs">Tekst van de gespreksleider</blockquote>' in content
    assert "Tekst van de secretaris</textarea>" in content
    assert 'name="version" value="2"' in content
    note.refresh_from_db()
    assert (note.text, note.version) == ("Tekst van de gespreksleider", 2)


def test_it_saves_again_with_the_current_version_after_a_conflict(client, note, secretary, facilitator):
    harvest.edit_note(note, text="Tekst van de gespreksleider", tag=NoteTag.HARVEST, expected_version=1, by=facilitator)
    client.force_login(secretary)

    response = client.post(
        edit_url(note), {"text": "Tekst van de secretaris", "tag": NoteTag.QUOTE, "version": 2}, headers=HTMX
    )

    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.text, note.tag, note.version) == ("Tekst van de secretaris", NoteTag.QUOTE, 3)


def test_it_refuses_an_empty_edit(client, note, secretary):
    client.force_login(secretary)

    response = client.post(edit_url(note), {"text": "  ", "tag": NoteTag.HARVEST, "version": 1}, headers=HTMX)

    assert response.status_code == 422
    note.refresh_from_db()
    assert (note.text, note.version) == ("Signalen komen te laat binnen", 1)


def test_it_refuses_a_too_long_edit_and_keeps_the_text(client, note, secretary):
    text = "e" * (NOTE_MAX_LENGTH + 1)
    client.force_login(secretary)

    response = client.post(edit_url(note), {"text": text, "tag": NoteTag.HARVEST, "version": 1}, headers=HTMX)

    assert response.status_code == 422
    content = response.content.decode()
    assert "A note can be at most 10000 characters" in content
    assert f">{text}</textarea>" in content
    note.refresh_from_db()
    assert note.version == 1


def test_it_refuses_edits_from_a_researcher(client, note, researcher):
    client.force_login(researcher)

    response = client.post(edit_url(note), {"text": "Overschreven", "tag": NoteTag.HARVEST, "version": 1})

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.text == "Signalen komen te laat binnen"


def test_it_keeps_the_outsider_from_editing(client, note, outsider):
    client.force_login(outsider)

    response = client.post(edit_url(note), {"text": "Overschreven", "tag": NoteTag.HARVEST, "version": 1})

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.text == "Signalen komen te laat binnen"


def test_it_answers_404_for_a_note_of_another_session(client, note, secretary, project, facilitator):
    other = SessionFactory(project=project, title="Andere", facilitator=facilitator, secretary=secretary)
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:note_edit", args=[other.pk, note.pk]),
        {"text": "Via een andere sessie", "tag": NoteTag.HARVEST, "version": 1},
    )

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.text == "Signalen komen te laat binnen"


# Deleting and undoing


def test_it_deletes_a_note_and_offers_undo(client, note, secretary):
    client.force_login(secretary)
    version = version_of(note.session)

    response = client.post(reverse("sessions:note_delete", args=[note.session_id, note.pk]), headers=HTMX)

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.deleted_at is not None
    assert not Note.objects.alive().exists()
    content = response.content.decode()
    assert reverse("sessions:note_restore", args=[note.session_id, note.pk]) in content
    assert "Signalen komen te laat binnen</span>" not in content
    assert version_of(note.session) == version + 1


def test_it_restores_a_deleted_note(client, note, secretary):
    harvest.delete_note(note)
    client.force_login(secretary)

    response = client.post(reverse("sessions:note_restore", args=[note.session_id, note.pk]), headers=HTMX)

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.deleted_at is None
    assert "Signalen komen te laat binnen" in response.content.decode()


def test_it_deletes_with_a_plain_post(client, note, secretary):
    client.force_login(secretary)

    response = client.post(reverse("sessions:note_delete", args=[note.session_id, note.pk]))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.deleted_at is not None


def test_it_refuses_deletion_by_a_researcher(client, note, researcher):
    client.force_login(researcher)

    response = client.post(reverse("sessions:note_delete", args=[note.session_id, note.pk]))

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.deleted_at is None


# The key harvest


def star_url(note):
    return reverse("sessions:note_star", args=[note.session_id, note.pk])


def test_it_stars_a_note(client, note, secretary):
    client.force_login(secretary)

    response = client.post(star_url(note), {"is_key": "1", "from": "notes"}, headers=HTMX)

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.is_key
    assert "Key harvest" in response.content.decode()


def test_it_unstars_a_note(client, note, secretary):
    harvest.set_key_harvest(note, True)
    client.force_login(secretary)

    response = client.post(star_url(note), {"is_key": "0", "from": "notes"}, headers=HTMX)

    assert response.status_code == 200
    note.refresh_from_db()
    assert not note.is_key


def test_it_stars_a_note_from_the_run_view(client, note, facilitator):
    client.force_login(facilitator)

    response = client.post(star_url(note), {"is_key": "1", "from": "run"}, headers=HTMX)

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.is_key
    content = response.content.decode()
    # Only that note and the key harvest's count: the timeline did not change.
    assert f'<li class="harvest-note mb-2" id="run-note-{note.pk}">' in content and "starred" in content
    assert 'id="key-count" title="key harvest" hx-swap-oob="true">★ 1<' in content
    assert 'id="run-panel"' not in content and 'id="harvest-panel"' not in content


def test_it_redirects_a_plain_star_from_the_run_view_back_to_it(client, note, facilitator):
    client.force_login(facilitator)

    response = client.post(star_url(note), {"is_key": "1", "from": "run"})

    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:run", args=[note.session_id])
    note.refresh_from_db()
    assert note.is_key


def test_it_refuses_stars_from_a_researcher(client, note, researcher):
    client.force_login(researcher)

    response = client.post(star_url(note), {"is_key": "1"})

    assert response.status_code == 403
    note.refresh_from_db()
    assert not note.is_key


# Agreements


def test_it_creates_an_agreement(client, running, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:agreement_create", args=[running.pk]),
        {"who": "Olga", "what": "Belt de GGD over de pilot", "when": "voor 1 juni", "block": running.current_block_id},
        headers=HTMX,
    )

    assert response.status_code == 200
    agreement = Agreement.objects.get()
    assert (agreement.who, agreement.what, agreement.when) == ("Olga", "Belt de GGD over de pilot", "voor 1 juni")
    assert agreement.block_id == running.current_block_id
    assert "Belt de GGD over de pilot" in response.content.decode()
    assert version_of(running) == running.version + 1


def test_it_refuses_an_agreement_without_what(client, running, secretary):
    client.force_login(secretary)

    response = client.post(reverse("sessions:agreement_create", args=[running.pk]), {"who": "Olga", "what": ""})

    assert response.status_code == 422
    assert not Agreement.objects.exists()


def test_it_deletes_an_agreement(client, running, secretary):
    agreement = Agreement.objects.create(session=running, who="Bram", what="Stuurt de notulen door")
    client.force_login(secretary)

    response = client.post(reverse("sessions:agreement_delete", args=[running.pk, agreement.pk]), headers=HTMX)

    assert response.status_code == 200
    assert not Agreement.objects.exists()
    assert "Stuurt de notulen door" not in response.content.decode()
    assert version_of(running) == running.version + 1


def test_it_refuses_agreements_from_a_researcher(client, running, researcher):
    agreement = Agreement.objects.create(session=running, who="Bram", what="Stuurt de notulen door")
    client.force_login(researcher)

    response = client.post(reverse("sessions:agreement_delete", args=[running.pk, agreement.pk]))

    assert response.status_code == 403
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_cancelling_an_editor_brings_back_only_that_note(client, note, secretary, django_assert_max_num_queries):
    client.force_login(secretary)
    url = reverse("sessions:note_edit", args=[note.session_id, note.pk])

    with django_assert_max_num_queries(8):
        response = client.get(url, {"part": "note"}, headers=HTMX)

    content = response.content.decode()
    assert content.startswith('<li class="note mb-1" id="note-') and "Signalen komen te laat binnen" in content
    assert 'id="harvest"' not in content


def test_cancelling_an_editor_of_a_note_deleted_meanwhile_removes_it(client, note, secretary):
    harvest.delete_note(note)
    client.force_login(secretary)

    response = client.get(
        reverse("sessions:note_edit", args=[note.session_id, note.pk]), {"part": "note"}, headers=HTMX
    )

    assert response.status_code == 200 and response.content == b""
