"""The next step of a session per user: plan → run → write → approve → send → sent (sessies.next_step)."""

import pytest
from django.urls import reverse

from sessies import reports
from sessies.models import Delivery, DeliveryStatus, Session
from sessies.next_step import NextStep, Stage, next_step, plan_step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def step_of(session, user):
    """The step as the dashboard computes it: from the list query, with its annotations."""
    return next_step(Session.objects.listed_for(user).get(pk=session.pk), user)


def approve(session, by):
    report = reports.report_for(session)
    reports.save_texts(report, summary="Samenvatting", closing_remark="")
    return reports.approve(report, by=by)


def deliver(report, status, email="petra@example.org"):
    return Delivery.objects.create(report=report, name="Petra", email=email, status=status)


# Planned and running: the facilitator runs, the secretary takes the notes


def test_the_facilitator_runs_a_planned_session(session, facilitator):
    step = step_of(session, facilitator)
    assert step == NextStep(Stage.RUN, "Run the session", "sessions:run", (session.pk,))
    assert step.url == reverse("sessions:run", args=[session.pk])
    assert not step.done and not step.failed


def test_the_secretary_takes_the_notes_of_a_planned_or_running_session(session, secretary, running):
    for current in (session, running):
        step = step_of(current, secretary)
        assert (step.stage, step.label, step.url) == (
            Stage.RUN,
            "Take the notes",
            reverse("sessions:notes", args=[session.pk]),
        )


def test_a_researcher_sees_the_run_step_without_a_link(session, researcher):
    step = step_of(session, researcher)
    assert (step.stage, step.label, step.url_name, step.url) == (
        Stage.RUN,
        "The facilitator runs the session",
        None,
        "",
    )


def test_an_admin_may_run_any_session(session, admin_user):
    assert step_of(session, admin_user).url == reverse("sessions:run", args=[session.pk])


def test_a_running_session_is_still_run_by_its_facilitator(running, facilitator):
    assert step_of(running, facilitator).url == reverse("sessions:run", args=[running.pk])


# Finished: write and approve the report (secretary and facilitator)


@pytest.mark.parametrize("who", ["secretary", "facilitator"])
def test_after_the_session_the_report_is_written(harvested, request, who):
    step = step_of(harvested, request.getfixturevalue(who))
    assert (step.stage, step.label, step.url) == (
        Stage.WRITE,
        "Write the report",
        reverse("sessions:report", args=[harvested.pk]),
    )


def test_a_report_with_a_summary_waits_for_approval(harvested, secretary, researcher):
    reports.save_texts(reports.report_for(harvested), summary="Samenvatting", closing_remark="")
    step = step_of(harvested, secretary)
    assert (step.stage, step.label, step.url) == (
        Stage.APPROVE,
        "Approve the report",
        reverse("sessions:report", args=[harvested.pk]),
    )
    assert step_of(harvested, researcher) == NextStep(Stage.APPROVE, "The report awaits approval")


def test_a_researcher_sees_the_report_step_without_a_link(harvested, researcher):
    assert step_of(harvested, researcher) == NextStep(Stage.WRITE, "The secretary writes the report")


def test_a_changed_report_needs_approval_again(harvested, secretary):
    report = approve(harvested, secretary)
    reports.save_texts(report, summary="Nieuwe samenvatting", closing_remark="")
    assert step_of(harvested, secretary).stage == Stage.APPROVE


# Approved: send; failed deliveries stand out; sent


def test_an_approved_report_is_sent_by_those_who_may_send(harvested, secretary, facilitator, researcher):
    approve(harvested, secretary)
    send_url = reverse("sessions:report_send", args=[harvested.pk])
    assert (step_of(harvested, secretary).label, step_of(harvested, secretary).url) == ("Send the report", send_url)
    assert step_of(harvested, facilitator).url == send_url
    assert step_of(harvested, researcher) == NextStep(Stage.SEND, "The report is ready to be sent")


def test_a_failed_delivery_asks_to_send_again(harvested, secretary, researcher):
    report = approve(harvested, secretary)
    deliver(report, DeliveryStatus.SENT)
    deliver(report, DeliveryStatus.FAILED, email="weiger@example.org")
    report.first_sent_at = report.approved_at
    report.save(update_fields=["first_sent_at"])

    step = step_of(harvested, secretary)
    assert (step.stage, step.label, step.url, step.failed) == (
        Stage.SEND,
        "Delivery failed: send again",
        reverse("sessions:report_send", args=[harvested.pk]),
        True,
    )
    assert step_of(harvested, researcher) == NextStep(Stage.SEND, "A delivery of the report failed", failed=True)
    # Without the list's annotation the step asks the database, with the same answer.
    assert next_step(Session.objects.get(pk=harvested.pk), secretary).failed


def test_a_sent_report_is_done_and_readable_by_everyone_who_sees_the_session(harvested, secretary, researcher):
    report = approve(harvested, secretary)
    deliver(report, DeliveryStatus.SENT)
    report.first_sent_at = report.approved_at
    report.save(update_fields=["first_sent_at"])
    for user in (secretary, researcher):
        step = step_of(harvested, user)
        assert (step.stage, step.label, step.url, step.done) == (
            Stage.SENT,
            "Report sent",
            reverse("sessions:report", args=[harvested.pk]),
            True,
        )


def test_it_costs_no_query_on_a_listed_session(harvested, secretary, django_assert_num_queries):
    approve(harvested, secretary)
    listed = Session.objects.listed_for(secretary).get(pk=harvested.pk)
    secretary.has_perm("sessies.send_report")  # the permission cache, loaded once per request
    with django_assert_num_queries(0):
        assert next_step(listed, secretary).stage == Stage.SEND


# Planning, per project


def test_project_members_who_may_plan_get_a_plan_link(project, researcher):
    step = plan_step(project, researcher)
    assert (step.stage, step.label, step.url) == (
        Stage.PLAN,
        "Plan a session",
        f"{reverse('sessions:create')}?project={project.pk}",
    )


def test_who_may_not_plan_gets_no_plan_step(project, secretary):
    assert plan_step(project, secretary) is None


def test_a_user_who_may_plan_but_not_for_this_project_gets_no_plan_step(project, outsider):
    assert plan_step(project, outsider) is None
