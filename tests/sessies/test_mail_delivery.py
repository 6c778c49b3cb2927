"""Report mail that is never stuck and never doubled (issue 13, points 4-6).

Mail goes out through the real django-tasks-db worker; a delivery is claimed by one worker at a
time, reclaimed when its worker dies or its task is lost, retried with backoff up to a limit, and
the send form refuses what would break a mail header.
"""

import socket
import threading
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from sessies import outbox, reports
from sessies.models import Delivery, DeliveryStatus
from tests.sessies.conftest import Collector, free_port

pytestmark = pytest.mark.usefixtures("english")

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time, so it cannot show two workers racing; run with DATABASE_URL=postgres://…",
)


def smtp_settings(port, timeout=5):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }


def received(collector):
    return Counter(address for envelope in collector.envelopes for address in envelope.rcpt_tos)


@pytest.fixture
def clock(monkeypatch):
    """clock.advance(minutes=…): from then on timezone.now(), and so the worker and the outbox, run later."""
    real_now = timezone.now

    class Clock:
        offset = timedelta()

        def advance(self, **delta):
            self.offset += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


@pytest.fixture
def approved(harvested, secretary):
    return reports.approve(reports.report_for(harvested), by=secretary)


def make_deliveries(report, count, **fields):
    return [
        Delivery.objects.create(report=report, email=f"lezer{index}@example.org", subject="Verslag", **fields)
        for index in range(count)
    ]


def send_form(client, session, **data):
    return client.post(
        reverse("sessions:report_send", args=[session.pk]),
        {"recipients": [], "extra_addresses": "", "subject": "Verslag", "message": "Hierbij", **data},
    )


# The send form refuses what would break a mail header (point 6)


def address_of_length(length):
    """A well-formed address of exactly `length` characters (labels of at most 63)."""
    local = "a" * 64
    domain_length = length - len(local) - 1
    labels, remaining = [], domain_length - len(".nl")
    while remaining > 0:
        label = min(63, remaining)
        if remaining - label == 1:
            label -= 1  # leave room for the dot and one character
        labels.append("b" * label)
        remaining -= label + 1
    address = f"{local}@{'.'.join(labels)}.nl"
    assert len(address) == length
    return address


@pytest.mark.parametrize(
    "subject",
    [
        "Verslag\r\nBcc: buit@example.org",
        "Verslag\nBcc: buit@example.org",
        "Verslag\rX",
        "Verslag\x0bX",
        "Verslag\x85X",
        "Verslag\u2028X",
        "Verslag\x1bX",
    ],
)
def test_it_refuses_a_subject_with_line_breaks_or_control_characters(client, approved, secretary, subject):
    client.force_login(secretary)
    response = send_form(client, approved.session, extra_addresses="petra@example.org", subject=subject)
    assert response.status_code == 422
    assert "The subject cannot contain line breaks or other control characters." in response.content.decode()
    assert not Delivery.objects.exists()


def test_it_refuses_a_subject_longer_than_the_model_keeps(client, approved, secretary):
    client.force_login(secretary)
    response = send_form(client, approved.session, extra_addresses="petra@example.org", subject="V" * 301)
    assert response.status_code == 422
    assert "Ensure this value has at most 300 characters (it has 301)." in response.content.decode()
    assert not Delivery.objects.exists()


def test_it_refuses_addresses_longer_than_254_characters_with_a_form_error(
    client, approved, secretary, django_capture_on_commit_callbacks
):
    client.force_login(secretary)
    for length in (255, 311):
        response = send_form(client, approved.session, extra_addresses=address_of_length(length))
        assert response.status_code == 422
        assert "is too long: an e-mail address has at most 254 characters." in response.content.decode()
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = send_form(client, approved.session, extra_addresses=address_of_length(254))
    assert response.status_code == 302
    assert Delivery.objects.get().email == address_of_length(254)


