"""What comes next for a session, seen by one user: plan → run → write the report → approve → send → sent.

The dashboard shows one step per session (and "plan" per project), with a link to the page where
the step happens for those who may take it, and the step in words for everyone else. The
permissions are the session's own predicates (Session.can_run, can_edit_report, ...).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sessies.access import can_plan_session
from sessies.models import DeliveryStatus


class Stage(StrEnum):
    PLAN = "plan"
    RUN = "run"
    WRITE = "write"
    APPROVE = "approve"
    SEND = "send"
    SENT = "sent"


@dataclass(frozen=True)
class NextStep:
    stage: Stage
    label: str
    # The page where the step happens; None when this user may not take it.
    url_name: str | None = None
    args: tuple = ()
    query: dict | None = None
    # A delivery of the report failed: the step to take is sending it again.
    failed: bool = False

    @property
    def done(self):
        return self.stage == Stage.SENT

    @property
    def url(self):
        if self.url_name is None:
            return ""
        url = reverse(self.url_name, args=self.args)
        return f"{url}?{urlencode(self.query)}" if self.query else url


def plan_step(project, user):
    """Planning the next session of `project`, for a user who may plan for it (else None).

    Reads the project's roles from `project.memberships`: prefetch them on a list.
    """
    if not can_plan_session(user, project):
        return None
    return NextStep(Stage.PLAN, _("Plan a session"), "sessions:create", query={"project": project.pk})


def _report(session):
    try:
        return session.report
    except ObjectDoesNotExist:
        return None


def _has_failed_delivery(session, report):
    # Lists annotate it (Session.objects.listed_for); a single session asks the database.
    failed = getattr(session, "has_failed_delivery", None)
    if failed is None:
        failed = report.deliveries.filter(status=DeliveryStatus.FAILED).exists()
    return failed


def next_step(session, user):
    """The session's next step as `user` sees it. No query when the session comes from `listed_for`."""
    args = (session.pk,)
    if not session.is_finished:
        if session.can_run(user):
            return NextStep(Stage.RUN, _("Run the session"), "sessions:run", args)
        if session.can_write_notes(user):
            return NextStep(Stage.RUN, _("Take the notes"), "sessions:notes", args)
        return NextStep(Stage.RUN, _("The facilitator runs the session"))
    report = _report(session)
    if report is None or not report.is_approved:
        if report is None or not report.summary:
            if session.can_edit_report(user):
                return NextStep(Stage.WRITE, _("Write the report"), "sessions:report", args)
            return NextStep(Stage.WRITE, _("The secretary writes the report"))
        if session.can_edit_report(user):
            return NextStep(Stage.APPROVE, _("Approve the report"), "sessions:report", args)
        return NextStep(Stage.APPROVE, _("The report awaits approval"))
    may_send = session.can_send_report(user)
    if _has_failed_delivery(session, report):
        if may_send:
            return NextStep(Stage.SEND, _("Delivery failed: send again"), "sessions:report_send", args, failed=True)
        return NextStep(Stage.SEND, _("A delivery of the report failed"), failed=True)
    if report.first_sent_at is None:
        if may_send:
            return NextStep(Stage.SEND, _("Send the report"), "sessions:report_send", args)
        return NextStep(Stage.SEND, _("The report is ready to be sent"))
    # Done: anyone who sees the session may read what was sent.
    return NextStep(Stage.SENT, _("Report sent"), "sessions:report", args)
