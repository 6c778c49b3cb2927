"""The harvest in the research: notes beside the framework's attention points (kader.evidence, sessies.evidence).

A note bears on a point through its question (the script step it was copied from links the
point) or because the secretary linked it directly. The project page and each phase checklist
show them, to those who may see the project, with a link to the session's report.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from draaiboeken.models import Step
from kader.evidence import evidence_for
from kader.models import AttentionPoint
from sessies import harvest
from sessies.models import Note, NoteTag, Session, SessionStep
from tests.conftest import HTMX, make_user
from tests.factories import ResearchProjectFactory, SessionFactory

pytestmark = pytest.mark.usefixtures("english")

WHY_QUESTION = "De WAAROM-vraag"


def why_point():
    """The attention point the script links its WAAROM question to (1.1 in the framework)."""
    return Step.objects.get(text__startswith=WHY_QUESTION).attention_points.get()


def copied_question(session, text=WHY_QUESTION):
    return SessionStep.objects.get(block__session=session, text__startswith=text)


def note_under(session, question, text, *, author):
    return harvest.add_note(
        session, block_id=question.block_id, question_id=question.pk, text=text, tag=NoteTag.HARVEST, author=author
    )


def plain_note(session, text, *, author):
    return harvest.add_note(
        session, block_id=session.blocks.first().pk, text=text, tag=NoteTag.ATTENTION, author=author
    )


def checklist_url(project, number=1):
    return reverse("projects:checklist", args=[project.pk, number])


def report_url(session):
    return reverse("sessions:report", args=[session.pk])


def entry_html(content, point):
    """The checklist card of one point."""
    match = re.search(rf'<article[^>]*id="entry-{point.pk}".*?</article>', content, re.S)
    assert match, f"no card for {point}"
    return match.group(0)


@pytest.fixture
def second(project, facilitator, secretary):
    return SessionFactory(
        project=project,
        title="Gesprekstafel 1 – tweede ronde",
        starts_at=timezone.now() - timezone.timedelta(days=14),
        facilitator=facilitator,
        secretary=secretary,
    )


@pytest.fixture
def elsewhere(library, facilitator, secretary):
    """A session of another project, on the same script."""
    other = ResearchProjectFactory(title="Ander project")
    return SessionFactory(project=other, title="Tafel elders", facilitator=facilitator, secretary=secretary)


@pytest.fixture
def harvest_on_why(session, second, elsewhere, secretary):
    """Notes on the WAAROM point: through the question (first session), linked directly (second), and others."""
    point = why_point()
    note_under(session, copied_question(session), "* Professionals willen eerder signaleren", author=secretary)
    direct = plain_note(second, "Huisartsen missen een aanspreekpunt", author=secretary)
    harvest.set_attention_point(direct, point.pk)
    gone = note_under(second, copied_question(second), "Verwijderde notitie", author=secretary)
    harvest.delete_note(gone)
    note_under(
        session, copied_question(session, "Terugblikken en rondkijken"), "Eerder onderzoek in Zeist", author=secretary
    )
    note_under(elsewhere, copied_question(elsewhere), "Uit een ander project", author=secretary)
    harvest.set_attention_point(plain_note(elsewhere, "Ook van elders", author=secretary), point.pk)
    plain_note(session, "Zonder aandachtspunt", author=secretary)
    return point


# The checklist and the project page


def test_a_checklist_item_shows_the_notes_of_two_sessions_of_its_project(
    client, researcher, project, session, second, harvest_on_why
):
    client.force_login(researcher)

    response = client.get(checklist_url(project))

    assert response.status_code == 200
    card = entry_html(response.content.decode(), harvest_on_why)
    assert "Professionals willen eerder signaleren" in card
    assert "Huisartsen missen een aanspreekpunt" in card
    assert f'href="{report_url(session)}"' in card
    assert f'href="{report_url(second)}"' in card
    assert "Report of Gesprekstafel 1 – tweede ronde" in card
    assert "From the sessions" in card and "(2)" in card
    for absent in (
        "Verwijderde notitie",
        "Uit een ander project",
        "Ook van elders",
        "Eerder onderzoek in Zeist",
        "Zonder aandachtspunt",
    ):
        assert absent not in card


def test_the_key_harvest_is_marked_and_comes_first(client, researcher, project, harvest_on_why):
    client.force_login(researcher)

    card = entry_html(client.get(checklist_url(project)).content.decode(), harvest_on_why)

    items = re.findall(r'<li class="evidence-item[^"]*">.*?</li>', card, re.S)
    assert len(items) == 2
    assert (
        'class="evidence-item mb-2 evidence-key"' in items[0] and "Professionals willen eerder signaleren" in items[0]
    )
    assert "Key harvest" in items[0] and "★" in items[0]
    assert "evidence-key" not in items[1] and "★" not in items[1]


def test_another_point_shows_the_notes_under_its_own_question(client, researcher, project, harvest_on_why):
    client.force_login(researcher)
    point = Step.objects.get(text__startswith="Terugblikken en rondkijken").attention_points.get()
    assert point != harvest_on_why

    card = entry_html(client.get(checklist_url(project)).content.decode(), point)

    assert "Eerder onderzoek in Zeist" in card
    assert "Professionals willen eerder signaleren" not in card


def test_a_point_without_notes_shows_no_evidence(client, researcher, project, harvest_on_why):
    client.force_login(researcher)
    point = AttentionPoint.objects.get(phase__number=1, number=3)

    card = entry_html(client.get(checklist_url(project)).content.decode(), point)

    assert "From the sessions" not in card


def test_the_evidence_stays_after_saving_the_item(client, researcher, project, harvest_on_why):
    point = harvest_on_why
    client.force_login(researcher)
    prefix = f"p{point.pk}"
    data = {f"{prefix}-status": "in_gesprek", f"{prefix}-note": "Besproken", f"{prefix}-version": 0}

    response = client.post(reverse("projects:checklist_entry", args=[project.pk, point.pk]), data, headers=HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Huisartsen missen een aanspreekpunt" in content and "Professionals willen eerder signaleren" in content


def test_the_project_page_shows_the_harvest_per_point(client, researcher, project, session, second, harvest_on_why):
    client.force_login(researcher)

    response = client.get(project.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    section = content[content.index('class="mt-4 project-evidence"') :]
    assert f"{harvest_on_why.code} {harvest_on_why.title}" in section
    assert "(2 notes · " in section and "1 key harvest)" in section
    assert "Professionals willen eerder signaleren" in section
    assert "Huisartsen missen een aanspreekpunt" in section
    assert "Eerder onderzoek in Zeist" in section
    assert f'href="{report_url(second)}"' in section
    for absent in ("Verwijderde notitie", "Uit een ander project", "Ook van elders", "Zonder aandachtspunt"):
        assert absent not in content


def test_the_project_page_says_when_nothing_is_linked_yet(client, researcher, project, session):
    client.force_login(researcher)

    content = client.get(project.get_absolute_url()).content.decode()

    assert "No notes from this project's sessions bear on an attention point yet." in content


def test_someone_who_sees_the_project_but_not_its_sessions_sees_no_notes(
    client, django_user_model, project, harvest_on_why
):
    """Seeing every project is not seeing every session: the notes stay with the sessions' rule."""
    reader = make_user(django_user_model, "rita")
    reader.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    client.force_login(reader)

    checklist = client.get(checklist_url(project))
    page = client.get(project.get_absolute_url())

    assert checklist.status_code == page.status_code == 200
    for content in (checklist.content.decode(), page.content.decode()):
        assert "Professionals willen eerder signaleren" not in content
        assert "Huisartsen missen een aanspreekpunt" not in content


