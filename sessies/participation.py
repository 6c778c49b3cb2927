"""Participants take part from their phones: a session's link, their proposals, the secretary's decisions.

A facilitator opens the session to participants: a link with a long random token, shown as a
QR code on the projector and the run view. A phone that opens it needs no account and gives no
personal data; it gets a random device key in a signed cookie. During a block with questions a
participant (or a subgroup) sends short answers per question. They arrive with the secretary as
proposals, who accepts them (each becomes a note, tag "harvest", marked as from participants),
edits them first, merges several into one note, or dismisses them, and may block a device.
"""

import io
import re
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from draaiboeken.models import StepKind
from sessies import push
from sessies.models import (
    NOTE_MAX_LENGTH,
    JoinLink,
    Note,
    NoteTag,
    ParticipantDevice,
    Proposal,
    ProposalStatus,
    Session,
    SessionState,
    SessionStep,
)

# 96 random bits: unguessable, yet short enough to type from the projector when a QR code fails.
TOKEN_BYTES = 12
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
PROPOSAL_MAX_LENGTH = 500
SENDER_MAX_LENGTH = 60
# Zero-width (non-)joiner: part of emoji and of some scripts' words, so kept in plain text.
JOINERS = "\u200c\u200d"
DEVICE_COOKIE_PREFIX = "gt-device-"
DEVICE_COOKIE_SALT = "sessies.participation.device"


class Refused(Exception):
    """A proposal the session cannot take; the message is for the participant, status for the answer."""

    def __init__(self, message, status=409):
        super().__init__(message)
        self.message = message
        self.status = status


# The link


def open_link(session):
    """The session's open link (None when closed); one query."""
    return JoinLink.objects.filter(session=session, closed_at__isnull=True).first()


def open_for_participants(session, *, by):
    """Open the session to participants; an open link stays as it is (a second click changes nothing)."""
    if session.is_finished:
        raise Refused(_("The session has finished; it can no longer be opened to participants."))
    with transaction.atomic():
        Session.objects.select_for_update().filter(pk=session.pk).first()
        link = open_link(session)
        if link is None:
            link = JoinLink.objects.create(session=session, token=secrets.token_urlsafe(TOKEN_BYTES), created_by=by)
            Session.objects.bump(session.pk)
    return link


def close_for_participants(session):
    with transaction.atomic():
        if JoinLink.objects.filter(session=session, closed_at__isnull=True).update(closed_at=timezone.now()):
            Session.objects.bump(session.pk)


def renew_link(session, *, by):
    """A new link; the old one stops working (a link shared beyond the room)."""
    with transaction.atomic():
        JoinLink.objects.filter(session=session, closed_at__isnull=True).update(closed_at=timezone.now())
        return open_for_participants(session, by=by)


class LinkProblem:
    UNKNOWN = "unknown"
    CLOSED = "closed"
    FINISHED = "finished"


def token_shaped(token):
    """Could this be a link's token (URL-safe base64, as secrets.token_urlsafe makes them)? Else no query at all."""
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def find_link(token):
    """(link, problem): the link for a token and why it does not work (None when it does).

    Tokens that cannot be ours are not looked up at all.
    """
    if not token_shaped(token):
        return None, LinkProblem.UNKNOWN
    link = JoinLink.objects.select_related("session", "session__current_block").filter(token=token).first()
    if link is None:
        return None, LinkProblem.UNKNOWN
    if link.session.is_finished:
        return link, LinkProblem.FINISHED
    if not link.is_open:
        return link, LinkProblem.CLOSED
    return link, None


def link_works(link_pk):
    """For a live stream's periodic check: is the link still open and its session not finished?"""
    return (
        JoinLink.objects.filter(pk=link_pk, closed_at__isnull=True)
        .exclude(session__state=SessionState.FINISHED)
        .exists()
    )


