from django.db import migrations


def approved_pdfs_become_versions(apps, schema_editor):
    """Each stored approved PDF becomes version 1; deliveries that carried it point to it.

    Only the latest PDF was kept before, so deliveries of an earlier, overwritten PDF (their
    hash differs) stay without a version: what they carried is gone and no row pretends otherwise.
    """
    Report = apps.get_model("sessies", "Report")
    ReportVersion = apps.get_model("sessies", "ReportVersion")
    Delivery = apps.get_model("sessies", "Delivery")
    for report in Report.objects.exclude(pdf=None).exclude(approved_at=None):
        version = ReportVersion.objects.create(
            report=report,
            number=1,
            pdf=report.pdf,
            sha256=report.pdf_sha256,
            approved_at=report.approved_at,
            approved_by_id=report.approved_by_id,
        )
        Delivery.objects.filter(report=report, pdf_sha256=report.pdf_sha256).update(version=version)


class Migration(migrations.Migration):
    dependencies = [("sessies", "0012_report_versions_photos_note_points")]

    operations = [migrations.RunPython(approved_pdfs_become_versions, migrations.RunPython.noop)]
