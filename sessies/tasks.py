"""Background work: one report e-mail per delivery, run by the django-tasks-db worker.

The task may run more than once for a delivery (a retry click, the periodic reclaim, a follow-up
after a claim): only the run that claims the delivery sends it (sessies.outbox.claim).
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string

from sessies import outbox
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
