"""The live poll: 204 while nothing changed, the partials to swap once something did."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessies import harvest, timeline
from tests.conftest import HTMX
from tests.factories import SessionBlockFactory


def poll(client, session, version, view="run"):
    return client.get(reverse("sessions:live", args=[session.pk]), {"view": view, "v": version}, headers=HTMX)


def count_queries(client, session, version, view="run"):
    with CaptureQueriesContext(connection) as queries:
        response = poll(client, session, version, view)
    return response, len(queries)


# Unchanged: the hot path


@pytest.mark.parametrize("view", ["run", "notes", "projector"])
def test_it_answers_204_while_nothing_changed(client, running, facilitator, view):
    client.force_login(facilitator)

    response = poll(client, running, running.version, view)

    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("user", ["facilitator", "secretary"])
def test_it_costs_at_most_three_queries_when_unchanged(client, running, request, user, django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(user))

    # The server-side session, the user, the session's version and people.
    with django_assert_max_num_queries(3):
        response = poll(client, running, running.version)

    assert response.status_code == 204


def test_it_costs_no_more_when_there_are_many_notes_and_blocks(
    client, running, secretary, add_notes, django_assert_num_queries
):
    client.force_login(secretary)
    _, few = count_queries(client, running, running.version)
    add_notes(running, 200)
    SessionBlockFactory.create_batch(10, session=running)
    running.bump_version()

    with django_assert_num_queries(few):
        response = poll(client, running, running.version)

    assert response.status_code == 204
    assert few <= 3


def test_it_answers_204_to_a_project_researcher(client, running, researcher):
    client.force_login(researcher)

    response = poll(client, running, running.version)

    assert response.status_code == 204


def test_it_answers_204_to_an_admin(client, running, admin_user):
    client.force_login(admin_user)

    response = poll(client, running, running.version)

    assert response.status_code == 204


# Changed: the partials


def test_it_answers_the_partials_when_the_session_changed(client, running, facilitator):
    client.force_login(facilitator)

    response = poll(client, running, running.version - 1)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'data-version="{running.version}"' in content
    assert f'data-version="{running.version}"' in content
    assert 'id="run-panel" hx-swap-oob="true"' in content
    assert 'id="harvest-panel"' in content
    assert 'id="countdown"' in content
    assert running.current_block.title in content


def test_it_follows_a_transition_made_elsewhere(client, running, secretary):
    second = running.blocks.get(order=2)
    moved = timeline.advance_to_next_block(running.pk, running.timeline_version)
    client.force_login(secretary)

    response = poll(client, running, running.version, "notes")

    assert response.status_code == 200
    content = response.content.decode()
    assert f'data-current-block="{second.pk}"' in content
    assert f'data-version="{moved.version}"' in content
    assert 'id="live-banner" hx-swap-oob="true"' in content
    assert second.title in content


def test_it_shows_a_new_note_to_the_facilitator(client, running, facilitator, secretary):
    old_version = running.version
    harvest.add_note(
        running,
        block_id=running.current_block_id,
        text="Signalen komen te laat binnen",
        tag="opbrengst",
        author=secretary,
    )
    client.force_login(facilitator)

    response = poll(client, running, old_version)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Signalen komen te laat binnen" in content
    assert f'data-version="{old_version + 1}"' in content


def test_it_escapes_notes_in_the_poll_response(client, running, facilitator, secretary):
    harvest.add_note(
        running, block_id=running.current_block_id, text="<script>alert(1)</script>", tag="opbrengst", author=secretary
    )
    client.force_login(facilitator)

    response = poll(client, running, running.version)

    content = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content


@pytest.mark.parametrize("view", ["run", "notes", "projector"])
def test_it_does_not_grow_with_the_number_of_notes_when_changed(
    client, running, secretary, view, add_notes, django_assert_num_queries
):
    client.force_login(secretary)
    add_notes(running, 10)
    response, few = count_queries(client, running, 0, view)
    assert response.status_code == 200
    add_notes(running, 190, start=10)

    with django_assert_num_queries(few):
        response = poll(client, running, 0, view)

    assert response.status_code == 200
    assert "Opbrengst 199" in response.content.decode() or view == "projector"


def test_it_falls_back_to_the_run_view_for_an_unknown_view(client, running, facilitator):
    client.force_login(facilitator)

    response = poll(client, running, 0, "beheer")

    assert response.status_code == 200
    assert 'id="run-panel" hx-swap-oob="true"' in response.content.decode()


# Who may poll


@pytest.mark.parametrize("user", ["secretary", "researcher", "admin_user"])
def test_it_lets_the_session_team_watch(client, running, request, user):
    client.force_login(request.getfixturevalue(user))

    response = poll(client, running, 0)

    assert response.status_code == 200


def test_it_keeps_the_outsider_out_when_unchanged(client, running, outsider):
    client.force_login(outsider)

    response = poll(client, running, running.version)

    assert response.status_code == 404


def test_it_keeps_the_outsider_out_when_changed(client, running, outsider):
    client.force_login(outsider)

    response = poll(client, running, 0)

    assert response.status_code == 404
    assert b"Inleiding" not in response.content


def test_it_tells_an_anonymous_poller_to_sign_in_without_redirecting(client, running):
    response = poll(client, running, running.version)

    # A redirect would hand htmx the login page as if it were the live state (see HtmxLoginRequiredMiddleware).
    assert response.status_code == 401
    assert "Location" not in response
    assert reverse("login") in json.loads(response["HX-Trigger"])["loginRequired"]["loginUrl"]


def test_it_answers_404_for_an_unknown_session(client, facilitator):
    client.force_login(facilitator)

    response = client.get(reverse("sessions:live", args=[999999]), {"v": 1})

    assert response.status_code == 404