def test_an_outsider_gets_no_checklist_and_no_project_page(client, outsider, project, harvest_on_why):
    client.force_login(outsider)

    assert client.get(checklist_url(project)).status_code == 404
    assert client.get(project.get_absolute_url()).status_code == 404


def test_evidence_for_gives_plain_values(project, session, researcher, harvest_on_why):
    found = evidence_for(project, [harvest_on_why], user=researcher)

    (first, second) = found[harvest_on_why.pk]
    assert (first.text, first.is_key, first.tag_label, first.session_title) == (
        "Professionals willen eerder signaleren",
        True,
        "harvest",
        "Gesprekstafel 1 – Vroegsignalering",
    )
    assert first.report_url == report_url(session)
    assert first.session_date == session.starts_at
    assert second.tag_label == "point of attention"
    assert evidence_for(project, [], user=researcher) == {}


def add_linked_sessions(project, facilitator, secretary, add_notes, count):
    """`count` more sessions of the project with notes under the linked questions, some linked directly."""
    points = list(AttentionPoint.objects.filter(phase__number=1))
    for index in range(count):
        extra = SessionFactory(
            project=project, title=f"Extra tafel {index}", facilitator=facilitator, secretary=secretary
        )
        add_notes(extra, 30)
        loose = Note.objects.filter(session=extra, question=None)
        for position, note in enumerate(loose):
            Note.objects.filter(pk=note.pk).update(attention_point=points[position % len(points)])


def test_the_checklist_query_count_does_not_grow_with_notes_and_sessions(
    client, researcher, project, facilitator, secretary, harvest_on_why, add_notes, django_assert_num_queries
):
    client.force_login(researcher)
    url = checklist_url(project)
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    add_linked_sessions(project, facilitator, secretary, add_notes, 4)

    with django_assert_num_queries(len(baseline)):
        response = client.get(url)

    assert response.status_code == 200
    card = entry_html(response.content.decode(), harvest_on_why)
    assert "Extra tafel 3" in card and "Extra tafel 0" in card


def test_the_project_page_query_count_does_not_grow_with_notes_and_sessions(
    client, researcher, project, facilitator, secretary, harvest_on_why, add_notes, django_assert_num_queries
):
    client.force_login(researcher)
    url = project.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    add_linked_sessions(project, facilitator, secretary, add_notes, 4)

    with django_assert_num_queries(len(baseline)):
        response = client.get(url)

    assert response.status_code == 200
    assert "Report of Extra tafel 3" in response.content.decode()


