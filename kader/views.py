from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from gesprekstafels.lib.pdf import pdf_response
from kader.access import can_create_project, get_project_for
from kader.checklist import checklist_rows, phase_progress, phases_with_points, save_row, with_evidence
from kader.evidence import evidence_for
from kader.forms import ChecklistEntryForm, ContactForm, MemberForm, NewProjectForm, ResearchProjectForm
from kader.links import phase_links
from kader.models import (
    AttentionPoint,
    Contact,
    ContactRole,
    IntroSection,
    Membership,
    Phase,
    ProjectRole,
    ResearchProject,
    StaleChecklistEntry,
)
from kader.projects import (
    add_member,
    create_project,
    member_name,
    remove_contact,
    remove_member,
    save_contact,
    with_members,
)


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
        ResearchProject.objects.visible_to(request.user)
        .select_related("current_phase")
        .prefetch_related("memberships__user")
    )
    return render(request, "kader/project_list.html", {"projects": projects})


def project_create(request):
    if not can_create_project(request.user):
        raise PermissionDenied
    initial = {"current_phase": Phase.objects.order_by("number").first()}
    form = NewProjectForm(request.POST or None, initial=initial)
    if form.is_valid():
        project = create_project(creator=request.user, role=form.cleaned_data["role"], **form.project_fields())
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
    project = get_project_for(request.user, pk, queryset=with_members())
    progress = phase_progress(project)
    sessions_by_phase = {}
    # Sessions live in a later app; reach them through the reverse relation only.
    for session in project.sessions.all():
        sessions_by_phase.setdefault(session.phase_number, []).append(session)
    all_phases = list(Phase.objects.prefetch_related("attention_points"))
    evidence = evidence_for(
        project, [point for phase in all_phases for point in phase.attention_points.all()], user=request.user
    )
    phases = [
        {
            "phase": phase,
            "done": progress[phase.number][0],
            "total": progress[phase.number][1],
            "sessions": sessions_by_phase.get(phase.number, []),
            # The points the sessions yielded something on, each with those notes.
            "evidence": [
                {
                    "point": point,
                    "items": evidence[point.pk],
                    "key_count": sum(item.is_key for item in evidence[point.pk]),
                }
                for point in phase.attention_points.all()
                if evidence.get(point.pk)
            ],
        }
        for phase in all_phases
    ]
    return render(
        request,
        "kader/project_detail.html",
        {
            "project": project,
            "phases": phases,
            "other_sessions": sessions_by_phase.get(None, []),
            "has_evidence": bool(evidence),
            "can_edit": project.can_edit(request.user),
            "member_groups": _member_groups(project),
        },
    )


# The people of a project: members (accounts with a project role) and contacts (people without an
# account). Each change answers with its section again (htmx) or redirects to the page (plain POST).


def _member_groups(project):
    """The project's memberships by project role, every role listed (from the prefetch of with_members)."""
    memberships = list(project.memberships.all())
    return [
        {"role": role, "label": role.label, "memberships": [m for m in memberships if m.role == role]}
        for role in ProjectRole
    ]


def _people_context(request, project, **extra):
    can_edit = project.can_edit(request.user)
    contacts = list(project.contacts.all())
    contact_groups = [
        {"role": role, "label": role.label, "contacts": [c for c in contacts if c.role == role]} for role in ContactRole
    ]
    context = {
        "project": project,
        "can_edit": can_edit,
        "member_groups": _member_groups(project),
        "contact_groups": [group for group in contact_groups if group["contacts"]],
        "member_form": MemberForm() if can_edit else None,
        "contact_form": ContactForm(prefix=ContactForm.prefix_for()) if can_edit else None,
        "editing": None,
    }
    return context | extra


def _people_page(request, project, *, section=None, status=200, **extra):
    """The people page, or only `section` ("members" or "contacts") for htmx."""
    template = f"kader/project_people.html#{section}" if request.htmx and section else "kader/project_people.html"
    return render(request, template, _people_context(request, project, **extra), status=status)


def _people_changed(request, pk, *, section, message):
    """After a change: the section again with `message` (htmx), or the page with it as a message.

    Someone who just removed their own leading role gets the whole page again (read-only now),
    or the project list when they no longer see the project at all.
    """
    project = with_members(ResearchProject.objects.select_related("current_phase")).filter(pk=pk).first()
    visible = project is not None and project.can_view(request.user)
    if request.htmx and visible and project.can_edit(request.user):
        return _people_page(request, project, section=section, **{f"{section}_status": message})
    messages.success(request, message)
    target = reverse("projects:people", args=[pk]) if visible else reverse("projects:list")
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


