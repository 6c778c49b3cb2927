"""What each live screen shows: the run view, the secretary's notes and the projector.

One context builder per session and screen serves the page, its poll and the answers to
changes, so a page and its fragments always agree. A change pushed to an open screen
(`render_push`) sends only what it changed: one note in its place, the counts, the timeline.
"""

import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from draaiboeken.models import StepKind, TipAudience
from sessies import harvest, participation, photos, push, timeline
from sessies.forms import AgreementForm, NoteForm
from sessies.models import Note, Session

RECENT_NOTES_IN_RUN_VIEW = 12


class Screen(models.TextChoices):
    RUN = "run", _("Run view")
    NOTES = "notes", _("Notes")
    PROJECTOR = "projector", _("Projector")
    PARTICIPANT = "participant", _("Participant")

    @property
    def template(self):
        return f"sessies/{self.value}.html"

    @classmethod
    def for_team(cls, value):
        """The screen a team member's page asks for (`?view=`); the participant's screen is reached by its link only."""
        return cls(value) if value in cls.values and value != cls.PARTICIPANT else cls.RUN


def screen_context(session, screen, *, user):
    """The live state and the harvest that `screen` shows to `user`."""
    blocks = list(session.blocks.prefetch_related("steps", "work_forms"))
    state = timeline.live_state(session, blocks)
    context = {
        "session": session,
        "state": state,
        "current_block": state.current,
        "view": screen,
        "poll_interval": settings.LIVE_POLL_INTERVAL_MS,
        "first_event_ms": settings.LIVE_FIRST_EVENT_MS,
        "heartbeat_ms": int(settings.LIVE_STREAM_HEARTBEAT_SECONDS * 1000),
        "can_run": session.can_run(user),
        "can_write": session.can_write_notes(user),
    }
    if screen == Screen.RUN:
        context["proposals"] = timeline.catch_up_proposals(state) if context["can_run"] else []
        context["running_behind"] = session.is_live and state.delay_seconds >= timeline.CATCH_UP_THRESHOLD_SECONDS
        context["facilitator_tips"] = _facilitator_tips(session)
        context["extension_minutes"] = timeline.EXTENSION_MINUTES
    if screen in (Screen.RUN, Screen.PROJECTOR):
        context.update(_opening_texts(session, state))
        context.update(room_screen(session, state))
    context.update(participation_context(session, state.current, screen, can_write=context["can_write"]))
    if screen == Screen.NOTES:
        context["current_question_pk"] = current_question_pk(session, state.current)
    if screen == Screen.NOTES:
        context["tag_prefixes"] = [(prefix, tag.label) for prefix, tag in harvest.TAG_PREFIXES.items()]
        context["key_mark"] = harvest.KEY_MARK
        # Lazy: the page's photos section loads them; its poll, which never shows them, does not.
        context["photos"] = photos.managed_photos(session)
        context["photo_max_upload"] = photos.max_upload_bytes()
    context.update(_harvest(session, state, screen))
    return context


def room_screen(session, state):
    """What the room's screen shows now, for the projector and the run view's mirror of it.

    `room` is one of: "blank" (the facilitator pressed B), "finished", "waiting" (not started),
    "opening" (the first block: title and the participants' rules), "harvest" (the closing
    block: "Is this the harvest?"), "step" (the current step), "block" (a block without steps).
    The step comes from the block's prefetched steps: no query.
    """
    current_block = state.current
    step, subpoints = None, []
    if current_block is not None and session.current_step_id:
        for top, children in current_block.outline:
            if top.pk == session.current_step_id:
                step, subpoints = top, children
    if session.screen_blank:
        room = "blank"
    elif session.is_finished:
        room = "finished"
    elif current_block is None or not session.is_live:
        room = "waiting"
    elif current_block.is_protected:
        room = "harvest"
    elif current_block == next((block for block in state.blocks if not block.skipped), None):
        room = "opening"
    else:
        room = "step" if step else "block"
    return {"room": room, "current_step": step, "current_step_subpoints": subpoints}


