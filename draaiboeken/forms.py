from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from draaiboeken.models import Audience, WorkFormCategory


class WorkFormFilter(forms.Form):
    """Search and filter the work-form library (Movisie toolbox)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    categorie = forms.ModelChoiceField(
        label=_("Category"),
        queryset=WorkFormCategory.objects.all(),
        required=False,
        to_field_name="number",
        empty_label=_("All categories"),
    )
    met_wie = forms.ModelChoiceField(
        label=_("Who takes part"),
        queryset=Audience.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("Everyone"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def filter(self, tools):
        if not self.is_valid():
            return tools
        if query := self.cleaned_data["q"].strip():
            tools = tools.filter(
                Q(name__icontains=query)
                | Q(description__icontains=query)
                | Q(when__icontains=query)
                | Q(with_whom__icontains=query)
                | Q(source__icontains=query)
            )
        if category := self.cleaned_data["categorie"]:
            tools = tools.filter(category=category)
        if audience := self.cleaned_data["met_wie"]:
            tools = tools.filter(audiences=audience)
        return tools