@pytest.mark.parametrize(
    ("addresses", "message"),
    [
        ("petra@example.org\r\nBcc: buit@example.org", "“Bcc: buit@example.org” is not a valid e-mail address."),
        ('"a\x01b"@example.org', "An e-mail address cannot contain line breaks or other control characters."),
        ("petra@example.org>\x00", "Null characters are not allowed."),
        ("geen-adres, ook-geen-adres", "“ook-geen-adres” is not a valid e-mail address."),
    ],
)
def test_it_refuses_addresses_that_would_inject_headers(client, approved, secretary, addresses, message):
    client.force_login(secretary)
    response = send_form(client, approved.session, extra_addresses=addresses)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Delivery.objects.exists()


def test_it_refuses_to_queue_a_header_injection_from_any_caller(approved):
    with pytest.raises(ValidationError):
        reports.queue_deliveries(
            approved, [("", "petra@example.org")], subject="Verslag\nBcc: x@example.org", message=""
        )
    with pytest.raises(ValidationError):
        reports.queue_deliveries(approved, [("", "a" * 250 + "@example.org")], subject="Verslag", message="")
    assert not Delivery.objects.exists()


# One claim per delivery, backoff, a limit (point 4)


class InterruptingBackend(LocmemBackend):
    """The first message kills the worker mid-conversation, as a timeout kill or a crash would."""

    interrupted = False

    def send_messages(self, messages):
        if not InterruptingBackend.interrupted:
            InterruptingBackend.interrupted = True
            raise SystemExit("worker killed")
        return super().send_messages(messages)


def test_a_delivery_is_claimed_once_and_a_sent_one_never_again(approved):
    delivery = make_deliveries(approved, 1)[0]
    assert outbox.claim(delivery.pk) is not None
    assert outbox.claim(delivery.pk) is None  # being sent by the first claimant
    outbox.record_sent(Delivery.objects.get(pk=delivery.pk))
    assert outbox.claim(delivery.pk) is None
    assert outbox.retry(approved) == 0
    assert outbox.reclaim_stuck(now=timezone.now() + timedelta(days=1)) == 0


def test_it_backs_off_and_gives_up_after_the_limit_with_the_reason(approved):
    delivery = make_deliveries(approved, 1)[0]
    now = timezone.now()
    waits = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        claimed = outbox.claim(delivery.pk, now=now)
        assert claimed is not None
        retry_at = outbox.record_failure(claimed, TimeoutError("timed out"), now=now)
        if retry_at is None:
            break
        waits.append(retry_at - now)
        assert outbox.claim(delivery.pk, now=retry_at - timedelta(seconds=1)) is None  # not before its time
        now = retry_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, outbox.MAX_ATTEMPTS)
    assert delivery.last_error == "TimeoutError: timed out"
    # The periodic reclaim leaves it failed; a person pressing retry gets one more attempt.
    assert outbox.reclaim_stuck(now=now + timedelta(days=1)) == 0
    assert outbox.retry(approved) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING


def test_the_claim_timeout_is_well_above_the_smtp_timeout(settings):
    settings.MAILERS = smtp_settings(free_port(), timeout=60)
    assert outbox.claim_timeout() == timedelta(minutes=10)
    settings.MAILERS = smtp_settings(free_port(), timeout=1)
    assert outbox.claim_timeout() == outbox.CLAIM_TIMEOUT_MINIMUM