def current_question_pk(session, current_block):
    """The question notes default to: the current step when it is a question (else the block itself).

    From the block's steps (prefetched on the full screens; one query on a timeline push).
    """
    if current_block is None or not session.current_step_id or not session.is_live:
        return None
    step = next((top for top, _children in current_block.outline if top.pk == session.current_step_id), None)
    return step.pk if step is not None and step.is_question else None


def participation_context(session, current_block, screen, *, can_write):
    """What each screen shows of participants' phones: the open link, the proposals, the shared answers."""
    context = {"join": participation.open_link(session)}
    if screen == Screen.PROJECTOR:
        context["shared_answers"] = participation.shared_answers(session, current_block if session.is_live else None)
    elif screen == Screen.RUN:
        context["accepted_answers"] = participation.accepted_answers(session, current_block)
        context["open_proposal_count"] = participation.waiting(session).count()
    elif screen == Screen.NOTES and can_write:
        context["inbox"] = participation.inbox(session)
    return context


def participant_context(session, *, link, device_key, request=None, with_mine=True):
    """A participant's phone: the current block's questions with a fresh answer form each, and what it sent."""
    current = session.current_block if session.is_live else None
    forms = []
    if current is not None:
        step = session.current_step_id
        forms = [
            {
                "question": question,
                "help": help_questions,
                "client_token": uuid.uuid4().hex,
                # The room is on it: the question itself, or the group of questions the subgroups take.
                "is_now": step is not None and step in (question.pk, question.parent_id),
            }
            for question, help_questions in current.outline.questions()
        ]
    return {
        "session": session,
        "link": link,
        "state": {"current": current},
        "current_block": current,
        "answer_forms": forms,
        # What this phone sent: not on a timeline push, which does not show it.
        "mine": participation.own_proposals(session, device_key) if with_mine else [],
        "max_length": participation.PROPOSAL_MAX_LENGTH,
        "sender_max_length": participation.SENDER_MAX_LENGTH,
        "view": Screen.PARTICIPANT,
        # The saving messages of static/js/saving.js, which keeps typed answers, for a page without a login.
        "keeps_drafts": True,
        # A move's push, the same for every phone (render_participant_push): no token of anyone's.
        "shared": False,
        "live_stream_url": reverse("participate:stream", args=[link.token]),
        "live_poll_url": reverse("participate:poll", args=[link.token]),
        "poll_interval": settings.LIVE_POLL_INTERVAL_MS,
        "first_event_ms": settings.LIVE_FIRST_EVENT_MS,
        "heartbeat_ms": int(settings.LIVE_STREAM_HEARTBEAT_SECONDS * 1000),
    }


def render_participant_push(link, event, *, device_key, request):
    """A phone's update for `event` (None: everything). Returns (html, version).

    `link` is the stream's JoinLink as it was when the phone connected (its pk, session and token).

    Notes and agreements are not on a phone: they cost nothing. A move is the same for every
    phone of the link: rendered once and shared (`_shared_move`), so thirty phones cost the
    team's screens one render, not thirty. A full update reads the link again, so a closed link
    or a finished session shows that at once, and nothing more.
    """
    template = Screen.PARTICIPANT.template
    change = event.change if event else push.FULL
    if event is not None and (event.note_pk or change == push.AGREEMENTS):
        return "", event.version
    if change == push.PROPOSALS:
        if not device_key:
            return "", event.version
        mine = participation.own_proposals(link.session_id, device_key)
        return render_to_string(f"{template}#mine-push", {"mine": mine}, request), event.version
    if change == push.FULL:
        return _render_phone(link.pk, device_key=device_key, request=request, whole=True)
    # The token, random per link, keeps a deleted session's cached move from answering for a new
    # one under a reused pk and version.
    key = (link.pk, link.token, event.version, translation.get_language())
    return _shared_move(key, lambda: _render_phone(link.pk, whole=False))


