"""The work-form library (Movisie toolbox): search and filter."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from gesprekstafels.models import Audience, LemniscatePhase, WorkFormCategory, WorkFormTool


class WorkFormFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    categorie = forms.ModelChoiceField(
        label=_("Category"), queryset=WorkFormCategory.objects.all(), required=False, to_field_name="number",
        empty_label=_("All categories"),
    )
    met_wie = forms.ModelChoiceField(
        label=_("Who takes part"), queryset=Audience.objects.all(), required=False, to_field_name="slug",
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
                Q(name__icontains=query) | Q(description__icontains=query) | Q(when__icontains=query)
                | Q(with_whom__icontains=query) | Q(source__icontains=query)
            )
        if category := self.cleaned_data["categorie"]:
            tools = tools.filter(category=category)
        if audience := self.cleaned_data["met_wie"]:
            tools = tools.filter(audiences=audience)
        return tools


def workform_list(request):
    form = WorkFormFilter(request.GET or None)
    tools = form.filter(WorkFormTool.objects.select_related("category").prefetch_related("audiences"))
    template = "gesprekstafels/workforms.html"
    if request.htmx:
        template += "#results"
    return render(
        request, template,
        {"form": form, "tools": tools, "phases": LemniscatePhase.objects.all(), "filtered": bool(request.GET)},
    )


def workform_detail(request, pk):
    tool = get_object_or_404(WorkFormTool.objects.select_related("category").prefetch_related("audiences"), pk=pk)
    scripts = {block.script for block in tool.blocks.select_related("script")}
    return render(request, "gesprekstafels/workform.html", {"tool": tool, "scripts": sorted(scripts, key=str)})
