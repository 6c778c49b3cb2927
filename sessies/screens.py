"""What each live screen shows: the run view, the secretary's notes and the projector.

One context builder per session and screen serves the page, its poll and the answers to
changes, so a page and its fragments always agree.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from draaiboeken.models import TipAudience
from sessies import harvest, photos, timeline
from sessies.forms import AgreementForm, NoteForm
from sessies.models import Note

RECENT_NOTES_IN_RUN_VIEW = 12


class Screen(models.TextChoices):
    RUN = "run", _("Run view")
    NOTES = "notes", _("Notes")
    PROJECTOR = "projector", _("Projector")

    @property
    def template(self):
        return f"sessies/{self.value}.html"


def screen_context(session, screen, *, user):
    """The live state and the harvest that `screen` shows to `user`."""
    blocks = list(session.blocks.prefetch_related("steps", "work_forms"))
    state = timeline.live_state(session, blocks)
    context = {
        "session": session,
        "state": state,
        "view": screen,
        "poll_interval": settings.LIVE_POLL_INTERVAL_MS,
        "can_run": session.can_run(user),
        "can_write": session.can_write_notes(user),
    }
    if screen == Screen.RUN:
        context["proposals"] = timeline.catch_up_proposals(state) if context["can_run"] else []
        context["running_behind"] = session.is_live and state.delay_seconds >= timeline.CATCH_UP_THRESHOLD_SECONDS
        context["facilitator_tips"] = (
            session.script.method.tips.filter(audience=TipAudience.FACILITATOR) if session.script_id else []
        )
        context["extension_minutes"] = timeline.EXTENSION_MINUTES
    if screen in (Screen.RUN, Screen.PROJECTOR):
        context.update(_opening_texts(session, state))
    if screen == Screen.NOTES:
        context["tag_prefixes"] = [(prefix, tag.label) for prefix, tag in harvest.TAG_PREFIXES.items()]
        context["key_mark"] = harvest.KEY_MARK
        # Lazy: the page's photos section loads them; its poll, which never shows them, does not.
        context["photos"] = photos.managed_photos(session)
        context["photo_max_upload"] = photos.max_upload_bytes()
    context.update(_harvest(session, state, screen))
    return context


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


def _harvest(session, state, screen):
    notes = Note.objects.alive().filter(session=session).select_related("author", "question", "attention_point__phase")
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
            "key_notes": key_notes,
        }
    return {"key_notes": key_notes}
