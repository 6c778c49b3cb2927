import email
import email.policy
import hashlib
import io
import time

import pypdf
import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from sessies import harvest, reports
from sessies.models import Delivery, DeliveryStatus, Note


def pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), len(reader.pages)


def normalised(text):
    return " ".join(text.split())


@pytest.mark.django_db
def test_it_shows_the_report_to_the_researcher(client, harvested, researcher):
    client.force_login(researcher)
    response = client.get(reverse("sessions:report", args=[harvested.pk]))
    assert response.status_code == 200
    assert "Professionals willen eerder meedenken" in response.content.decode()


@pytest.mark.django_db
def test_it_hides_the_report_from_others(client, harvested, outsider):
    client.force_login(outsider)
    assert client.get(reverse("sessions:report", args=[harvested.pk])).status_code == 404
    assert client.get(reverse("sessions:report_pdf", args=[harvested.pk])).status_code == 404


@pytest.mark.django_db
def test_it_lets_only_the_team_approve_and_send(client, harvested, researcher):
    client.force_login(researcher)
    assert client.post(reverse("sessions:report_approve", args=[harvested.pk])).status_code == 403
    assert client.get(reverse("sessions:report_send", args=[harvested.pk])).status_code == 403


@pytest.mark.django_db
def test_it_escapes_markup_from_notes_in_html_and_pdf(client, harvested, secretary):
    client.force_login(secretary)
    html = client.get(reverse("sessions:report", args=[harvested.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text, _pages = pdf_text(client.get(reverse("sessions:report_pdf", args=[harvested.pk])).content)
    assert "<script>alert(1)</script> & <b>markup</b>" in text


@pytest.mark.django_db
def test_it_renders_the_pdf_with_harvest_questions_agreements_and_participants(client, harvested, secretary):
    client.force_login(secretary)
    response = client.get(reverse("sessions:report_pdf", args=[harvested.pk]))
    assert response["Content-Type"] == "application/pdf"
    text, _pages = pdf_text(response.content)
    assert "Professionals willen eerder meedenken" in text
    for block in harvested.blocks.prefetch_related("steps")[1:3]:
        for question in block.outline.main_questions():
            assert normalised(question.text)[:50] in text
    assert "Verslag rondsturen" in text and "binnen twee weken" in text
    # The participants as a count and the roles present; the method asks for no list of names.
    assert "Deelnemers 3" in text
    assert "Gespreksleider, secretaris, professional, cliënt(vertegenwoordiger), beleid en management" in text
    for name in ("Petra Professional", "Bram Beleid", "Carla Cliënt", "Gijs", "Sanne"):
        assert name not in text
    assert harvested.project.title in text


@pytest.mark.django_db
def test_it_fits_a_typical_session_on_three_pages(harvested, secretary):
    block = harvested.blocks.all()[1]
    for index in range(40):
        harvest.add_note(
            harvested,
            block_id=block.pk,
            author=secretary,
            text=f"Notitie {index}: professionals ervaren de toegang als ingewikkeld en willen meer ruimte.",
            tag="opbrengst",
        )
    _text, pages = pdf_text(reports.render_report_pdf(harvested))
    assert pages <= 3


@pytest.mark.django_db
def test_it_renders_a_200_note_session(harvested, secretary):
    block = harvested.blocks.all()[1]
    Note.objects.bulk_create(
        [
            Note(
                session=harvested, block=block, author=secretary, text=f"Notitie {i} over de praktijk", tag="opbrengst"
            )
            for i in range(200)
        ]
    )
    started = time.perf_counter()
    text, pages = pdf_text(reports.render_report_pdf(harvested))
    print(f"200-note report: {pages} pages in {time.perf_counter() - started:.2f} s")
    assert "Notitie 199 over de praktijk" in text


@pytest.mark.django_db
def test_it_leaves_out_and_reorders_notes_without_deleting_them(client, harvested, secretary):
    client.force_login(secretary)
    note = Note.objects.get(text__startswith="Let op")
    client.post(reverse("sessions:report_note", args=[harvested.pk, note.pk]), {"action": "uit"})
    html = client.get(reverse("sessions:report", args=[harvested.pk])).content.decode()
    article = html.split('<article class="report">')[1].split("</article>")[0]
    assert "Let op" not in article
    assert Note.objects.filter(pk=note.pk, deleted_at__isnull=True).exists()

    block = harvested.blocks.all()[1]
    first = harvest.add_note(harvested, block_id=block.pk, author=secretary, text="Eerste", tag="overig")
    second = harvest.add_note(harvested, block_id=block.pk, author=secretary, text="Tweede", tag="overig")
    client.post(reverse("sessions:report_note", args=[harvested.pk, second.pk]), {"action": "op"})
    article = (
        client.get(reverse("sessions:report", args=[harvested.pk]))
        .content.decode()
        .split('<article class="report">')[1]
    )
    assert article.index("Tweede") < article.index("Eerste")
    assert first.pk and second.pk


@pytest.mark.django_db
def test_it_keeps_the_approved_pdf_exactly(client, harvested, secretary):
    client.force_login(secretary)
    client.post(
        reverse("sessions:report_texts", args=[harvested.pk]),
        {"summary": "Samenvatting van de tafel", "closing_remark": ""},
    )
    assert client.post(reverse("sessions:report_approve", args=[harvested.pk])).status_code == 302
    report = reports.report_for(harvested)
    assert report.is_approved
    assert hashlib.sha256(bytes(report.pdf)).hexdigest() == report.pdf_sha256
    # A note added later does not change what was approved.
    harvest.add_note(
        harvested, block_id=harvested.blocks.all()[1].pk, author=secretary, text="Later toegevoegd", tag="overig"
    )
    response = client.get(reverse("sessions:report_pdf", args=[harvested.pk]))
    assert response.content == bytes(report.pdf)
    # Changing the texts withdraws the approval.
    client.post(
        reverse("sessions:report_texts", args=[harvested.pk]), {"summary": "Nieuwe samenvatting", "closing_remark": ""}
    )
    assert not reports.report_for(harvested).is_approved


@pytest.mark.django_db
def test_it_refuses_an_invalid_address(client, harvested, secretary):
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    response = client.post(
        reverse("sessions:report_send", args=[harvested.pk]),
        {"recipients": [], "extra_addresses": "geen-adres", "subject": "Verslag", "message": "Hierbij"},
    )
    assert response.status_code == 422
    assert "geen-adres" in response.content.decode()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_it_sends_one_message_per_recipient_with_the_pdf(
    client, harvested, secretary, smtp_server, django_capture_on_commit_callbacks, run_mail_worker
):
    collector, _controller = smtp_server
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    page = client.get(reverse("sessions:report_send", args=[harvested.pk])).content.decode()
    assert "petra@example.org" in page and "olga@example.org" in page  # participant and researcher
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions:report_send", args=[harvested.pk]),
            {
                "recipients": ["petra@example.org", "bram@example.org", "olga@example.org"],
                "extra_addresses": "",
                "subject": "Verslag Gesprekstafel 1",
                "message": "Beste lezer,\n\nHierbij het verslag.",
            },
        )
    assert response.status_code == 302
    # The request only queued the mail; the worker sends it.
    assert [d.status for d in Delivery.objects.all()] == [DeliveryStatus.PENDING] * 3
    assert collector.envelopes == []
    run_mail_worker()
    assert sorted(d.status for d in Delivery.objects.all()) == [DeliveryStatus.SENT] * 3
    # Petra and Bram took part (thanked in the mail); Olga, a researcher, gets it for information.
    assert sorted((d.email, d.took_part) for d in Delivery.objects.all()) == [
        ("bram@example.org", True),
        ("olga@example.org", False),
        ("petra@example.org", True),
    ]
    assert sorted(tuple(e.rcpt_tos) for e in collector.envelopes) == [
        ("bram@example.org",),
        ("olga@example.org",),
        ("petra@example.org",),
    ]
    report = reports.report_for(harvested)
    for envelope in collector.envelopes:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert message["Subject"] == "Verslag Gesprekstafel 1"
        assert message["To"] in ("bram@example.org", "olga@example.org", "petra@example.org")  # nobody else's address
        assert message["Cc"] is None
        kinds = {part.get_content_type() for part in message.walk()}
        assert {"text/plain", "text/html", "application/pdf"} <= kinds
        attachment = next(part for part in message.walk() if part.get_content_type() == "application/pdf")
        assert attachment.get_content() == bytes(report.pdf)
    assert report.first_sent_at is not None


@pytest.mark.django_db
def test_it_asks_before_sending_the_same_report_twice(
    client, harvested, secretary, smtp_server, django_capture_on_commit_callbacks, run_mail_worker
):
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    data = {"recipients": ["petra@example.org"], "extra_addresses": "", "subject": "Verslag", "message": "Hierbij"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sessions:report_send", args=[harvested.pk]), data)
    run_mail_worker()
    response = client.post(reverse("sessions:report_send", args=[harvested.pk]), data)
    assert response.status_code == 200
    assert 'name="confirm_resend"' in response.content.decode()
    assert Delivery.objects.count() == 1
    client.post(reverse("sessions:report_send", args=[harvested.pk]), {**data, "confirm_resend": "on"})
    assert Delivery.objects.count() == 2


@pytest.mark.django_db
def test_it_marks_a_refused_recipient_failed_and_sends_the_others(
    client, harvested, secretary, smtp_server, django_capture_on_commit_callbacks, run_mail_worker
):
    collector, _controller = smtp_server
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("sessions:report_send", args=[harvested.pk]),
            {
                "recipients": ["petra@example.org"],
                "extra_addresses": "weiger@example.org",
                "subject": "Verslag",
                "message": "Hierbij",
            },
        )
    run_mail_worker()
    # A 5xx refusal does not change by trying again: failed at once, with the reason.
    failed = Delivery.objects.get(email="weiger@example.org")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1 and failed.next_attempt_at is None
    assert "550" in failed.last_error or "refused" in failed.last_error.lower()
    assert Delivery.objects.get(email="petra@example.org").status == DeliveryStatus.SENT
    assert len(collector.envelopes) == 1


@pytest.mark.django_db
def test_it_keeps_deliveries_when_the_server_is_down_and_retries(
    client, harvested, secretary, smtp_server, smtp_port, django_capture_on_commit_callbacks, run_mail_worker
):
    collector, controller = smtp_server
    controller.stop()
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("sessions:report_send", args=[harvested.pk]),
            {
                "recipients": ["petra@example.org", "bram@example.org"],
                "extra_addresses": "",
                "subject": "Verslag",
                "message": "Hierbij",
            },
        )
    run_mail_worker()
    # A refused connection may be temporary: queued again with a backoff, the reason kept.
    assert [d.status for d in Delivery.objects.all()] == [DeliveryStatus.PENDING] * 2
    assert all(d.awaits_retry and d.next_attempt_at > d.created_at for d in Delivery.objects.all())
    assert all("ConnectionRefusedError" in d.last_error for d in Delivery.objects.all())
    page = client.get(reverse("sessions:report_send", args=[harvested.pk])).content.decode()
    assert "petra@example.org" in page and "ConnectionRefusedError" in page

    restarted = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    restarted.start()
    try:
        response = client.post(reverse("sessions:report_retry", args=[harvested.pk]))
        assert response.status_code == 302
        run_mail_worker()
        assert [d.status for d in Delivery.objects.all()] == [DeliveryStatus.SENT] * 2
        assert [d.attempts for d in Delivery.objects.all()] == [2, 2]
        assert len(collector.envelopes) == 2
    finally:
        restarted.stop()


@pytest.mark.django_db
def test_it_retries_failed_deliveries_from_the_command(harvested, secretary, settings, run_mail_worker):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    report = reports.approve(reports.report_for(harvested), by=secretary)
    delivery = Delivery.objects.create(
        report=report,
        email="petra@example.org",
        subject="Verslag",
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_error="down",
    )
    call_command("retry_deliveries")
    run_mail_worker()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_shows_in_the_sessions_overview_that_the_report_was_sent(
    client, harvested, secretary, settings, django_capture_on_commit_callbacks, run_mail_worker
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    before = client.get(reverse("sessions:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("sessions:report_send", args=[harvested.pk]),
            {"recipients": ["petra@example.org"], "extra_addresses": "", "subject": "Verslag", "message": "Hierbij"},
        )
    run_mail_worker()
    after = client.get(reverse("sessions:list")).content.decode()
    assert before.count("bg-success") < after.count("bg-success")