def _render_phone(link_pk, *, whole, device_key=None, request=None):
    """The phone's state: whole (with its own list, its CSRF token) or a move's, the same for every phone."""
    template = Screen.PARTICIPANT.template
    link = participation.JoinLink.objects.select_related("session__current_block").filter(pk=link_pk).first()
    if link is None:
        return "", None
    session = link.session
    if not link.is_open or session.is_finished:
        return render_to_string(f"{template}#ended-push", {"session": session, "link": link}, request), session.version
    context = participant_context(session, link=link, device_key=device_key, request=request, with_mine=whole)
    if not whole:
        # Shared by every phone: no client token of its own (static/js/participant.js gives each
        # form one) and no CSRF field (htmx sends the page's token in a header).
        for form in context["answer_forms"]:
            form["client_token"] = ""
        context["shared"] = True
    return render_to_string(f"{template}#{'live' if whole else 'live-state'}", context, request), session.version


_moves = OrderedDict()
_moves_lock = threading.Lock()
SHARED_MOVES_KEPT = 256


def _shared_move(key, render):
    """render() once per key however many phones' streams ask at once; the others wait for it."""
    with _moves_lock:
        pending = _moves.get(key)
        owner = pending is None
        if owner:
            pending = _moves[key] = Future()
            while len(_moves) > SHARED_MOVES_KEPT:
                _moves.popitem(last=False)
    if owner:
        try:
            pending.set_result(render())
        except BaseException as error:  # noqa: BLE001 - raised again to every stream waiting for it
            with _moves_lock:
                _moves.pop(key, None)
            pending.set_exception(error)
    return pending.result()


def notes_page_context(session, *, user, **extra):
    """The secretary's page: the notes screen with its forms, `extra` replacing any of them (a form with errors)."""
    context = screen_context(session, Screen.NOTES, user=user)
    state = context["state"]
    default_block = state.current or (state.blocks[0] if state.blocks else None)
    context.setdefault("note_form", NoteForm(initial={"block": default_block.pk if default_block else None}))
    context.setdefault("agreement_form", AgreementForm(session=session, initial={"block": default_block}))
    context["default_block"] = default_block
    context.update(extra)
    return context


def _opening_texts(session, state):
    """During the first block: the method's page and the participant rules.

    The source asks to name the rules "actief … aan het begin van iedere bijeenkomst", so the
    run view and the projector show them then, and only then (no queries on later polls).
    """
    first = next((block for block in state.blocks if not block.skipped), None)
    if state.current is None or first is None or state.current.pk != first.pk or not session.is_live:
        return {}
    if not session.script_id:
        return {}
    # session.script and its method are cached on the session: the run view has read them for its tips.
    method = session.script.method
    return {"method": method, "participant_rules": list(method.tips.filter(audience=TipAudience.PARTICIPANT))}


def _facilitator_tips(session):
    return session.script.method.tips.filter(audience=TipAudience.FACILITATOR) if session.script_id else []


def _notes(session):
    return Note.objects.alive().filter(session=session).select_related("author", "question", "attention_point__phase")


def _harvest(session, state, screen):
    notes = _notes(session)
    if screen == Screen.NOTES:
        all_notes = list(notes.order_by("created_at", "pk"))
        return {
            "note_groups": harvest.notes_by_block(state.blocks, all_notes),
            "key_notes": [n for n in all_notes if n.is_key],
            "note_count": len(all_notes),
            "agreements": session.agreements.select_related("block"),
        }
    key_notes = list(notes.filter(is_key=True).order_by("block__order", "created_at"))
    if screen == Screen.RUN:
        return {
            "recent_notes": list(notes.order_by("-created_at", "-pk")[:RECENT_NOTES_IN_RUN_VIEW]),
            "recent_limit": RECENT_NOTES_IN_RUN_VIEW,
            "key_notes": key_notes,
            "key_count": len(key_notes),
        }
    return {"key_notes": key_notes}


