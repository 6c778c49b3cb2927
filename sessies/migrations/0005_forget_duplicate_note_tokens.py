from django.db import migrations


def forget_duplicate_tokens(apps, schema_editor):
    """Before the constraint: keep the token on the first note of each duplicate pair.

    Retried requests could store a typed note twice; both rows stay (nothing typed is
    deleted), only the later copies lose the token they share.
    """
    Note = apps.get_model("sessies", "Note")
    seen = set()
    for pk, session_id, token in (
        Note.objects.exclude(client_token="").order_by("pk").values_list("pk", "session_id", "client_token")
    ):
        if (session_id, token) in seen:
            Note.objects.filter(pk=pk).update(client_token="")
        seen.add((session_id, token))


class Migration(migrations.Migration):
    # Its own migration: on PostgreSQL, rows updated in the same transaction as the
    # constraint below would hold pending trigger events that block the ALTER TABLE.
    dependencies = [("sessies", "0004_timeline_version")]

    operations = [migrations.RunPython(forget_duplicate_tokens, migrations.RunPython.noop)]
