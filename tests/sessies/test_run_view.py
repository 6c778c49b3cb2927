"""The facilitator's run view and the projector view."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from draaiboeken.models import StepKind
from sessies import harvest, timeline
from sessies.models import Session, SessionStep
from tests.conftest import HTMX

pytestmark = pytest.mark.usefixtures("english")


def run_url(session):
    return reverse("sessions:run", args=[session.pk])


def projector_url(session):
    return reverse("sessions:projector", args=[session.pk])


def central_questions(block):
    return [question.text for question in block.outline.main_questions()]


# The run view


def test_it_offers_the_start_to_the_facilitator(client, session, facilitator):
    client.force_login(facilitator)

    response = client.get(run_url(session))

    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("sessions:transition", args=[session.pk, "start"]) in content
    assert 'name="version" value="1"' in content
    assert f'data-version="{session.version}"' in content


def test_it_shows_the_current_block_with_its_questions_and_controls(client, running, facilitator):
    client.force_login(facilitator)
    first = running.blocks.get(order=1)
    timeline.advance_to_next_block(running.pk, running.timeline_version)
    second = running.blocks.get(order=2)

    response = client.get(run_url(running))

    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["state"].current == second
    assert second.title in content
    for text in central_questions(second):
        assert text in content
    assert 'id="countdown"' in content
    for action in ("vorige", "pauzeer", "volgende", "verleng", "afronden"):
        assert f'data-action="{action}"' in content
    assert f"Next: {running.blocks.get(order=3).title}" in content
    assert first.title in content  # in the timeline table


def test_it_shows_help_questions_under_their_question(client, running, facilitator):
    first = running.blocks.get(order=1)
    central = SessionStep.objects.create(block=first, order=99, kind=StepKind.QUESTION, text="Wat willen we weten?")
    SessionStep.objects.create(
        block=first, parent=central, order=1, kind=StepKind.QUESTION, text="Voor wie is dat belangrijk?"
    )
    client.force_login(facilitator)

    response = client.get(run_url(running))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Wat willen we weten?") < content.index("Voor wie is dat belangrijk?")
    assert (
        '<span class="subpoint-label">Help question:</span> <span class="step-text subpoint-question">'
        "Voor wie is dat belangrijk?</span>" in content
    )


@pytest.mark.parametrize("user", ["secretary", "researcher", "admin_user"])
def test_it_lets_the_session_team_follow_without_controls(client, running, request, user):
    client.force_login(request.getfixturevalue(user))

    response = client.get(run_url(running))

    assert response.status_code == 200
    content = response.content.decode()
    assert running.current_block.title in content
    if user == "admin_user":
        assert 'data-action="volgende"' in content
    else:
        assert "data-action=" not in content


def test_it_keeps_the_outsider_out(client, running, outsider):
    client.force_login(outsider)

    response = client.get(run_url(running))

    assert response.status_code == 404


def test_it_shows_the_harvest_as_it_is_typed_and_escaped(client, running, facilitator, secretary):
    harvest.add_note(
        running, block_id=running.current_block_id, text="<script>alert(1)</script>", tag="opbrengst", author=secretary
    )
    client.force_login(facilitator)

    response = client.get(run_url(running))

    content = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content


def test_it_shows_the_key_harvest_large_in_the_protected_closing_block(client, running, facilitator, secretary):
    note = harvest.add_note(
        running, block_id=running.current_block_id, text="* Eerder signaleren loont", tag="opbrengst", author=secretary
    )
    s = Session.objects.get(pk=running.pk)
    for _ in range(3):
        s = timeline.advance_to_next_block(s.pk, s.timeline_version)
    client.force_login(facilitator)

    response = client.get(run_url(s))

    content = response.content.decode()
    assert note.is_key
    assert "Is this the harvest?" in content
    assert "Eerder signaleren loont" in content


def test_it_proposes_catching_up_when_behind(client, session, facilitator):
    timeline.start(session.pk, session.timeline_version, at=timezone.now() - timedelta(minutes=25))
    client.force_login(facilitator)

    response = client.get(run_url(session))

    content = response.content.decode()
    assert response.status_code == 200
    assert [p.kind for p in response.context["proposals"]] == ["shorten"]
    assert reverse("sessions:catch_up", args=[session.pk]) in content
    assert 'name="kind" value="shorten"' in content


def test_it_keeps_catch_up_proposals_from_watchers(client, session, secretary):
    timeline.start(session.pk, session.timeline_version, at=timezone.now() - timedelta(minutes=25))
    client.force_login(secretary)

    response = client.get(run_url(session))

    assert response.status_code == 200
    assert response.context["proposals"] == []
    assert reverse("sessions:catch_up", args=[session.pk]) not in response.content.decode()


def test_it_does_not_grow_with_the_number_of_notes(client, running, facilitator, add_notes, django_assert_num_queries):
    client.force_login(facilitator)
    add_notes(running, 10)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(run_url(running)).status_code == 200
    add_notes(running, 190, start=10)

    with django_assert_num_queries(len(queries)):
        response = client.get(run_url(running))

    assert response.status_code == 200


def test_it_shows_a_finished_session(client, running, facilitator):
    timeline.finish(running.pk, running.timeline_version)
    client.force_login(facilitator)

    response = client.get(run_url(running))

    assert response.status_code == 200
    assert "The session has finished" in response.content.decode()
    assert "data-action=" not in response.content.decode()


# The projector view


def test_it_projects_the_session_title_before_the_start(client, session, facilitator):
    client.force_login(facilitator)

    response = client.get(projector_url(session))

    assert response.status_code == 200
    content = response.content.decode()
    assert session.title in content
    assert "Stadskantoor, zaal 3" in content


def test_it_projects_the_current_step_with_its_help_questions_and_nothing_of_other_steps(client, running, facilitator):
    s = timeline.advance_to_next_block(running.pk, running.timeline_version)
    second = s.blocks.get(order=2)
    central = next(step for step, _subpoints in second.outline if step.is_question)
    SessionStep.objects.create(
        block=second, parent=central, order=9, kind=StepKind.QUESTION, text="Een hulpvraag bij de WAAROM-vraag"
    )
    s = timeline.go_to_step(s.pk, s.timeline_version, central.pk)
    client.force_login(facilitator)

    response = client.get(projector_url(s))

    content = response.content.decode()
    assert response.status_code == 200
    assert second.title in content
    assert f'<h2 class="room-question">{central.text}</h2>' in content
    assert "Een hulpvraag bij de WAAROM-vraag" in content
    for text in central_questions(second) + central_questions(s.blocks.get(order=3)):
        if text != central.text:
            assert text not in content


def test_it_follows_the_live_state_in_the_projector_poll(client, running, researcher):
    s = timeline.advance_to_next_block(running.pk, running.timeline_version)
    second = s.blocks.get(order=2)
    client.force_login(researcher)

    response = client.get(
        reverse("sessions:live", args=[s.pk]), {"view": "projector", "v": running.version}, headers=HTMX
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="projector" hx-swap-oob="true"' in content
    # A block starts at its first step.
    first_step = second.outline.steps[0]
    assert first_step.text in content


def test_it_thanks_everyone_when_finished(client, running, facilitator):
    timeline.finish(running.pk, running.timeline_version)
    client.force_login(facilitator)

    response = client.get(projector_url(running))

    assert response.status_code == 200
    assert "Thank you for taking part." in response.content.decode()


def test_it_keeps_the_outsider_off_the_projector(client, running, outsider):
    client.force_login(outsider)

    response = client.get(projector_url(running))

    assert response.status_code == 404
