"""Every sent version of a report is kept (issue 16, point 3).

Approving stores an immutable version; each delivery carries the version it was queued with; the
send page lists the versions and who got which, offers a correction to everyone who got an earlier
one, and an earlier version stays downloadable. Mail goes through the real worker to a real SMTP
server on loopback.
"""

import email
import email.policy
import hashlib
import io
import re

import pypdf
import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessies import reports
from sessies.models import Delivery, DeliveryStatus, Report, ReportVersion
from tests.factories import ResearchProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIRST = "Eerste samenvatting van de tafel"
CORRECTED = "Gecorrigeerde samenvatting van de tafel"


def pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def sha(content):
    return hashlib.sha256(bytes(content)).hexdigest()


def write_summary(client, session, summary):
    response = client.post(
        reverse("sessions:report_texts", args=[session.pk]), {"summary": summary, "closing_remark": ""}
    )
    assert response.status_code == 302


def approve(client, session):
    assert client.post(reverse("sessions:report_approve", args=[session.pk])).status_code == 302


def send(client, session, recipients, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("sessions:report_send", args=[session.pk]),
            {"recipients": recipients, "extra_addresses": "", "subject": "Verslag", "message": "Hierbij", **data},
        )


def attachments(collector):
    """{address: (file name, PDF bytes)} of what the SMTP server received."""
    received = {}
    for envelope in collector.envelopes:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        part = next(part for part in message.walk() if part.get_content_type() == "application/pdf")
        received[message["To"]] = (part.get_filename(), part.get_content())
    return received


def checked_recipients(page):
    return sorted(re.findall(r'name="recipients" value="([^"]+)"[^>]*\bchecked\b', page))


def version_url(session, number):
    return reverse("sessions:report_version_pdf", args=[session.pk, number])


def test_approving_stores_version_1_with_its_bytes_hash_and_approver(client, harvested, secretary):
    client.force_login(secretary)
    write_summary(client, harvested, FIRST)
    approve(client, harvested)

    version = ReportVersion.objects.get()
    report = Report.objects.get(session=harvested)
    assert (version.report_id, version.number, version.approved_by) == (report.pk, 1, secretary)
    assert bytes(version.pdf).startswith(b"%PDF")
    assert version.sha256 == sha(version.pdf)
    assert FIRST in pdf_text(bytes(version.pdf))
    # The report's own PDF is the latest approved one, the same bytes.
    assert (bytes(report.pdf), report.pdf_sha256) == (bytes(version.pdf), version.sha256)
    assert version.approved_at == report.approved_at


def test_approving_again_without_a_change_adds_no_version(client, harvested, secretary):
    client.force_login(secretary)
    approve(client, harvested)
    approve(client, harvested)
    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1]


