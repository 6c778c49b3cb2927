from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KaderConfig(AppConfig):
    name = "kader"
    verbose_name = _("Quality framework")
