from django.db import migrations

# Headings for the former one-item-per-line fields; content stays in the sources' Dutch.
PRACTICAL_HEADING = "Praktische zaken:"
FOLLOW_UP_HEADING = "Vervolgafspraken:"


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def block_texts_to_steps(Step, block):
    """Turn a block's instruction, practical and follow-up lines into steps; nothing is dropped.

    The old pages showed the instructions first, then the questions, then practical matters
    and follow-up: the steps keep that order, and the fixtures bring the source's order.
    """
    Step.objects.filter(block=block).update(kind="vraag")
    instructions = lines(block.instructions)
    top_questions = list(Step.objects.filter(block=block, parent=None).order_by("order", "pk"))
    order = 0
    for order, text in enumerate(instructions, start=1):
        Step.objects.create(block=block, order=order, kind="instructie", text=text)
    for question in top_questions:
        order += 1
        question.order = order
        question.save(update_fields=["order"])
    for heading, text in ((PRACTICAL_HEADING, block.practical_matters), (FOLLOW_UP_HEADING, block.follow_up)):
        items = lines(text)
        if not items:
            continue
        order += 1
        group = Step.objects.create(block=block, order=order, kind="groep", text=heading)
        for index, item in enumerate(items, start=1):
            Step.objects.create(block=block, parent=group, order=index, kind="instructie", text=item)


def forward(apps, schema_editor):
    Block = apps.get_model("draaiboeken", "Block")
    Step = apps.get_model("draaiboeken", "Step")
    for block in Block.objects.all():
        block_texts_to_steps(Step, block)
    WorkFormTool = apps.get_model("draaiboeken", "WorkFormTool")
    Reading = apps.get_model("draaiboeken", "Reading")
    for tool in WorkFormTool.objects.exclude(further_reading=""):
        Reading.objects.bulk_create(
            Reading(tool=tool, order=index, title=title)
            for index, title in enumerate(lines(tool.further_reading), start=1)
        )


def rename_permissions(apps, schema_editor):
    """The renamed model keeps its permissions: `*_question` rows become `*_step`, so groups keep them."""
    Permission = apps.get_model("auth", "Permission")
    for action in ("add", "change", "delete", "view"):
        Permission.objects.filter(content_type__app_label="draaiboeken", codename=f"{action}_question").update(
            codename=f"{action}_step", name=f"Can {action} step"
        )


class Migration(migrations.Migration):
    dependencies = [("draaiboeken", "0006_step_fields"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RunPython(rename_permissions, migrations.RunPython.noop),
    ]