def qr_svg(url):
    """The QR code of `url` as SVG, dark on white, with the quiet zone scanners need."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff")
    return buffer.getvalue()


# Devices


def new_device_key():
    return secrets.token_urlsafe(24)


def device_for(session, key, *, create=False):
    """The device behind a cookie's key, in this session; made on its first proposal."""
    if not key:
        return None
    device = ParticipantDevice.objects.filter(key=key, session=session).first()
    if device is None and create:
        try:
            with transaction.atomic():
                device = ParticipantDevice.objects.create(session=session, key=key)
        except IntegrityError:
            # The key belongs to another session's device (one cookie per session makes this rare).
            return None
    return device


# Proposals


def questions_open_to(session):
    """The questions phones may answer now: those of the current block, when the session is live."""
    block = session.current_block if session.is_live else None
    if block is None:
        return []
    return block.outline.main_questions()


def answerable_question(session, question_pk):
    """The question an answer may be for: one of a block the session has reached (None otherwise).

    The current block's, or one the group has left while a participant typed; never a later
    one, so a phone cannot read ahead by trying question ids.
    """
    if question_pk is None or not session.is_live:
        return None
    return (
        SessionStep.objects.select_related("block")
        .filter(pk=question_pk, block__session=session, kind=StepKind.QUESTION)
        .filter(Q(block__first_started_at__isnull=False) | Q(block_id=session.current_block_id))
        .first()
    )


def submit(link, device_key, *, question_pk, text, sender, client_token):
    """Store a participant's answer as a proposal; a retry with the same client token is the same proposal.

    Answers go to a question of a block the session has reached (the current one, or one the
    group has left while the participant typed), and never after the session ends.
    """
    session = link.session
    text = clean_text(text, PROPOSAL_MAX_LENGTH, _("Your answer"))
    sender = clean_text(sender, SENDER_MAX_LENGTH, _("Your name or subgroup"), required=False)
    client_token = (client_token or "")[:64]
    if not client_token:
        raise Refused(_("The page is out of date. Reload it; your text stays."), status=422)
    if not session.is_live:
        raise Refused(_("The session is not running now; answers cannot be sent."))
    question = answerable_question(session, question_pk)
    if question is None:
        raise Refused(_("That question is not open for answers."), status=422)
    with transaction.atomic():
        device = device_for(session, device_key, create=True)
        if device is None:
            raise Refused(_("This phone cannot send answers. Open the link again."), status=403)
        if device.blocked_at:
            raise Refused(_("Answers from this phone are no longer accepted."), status=403)
        existing = Proposal.objects.filter(device=device, client_token=client_token).first()
        if existing:
            return existing
        _check_rate(session, device)
        proposal = Proposal.objects.create(
            session=session,
            device=device,
            block=question.block,
            question=question,
            text=text,
            sender=sender,
            client_token=client_token,
        )
        Session.objects.bump(session.pk, change=push.PROPOSALS)
    return proposal


def clean_text(value, limit, label, *, required=True):
    """Plain text: trimmed, no control characters but line breaks, within `limit` characters."""
    value = "".join(_plain(ch) for ch in (value or "").replace("\r\n", "\n")).strip()
    if required and not value:
        raise Refused(_("%(field)s is empty.") % {"field": label}, status=422)
    if len(value) > limit:
        raise Refused(
            _("%(field)s is too long: %(length)s characters, at most %(limit)s.")
            % {"field": label, "length": len(value), "limit": limit},
            status=422,
        )
    return value


def _plain(ch):
    """A character of plain text: control characters go (but tab and newline), separators become spaces or newlines.

    Other spaces (no-break, narrow) and the joiners that build emoji stay; invisible format
    characters (direction overrides, zero-width spaces) go, so nothing reads differently than it is.
    """
    category = unicodedata.category(ch)
    if ch in "\n\t" or ch in JOINERS:
        return ch
    if category in ("Zl", "Zp"):
        return "\n"
    if category.startswith("C"):
        return ""
    return ch


def _check_rate(session, device):
    """Per phone and per session, proposals within the last minute; counted in the database, so across processes.

    Not per IP address: a room's phones share the venue's one.
    """
    since = timezone.now() - timedelta(minutes=1)
    recent = Proposal.objects.filter(session=session, created_at__gte=since)
    if recent.filter(device=device).count() >= settings.PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE:
        raise Refused(_("You are sending answers very fast. Wait a minute; your text stays."), status=429)
    if recent.count() >= settings.PARTICIPANT_PROPOSALS_PER_SESSION_PER_MINUTE:
        raise Refused(_("Many answers are coming in at once. Wait a moment; your text stays."), status=429)


