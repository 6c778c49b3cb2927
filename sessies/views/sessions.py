"""Planning sessions, their lists and their detail page (blocks and participants before the start)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gesprekstafels.lib.http import posted_int
from kader.models import ResearchProject
from sessies import timeline
from sessies.access import can_plan_session, get_session_for
from sessies.forms import BlockAdjustFormSet, ParticipantFormSet, SessionForm
from sessies.models import Delivery, DeliveryStatus, Session, SessionState
from sessies.planning import create_session, suggested_plan


def _sessions_for_lists(user):
    failed = Delivery.objects.filter(report__session=OuterRef("pk"), status=DeliveryStatus.FAILED)
    return (
        Session.objects.visible_to(user)
        .select_related("project", "facilitator", "secretary", "report")
        .annotate(has_failed_delivery=Exists(failed))
    )


def dashboard(request):
    sessions = _sessions_for_lists(request.user)
    return render(
        request,
        "sessies/dashboard.html",
        {
            "live_sessions": sessions.filter(state__in=[SessionState.RUNNING, SessionState.PAUSED]),
            "upcoming_sessions": sessions.filter(state=SessionState.PLANNED).order_by("starts_at")[:10],
            "recent_sessions": sessions.filter(state=SessionState.FINISHED)[:5],
            "projects": ResearchProject.objects.filter(researchers=request.user).select_related("current_phase"),
        },
    )


def session_list(request):
    return render(request, "sessies/session_list.html", {"sessions": _sessions_for_lists(request.user)})


def session_create(request):
    if not can_plan_session(request.user):
        raise PermissionDenied
    initial = suggested_plan(request.user, project_pk=request.GET.get("project"), script_pk=request.GET.get("script"))
    form = SessionForm(request.POST or None, initial=initial, user=request.user)
    participants = ParticipantFormSet(request.POST or None, prefix="deelnemers")
    # Both validated, so the errors of both are shown at once.
    if request.method == "POST" and all([form.is_valid(), participants.is_valid()]):
        fields = {
            name: form.cleaned_data[name]
            for name in ("project", "title", "starts_at", "place", "facilitator", "secretary")
        }
        new_participants = [
            f.instance for f in participants.forms if f.has_changed() and not f.cleaned_data.get("DELETE")
        ]
        session = create_session(
            script=form.cleaned_data["script"], created_by=request.user, participants=new_participants, **fields
        )
        messages.success(request, _("The session has been planned."))
        return redirect(session)
    status = 422 if form.is_bound else 200
    return render(request, "sessies/session_form.html", {"form": form, "participants": participants}, status=status)


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
    if formset.is_valid():
        with transaction.atomic():
            formset.save()
            session.bump_version()
        messages.success(request, _("The participants have been saved."))
        return redirect(session)
    return render(request, "sessies/participants_form.html", {"session": session, "participants": formset}, status=422)


def session_participants_form(request, pk):
    session = get_session_for(request.user, pk, need="run")
    formset = ParticipantFormSet(instance=session, prefix="deelnemers")
    return render(request, "sessies/participants_form.html", {"session": session, "participants": formset})


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
