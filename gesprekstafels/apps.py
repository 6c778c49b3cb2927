from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GesprekstafelsConfig(AppConfig):
    name = "gesprekstafels"
    verbose_name = _("Script library")