def test_a_hanging_then_working_smtp_server_sends_every_delivery_exactly_once(
    client, approved, secretary, settings, clock, run_mail_worker, django_capture_on_commit_callbacks
):
    # A server that accepts the connection and never says a word: the kernel completes the
    # handshake for the listen backlog, nobody ever answers.
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(16)
    settings.MAILERS = smtp_settings(hanging.getsockname()[1], timeout=1)
    addresses = ["petra@example.org", "bram@example.org", "olga@example.org"]
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = send_form(client, approved.session, recipients=addresses)
    assert response.status_code == 302
    # Nothing was tried inside the request: the worker does the talking.
    assert [(d.status, d.attempts) for d in Delivery.objects.all()] == [(DeliveryStatus.PENDING, 0)] * 3

    run_mail_worker()
    hanging.close()
    for delivery in Delivery.objects.all():
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert "timed out" in delivery.last_error
    page = client.get(reverse("sessions:report_send", args=[approved.session.pk])).content.decode()
    assert page.count("next attempt at") == 3

    collector = Collector()
    working = Controller(collector, hostname="127.0.0.1", port=free_port())
    working.start()
    try:
        settings.MAILERS = smtp_settings(working.port, timeout=1)
        clock.advance(minutes=2)  # the first retry is due
        run_mail_worker()
        assert [d.status for d in Delivery.objects.all()] == [DeliveryStatus.SENT] * 3
        # Later: every follow-up task is due, the retry button and the periodic reclaim are used.
        clock.advance(minutes=30)
        run_mail_worker()
        assert client.post(reverse("sessions:report_retry", args=[approved.session.pk])).status_code == 302
        call_command("retry_deliveries", "--stuck")
        run_mail_worker()
    finally:
        working.stop()
    assert received(collector) == Counter(addresses)
    assert [(d.status, d.attempts) for d in Delivery.objects.all()] == [(DeliveryStatus.SENT, 2)] * 3
    assert not DBTaskResult.objects.ready().exists()


def test_a_delivery_whose_worker_died_mid_send_is_reclaimed_and_sent_once(approved, settings, clock, run_mail_worker):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.InterruptingBackend"}}
    InterruptingBackend.interrupted = False
    delivery = make_deliveries(approved, 1)[0]
    from sessies.tasks import send_delivery

    send_delivery.enqueue(delivery.pk)
    run_mail_worker()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING and mail.outbox == []
    # Neither the button nor the reclaim takes it from a worker that may still be talking.
    assert outbox.retry(approved) == 0 and outbox.reclaim_stuck() == 0

    clock.advance(minutes=6)  # past the claim timeout: the follow-up task of the claim runs
    run_mail_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert [m.to for m in mail.outbox] == [["lezer0@example.org"]]


@pytest.mark.parametrize("command", [["retry_deliveries"], ["retry_deliveries", "--stuck"]])
def test_retry_deliveries_picks_up_stuck_deliveries(approved, settings, run_mail_worker, command):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    long_ago = timezone.now() - timedelta(hours=1)
    queued, sending = make_deliveries(approved, 2)  # lost tasks: nothing in the task queue
    Delivery.objects.filter(pk=queued.pk).update(created_at=long_ago)
    Delivery.objects.filter(pk=sending.pk).update(status=DeliveryStatus.SENDING, claimed_at=long_ago)
    busy = Delivery.objects.create(
        report=approved,
        email="bezig@example.org",
        subject="Verslag",
        status=DeliveryStatus.SENDING,
        claimed_at=timezone.now(),
    )
    call_command(*command)
    run_mail_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["lezer0@example.org", "lezer1@example.org"]
    assert Delivery.objects.get(pk=sending.pk).attempts == 2  # the interrupted attempt counts
    assert Delivery.objects.get(pk=busy.pk).status == DeliveryStatus.SENDING


def test_the_retry_button_picks_up_stuck_deliveries(client, approved, secretary, settings, run_mail_worker):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    stuck = make_deliveries(approved, 1, status=DeliveryStatus.SENDING, claimed_at=timezone.now() - timedelta(hours=1))[
        0
    ]
    client.force_login(secretary)
    response = client.post(reverse("sessions:report_retry", args=[approved.session.pk]), follow=True)
    assert "1 unsent deliveries queued again." in response.content.decode()
    run_mail_worker()
    assert Delivery.objects.get(pk=stuck.pk).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


# The send page (point 4)


