from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gesprekstafels.lib.pdf import pdf_response
from kader.access import can_create_project, get_project_for
from kader.checklist import checklist_rows, phase_progress, phases_with_points, save_row
from kader.forms import ChecklistEntryForm, ResearchProjectForm
from kader.links import phase_links
from kader.models import AttentionPoint, IntroSection, Phase, ResearchProject, StaleChecklistEntry


def framework(request):
    return render(
        request,
        "kader/framework.html",
        {"phases": phases_with_points(), "intro_sections": IntroSection.objects.all()},
    )


def _phase_context(number):
    phase = get_object_or_404(phases_with_points(), number=number)
    return {"phase": phase, "phase_links": phase_links(phase)}


def phase(request, number):
    return render(request, "kader/phase.html", _phase_context(number))


def phase_pdf(request, number):
    return pdf_response("kader/phase.html", _phase_context(number), request, f"kader-fase-{number}.pdf")


def project_list(request):
    projects = (
        ResearchProject.objects.visible_to(request.user).select_related("current_phase").prefetch_related("researchers")
    )
    return render(request, "kader/project_list.html", {"projects": projects})


def project_create(request):
    if not can_create_project(request.user):
        raise PermissionDenied
    initial = {"researchers": [request.user.pk], "current_phase": Phase.objects.order_by("number").first()}
    form = ResearchProjectForm(request.POST or None, initial=initial)
    if form.is_valid():
        project = form.save()
        messages.success(request, _("The project has been created."))
        return redirect(project)
    status = 422 if form.is_bound else 200
    return render(request, "kader/project_form.html", {"form": form}, status=status)


def project_edit(request, pk):
    project = get_project_for(request.user, pk, edit=True)
    form = ResearchProjectForm(request.POST or None, instance=project)
    if form.is_valid():
        form.save()
        messages.success(request, _("The project has been saved."))
        return redirect(project)
    status = 422 if form.is_bound else 200
    return render(request, "kader/project_form.html", {"form": form, "project": project}, status=status)


def project_detail(request, pk):
    project = get_project_for(request.user, pk)
    progress = phase_progress(project)
    sessions_by_phase = {}
    # Sessions live in a later app; reach them through the reverse relation only.
    for session in project.sessions.all():
        sessions_by_phase.setdefault(session.phase_number, []).append(session)
    phases = [
        {
            "phase": phase,
            "done": progress[phase.number][0],
            "total": progress[phase.number][1],
            "sessions": sessions_by_phase.get(phase.number, []),
        }
        for phase in Phase.objects.all()
    ]
    return render(
        request,
        "kader/project_detail.html",
        {
            "project": project,
            "phases": phases,
            "other_sessions": sessions_by_phase.get(None, []),
            "can_edit": project.can_edit(request.user),
        },
    )


def checklist(request, pk, number):
    project = get_project_for(request.user, pk)
    phase = get_object_or_404(phases_with_points(), number=number)
    rows = checklist_rows(project, list(phase.attention_points.all()))
    return render(request, "kader/checklist.html", _checklist_context(request, project, phase, rows))


def _checklist_context(request, project, phase, rows):
    for row in rows:
        if row.form is None:
            row.form = ChecklistEntryForm.for_entry(row.entry, row.point)
    return {
        "project": project,
        "phase": phase,
        "can_edit": project.can_edit(request.user),
        "phases": Phase.objects.all(),
        "phase_sections": [{"phase": phase, "rows": rows}],
    }


@require_POST
def checklist_entry(request, pk, point_pk):
    project = get_project_for(request.user, pk, edit=True)
    point = get_object_or_404(AttentionPoint.objects.select_related("phase").prefetch_related("sections"), pk=point_pk)
    row = checklist_rows(project, [point])[0]
    form = ChecklistEntryForm(request.POST, prefix=ChecklistEntryForm.prefix_for(point))
    status, row.form = _save_posted_row(row, form, by=request.user)
    if request.htmx:
        return render(
            request, "kader/checklist.html#entry", {"row": row, "project": project, "can_edit": True}, status=status
        )
    if status == 200:
        messages.success(request, _("Saved: %(point)s") % {"point": point.title})
        return redirect("projects:checklist", pk=project.pk, number=point.phase.number)
    # Without htmx: the whole phase again, with this row's errors or conflict in place.
    phase = get_object_or_404(phases_with_points(), number=point.phase.number)
    rows = [
        row if other.point.pk == point.pk else other
        for other in checklist_rows(project, list(phase.attention_points.all()))
    ]
    return render(request, "kader/checklist.html", _checklist_context(request, project, phase, rows), status=status)


def _save_posted_row(row, form, *, by):
    """Save the posted form on the row: returns the status to answer with and the form to show.

    200 saved (a fresh form); 409 someone else saved first (the user's text kept, with their
    version, ready to be saved again knowingly); 422 invalid input.
    """
    if not form.is_valid():
        return 422, form
    try:
        save_row(
            row,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            by=by,
        )
    except StaleChecklistEntry as stale:
        data = form.data.copy()
        data[form.add_prefix("version")] = stale.current.version
        return 409, ChecklistEntryForm(data, prefix=form.prefix)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field, errors)
        return 422, form
    return 200, ChecklistEntryForm.for_entry(row.entry, row.point)


def checklist_pdf(request, pk):
    project = get_project_for(request.user, pk)
    phases = list(phases_with_points())
    all_rows = checklist_rows(project, [point for phase in phases for point in phase.attention_points.all()])
    by_point = {row.point.pk: row for row in all_rows}
    sections = [{"phase": phase, "rows": [by_point[p.pk] for p in phase.attention_points.all()]} for phase in phases]
    return pdf_response(
        "kader/checklist.html",
        {"project": project, "phase_sections": sections},
        request,
        f"checklist-{project.pk}.pdf",
    )
