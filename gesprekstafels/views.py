from django.shortcuts import get_object_or_404, render

from gesprekstafels.library import (
    questions_by_perspective,
    script_for_display,
    scripts_with_minutes,
    timeline,
    tips_by_audience,
)
from kader.pdf import pdf_response


def library(request):
    scripts = list(scripts_with_minutes())
    groups = {}
    for script in scripts:
        groups.setdefault(script.phase, []).append(script)
    return render(request, "gesprekstafels/library.html", {"groups": list(groups.items())})


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
    return render(request, "gesprekstafels/script.html", _script_context(slug))


def script_pdf(request, slug):
    return pdf_response("gesprekstafels/script.html", _script_context(slug), request, f"draaiboek-{slug}.pdf")
