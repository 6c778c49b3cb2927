from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kader.access import get_project_for
from kader.checklist import checklist_rows, phase_progress, phases_with_points
from kader.forms import ChecklistEntryForm, ResearchProjectForm
from kader.models import AttentionPoint, ChecklistEntry, IntroSection, Phase, ResearchProject, StaleChecklistEntry
from kader.pdf import pdf_response


def framework(request):
    return render(
        request,
        "kader/framework.html",
        {"phases": phases_with_points(), "intro_sections": IntroSection.objects.all()},
    )


def _phase_context(number):
    return {"phase": get_object_or_404(phases_with_points(), number=number)}


def phase(request, number):
    return render(request, "kader/phase.html", _phase_context(number))


def phase_pdf(request, number):
    return pdf_response("kader/phase.html", _phase_context(number), request, f"kader-fase-{number}.pdf")


def project_list(request):
    projects = (
        ResearchProject.objects.visible_to(request.user)
        .select_related("current_phase")
        .prefetch_related("researchers")
    )
    return render(request, "kader/project_list.html", {"projects": projects})


@permission_required("kader.add_researchproject", raise_exception=True)
def project_create(request):
    initial = {"researchers": [request.user.pk], "current_phase": Phase.objects.order_by("number").first()}
    form = ResearchProjectForm(request.POST or None, initial=initial)
    if form.is_valid():
        project = form.save()
        messages.success(request, _("The project has been created."))
        return redirect(project)
    return render(request, "kader/project_form.html", {"form": form})


def project_edit(request, pk):
    project = get_project_for(request.user, pk, edit=True)
    form = ResearchProjectForm(request.POST or None, instance=project)
    if form.is_valid():
        form.save()
        messages.success(request, _("The project has been saved."))
        return redirect(project)
    return render(request, "kader/project_form.html", {"form": form, "project": project})


def project_detail(request, pk):
    project = get_project_for(request.user, pk)
    progress = phase_progress(project)
    sessions_by_phase = {}
    # Sessions live in a later app; reach them through the reverse relation only.
    for session in project.sessions.all():
        sessions_by_phase.setdefault(session.phase_number, []).append(session)
    phases = [
        {"phase": phase, "done": progress[phase.number][0], "total": progress[phase.number][1],
         "sessions": sessions_by_phase.get(phase.number, [])}
        for phase in Phase.objects.all()
    ]
    return render(
        request,
        "kader/project_detail.html",
        {"project": project, "phases": phases, "other_sessions": sessions_by_phase.get(None, []),
         "can_edit": project.can_edit(request.user)},
    )


def checklist(request, pk, number):
    project = get_project_for(request.user, pk)
    phase = get_object_or_404(phases_with_points(), number=number)
    rows = checklist_rows(project, list(phase.attention_points.all()))
    return render(request, "kader/checklist.html", _checklist_context(request, project, phase, rows))


def _checklist_context(request, project, phase, rows):
    can_edit = project.can_edit(request.user)
    for row in rows:
        row.form = ChecklistEntryForm(
            initial={"status": row.entry.status, "note": row.entry.note, "version": row.entry.version},
            prefix=f"p{row.point.pk}",
        )
    return {
        "project": project, "phase": phase, "can_edit": can_edit, "phases": Phase.objects.all(),
        "phase_sections": [{"phase": phase, "rows": rows}],
    }


@require_POST
def checklist_entry(request, pk, point_pk):
    project = get_project_for(request.user, pk, edit=True)
    point = get_object_or_404(AttentionPoint.objects.select_related("phase").prefetch_related("sections"), pk=point_pk)
    row = checklist_rows(project, [point])[0]
    row.form = form = ChecklistEntryForm(request.POST, prefix=f"p{point.pk}")
    row.conflict = None
    status = 200
    if form.is_valid():
        try:
            row.entry = row.entry.mark(
                form.cleaned_data["status"], form.cleaned_data["note"],
                by=request.user, expected_version=form.cleaned_data["version"],
            )
            row.saved = True
            row.form = ChecklistEntryForm(
                initial={"status": row.entry.status, "note": row.entry.note, "version": row.entry.version},
                prefix=f"p{point.pk}",
            )
        except StaleChecklistEntry as stale:
            # Keep the user's text in the form, show what the other person saved, and let a
            # second save overwrite it knowingly by carrying the current version.
            row.entry = row.conflict = stale.current
            data = request.POST.copy()
            data[f"p{point.pk}-version"] = stale.current.version
            row.form = ChecklistEntryForm(data, prefix=f"p{point.pk}")
            status = 409
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
    if not form.is_valid() and row.conflict is None:
        status = 422
    if request.htmx:
        # htmx swaps 2xx only by default; the conflict and error fragments are swapped via hx-on.
        return render(request, "kader/checklist.html#entry", {"row": row, "project": project, "can_edit": True}, status=status)
    if status == 200:
        messages.success(request, _("Saved: %(point)s") % {"point": point.title})
        return redirect("projects:checklist", pk=project.pk, number=point.phase.number)
    phase = get_object_or_404(phases_with_points(), number=point.phase.number)
    rows = checklist_rows(project, list(phase.attention_points.all()))
    context = _checklist_context(request, project, phase, rows)
    for other in context["phase_sections"][0]["rows"]:
        if other.point.pk == point.pk:
            other.form, other.conflict, other.entry = row.form, row.conflict, row.entry
    return render(request, "kader/checklist.html", context, status=status)


def checklist_pdf(request, pk):
    project = get_project_for(request.user, pk)
    phases = list(phases_with_points())
    all_rows = checklist_rows(project, [point for phase in phases for point in phase.attention_points.all()])
    by_point = {row.point.pk: row for row in all_rows}
    sections = [{"phase": phase, "rows": [by_point[p.pk] for p in phase.attention_points.all()]} for phase in phases]
    return pdf_response(
        "kader/checklist.html", {"project": project, "phase_sections": sections}, request,
        f"checklist-{project.pk}.pdf",
    )