def own_proposals(session, device_key):
    """What this phone sent, newest first (for its own list); nothing without a key. `session`: one or its pk."""
    if not device_key:
        return []
    return list(
        Proposal.objects.filter(session=session, device__key=device_key)
        .select_related("question")
        .order_by("-created_at", "-pk")[:50]
    )


def waiting(session):
    """The proposals waiting for the secretary: new, from phones not blocked."""
    return Proposal.objects.filter(session=session, status=ProposalStatus.NEW, device__blocked_at__isnull=True)


def inbox(session):
    """The secretary's open proposals, oldest first, with their question and block."""
    return list(waiting(session).select_related("question", "block").order_by("created_at", "pk"))


def accept(session, proposals, *, by, text=None):
    """Make one note of `proposals` (one, or several merged), under the first one's question.

    The note's text is `text` when the secretary edited it, else the proposals' texts, one per line.
    Proposals already decided are left out; returns the note, or None when none was left.
    """
    with transaction.atomic():
        pks = [proposal.pk for proposal in proposals]
        pending = list(
            Proposal.objects.select_for_update()
            .filter(session=session, pk__in=pks, status=ProposalStatus.NEW)
            .order_by("created_at", "pk")
        )
        if not pending:
            return None
        first = pending[0]
        body = (text or "").strip() or "\n".join(proposal.text for proposal in pending)
        senders = list(dict.fromkeys(proposal.sender for proposal in pending if proposal.sender))
        note = Note.objects.create(
            session=session,
            block_id=first.block_id,
            question_id=first.question_id,
            text=body[:NOTE_MAX_LENGTH],
            tag=NoteTag.HARVEST,
            author=by,
            from_participants=True,
            contributor=", ".join(senders)[:200],
        )
        Proposal.objects.filter(pk__in=[p.pk for p in pending]).update(
            status=ProposalStatus.ACCEPTED, note=note, decided_at=timezone.now(), decided_by=by
        )
        Session.objects.bump(session.pk, change=push.note_change(note.pk))
        Session.objects.bump(session.pk, change=push.PROPOSALS)
    return note


def dismiss(session, proposals, *, by):
    with transaction.atomic():
        changed = Proposal.objects.filter(
            session=session, pk__in=[p.pk for p in proposals], status=ProposalStatus.NEW
        ).update(status=ProposalStatus.DISMISSED, decided_at=timezone.now(), decided_by=by)
        if changed:
            Session.objects.bump(session.pk, change=push.PROPOSALS)
    return changed


def block_device(session, device, *, by):
    """Refuse a phone's answers from now on; its open proposals are dismissed."""
    with transaction.atomic():
        ParticipantDevice.objects.filter(pk=device.pk, blocked_at__isnull=True).update(blocked_at=timezone.now())
        Proposal.objects.filter(device=device, status=ProposalStatus.NEW).update(
            status=ProposalStatus.DISMISSED, decided_at=timezone.now(), decided_by=by
        )
        Session.objects.bump(session.pk, change=push.PROPOSALS)


def show_on_projector(session, note, shown):
    """Show (or stop showing) an accepted answer on the projector for the plenary share-out."""
    with transaction.atomic():
        if Note.objects.filter(pk=note.pk, from_participants=True).update(on_projector=shown):
            Session.objects.bump(session.pk)


def shared_answers(session, block):
    """The accepted answers the projector shows for `block`, in their order."""
    if block is None:
        return []
    return list(
        Note.objects.alive()
        .filter(session=session, block=block, from_participants=True, on_projector=True)
        .order_by("created_at", "pk")
    )


def accepted_answers(session, block):
    """The accepted answers of `block`, for the run view's "show on the projector" switches."""
    if block is None:
        return []
    return list(
        Note.objects.alive()
        .filter(session=session, block=block, from_participants=True)
        .select_related("question")
        .order_by("created_at", "pk")
    )