# Linking a note directly, in the secretary's notes view


@pytest.fixture
def note(running, secretary):
    return plain_note(running, "Wachtlijsten bij de schuldhulp", author=secretary)


def point_url(note):
    return reverse("sessions:note_edit", args=[note.session_id, note.pk])


def test_the_secretary_opens_the_point_editor(client, secretary, note):
    point = why_point()
    harvest.set_attention_point(note, point.pk)
    client.force_login(secretary)

    response = client.get(point_url(note), {"part": "point"}, headers=HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="part" value="point"' in content
    assert '<optgroup label="Phase 1: ' in content and '<optgroup label="Phase 3: ' in content
    assert f'<option value="{point.pk}" selected>{point.code} {point.title}</option>' in content
    assert '<option value="">(none)</option>' in content


def test_the_secretary_links_a_note_to_a_point(client, secretary, note):
    point = why_point()
    version = Session.objects.get(pk=note.session_id).version
    client.force_login(secretary)

    response = client.post(point_url(note), {"part": "point", "attention_point": point.pk}, headers=HTMX)

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.attention_point == point
    assert note.version == 2
    assert Session.objects.get(pk=note.session_id).version == version + 1
    content = response.content.decode()
    # The answer is the note itself, replacing its editor, not the whole harvest.
    assert f'id="note-{note.pk}"' in content
    assert 'id="harvest"' not in content
    assert f'<span class="visually-hidden">Attention point: </span>{point.code} ' in content


def test_the_secretary_unlinks_a_note(client, secretary, note):
    harvest.set_attention_point(note, why_point().pk)
    client.force_login(secretary)

    response = client.post(point_url(note), {"part": "point", "attention_point": ""})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.attention_point is None


def test_a_linked_note_shows_on_the_checklist(client, secretary, researcher, project, note):
    point = why_point()
    client.force_login(secretary)
    client.post(point_url(note), {"part": "point", "attention_point": point.pk}, headers=HTMX)
    client.force_login(researcher)

    card = entry_html(client.get(checklist_url(project)).content.decode(), point)

    assert "Wachtlijsten bij de schuldhulp" in card


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_an_unknown_point_is_refused_with_a_message(client, secretary, note, value):
    harvest.set_attention_point(note, why_point().pk)
    client.force_login(secretary)

    response = client.post(point_url(note), {"part": "point", "attention_point": value}, headers=HTMX)

    assert response.status_code == 422
    assert "Choose one of the listed attention points." in response.content.decode()
    note.refresh_from_db()
    assert (note.attention_point, note.version) == (why_point(), 2)


def test_the_domain_refuses_an_unknown_point(note):
    with pytest.raises(harvest.HarvestError, match="Choose one of the listed attention points."):
        harvest.set_attention_point(note, 999999)
    note.refresh_from_db()
    assert note.attention_point is None


def test_a_researcher_may_not_link_a_note(client, researcher, note):
    client.force_login(researcher)

    response = client.post(point_url(note), {"part": "point", "attention_point": why_point().pk})

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.attention_point is None
    assert client.get(point_url(note), {"part": "point"}).status_code == 403


def test_an_outsider_may_not_link_a_note(client, outsider, note):
    client.force_login(outsider)

    response = client.post(point_url(note), {"part": "point", "attention_point": why_point().pk})

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.attention_point is None


def test_linking_a_deleted_note_says_it_is_gone(client, secretary, note):
    harvest.delete_note(note)
    client.force_login(secretary)

    response = client.post(point_url(note), {"part": "point", "attention_point": why_point().pk}, headers=HTMX)

    assert response.status_code == 409
    note.refresh_from_db()
    assert note.attention_point is None


def test_the_notes_view_does_not_grow_with_linked_notes(
    client, running, secretary, add_notes, django_assert_num_queries
):
    points = list(AttentionPoint.objects.all())
    client.force_login(secretary)
    add_notes(running, 10)
    Note.objects.filter(session=running).update(attention_point=points[0])
    url = reverse("sessions:notes", args=[running.pk])
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    add_notes(running, 60, start=10)
    for index, note in enumerate(Note.objects.filter(session=running, attention_point=None)):
        Note.objects.filter(pk=note.pk).update(attention_point=points[index % len(points)])

    with django_assert_num_queries(len(baseline)):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('class="badge text-bg-light border note-point"') == 70


def test_the_notes_poll_does_not_grow_with_linked_notes(
    client, running, secretary, add_notes, django_assert_num_queries
):
    point = AttentionPoint.objects.first()
    client.force_login(secretary)
    url = reverse("sessions:live", args=[running.pk])
    add_notes(running, 10)
    Note.objects.update(attention_point=point)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url, {"view": "notes", "v": 0}, headers=HTMX).status_code == 200
    add_notes(running, 60, start=10)
    Note.objects.update(attention_point=point)

    with django_assert_num_queries(len(baseline)):
        response = client.get(url, {"view": "notes", "v": 0}, headers=HTMX)

    assert response.content.decode().count('class="badge text-bg-light border note-point"') == 70