def test_a_correction_after_sending_keeps_what_the_first_recipients_got_and_offers_the_new_version(
    client, harvested, secretary, smtp_server, django_capture_on_commit_callbacks, run_mail_worker
):
    collector, _controller = smtp_server
    client.force_login(secretary)
    write_summary(client, harvested, FIRST)
    approve(client, harvested)
    v1 = ReportVersion.objects.get(number=1)
    v1_bytes = bytes(v1.pdf)

    # The first send: what each recipient received is version 1, byte for byte.
    response = send(client, harvested, ["petra@example.org", "olga@example.org"], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert [d.version_id for d in Delivery.objects.all()] == [v1.pk, v1.pk]
    run_mail_worker()
    first = attachments(collector)
    assert sorted(first) == ["olga@example.org", "petra@example.org"]
    for filename, content in first.values():
        assert filename == f"verslag-{harvested.pk}-versie-1.pdf"
        assert sha(content) == v1.sha256
    first_deliveries = list(Delivery.objects.order_by("pk"))
    assert [(d.status, d.version_id, d.pdf_sha256) for d in first_deliveries] == [
        (DeliveryStatus.SENT, v1.pk, v1.sha256)
    ] * 2

    # The correction: the summary changes (the approval is withdrawn, version 1 stays), then approval again.
    write_summary(client, harvested, CORRECTED)
    assert not Report.objects.get(session=harvested).is_approved
    assert ReportVersion.objects.count() == 1
    approve(client, harvested)
    v2 = ReportVersion.objects.get(number=2)
    assert v2.sha256 == sha(v2.pdf) != v1.sha256
    assert CORRECTED in pdf_text(bytes(v2.pdf)) and FIRST not in pdf_text(bytes(v2.pdf))

    # Version 1 is unchanged and downloadable with the hash its recipients received.
    v1.refresh_from_db()
    assert bytes(v1.pdf) == v1_bytes and v1.sha256 == sha(v1_bytes)
    download = client.get(version_url(harvested, 1))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'inline; filename="verslag-{harvested.pk}-versie-1.pdf"'
    assert sha(download.content) == v1.sha256 == sha(first["petra@example.org"][1])
    assert list(Delivery.objects.order_by("pk").values_list("version", flat=True)) == [v1.pk, v1.pk]

    # The send page lists both versions and who got which, and offers version 2 to version 1's recipients.
    page = client.get(reverse("sessions:report_send", args=[harvested.pk])).content.decode()
    versions = page.split('id="versions-title"')[1].split("</table>")[0]
    row_v2, row_v1 = versions.split('<tr id="version-2">')[1].split('<tr id="version-1">')
    assert f'href="{version_url(harvested, 2)}"' in row_v2 and v2.sha256[:12] in row_v2
    assert "petra@example.org" not in row_v2 and "not sent yet" in row_v2
    assert f'href="{version_url(harvested, 1)}"' in row_v1 and v1.sha256[:12] in row_v1
    assert "Petra Professional &lt;petra@example.org&gt;" in row_v1 and "olga@example.org" in row_v1
    offer = page.split('id="correction-offer"')[1].split("</div>")[0]
    assert "Version 2 corrects the version that 2 recipients received." in offer
    assert f'href="{reverse("sessions:report_send", args=[harvested.pk])}?ontvangers=eerdere#recipients-title"' in offer
    # By default the groups are proposed as usual (Bram took part too).
    assert checked_recipients(page) == ["bram@example.org", "olga@example.org", "petra@example.org"]

    # The offer's button checks exactly version 1's recipients; the other groups stay on the page.
    chosen = client.get(reverse("sessions:report_send", args=[harvested.pk]), {"ontvangers": "eerdere"})
    chosen_page = chosen.content.decode()
    assert checked_recipients(chosen_page) == ["olga@example.org", "petra@example.org"]
    assert 'name="recipients" value="bram@example.org"' in chosen_page
    assert "corrected version (version 2)" in chosen_page

    # Sending version 2 is not a repeat (no confirmation asked) and carries version 2's bytes.
    response = send(client, harvested, ["petra@example.org", "olga@example.org"], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    run_mail_worker()
    second = [envelope for envelope in collector.envelopes[2:]]
    assert len(second) == 2
    collector.envelopes = second
    for filename, content in attachments(collector).values():
        assert filename == f"verslag-{harvested.pk}-versie-2.pdf"
        assert sha(content) == v2.sha256
    later = Delivery.objects.exclude(pk__in=[d.pk for d in first_deliveries])
    assert sorted((d.email, d.version_id, d.pdf_sha256, d.status) for d in later) == [
        ("olga@example.org", v2.pk, v2.sha256, DeliveryStatus.SENT),
        ("petra@example.org", v2.pk, v2.sha256, DeliveryStatus.SENT),
    ]
    # Everyone who got version 1 now has version 2: nothing left to offer.
    page = client.get(reverse("sessions:report_send", args=[harvested.pk])).content.decode()
    assert 'id="correction-offer"' not in page
    assert 'id="versions-title"' in page


def test_a_retry_after_a_new_approval_still_sends_the_version_that_was_queued(
    client, harvested, secretary, smtp_server, smtp_port, django_capture_on_commit_callbacks, run_mail_worker
):
    collector, controller = smtp_server
    client.force_login(secretary)
    write_summary(client, harvested, FIRST)
    approve(client, harvested)
    v1 = ReportVersion.objects.get()
    controller.stop()  # the mail server is down: the delivery waits for a retry
    assert send(client, harvested, ["petra@example.org"], django_capture_on_commit_callbacks).status_code == 302
    assert Delivery.objects.get().version_id == v1.pk  # bound when queued, not when first tried
    run_mail_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.version_id) == (DeliveryStatus.PENDING, 1, v1.pk)

    write_summary(client, harvested, CORRECTED)
    approve(client, harvested)
    assert ReportVersion.objects.count() == 2
    restarted = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    restarted.start()
    try:
        assert client.post(reverse("sessions:report_retry", args=[harvested.pk])).status_code == 302
        run_mail_worker()
    finally:
        restarted.stop()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.version_id, delivery.pdf_sha256) == (DeliveryStatus.SENT, v1.pk, v1.sha256)
    ((filename, content),) = attachments(collector).values()
    assert filename == f"verslag-{harvested.pk}-versie-1.pdf"
    assert sha(content) == v1.sha256


def test_withdrawing_the_approval_keeps_every_version(client, harvested, secretary, researcher):
    client.force_login(secretary)
    approve(client, harvested)
    write_summary(client, harvested, CORRECTED)
    assert not Report.objects.get(session=harvested).is_approved
    approve(client, harvested)
    write_summary(client, harvested, FIRST)  # withdrawn again
    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1, 2]
    # Whoever sees the report still downloads both, also without an approval in force.
    client.force_login(researcher)
    for version in ReportVersion.objects.all():
        response = client.get(version_url(harvested, version.number))
        assert response.status_code == 200
        assert sha(response.content) == version.sha256


