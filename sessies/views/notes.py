"""The secretary's view and the note, star and agreement endpoints (htmx and plain POST)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from sessies import harvest
from sessies.access import get_session_for
from sessies.forms import AgreementForm, NoteEditForm, NoteForm, NotePointForm
from sessies.models import Agreement, Note
from sessies.screens import (
    Screen,
    key_notes_context,
    note_change_context,
    notes_page_context,
    run_note_context,
    screen_context,
)


def _secretary_context(request, session, **extra):
    return notes_page_context(session, user=request.user, **extra)


def secretary_view(request, pk):
    session = get_session_for(request.user, pk)
    return render(request, Screen.NOTES.template, _secretary_context(request, session))


def _agreements_response(request, session, *, form=None, status=200):
    """After adding or deleting an agreement: the list and a fresh (or erroneous) form; a plain POST a redirect."""
    if not request.htmx:
        return redirect("sessions:notes", pk=session.pk)
    session.refresh_from_db()
    context = {
        "session": session,
        "agreements": session.agreements.select_related("block"),
        "agreement_form": form or AgreementForm(session=session, initial={"block": session.current_block}),
        "can_write": True,
    }
    return render(request, f"{Screen.NOTES.template}#agreements-update", context, status=status)


def _note_response(request, session, note, *, partial="note-answer", key=False, **extra):
    """After a change to one note: that note in its place and the counts, not the whole harvest.

    The same fragment the other screens get pushed (sessies.screens.render_push); a plain POST
    gets a redirect.
    """
    if not request.htmx:
        return redirect("sessions:notes", pk=session.pk)
    context = note_change_context(session, note.pk, can_write=True)  # only writers change notes
    if key:
        context.update(key_notes_context(session))
    context.update(extra)
    return render(request, f"{Screen.NOTES.template}#{partial}", context)


@require_POST
def note_create(request, pk):
    session = get_session_for(request.user, pk, need="write")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = harvest.add_note(
                session,
                block_id=form.cleaned_data["block"],
                question_id=form.cleaned_data["question"],
                text=form.cleaned_data["text"],
                tag=form.cleaned_data["tag"],
                author=request.user,
                client_token=form.cleaned_data["client_token"],
            )
        except harvest.HarvestError as error:
            form.add_error(None, str(error))
    if form.errors:
        # The text stays in the field; the message says what to do.
        if not request.htmx:
            return render(
                request, Screen.NOTES.template, _secretary_context(request, session, note_form=form), status=422
            )
        return render(request, f"{Screen.NOTES.template}#note-errors", {"note_form": form}, status=422)
    response = _note_response(request, session, note, key=note.is_key)
    if request.htmx:
        # The page clears the field only on this confirmation of the very note it sent; any
        # other answer (a login page, an error, a proxy's page) keeps the text.
        trigger_client_event(response, "noteSaved", {"token": note.client_token})
    return response


def _note_for(request, pk, note_pk):
    """The session and one of its notes, live or deleted (callers check `note.deleted_at`)."""
    session = get_session_for(request.user, pk, need="write")
    return session, get_object_or_404(Note, pk=note_pk, session=session)


def _deleted_meanwhile(request, session, *, screen=Screen.NOTES):
    """Someone deleted the note while this page still showed it: say so and show the current state."""
    message = _("This note was deleted meanwhile (another tab or device). The list now shows the current state.")
    if not request.htmx:
        messages.warning(request, message)
        return redirect("sessions:run" if screen == Screen.RUN else "sessions:notes", pk=session.pk)
    session.refresh_from_db()
    if screen == Screen.RUN:
        messages.warning(request, message)
        context = screen_context(session, Screen.RUN, user=request.user)
        return render(request, f"{Screen.RUN.template}#live", context, status=409)
    context = _secretary_context(request, session, harvest_message=message)
    return render(request, f"{Screen.NOTES.template}#harvest-update", context, status=409)


def note_edit(request, pk, note_pk):
    session, note = _note_for(request, pk, note_pk)
    part = (request.POST if request.method == "POST" else request.GET).get("part")
    if part == "point":
        return _note_point(request, session, note)
    if part == "note" and request.method == "GET":
        # Cancelling an editor: the note as it is now (nothing when it was deleted meanwhile).
        if note.deleted_at:
            return HttpResponse("")
        return render(request, "sessies/_note.html", {"session": session, "note": note, "can_write": True})
    if note.deleted_at and request.method == "POST":
        # Keep what was typed: the editor stays, with the text, and says what happened.
        return render(
            request,
            f"{Screen.NOTES.template}#note-editor",
            {"session": session, "note": note, "edit_form": NoteEditForm(request.POST), "gone": True},
            status=409,
        )
    if note.deleted_at:
        return _deleted_meanwhile(request, session)
    if request.method == "GET":
        form = NoteEditForm(initial={"text": note.text, "tag": note.tag, "version": note.version})
        return render(
            request, f"{Screen.NOTES.template}#note-editor", {"session": session, "note": note, "edit_form": form}
        )
    form = NoteEditForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            f"{Screen.NOTES.template}#note-editor",
            {"session": session, "note": note, "edit_form": form},
            status=422,
        )
    try:
        harvest.edit_note(
            note,
            text=form.cleaned_data["text"],
            tag=form.cleaned_data["tag"],
            expected_version=form.cleaned_data["version"],
            by=request.user,
        )
    except harvest.NoteConflict as conflict:
        # Show both texts; saving again with the current version keeps the user's text.
        data = request.POST.copy()
        data["version"] = conflict.current.version
        return render(
            request,
            f"{Screen.NOTES.template}#note-editor",
            {
                "session": session,
                "note": conflict.current,
                "edit_form": NoteEditForm(data),
                "conflict": conflict.current,
            },
            status=409,
        )
    return _note_response(request, session, note, partial="note-edited", key=note.is_key)


def _note_point(request, session, note):
    """The note's attention point: its small editor (GET), or linking it (POST)."""
    if note.deleted_at:
        return _deleted_meanwhile(request, session)
    auto_id = f"note-{note.pk}-%s"
    if request.method != "POST":
        form = NotePointForm(initial={"attention_point": note.attention_point_id}, auto_id=auto_id)
        return render(
            request, "sessies/_note.html#point-editor", {"session": session, "note": note, "point_form": form}
        )
    form = NotePointForm(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            harvest.set_attention_point(note, form.cleaned_data["attention_point"])
        except harvest.HarvestError as error:
            form.add_error("attention_point", str(error))
        else:
            return _note_response(request, session, note, partial="note-edited")
    context = {"session": session, "note": note, "point_form": form}
    return render(request, "sessies/_note.html#point-editor", context, status=422)


@require_POST
def note_delete(request, pk, note_pk):
    session, note = _note_for(request, pk, note_pk)
    if note.deleted_at:
        return _deleted_meanwhile(request, session)
    harvest.delete_note(note)
    if not request.htmx:
        messages.info(request, _("The note has been deleted."))
    return _note_response(request, session, note, key=note.is_key, deleted_note=note)


@require_POST
def note_restore(request, pk, note_pk):
    session, note = _note_for(request, pk, note_pk)
    # Restored in another tab already: nothing to do twice.
    if note.deleted_at:
        harvest.restore_note(note)
    return _note_response(request, session, note, key=note.is_key)


@require_POST
def note_star(request, pk, note_pk):
    session, note = _note_for(request, pk, note_pk)
    if note.deleted_at:
        screen = Screen.RUN if request.POST.get("from") == Screen.RUN else Screen.NOTES
        return _deleted_meanwhile(request, session, screen=screen)
    harvest.set_key_harvest(note, request.POST.get("is_key") == "1")
    if request.POST.get("from") == Screen.RUN:
        if not request.htmx:
            return redirect("sessions:run", pk=session.pk)
        session.refresh_from_db()
        context = run_note_context(session, note.pk, key_changed=True, can_write=True)
        return render(request, f"{Screen.RUN.template}#note-push", context)
    return _note_response(request, session, note, key=True)


@require_POST
def agreement_create(request, pk):
    session = get_session_for(request.user, pk, need="write")
    form = AgreementForm(request.POST, session=session)
    if form.is_valid():
        harvest.add_agreement(session, **form.cleaned_data)
        return _agreements_response(request, session)
    if not request.htmx:
        return render(
            request, Screen.NOTES.template, _secretary_context(request, session, agreement_form=form), status=422
        )
    return _agreements_response(request, session, form=form, status=422)


@require_POST
def agreement_delete(request, pk, agreement_pk):
    session = get_session_for(request.user, pk, need="write")
    agreement = Agreement.objects.filter(pk=agreement_pk, session=session).first()
    # Already gone (deleted in another tab): the wish is fulfilled; the list shows the current state.
    if agreement is not None:
        harvest.delete_agreement(agreement)
    return _agreements_response(request, session)