def project_people(request, pk):
    project = get_project_for(request.user, pk, queryset=with_members())
    return _people_page(request, project)


@require_POST
def member_add(request, pk):
    project = get_project_for(request.user, pk, edit=True, queryset=with_members())
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            membership = add_member(project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("%(name)s has been added as %(role)s.") % {
                "name": member_name(membership.user),
                "role": membership.get_role_display(),
            }
            return _people_changed(request, pk, section="members", message=message)
    return _people_page(request, project, section="members", status=422, member_form=form)


@require_POST
def member_remove(request, pk, membership_pk):
    project = get_project_for(request.user, pk, edit=True, queryset=with_members())
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, project=project)
    try:
        remove_member(membership=membership)
    except ValidationError as error:
        return _people_page(request, project, section="members", status=422, members_error=" ".join(error.messages))
    message = _("%(name)s is no longer %(role)s in this project.") % {
        "name": member_name(membership.user),
        "role": membership.get_role_display(),
    }
    return _people_changed(request, pk, section="members", message=message)


@require_POST
def contact_add(request, pk):
    project = get_project_for(request.user, pk, edit=True, queryset=with_members())
    form = ContactForm(request.POST, prefix=ContactForm.prefix_for())
    if form.is_valid():
        try:
            contact = save_contact(project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("%(name)s has been added to the contacts.") % {"name": contact.name}
            return _people_changed(request, pk, section="contacts", message=message)
    return _people_page(request, project, section="contacts", status=422, contact_form=form)


@require_http_methods(["GET", "POST"])
def contact_edit(request, pk, contact_pk):
    """The contact's form in its place on the people page (GET), or saving it (POST)."""
    project = get_project_for(request.user, pk, edit=True, queryset=with_members())
    contact = get_object_or_404(Contact, pk=contact_pk, project=project)
    if request.method == "GET":
        form = ContactForm.for_contact(contact)
        return _people_page(request, project, section="contacts", editing={"contact": contact, "form": form})
    form = ContactForm(request.POST, prefix=ContactForm.prefix_for(contact))
    if form.is_valid():
        try:
            saved = save_contact(project=project, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("The contact %(name)s has been saved.") % {"name": saved.name}
            return _people_changed(request, pk, section="contacts", message=message)
    editing = {"contact": contact, "form": form}
    return _people_page(request, project, section="contacts", status=422, editing=editing)


@require_POST
def contact_remove(request, pk, contact_pk):
    project = get_project_for(request.user, pk, edit=True, queryset=with_members())
    contact = get_object_or_404(Contact, pk=contact_pk, project=project)
    remove_contact(contact=contact)
    message = _("%(name)s has been removed from the contacts.") % {"name": contact.name}
    return _people_changed(request, pk, section="contacts", message=message)


def checklist(request, pk, number):
    project = get_project_for(request.user, pk)
    phase = get_object_or_404(phases_with_points(), number=number)
    rows = checklist_rows(project, list(phase.attention_points.all()))
    return render(request, "kader/checklist.html", _checklist_context(request, project, phase, rows))


def _checklist_context(request, project, phase, rows):
    with_evidence(rows, project=project, user=request.user)
    for row in rows:
        if row.form is None:
            row.form = ChecklistEntryForm.for_entry(row.entry, row.point)
    return {
        "project": project,
        "phase": phase,
        "can_edit": project.can_edit_checklist(request.user),
        "phases": Phase.objects.all(),
        "phase_sections": [{"phase": phase, "rows": rows}],
    }


@require_POST
def checklist_entry(request, pk, point_pk):
    project = get_project_for(request.user, pk, checklist=True)
    point = get_object_or_404(AttentionPoint.objects.select_related("phase").prefetch_related("sections"), pk=point_pk)
    row = checklist_rows(project, [point])[0]
    form = ChecklistEntryForm(request.POST, prefix=ChecklistEntryForm.prefix_for(point))
    status, row.form = _save_posted_row(row, form, by=request.user)
    if request.htmx:
        with_evidence([row], project=project, user=request.user)
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
