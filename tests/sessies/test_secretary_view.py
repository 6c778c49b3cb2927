"""The secretary's view: the note form, the harvest per block and question, agreements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from draaiboeken.models import StepKind
from sessies import harvest, timeline
from sessies.models import Agreement, SessionStep
from tests.conftest import HTMX

pytestmark = pytest.mark.usefixtures("english")


def notes_url(session):
    return reverse("sessions:notes", args=[session.pk])


def test_it_shows_the_note_form_on_the_current_block(client, running, secretary):
    second = running.blocks.get(order=2)
    s = timeline.advance_to_next_block(running.pk, running.timeline_version)
    client.force_login(secretary)

    response = client.get(notes_url(s))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="note-form"' in content
    assert reverse("sessions:note_create", args=[s.pk]) in content
    assert f'<option value="{second.pk}" selected>' in content
    questions = second.steps.filter(kind=StepKind.QUESTION)
    assert len(questions) >= 2
    for question in questions:
        assert f'<option value="{question.pk}" data-block="{second.pk}">' in content
    for step in second.steps.exclude(kind=StepKind.QUESTION):
        assert f'<option value="{step.pk}"' not in content
    assert 'class="agreement-form"' in content and 'name="who"' in content


def test_it_shows_the_first_block_before_the_start(client, session, secretary):
    client.force_login(secretary)

    response = client.get(notes_url(session))

    assert response.status_code == 200
    assert response.context["default_block"] == session.blocks.get(order=1)


def test_it_groups_notes_by_block_and_question(client, running, secretary):
    second = running.blocks.get(order=2)
    question = next(step for step, _subpoints in second.outline if step.is_question)
    help_question = SessionStep.objects.create(
        block=second, parent=question, order=9, kind=StepKind.QUESTION, text="Een hulpvraag"
    )
    harvest.add_note(
        running, block_id=second.pk, question_id=question.pk, text="Bij de vraag", tag="opbrengst", author=secretary
    )
    harvest.add_note(
        running,
        block_id=second.pk,
        question_id=help_question.pk,
        text="Bij de hulpvraag",
        tag="opbrengst",
        author=secretary,
    )
    harvest.add_note(running, block_id=second.pk, text="Algemeen", tag="opbrengst", author=secretary)
    client.force_login(secretary)

    response = client.get(notes_url(running))

    assert response.status_code == 200
    groups = next(g for g in response.context["note_groups"] if g.block == second).groups
    by_question = {g.question: [n.text for n in g.notes] for g in groups}
    assert by_question[question] == ["Bij de vraag", "Bij de hulpvraag"]
    assert by_question[None] == ["Algemeen"]
    content = response.content.decode()
    assert content.index(question.text) < content.index("Bij de vraag") < content.index("Algemeen")


def test_it_shows_the_key_harvest_and_agreements(client, running, secretary):
    harvest.add_note(
        running, block_id=running.current_block_id, text="* Vroeg signaleren werkt", tag="opbrengst", author=secretary
    )
    Agreement.objects.create(session=running, who="Bram", what="Plant een vervolgoverleg", when="juni")
    client.force_login(secretary)

    response = client.get(notes_url(running))

    content = response.content.decode()
    assert response.status_code == 200
    assert [n.text for n in response.context["key_notes"]] == ["Vroeg signaleren werkt"]
    assert "Key harvest" in content
    assert "<td>Bram</td><td>Plant een vervolgoverleg</td><td>juni</td>" in content


def test_it_escapes_note_text(client, running, secretary):
    harvest.add_note(
        running, block_id=running.current_block_id, text="<script>alert(1)</script>", tag="opbrengst", author=secretary
    )
    client.force_login(secretary)

    response = client.get(notes_url(running))

    content = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content


def test_it_hides_deleted_notes(client, running, secretary):
    note = harvest.add_note(
        running, block_id=running.current_block_id, text="Weg ermee", tag="opbrengst", author=secretary
    )
    harvest.delete_note(note)
    client.force_login(secretary)

    response = client.get(notes_url(running))

    assert response.status_code == 200
    assert "Weg ermee" not in response.content.decode()
    assert response.context["note_count"] == 0


def test_it_lets_a_researcher_read_without_writing(client, running, researcher, secretary):
    note = harvest.add_note(
        running,
        block_id=running.current_block_id,
        text="Zichtbaar voor onderzoekers",
        tag="opbrengst",
        author=secretary,
    )
    client.force_login(researcher)

    response = client.get(notes_url(running))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Zichtbaar voor onderzoekers" in content
    assert 'id="note-form"' not in content
    assert 'class="agreement-form"' not in content
    assert reverse("sessions:note_edit", args=[running.pk, note.pk]) not in content
    assert reverse("sessions:note_star", args=[running.pk, note.pk]) not in content


def test_it_lets_the_facilitator_write(client, running, facilitator):
    client.force_login(facilitator)

    response = client.get(notes_url(running))

    assert response.status_code == 200
    assert 'id="note-form"' in response.content.decode()


def test_it_keeps_the_outsider_out(client, running, outsider):
    client.force_login(outsider)

    response = client.get(notes_url(running))

    assert response.status_code == 404


def test_it_does_not_grow_with_the_number_of_notes(client, running, secretary, add_notes, django_assert_num_queries):
    client.force_login(secretary)
    add_notes(running, 10)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(notes_url(running)).status_code == 200
    add_notes(running, 190, start=10)

    with django_assert_num_queries(len(queries)):
        response = client.get(notes_url(running))

    assert response.status_code == 200
    assert response.context["note_count"] == 200
    assert "Opbrengst 199" in response.content.decode()


def test_it_leaves_the_agreement_form_alone_when_polled(client, running, secretary):
    """The poll swaps the agreements list; what the secretary is typing in the form stays."""
    Agreement.objects.create(session=running, who="Bram", what="Plant een vervolgoverleg")
    running.bump_version()
    client.force_login(secretary)

    response = client.get(reverse("sessions:live", args=[running.pk]), {"view": "notes", "v": 0}, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Plant een vervolgoverleg" in content
    assert 'class="agreement-form"' not in content


def test_it_renders_the_agreement_form_with_its_fields_after_a_change(client, running, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:note_create", args=[running.pk]),
        {"text": "Nog een opbrengst", "tag": "opbrengst", "block": running.current_block_id},
        headers=HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 200
    for form in content.split('class="agreement-form"')[1:]:
        assert 'name="who"' in form.split("</form>")[0]
