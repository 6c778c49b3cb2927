from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SessiesConfig(AppConfig):
    name = "sessies"
    verbose_name = _("Sessions")

    def ready(self):
        from kader.evidence import register_evidence_provider
        from sessies.evidence import notes_as_evidence
        from sessies.roles import ensure_role_groups

        # sessies is the last of the project's apps, so every permission exists by now.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="ensure_role_groups")
        # The harvest beside the framework's attention points (project page, checklists).
        register_evidence_provider(notes_as_evidence)
