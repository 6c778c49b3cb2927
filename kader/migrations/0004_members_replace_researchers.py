from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kader", "0003_researchers_become_members"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name="researchproject",
            name="researchers",
        ),
        migrations.AddField(
            model_name='researchproject',
            name='members',
            field=models.ManyToManyField(related_name='research_projects', through='kader.Membership', to=settings.AUTH_USER_MODEL, verbose_name='members'),
        ),
    ]
