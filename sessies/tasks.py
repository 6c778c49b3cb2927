"""Background work, run by the django-tasks-db worker: one report e-mail per delivery, and the
invitations to review a draft report (sessies.review).

The task may run more than once for a delivery (a retry click, the periodic reclaim, a follow-up
after a claim): only the run that claims the delivery sends it (sessies.outbox.claim). An
invitation's mail is claimed the same way (sessies.review.claim_mail).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessies import outbox, review
from sessies.reports import version_filename

logger = logging.getLogger(__name__)


def _enqueue_later(pk, when):
    """Queue another run at `when` where the backend can defer; elsewhere `retry_deliveries` does it."""
    if send_delivery.get_backend().supports_defer:
        send_delivery.using(run_after=when).enqueue(pk)


def _message(delivery):
    report = delivery.report
    context = {"delivery": delivery, "report": report, "session": report.session, "project": report.session.project}
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=render_to_string("sessies/email/report.txt", context),
        to=[delivery.email],
    )
    message.attach_alternative(render_to_string("sessies/email/report.html", context), "text/html")
    # Exactly the version queued, even if the report was approved again since.
    version = delivery.version
    if version is None:  # a report approved before versions were kept, and never since
        message.attach(f"verslag-{report.session_id}.pdf", bytes(report.pdf), "application/pdf")
    else:
        message.attach(version_filename(report.session_id, version.number), bytes(version.pdf), "application/pdf")
    return message


@task
def send_delivery(delivery_pk):
    """Send one report to one recipient if this run can claim it; the outcome is stored on the Delivery."""
    # Each run also sweeps up deliveries whose worker died or whose task was lost.
    outbox.reclaim_stuck()
    delivery = outbox.claim(delivery_pk)
    if delivery is None:
        return "not claimed"
    # A follow-up after the claim timeout: if this worker dies mid-send, that run reclaims the delivery.
    _enqueue_later(delivery_pk, delivery.claimed_at + outbox.claim_timeout() + timedelta(seconds=1))
    try:
        _message(delivery).send()
    except Exception as error:  # noqa: BLE001 - any failure is recorded for a retry
        # The address stays out of the server log (personal data); the delivery id finds it.
        logger.warning("Report delivery %s failed: %s", delivery.pk, error)
        retry_at = outbox.record_failure(delivery, error)
        if retry_at is not None:
            _enqueue_later(delivery_pk, retry_at)
        return "failed"
    outbox.record_sent(delivery)
    return "sent"


def review_link(invitation, base_url):
    """The invitation's personal link: the site's address (from the request that queued it) and the token."""
    return base_url.rstrip("/") + reverse("review:page", args=[invitation.token])


def _review_message(invitation, base_url):
    session = invitation.report.session
    context = {
        "invitation": invitation,
        "session": session,
        "project": session.project,
        "inviter": review.inviter_name(invitation),
        "link": review_link(invitation, base_url),
        "date": timezone.localtime(session.starts_at),
        "expires_at": timezone.localtime(invitation.expires_at),
    }
    subject = _("Please review the draft report of %(title)s") % {"title": session.title}
    message = EmailMultiAlternatives(
        # The session's title is typed by users: a line break in it must never start a header.
        subject=review.header_safe(subject)[:300],
        body=render_to_string("sessies/email/review_invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("sessies/email/review_invitation.html", context), "text/html")
    return message


@task
def send_review_invitation(invitation_pk, base_url):
    """Mail one person their link to review the draft report, if this run can claim the invitation's mail.

    A failure is recorded on the invitation (its mail status and error); the secretary sends it again.
    """
    invitation = review.claim_mail(invitation_pk)
    if invitation is None:
        return "not claimed"
    try:
        # The site's language, whatever the worker last had active.
        with translation.override(settings.LANGUAGE_CODE):
            _review_message(invitation, base_url).send()
    except Exception as error:  # noqa: BLE001 - any failure is recorded for the secretary
        logger.warning("Review invitation %s failed: %s", invitation.pk, error)
        review.record_mail_failure(invitation, error)
        return "failed"
    review.record_mail_sent(invitation)
    return "sent"
