from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraaiboekenConfig(AppConfig):
    name = "draaiboeken"
    verbose_name = _("Script library")

    def ready(self):
        from draaiboeken.scripts import scripts_for_phase
        from kader.links import register_phase_links

        register_phase_links(scripts_for_phase)