# What a change sends (sessies.views.stream, and the answers to the secretary's own changes)


def note_change_context(session, note_pk, *, can_write):
    """One note's change on the notes screen: the note (or its removal) in place, the counts, the key harvest.

    Costs the same at 10 notes as at 1,000: the note, the one before it in its group (where it
    goes), the counts and, when the note is starred, the key harvest.
    """
    note = (
        Note.objects.filter(session=session, pk=note_pk)
        .select_related("author", "question__parent", "attention_point__phase")
        .first()
    )
    if note is None:
        return None
    alive = Note.objects.alive().filter(session=session)
    counts = alive.aggregate(total=Count("pk"), block=Count("pk", filter=Q(block_id=note.block_id)))
    group_pk = _group_question_pk(note.question)
    context = {
        "session": session,
        "note": note,
        "group_pk": group_pk or 0,
        "note_count": counts["total"],
        "block_count": counts["block"],
        "can_write": can_write,
    }
    if note.deleted_at is None:
        siblings = alive.filter(block_id=note.block_id)
        if group_pk is None:
            siblings = siblings.filter(question__isnull=True)
        else:
            siblings = siblings.filter(
                Q(question_id=group_pk) | Q(question__parent_id=group_pk, question__kind=StepKind.QUESTION)
            )
        context["previous_pk"] = (
            siblings.filter(_older_than(note)).order_by("-created_at", "-pk").values_list("pk", flat=True).first()
        )
    return context


def _older_than(note):
    """Notes listed before `note` (the harvest's order: created_at, then pk)."""
    return Q(created_at__lt=note.created_at) | Q(created_at=note.created_at, pk__lt=note.pk)


def _group_question_pk(question):
    """The question a note is listed under: a help question's notes go under its question (harvest.notes_by_block)."""
    if question is None:
        return None
    if question.parent_id and question.parent.kind == StepKind.QUESTION:
        return question.parent_id
    return question.pk


def key_notes_context(session):
    return {"key_notes": list(_notes(session).filter(is_key=True).order_by("created_at", "pk"))}


def run_note_context(session, note_pk, *, key_changed, can_write):
    """One note's change in the run view: its place among the latest notes, and the key harvest if it changed.

    Bounded like the list itself: a few queries whatever the number of notes.
    """
    note = Note.objects.filter(session=session, pk=note_pk).select_related("author").first()
    if note is None:
        return None
    alive = Note.objects.alive().filter(session=session)
    context = {"session": session, "note": note, "can_write": can_write, "recent_limit": RECENT_NOTES_IN_RUN_VIEW}
    if note.deleted_at is None:
        newer = alive.filter(~_older_than(note)).exclude(pk=note.pk).values_list("pk", flat=True)
        context["in_recent"] = len(newer[:RECENT_NOTES_IN_RUN_VIEW]) < RECENT_NOTES_IN_RUN_VIEW
        # Placed before the note just older than it: replayed changes come oldest first, so that
        # one is there already (or beyond the list's end, and so is this one).
        older = alive.filter(_older_than(note)).order_by("-created_at", "-pk")
        context["older_pk"] = older.values_list("pk", flat=True).first()
    else:
        # The note that moves up into the list now that this one left it.
        last = RECENT_NOTES_IN_RUN_VIEW - 1
        context["fill_note"] = alive.order_by("-created_at", "-pk").select_related("author")[last : last + 1].first()
    if key_changed:
        context["key_count"] = alive.filter(is_key=True).count()
        current = session.current_block if session.is_live else None
        context["current_block"] = current
        if current is not None and current.is_protected:
            context["key_notes"] = list(alive.filter(is_key=True).order_by("block__order", "created_at"))
    return context