def test_only_those_who_see_the_report_download_a_version(client, harvested, secretary, outsider, django_user_model):
    reports.approve(reports.report_for(harvested), by=secretary)
    # A member of another project, in a leading role there.
    other = django_user_model.objects.create_user(username="anna")
    other.groups.add(*outsider.groups.all())
    ResearchProjectFactory(researchers=[other])
    for user in (outsider, other):
        client.force_login(user)
        assert client.get(version_url(harvested, 1)).status_code == 404
    client.force_login(secretary)
    assert client.get(version_url(harvested, 2)).status_code == 404  # no such version
    assert client.get(version_url(harvested, 1)).status_code == 200
    client.logout()
    response = client.get(version_url(harvested, 1))
    assert response.status_code == 302 and "%PDF" not in response.content.decode(errors="replace")


def test_the_send_page_costs_the_same_queries_however_many_versions_and_deliveries(client, harvested, secretary):
    report = reports.approve(reports.report_for(harvested), by=secretary)
    v1 = ReportVersion.objects.get()
    Delivery.objects.create(report=report, version=v1, email="petra@example.org", status=DeliveryStatus.SENT)
    client.force_login(secretary)
    url = reverse("sessions:report_send", args=[harvested.pk])
    client.get(url)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    for number in range(2, 7):
        version = ReportVersion.objects.create(
            report=report,
            number=number,
            pdf=b"%PDF",
            sha256=f"{number:064d}",
            approved_at=timezone.now(),
            approved_by=secretary,
        )
        for index in range(5):
            Delivery.objects.create(
                report=report, version=version, email=f"lezer{number}-{index}@example.org", status=DeliveryStatus.SENT
            )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count('<tr id="version-') == 6
    # Those who got versions 1 to 5 are offered version 6, in a group of their own when not a project's person.
    assert "Version 6 corrects the version that 21 recipients received." in page
    assert page.count('name="recipients" value="lezer') == 20


# Upgrading: the approved PDF of a report becomes its version 1

BEFORE_VERSIONS = ("sessies", "0011_people_and_privacy")


def migrate(targets):
    """Migrate to `targets`; the models as the other apps stand at their latest and sessies at its target."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    apps_in_target = {app for app, _name in targets}
    state_nodes = targets + [node for node in executor.loader.graph.leaf_nodes() if node[0] not in apps_in_target]
    return executor.loader.project_state(state_nodes).apps


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_turns_the_approved_pdf_into_version_1_and_links_the_deliveries_that_carried_it():
    apps = migrate([BEFORE_VERSIONS])
    phase = apps.get_model("kader", "Phase").objects.create(number=1, name="De start")
    method = apps.get_model("draaiboeken", "Method").objects.create(name="Gesprekstafels", slug="gt", order=1)
    script = apps.get_model("draaiboeken", "Script").objects.create(method=method, title="GT1", slug="gt1", phase=phase)
    user = apps.get_model("auth", "User").objects.create(username="sanne")
    project = apps.get_model("kader", "ResearchProject").objects.create(title="P", current_phase=phase)
    session = apps.get_model("sessies", "Session").objects.create(
        project=project,
        script=script,
        script_title="GT1",
        title="Tafel",
        starts_at=timezone.now(),
        facilitator=user,
        secretary=user,
        state="afgerond",
    )
    pdf = b"%PDF-1.7 het goedgekeurde verslag"
    approved_at = timezone.now()
    report = apps.get_model("sessies", "Report").objects.create(
        session=session, pdf=pdf, pdf_sha256=sha(pdf), approved_at=approved_at, approved_by=user
    )
    OldDelivery = apps.get_model("sessies", "Delivery")
    carried = OldDelivery.objects.create(
        report=report, email="petra@example.org", status="verzonden", pdf_sha256=sha(pdf)
    )
    older = OldDelivery.objects.create(
        report=report, email="bram@example.org", status="verzonden", pdf_sha256=sha(b"%PDF een eerdere versie")
    )
    # A report whose approval was withdrawn has no approved PDF to keep.
    draft_session = apps.get_model("sessies", "Session").objects.create(
        project=project,
        script=script,
        script_title="GT1",
        title="Concept",
        starts_at=timezone.now(),
        facilitator=user,
        secretary=user,
    )
    apps.get_model("sessies", "Report").objects.create(session=draft_session)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    version = ReportVersion.objects.get()
    assert (version.report_id, version.number, bytes(version.pdf), version.sha256) == (report.pk, 1, pdf, sha(pdf))
    assert (version.approved_at, version.approved_by_id) == (approved_at, user.pk)
    assert Delivery.objects.get(pk=carried.pk).version_id == version.pk
    assert Delivery.objects.get(pk=older.pk).version_id is None
