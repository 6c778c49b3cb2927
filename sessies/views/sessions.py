"""Planning sessions, their lists and their detail page (blocks and participants before the start)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gesprekstafels.lib.http import parse_id, posted_int
from kader.access import can_create_project
from sessies import timeline
from sessies.access import can_plan_session, get_session_for, projects_to_plan_for
from sessies.forms import BlockAdjustFormSet, ParticipantFormSet, ProjectContactsForm, SessionForm
from sessies.models import Session
from sessies.planning import ContactOfAnotherProject, add_participants, create_session, suggested_plan

PLANNING_TEMPLATE = "sessies/session_form.html"
SESSION_FIELDS = ("project", "title", "starts_at", "place", "facilitator", "secretary")


def session_list(request):
    return render(request, "sessies/session_list.html", {"sessions": Session.objects.listed_for(request.user)})


def session_create(request):
    if not can_plan_session(request.user):
        raise PermissionDenied
    if request.htmx and request.htmx.target == "project-contacts":
        # The project select changed: its contacts to tick, for a project the user may plan for only.
        project = projects_to_plan_for(request.user).filter(pk=parse_id(request.GET.get("project"))).first()
        context = {"contacts_form": ProjectContactsForm(project=project)}
        return render(request, f"{PLANNING_TEMPLATE}#project-contacts", context)
    if request.method == "POST" and "show_contacts" not in request.POST:
        return _plan_session(request)
    initial = suggested_plan(request.user, project_pk=request.GET.get("project"), script_pk=request.GET.get("script"))
    if request.method == "POST":
        # "Show the project's contacts" without JavaScript: the page again with what was typed, no errors yet.
        initial.update({name: request.POST[name] for name in SessionForm._meta.fields if request.POST.get(name)})
        participants = ParticipantFormSet(request.POST, prefix="deelnemers")
        ticked = request.POST.getlist("contacts")
    else:
        participants, ticked = ParticipantFormSet(prefix="deelnemers"), ()
    form = SessionForm(initial=initial, user=request.user)
    contacts_form = ProjectContactsForm(project=form.project, initial={"contacts": ticked})
    return _planning_page(request, form, participants, contacts_form)


def _plan_session(request):
    form = SessionForm(request.POST, user=request.user)
    participants = ParticipantFormSet(request.POST, prefix="deelnemers")
    contacts_form = ProjectContactsForm(request.POST, project=form.project)
    # All validated, so the errors of all are shown at once.
    if all([form.is_valid(), participants.is_valid(), contacts_form.is_valid()]):
        fields = {name: form.cleaned_data[name] for name in SESSION_FIELDS}
        # The form lists only these projects; the rule itself decides.
        if not can_plan_session(request.user, fields["project"]):
            raise PermissionDenied
        new_participants = [
            f.instance for f in participants.forms if f.has_changed() and not f.cleaned_data.get("DELETE")
        ]
        try:
            session = create_session(
                script=form.cleaned_data["script"],
                created_by=request.user,
                participants=new_participants,
                contacts=contacts_form.cleaned_data["contacts"],
                **fields,
            )
        except ContactOfAnotherProject:
            contacts_form.add_foreign_error()
        else:
            messages.success(request, _("The session has been planned."))
            return redirect(session)
    return _planning_page(request, form, participants, contacts_form, status=422)


def _planning_page(request, form, participants, contacts_form, *, status=200):
    """The planning form, or, for a user with no project to plan for, what a project is and how to get one."""
    context = {
        "form": form,
        "participants": participants,
        "contacts_form": contacts_form,
        "has_projects": form.fields["project"].queryset.exists(),
        "can_create_project": can_create_project(request.user),
    }
    return render(request, PLANNING_TEMPLATE, context, status=status)


def session_detail(request, pk):
    session = get_session_for(request.user, pk)
    blocks = session.blocks.all()
    formset = BlockAdjustFormSet(queryset=blocks, prefix="blokken")
    return render(request, "sessies/session_detail.html", _detail_context(request, session, formset))


def _detail_context(request, session, formset):
    return {
        "session": session,
        "state": timeline.live_state(session),
        "participants": session.participants.all(),
        "block_formset": formset,
        "can_run": session.can_run(request.user),
        "can_write": session.can_write_notes(request.user),
        "adjustments": session.adjustments.all(),
    }


@require_POST
def session_participants(request, pk):
    session = get_session_for(request.user, pk, need="run")
    formset = ParticipantFormSet(request.POST, instance=session, prefix="deelnemers")
    contacts_form = ProjectContactsForm(request.POST, project=session.project, session=session)
    if all([formset.is_valid(), contacts_form.is_valid()]):
        try:
            with transaction.atomic():
                formset.save(commit=False)
                for participant in formset.deleted_objects:
                    participant.delete()
                for participant, _fields in formset.changed_objects:
                    participant.save()
                # New rows become project contacts too; ticked contacts join (planning.add_participants).
                add_participants(session, contacts=contacts_form.cleaned_data["contacts"], new=formset.new_objects)
                session.bump_version()
        except ContactOfAnotherProject:
            contacts_form.add_foreign_error()
        else:
            messages.success(request, _("The participants have been saved."))
            return redirect(session)
    return _participants_page(request, session, formset, contacts_form, status=422)


def session_participants_form(request, pk):
    session = get_session_for(request.user, pk, need="run")
    formset = ParticipantFormSet(instance=session, prefix="deelnemers")
    contacts_form = ProjectContactsForm(project=session.project, session=session)
    return _participants_page(request, session, formset, contacts_form)


def _participants_page(request, session, formset, contacts_form, *, status=200):
    context = {"session": session, "participants": formset, "contacts_form": contacts_form}
    return render(request, "sessies/participants_form.html", context, status=status)


@require_POST
def session_blocks(request, pk):
    session = get_session_for(request.user, pk, need="run")
    formset = BlockAdjustFormSet(request.POST, queryset=session.blocks.all(), prefix="blokken")
    if formset.is_valid():
        changes = {form.instance.pk: form.cleaned_data for form in formset.forms}
        try:
            timeline.adjust_blocks(session.pk, posted_int(request, "version"), changes, by=request.user)
            messages.success(request, _("The blocks have been adjusted."))
        except timeline.StaleVersion:
            messages.error(
                request, _("The session was changed meanwhile; your adjustment was not applied. Check and try again.")
            )
        except timeline.TransitionRefused as refused:
            messages.error(request, str(refused))
        return redirect(session)
    return render(request, "sessies/session_detail.html", _detail_context(request, session, formset), status=422)