def load_live_session(session_pk):
    return (
        Session.objects.select_related("project", "facilitator", "secretary", "current_block", "script__method")
        .filter(pk=session_pk)
        .first()
    )


# What the run view sends for each kind of timeline change: the block's script text only when the
# block changed, the steps when the step did, otherwise the clock, the controls and the timeline.
TIMELINE_PARTIALS = {push.TIMELINE: "timeline-push", push.STEP: "step-push", push.TIMER: "timer-push"}


def render_push(session_pk, screen, event, *, request, session=None):
    """The fragment that brings `screen` up to date with `event`; the whole live state when `event` is None.

    Returns (html, version, session); html "" when the screen shows nothing of the change.
    `session` is the stream's copy as of its last timeline change: a note's change reuses it
    instead of reading the session again; a timeline or full change reads it afresh and returns
    it for the next. Runs in a worker thread of the stream; `request` is the stream's own (its
    user, CSRF token, language).
    """
    user = request.user
    change = event.change if event else push.FULL
    note_pk = event.note_pk if event else None
    # What a screen does not show costs nothing: not even the session.
    if (
        (note_pk and screen == Screen.PROJECTOR and not event.touches_key_harvest)
        or (change == push.AGREEMENTS and screen != Screen.NOTES)
        or (change == push.PROPOSALS and screen == Screen.PROJECTOR)
    ):
        return "", event.version, session
    if note_pk is None or session is None:
        session = load_live_session(session_pk)
        if session is None:
            return "", None, None
    version = session.version if note_pk is None else event.version
    template = screen.template
    if change == push.FULL:
        return (
            render_to_string(f"{template}#live-state", screen_context(session, screen, user=user), request),
            version,
            session,
        )
    if change in TIMELINE_PARTIALS:
        if screen == Screen.NOTES:
            context = screen_context_light(session, screen, user=user)
        else:
            context = screen_context(session, screen, user=user)
        partial = {Screen.PROJECTOR: "live-state", Screen.NOTES: "timeline-push"}.get(screen, TIMELINE_PARTIALS[change])
        return render_to_string(f"{template}#{partial}", context, request), version, session
    if change == push.PROPOSALS:
        can_write = session.can_write_notes(user)
        context = {"session": session, "can_write": can_write, "can_run": session.can_run(user)}
        context.update(participation_context(session, session.current_block, screen, can_write=can_write))
        return render_to_string(f"{template}#proposals-push", context, request), version, session
    if change == push.AGREEMENTS:
        context = {"session": session, "agreements": session.agreements.select_related("block")}
        context["can_write"] = session.can_write_notes(user)
        return render_to_string(f"{template}#agreements-list-push", context, request), version, session
    # A note.
    can_write = session.can_write_notes(user)
    if screen == Screen.NOTES:
        context = note_change_context(session, note_pk, can_write=can_write)
        if context is None:
            return "", version, session
        if event.touches_key_harvest:
            context.update(key_notes_context(session))
        return render_to_string(f"{template}#note-change", context, request), version, session
    if screen == Screen.RUN:
        context = run_note_context(session, note_pk, key_changed=event.touches_key_harvest, can_write=can_write)
        if context is None:
            return "", version, session
        return render_to_string(f"{template}#note-push", context, request), version, session
    # The projector shows the key harvest in the closing block only: then its whole (small) state, read afresh.
    if session.current_block_id and session.current_block.is_protected and session.is_live:
        session = load_live_session(session_pk)
        context = screen_context(session, screen, user=user)
        return render_to_string(f"{template}#live-state", context, request), session.version, session
    return "", version, session


def screen_context_light(session, screen, *, user):
    """The live state without the harvest: for a timeline move on the notes screen."""
    blocks = list(session.blocks.all())
    state = timeline.live_state(session, blocks)
    return {
        "session": session,
        "state": state,
        "current_block": state.current,
        "current_question_pk": current_question_pk(session, state.current),
        "view": screen,
        "can_write": session.can_write_notes(user),
    }
