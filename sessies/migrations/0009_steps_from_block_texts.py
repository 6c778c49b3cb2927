from django.db import migrations

PRACTICAL_HEADING = "Praktische zaken:"
FOLLOW_UP_HEADING = "Vervolgafspraken:"


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def forward(apps, schema_editor):
    """Turn each session block's texts into steps, keeping the order its pages showed.

    Question rows keep their ids, so notes stay under their question. Blocks of sessions not
    yet started are marked to take the script's ordered steps once more (refresh_legacy_steps).
    """
    SessionBlock = apps.get_model("sessies", "SessionBlock")
    SessionStep = apps.get_model("sessies", "SessionStep")
    SessionStep.objects.update(kind="vraag")
    SessionBlock.objects.filter(session__state="gepland").update(legacy_steps=True)
    for block in SessionBlock.objects.all().iterator():
        order = 0
        new = []
        for order, text in enumerate(lines(block.instructions), start=1):
            new.append(SessionStep(block=block, order=order, kind="instructie", text=text))
        SessionStep.objects.bulk_create(new)
        for question in SessionStep.objects.filter(block=block, parent=None, kind="vraag").order_by("order", "pk"):
            order += 1
            SessionStep.objects.filter(pk=question.pk).update(order=order)
        for heading, text in ((PRACTICAL_HEADING, block.practical_matters), (FOLLOW_UP_HEADING, block.follow_up)):
            items = lines(text)
            if not items:
                continue
            order += 1
            group = SessionStep.objects.create(block=block, order=order, kind="groep", text=heading)
            SessionStep.objects.bulk_create(
                SessionStep(block=block, parent=group, order=index, kind="instructie", text=item)
                for index, item in enumerate(items, start=1)
            )


def rename_permissions(apps, schema_editor):
    """The renamed model keeps its permissions: `*_sessionquestion` rows become `*_sessionstep`, so groups keep them."""
    Permission = apps.get_model("auth", "Permission")
    for action in ("add", "change", "delete", "view"):
        Permission.objects.filter(content_type__app_label="sessies", codename=f"{action}_sessionquestion").update(
            codename=f"{action}_sessionstep", name=f"Can {action} session step"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sessies", "0008_step_fields"),
        ("draaiboeken", "0007_steps_from_block_texts"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RunPython(rename_permissions, migrations.RunPython.noop),
    ]
