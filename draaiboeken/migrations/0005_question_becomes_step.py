from django.db import migrations


class Migration(migrations.Migration):
    """A block's questions become its steps: the same rows (and ids), joined by its instructions next."""

    dependencies = [
        ("draaiboeken", "0004_block_minutes_bound"),
        ("kader", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("Question", "Step"),
    ]