def test_the_send_page_shows_sending_waiting_and_failed_deliveries(client, approved, secretary):
    report = approved
    Delivery.objects.create(
        report=report, email="bezig@example.org", subject="V", status=DeliveryStatus.SENDING, claimed_at=timezone.now()
    )
    Delivery.objects.create(
        report=report,
        email="wacht@example.org",
        subject="V",
        attempts=1,
        last_error="TimeoutError: timed out",
        next_attempt_at=timezone.now() + timedelta(minutes=1),
    )
    Delivery.objects.create(
        report=report,
        email="weiger@example.org",
        subject="V",
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    Delivery.objects.create(
        report=report, email="klaar@example.org", subject="V", status=DeliveryStatus.SENT, attempts=2, last_error=""
    )
    client.force_login(secretary)
    page = client.get(reverse("sessions:report_send", args=[report.session.pk])).content.decode()
    table = page.split('id="deliveries-title"')[1]
    rows = {row.split("&lt;")[1].split("&gt;")[0]: row for row in table.split("<tr>")[2:]}
    assert 'text-bg-info">sending</span>' in rows["bezig@example.org"]
    assert 'text-bg-secondary">queued</span>' in rows["wacht@example.org"]
    assert "next attempt at" in rows["wacht@example.org"] and "TimeoutError: timed out" in rows["wacht@example.org"]
    assert 'text-bg-danger">failed</span>' in rows["weiger@example.org"]
    assert "<strong>Not sent:</strong> SMTPRecipientsRefused: 550 mailbox unavailable" in rows["weiger@example.org"]
    assert 'text-bg-success">sent</span>' in rows["klaar@example.org"]
    assert "Retry unsent deliveries now" in page


# Concurrency on PostgreSQL (point 5)


@pytest.fixture
def slow_smtp(settings):
    """An SMTP server that takes a moment per message, so concurrent senders overlap."""
    import asyncio

    class SlowCollector(Collector):
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(0.02)
            return await super().handle_DATA(server, session, envelope)

    collector = SlowCollector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_settings(controller.port)
    yield collector
    controller.stop()


def run_in_threads(count, work):
    """Run work(index) in `count` threads released together; each thread closes its own connection."""
    barrier, errors = threading.Barrier(count), []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_send_each_mail_once(approved, secretary, settings, slow_smtp):
    # The immediate backend sends inside each retry request: the old way, and the hardest case.
    settings.TASKS = IMMEDIATE
    deliveries = make_deliveries(approved, 10, status=DeliveryStatus.FAILED, attempts=1, last_error="down")
    statuses = []

    def click(_index):
        client = Client()
        client.force_login(secretary)
        statuses.append(client.post(reverse("sessions:report_retry", args=[approved.session.pk])).status_code)

    for _round in range(3):
        run_in_threads(2, click)
    assert statuses == [302] * 6
    assert received(slow_smtp) == Counter(d.email for d in deliveries)
    assert [(d.status, d.attempts) for d in Delivery.objects.all()] == [(DeliveryStatus.SENT, 2)] * 10


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_with_every_task_queued_twice_send_each_mail_once(approved, slow_smtp):
    from sessies.tasks import send_delivery

    deliveries = make_deliveries(approved, 10)
    for delivery in deliveries * 2:
        send_delivery.enqueue(delivery.pk)

    def work(index):
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"test-worker-{index}",
            excluded_queue_names=[],
        ).run()

    run_in_threads(2, work)
    assert received(slow_smtp) == Counter(d.email for d in deliveries)
    assert [(d.status, d.attempts) for d in Delivery.objects.all()] == [(DeliveryStatus.SENT, 1)] * 10
    # Both workers took tasks, so the claim, not luck, kept each mail single.
    workers = {worker for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for worker in ids}
    assert workers == {"test-worker-0", "test-worker-1"}


def test_retrying_follows_the_rule_for_sending(client, approved, django_user_model):
    # The session's secretary, but without the permission to send reports: may edit, not send.
    session = approved.session
    session.secretary = django_user_model.objects.create_user(username="stagiair", password="pw")
    session.save()
    client.force_login(session.secretary)

    response = client.post(reverse("sessions:report_retry", args=[session.pk]))

    assert response.status_code == 403
