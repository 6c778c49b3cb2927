"""The script library's pages: scripts with their handout PDF, and the work-form library."""

from django.db.models import F
from django.shortcuts import get_object_or_404, render

from draaiboeken.forms import WorkFormFilter
from draaiboeken.models import LemniscatePhase, ToolboxSection, WorkFormTool
from draaiboeken.scripts import (
    method_for_display,
    questions_by_perspective,
    script_for_display,
    scripts_with_minutes,
    timeline,
    tips_by_audience,
)
from gesprekstafels.lib.pdf import pdf_response


def library(request):
    """Every method with its scripts, Gesprekstafels first (Method.order); within a method by phase."""
    scripts = scripts_with_minutes().order_by(
        "method__order", "method__name", "method__pk", F("phase__number").asc(nulls_last=True), "order", "title"
    )
    methods = {}
    for script in scripts:
        methods.setdefault(script.method, {}).setdefault(script.phase, []).append(script)
    method_groups = [(method, list(phases.items())) for method, phases in methods.items()]
    return render(request, "draaiboeken/library.html", {"method_groups": method_groups})


def method_detail(request, slug):
    method = get_object_or_404(method_for_display(), slug=slug)
    return render(request, "draaiboeken/method.html", {"method": method, "tip_groups": tips_by_audience(method)})


def _script_context(slug):
    script = get_object_or_404(script_for_display(), slug=slug)
    entries = timeline(script)
    return {
        "script": script,
        "timeline": entries,
        "total_minutes": sum(entry.block.minutes for entry in entries),
        "perspectives": questions_by_perspective(entries),
        "tip_groups": tips_by_audience(script.method),
    }


def script_detail(request, slug):
    return render(request, "draaiboeken/script.html", _script_context(slug))


def script_pdf(request, slug):
    return pdf_response("draaiboeken/script.html", _script_context(slug), request, f"draaiboek-{slug}.pdf")


def workform_list(request):
    form = WorkFormFilter(request.GET or None)
    tools = form.filter(WorkFormTool.objects.select_related("category").prefetch_related("audiences"))
    template = "draaiboeken/workforms.html"
    if request.htmx:
        template += "#results"
    context = {
        "form": form,
        "tools": tools,
        "phases": LemniscatePhase.objects.all(),
        "filtered": bool(request.GET),
        "toolbox_sections": ToolboxSection.objects.prefetch_related("links"),
    }
    return render(request, template, context)


def workform_detail(request, pk):
    tools = WorkFormTool.objects.select_related("category").prefetch_related("audiences", "readings", "methods")
    tool = get_object_or_404(tools, pk=pk)
    scripts = {block.script for block in tool.blocks.select_related("script")}
    return render(request, "draaiboeken/workform.html", {"tool": tool, "scripts": sorted(scripts, key=str)})
