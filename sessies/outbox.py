"""The report deliveries as an outbox: claim, record, reclaim and retry.

A delivery moves PENDING → SENDING (claimed by exactly one worker) → SENT. A temporary failure
puts it back to PENDING with a later `next_attempt_at` (exponential backoff); a permanent failure
(the server refuses with a 5xx code) or the last of MAX_ATTEMPTS makes it FAILED, with the
reason in `last_error`. Every transition is a conditional UPDATE on the state that was read, so
two workers, two retry clicks or a click and the periodic reclaim never act on one delivery twice,
and a SENT delivery is never claimed again.

A delivery is "stuck" when it should have been sent more than the claim timeout ago: queued
without a worker picking it up (a lost task), or claimed by a worker that died or hung. The
claim timeout is far longer than the SMTP timeout, so a live worker still talking to the server is
never overtaken.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from sessies.models import Delivery, DeliveryStatus, Report, ReportVersion

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Waits after attempt 1, 2, 3, 4: 1, 2, 4 and 8 minutes.
BACKOFF_BASE = timedelta(minutes=1)
# The SMTP timeout applies to each socket operation and one message takes several (connect,
# greeting, EHLO, MAIL, RCPT, DATA with the PDF, QUIT), hence the factor.
CLAIM_TIMEOUT_FACTOR = 10
CLAIM_TIMEOUT_MINIMUM = timedelta(minutes=5)
DEFAULT_SMTP_TIMEOUT = 20  # seconds; settings always give one for SMTP


def smtp_timeout():
    options = getattr(settings, "MAILERS", {}).get("default", {}).get("OPTIONS", {})
    return options.get("timeout") or DEFAULT_SMTP_TIMEOUT


def claim_timeout():
    return max(CLAIM_TIMEOUT_MINIMUM, CLAIM_TIMEOUT_FACTOR * timedelta(seconds=smtp_timeout()))


def backoff(attempts):
    """How long to wait after the given number of failed attempts."""
    return BACKOFF_BASE * 2 ** max(attempts - 1, 0)


def is_permanent(error):
    """A 5xx answer will not change by trying again; timeouts, refused connections and 4xx may."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def describe(error):
    return f"{type(error).__name__}: {error}"[:2000]


# One worker's attempt


def claim(pk, *, now=None):
    """Take a due, queued delivery for this worker; None when it is not (or no longer) ours to send."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Delivery.objects.filter(due, pk=pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=now
    )
    if not claimed:
        return None
    # Queued before versions were kept: it carries the latest version, as it would have then.
    latest = Subquery(ReportVersion.objects.filter(report__deliveries=pk).order_by("-number").values("pk")[:1])
    Delivery.objects.filter(pk=pk, version__isnull=True).update(version=latest)
    return Delivery.objects.select_related("report__session__project", "version").get(pk=pk)


def _still_ours(delivery):
    return Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at)


def record_sent(delivery, *, now=None):
    now = now or timezone.now()
    report = delivery.report
    with transaction.atomic():
        # Recorded even if the claim was overtaken meanwhile: the message did leave.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT,
            attempts=delivery.attempts + 1,
            last_error="",
            sent_at=now,
            claimed_at=None,
            next_attempt_at=None,
            pdf_sha256=delivery.version.sha256 if delivery.version else report.pdf_sha256,
        )
        Report.objects.filter(pk=report.pk, first_sent_at__isnull=True).update(first_sent_at=now)
        report.session.bump_version()


def record_failure(delivery, error, *, now=None):
    """Store the failed attempt; return when to try again, or None when the delivery has failed for good."""
    now = now or timezone.now()
    attempts = delivery.attempts + 1
    final = is_permanent(error) or attempts >= MAX_ATTEMPTS
    retry_at = None if final else now + backoff(attempts)
    updated = _still_ours(delivery).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        attempts=attempts,
        last_error=describe(error),
        claimed_at=None,
        next_attempt_at=retry_at,
    )
    if not updated:
        # Reclaimed as stuck meanwhile; the reclaim counted this attempt and queued the next one.
        logger.warning("Delivery %s: a failure after the claim timeout is not recorded.", delivery.pk)
        return None
    return retry_at


# Finding and requeueing deliveries


def stuck_filter(now):
    cutoff = now - claim_timeout()
    return Q(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff) | Q(status=DeliveryStatus.PENDING) & (
        Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
    )


def _requeue(row, *, now, manual):
    """Move one delivery, as it was read, back to PENDING and due now; False when it changed meanwhile.

    A delivery still SENDING past the claim timeout counts as a failed attempt: its worker died or
    hung, and whether the message left is unknown. The periodic reclaim gives up after
    MAX_ATTEMPTS; someone pressing retry gets one more attempt.
    """
    as_read = Delivery.objects.filter(
        pk=row["pk"],
        status=row["status"],
        claimed_at=row["claimed_at"],
        next_attempt_at=row["next_attempt_at"],
        attempts=row["attempts"],
    )
    changes = {"status": DeliveryStatus.PENDING, "claimed_at": None, "next_attempt_at": now}
    if row["status"] == DeliveryStatus.SENDING:
        attempts = row["attempts"] + 1
        changes.update(
            attempts=attempts,
            last_error=f"No result within {int(claim_timeout().total_seconds())} seconds; the worker was interrupted.",
        )
        if not manual and attempts >= MAX_ATTEMPTS:
            changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    if not as_read.update(**changes):
        return False
    return changes["status"] == DeliveryStatus.PENDING


def requeue(deliveries, *, manual, now=None):
    """Requeue the given deliveries (a queryset) and enqueue a send for each; return how many."""
    from sessies.tasks import send_delivery

    now = now or timezone.now()
    rows = deliveries.exclude(status=DeliveryStatus.SENT).values(
        "pk", "status", "claimed_at", "next_attempt_at", "attempts"
    )
    requeued = [row["pk"] for row in rows if _requeue(row, now=now, manual=manual)]
    for pk in requeued:
        send_delivery.enqueue(pk)
    return len(requeued)


def reclaim_stuck(*, now=None):
    """The periodic reclaim: requeue what is stuck; deliveries that failed for good stay failed."""
    now = now or timezone.now()
    return requeue(Delivery.objects.filter(stuck_filter(now)), manual=False, now=now)


def retry(report=None, *, now=None):
    """Someone asks to send again now: failed, waiting and stuck deliveries, never one being sent."""
    now = now or timezone.now()
    deliveries = Delivery.objects.filter(
        Q(status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING]) | stuck_filter(now)
    )
    if report is not None:
        deliveries = deliveries.filter(report=report)
    return requeue(deliveries, manual=True, now=now)
