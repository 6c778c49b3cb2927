from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraaiboekenConfig(AppConfig):
    name = "draaiboeken"
    verbose_name = _("Script library")
