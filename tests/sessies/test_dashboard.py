"""The dashboard: per session the user's next step with its link, failed mail standing out, their projects."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessies import reports, timeline
from sessies.models import Delivery, DeliveryStatus
from tests.factories import ResearchProjectFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response


def step_links(response):
    """[(href, text)] of every next-step link on the page, in page order."""
    return [
        (href.replace("&amp;", "&"), text.strip())
        for href, text in re.findall(
            r'<a class="[^"]*next-step-link[^"]*" href="([^"]+)">([^<]+)</a>', response.content.decode()
        )
    ]


def finish(session, at=None):
    session = timeline.start(session.pk, session.timeline_version, at=at)
    return timeline.finish(session.pk, session.timeline_version, at=at)


def approve(session, by):
    report = reports.report_for(session)
    reports.save_texts(report, summary="Samenvatting", closing_remark="")
    return reports.approve(report, by=by)


def test_the_facilitator_is_asked_to_run_the_planned_session(client, session, facilitator):
    response = dashboard(client, facilitator)
    assert step_links(response) == [(reverse("sessions:run", args=[session.pk]), "Run the session")]


def test_the_secretary_is_asked_to_take_the_notes(client, session, secretary):
    response = dashboard(client, secretary)
    assert step_links(response) == [(reverse("sessions:notes", args=[session.pk]), "Take the notes")]


def test_the_researcher_sees_the_step_in_words_and_may_plan_for_the_project(client, session, researcher):
    response = dashboard(client, researcher)
    content = response.content.decode()
    assert "The facilitator runs the session" in content
    assert reverse("sessions:run", args=[session.pk]) not in content
    assert step_links(response) == [
        (f"{reverse('sessions:create')}?project={session.project.pk}", "Plan a session"),
    ]


def test_after_the_session_the_secretary_writes_then_approves_then_sends(client, session, secretary):
    session = finish(session)
    report_url = reverse("sessions:report", args=[session.pk])
    assert step_links(dashboard(client, secretary)) == [(report_url, "Write the report")]
    reports.save_texts(reports.report_for(session), summary="Samenvatting", closing_remark="")
    assert step_links(dashboard(client, secretary)) == [(report_url, "Approve the report")]
    report = reports.approve(reports.report_for(session), by=secretary)
    send_url = reverse("sessions:report_send", args=[session.pk])
    assert step_links(dashboard(client, secretary)) == [(send_url, "Send the report")]
    Delivery.objects.create(report=report, email="petra@example.org", status=DeliveryStatus.SENT)
    report.first_sent_at = timezone.now()
    report.save(update_fields=["first_sent_at"])
    response = dashboard(client, secretary)
    assert step_links(response) == [(report_url, "Report sent")]
    assert "report sent" in response.content.decode()


def test_a_failed_delivery_stands_out(client, session, secretary, researcher):
    session = finish(session)
    report = approve(session, secretary)
    Delivery.objects.create(report=report, email="weiger@example.org", status=DeliveryStatus.FAILED)

    response = dashboard(client, secretary)
    content = response.content.decode()
    assert step_links(response) == [(reverse("sessions:report_send", args=[session.pk]), "Delivery failed: send again")]
    assert 'class="list-group-item session-item delivery-failed"' in content
    assert 'class="btn btn-sm btn-danger next-step-link"' in content
    assert "delivery failed" in content

    # The researcher may not send: the failure shows, without the link.
    content = dashboard(client, researcher).content.decode()
    assert 'class="list-group-item session-item delivery-failed"' in content
    assert "A delivery of the report failed" in content
    assert reverse("sessions:report_send", args=[session.pk]) not in content


def test_a_session_without_failures_does_not_stand_out(client, session, secretary):
    content = dashboard(client, secretary).content.decode()
    assert 'class="list-group-item session-item"' in content
    assert "delivery-failed" not in content


def test_projects_are_the_users_memberships_with_their_roles(client, library, facilitator, researcher):
    both = ResearchProjectFactory(title="Twee rollen", researchers=[facilitator], facilitators=[facilitator])
    only_facilitator = ResearchProjectFactory(title="Alleen leiden", facilitators=[facilitator])
    ResearchProjectFactory(title="Niet van mij", researchers=[researcher])

    response = dashboard(client, facilitator)

    assert {p.title for p in response.context["projects"]} == {both.title, only_facilitator.title}
    content = response.content.decode()
    assert "Niet van mij" not in content
    roles = dict(
        re.findall(
            r'<a href="/onderzoeken/\d+/">([^<]+)</a>.*?<span class="small project-roles">([^<]+)</span>', content, re.S
        )
    )
    assert {title: " ".join(text.split()) for title, text in roles.items()} == {
        "Twee rollen": "Your roles: facilitator, researcher (process director)",
        "Alleen leiden": "Your role: facilitator",
    }
    assert sorted(href for href, _text in step_links(response)) == sorted(
        f"{reverse('sessions:create')}?project={p.pk}" for p in (both, only_facilitator)
    )


def test_an_admin_sees_every_session_but_lists_no_project(client, session, admin_user):
    response = dashboard(client, admin_user)
    assert step_links(response) == [(reverse("sessions:run", args=[session.pk]), "Run the session")]
    assert list(response.context["projects"]) == []
    assert "You are not a member of any research project." in response.content.decode()


def add_sessions(project, facilitator, secretary, count):
    """`count` sessions in each state of the loop: planned, running, finished, approved, failed, sent."""
    for _ in range(count):

        def plan():
            return SessionFactory(project=project, facilitator=facilitator, secretary=secretary)

        plan()
        timeline.start(plan().pk, 1)
        finish(plan())
        approve(finish(plan()), secretary)
        report = approve(finish(plan()), secretary)
        Delivery.objects.create(report=report, email="weiger@example.org", status=DeliveryStatus.FAILED)
        report = approve(finish(plan()), secretary)
        Delivery.objects.create(report=report, email="petra@example.org", status=DeliveryStatus.SENT)
        report.first_sent_at = timezone.now()
        report.save(update_fields=["first_sent_at"])


@pytest.mark.parametrize("who", ["secretary", "facilitator", "researcher", "admin_user"])
def test_dashboard_queries_do_not_grow_with_sessions_and_projects(
    client, project, facilitator, secretary, request, who, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    add_sessions(project, facilitator, secretary, 1)
    ResearchProjectFactory(title="Eigen project", researchers=[user])
    client.force_login(user)
    client.get(reverse("dashboard"))  # warm up the session and permission caches
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("dashboard")).status_code == 200

    add_sessions(project, facilitator, secretary, 2)
    for index in range(3):
        ResearchProjectFactory(
            title=f"Extra {index}", researchers=[user], facilitators=[facilitator], secretaries=[secretary]
        )
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    shown = len(response.context["live_sessions"]) + len(response.context["upcoming_sessions"])
    assert shown == 3 * 2
    assert len(response.context["recent_sessions"]) == 5
