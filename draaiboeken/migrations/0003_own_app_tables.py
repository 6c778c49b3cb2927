"""The script library's tables move from the project's label to the app's own.

Until the library had an app of its own its tables were named gesprekstafels_*. Both a new
database (created by 0001 and 0002 under the old names) and an existing one take the same
steps here: the tables are renamed in place, so no row is lost, and the content types are
relabelled so permissions granted to groups and users keep pointing at the same rows.
"""

from django.db import migrations


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label="gesprekstafels").update(
        app_label="draaiboeken"
    )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label="draaiboeken").update(
        app_label="gesprekstafels"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("draaiboeken", "0002_script_variants_and_work_forms"),
    ]

    operations = [
        migrations.AlterModelTable(name='block', table=None),
        migrations.AlterModelTable(name='method', table=None),
        migrations.AlterModelTable(name='question', table=None),
        migrations.AlterModelTable(name='role', table=None),
        migrations.AlterModelTable(name='script', table=None),
        migrations.AlterModelTable(name='tip', table=None),
        migrations.AlterModelTable(name='audience', table=None),
        migrations.AlterModelTable(name='lemniscatephase', table=None),
        migrations.AlterModelTable(name='workformcategory', table=None),
        migrations.AlterModelTable(name='workformtool', table=None),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
