"""After "Finish the session": the run view and the notes view lead straight to the report.

The link comes with the finished state in the partials the live poll swaps, so a secretary whose
page is open sees it without reloading, and only those who may edit the report get it.
"""

import re

import pytest
from django.urls import reverse

from sessies import timeline
from tests.conftest import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def report_links(response, session):
    """The prominent report links on the page or partial (not the ordinary menu links)."""
    href = re.escape(reverse("sessions:report", args=[session.pk]))
    return re.findall(
        rf'<a class="btn btn-primary btn-lg report-link" href="{href}">([^<]+)</a>', response.content.decode()
    )


def poll(client, session, version, view):
    return client.get(reverse("sessions:live", args=[session.pk]), {"view": view, "v": version}, headers=HTMX)


@pytest.fixture
def finished(running):
    return timeline.finish(running.pk, running.timeline_version)


@pytest.mark.parametrize("view", ["sessions:run", "sessions:notes"])
@pytest.mark.parametrize("who", ["facilitator", "secretary", "admin_user"])
def test_the_finished_page_links_the_report_for_who_may_edit_it(client, finished, request, view, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(view, args=[finished.pk]))
    assert response.status_code == 200
    assert report_links(response, finished) == ["Go to the report"]


@pytest.mark.parametrize("view", ["sessions:run", "sessions:notes"])
def test_a_researcher_who_may_only_read_gets_no_report_link(client, finished, researcher, view):
    client.force_login(researcher)
    response = client.get(reverse(view, args=[finished.pk]))
    assert response.status_code == 200
    assert not finished.can_edit_report(researcher)
    assert report_links(response, finished) == []


@pytest.mark.parametrize("view", ["sessions:run", "sessions:notes"])
def test_no_report_link_while_the_session_runs(client, running, secretary, view):
    client.force_login(secretary)
    assert report_links(client.get(reverse(view, args=[running.pk])), running) == []


@pytest.mark.parametrize(("view", "who"), [("run", "facilitator"), ("notes", "secretary")])
def test_the_poll_brings_the_link_when_the_session_finishes(client, running, request, view, who):
    client.force_login(request.getfixturevalue(who))
    seen = running.version
    assert report_links(poll(client, running, seen - 1, view), running) == []

    finished = timeline.finish(running.pk, running.timeline_version)

    response = poll(client, finished, seen, view)
    assert response.status_code == 200
    assert report_links(response, finished) == ["Go to the report"]
    # In the fragment the poll swaps in: the run panel, or the notes view's banner.
    swapped = {"run": 'id="run-panel" hx-swap-oob="true"', "notes": 'id="live-banner" hx-swap-oob="true"'}[view]
    content = response.content.decode()
    assert content.index(swapped) < content.index("report-link")


def test_the_facilitators_finish_click_answers_with_the_link(client, running, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("sessions:transition", args=[running.pk, "afronden"]),
        {"version": running.timeline_version},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert report_links(response, running) == ["Go to the report"]
