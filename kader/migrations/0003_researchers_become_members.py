from django.db import migrations


def researchers_to_members(apps, schema_editor):
    """Every researcher of a project becomes its member in the role researcher."""
    ResearchProject = apps.get_model("kader", "ResearchProject")
    Membership = apps.get_model("kader", "Membership")
    Through = ResearchProject.researchers.through
    Membership.objects.bulk_create(
        Membership(project_id=row.researchproject_id, user_id=row.user_id, role="onderzoeker")
        for row in Through.objects.all()
    )


def members_to_researchers(apps, schema_editor):
    ResearchProject = apps.get_model("kader", "ResearchProject")
    Membership = apps.get_model("kader", "Membership")
    Through = ResearchProject.researchers.through
    Through.objects.bulk_create(
        Through(researchproject_id=m.project_id, user_id=m.user_id)
        for m in Membership.objects.filter(role="onderzoeker")
    )


class Migration(migrations.Migration):
    dependencies = [("kader", "0002_members_and_contacts")]

    operations = [migrations.RunPython(researchers_to_members, members_to_researchers)]
