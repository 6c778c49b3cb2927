"""Background work: one report e-mail per delivery (django.tasks; immediate by default)."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from sessies.models import Delivery, DeliveryStatus, Report

logger = logging.getLogger(__name__)


@task
def send_delivery(delivery_pk):
    """Send one report to one recipient; the outcome is stored on the Delivery row."""
    delivery = Delivery.objects.select_related("report__session__project").get(pk=delivery_pk)
    if delivery.status == DeliveryStatus.SENT:
        return "already sent"
    report = delivery.report
    context = {"delivery": delivery, "report": report, "session": report.session, "project": report.session.project}
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=render_to_string("sessies/email/report.txt", context),
        to=[delivery.email],
    )
    message.attach_alternative(render_to_string("sessies/email/report.html", context), "text/html")
    message.attach(f"verslag-{report.session_id}.pdf", bytes(report.pdf), "application/pdf")
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any failure is recorded for a retry
        logger.warning("Report delivery %s to %s failed: %s", delivery.pk, delivery.email, error)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return "failed"
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, attempts=F("attempts") + 1, last_error="", sent_at=now,
            pdf_sha256=report.pdf_sha256,
        )
        Report.objects.filter(pk=report.pk, first_sent_at__isnull=True).update(first_sent_at=now)
        report.session.bump_version()
    return "sent"
