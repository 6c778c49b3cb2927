from django.db import migrations


class Migration(migrations.Migration):
    """A session block's questions become its steps: the same rows, so notes keep their question."""

    dependencies = [
        ("sessies", "0006_bounds_unique_note_tokens_delivery_claims"),
        ("draaiboeken", "0005_question_becomes_step"),
    ]

    operations = [
        migrations.RenameModel("SessionQuestion", "SessionStep"),
    ]
