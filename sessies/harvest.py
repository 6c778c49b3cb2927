"""The harvest of a session: notes, the key harvest and agreements.

Every change bumps the session's version in the same transaction and says what changed, so
the live screens fetch only that (sessies.push).
"""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from draaiboeken.models import StepKind
from gesprekstafels.lib.http import parse_id
from kader.models import AttentionPoint
from sessies import push
from sessies.models import Agreement, Note, NoteTag, Session, SessionBlock, SessionStep

# "af: ..." tags a note as an agreement, "* ..." stars it; typed at the start of a note.
# The note form's help text is built from these two, so it always says what works.
TAG_PREFIXES = {
    "o": NoteTag.HARVEST,
    "a": NoteTag.ATTENTION,
    "af": NoteTag.AGREEMENT,
    "c": NoteTag.QUOTE,
    "ov": NoteTag.OTHER,
}
KEY_MARK = "*"
_TAGS = "|".join(re.escape(prefix) for prefix in sorted(TAG_PREFIXES, key=len, reverse=True))
_KEY = re.escape(KEY_MARK)
PREFIX_PATTERN = re.compile(rf"^\s*({_KEY}\s*)?(?:({_TAGS}):\s*)?({_KEY}\s*)?", re.IGNORECASE)


class NoteConflict(Exception):
    """The note changed since the editor loaded it."""

    def __init__(self, current):
        super().__init__("note changed meanwhile")
        self.current = current


class HarvestError(Exception):
    """A request that does not fit the session (a block or question of another session)."""


def parse_prefix(text, tag):
    """Split a typed prefix off the text: returns (text, tag, starred)."""
    match = PREFIX_PATTERN.match(text)
    prefix = match.group(2)
    starred = bool(match.group(1) or match.group(3))
    if not prefix and not starred:
        return text, tag, False
    rest = text[match.end() :]
    if not rest.strip():
        return text, tag, False
    return rest, TAG_PREFIXES[prefix.lower()] if prefix else tag, starred


@transaction.atomic
def add_note(session, *, block_id, text, tag, author, question_id=None, client_token=""):
    """Store a note; a retry with the same client token returns the note already stored."""
    if client_token:
        existing = Note.objects.filter(session=session, client_token=client_token).first()
        if existing:
            return existing
    block = SessionBlock.objects.filter(session=session, pk=block_id).first()
    if block is None:
        raise HarvestError(_("Choose a block of this session."))
    question = None
    if question_id:
        question = SessionStep.objects.filter(block=block, pk=question_id, kind=StepKind.QUESTION).first()
        if question is None:
            raise HarvestError(_("That question does not belong to the chosen block."))
    text, tag, starred = parse_prefix(text, tag)
    try:
        # A savepoint, so a lost race on the token leaves the outer transaction usable.
        with transaction.atomic():
            note = Note.objects.create(
                session=session,
                block=block,
                question=question,
                text=text,
                tag=tag,
                is_key=starred,
                author=author,
                client_token=client_token,
            )
    except IntegrityError:
        # A concurrent retry with the same token got in first: the note is stored, once.
        existing = Note.objects.filter(session=session, client_token=client_token).first() if client_token else None
        if existing is None:
            raise
        return existing
    Session.objects.bump(session.pk, change=push.note_change(note.pk, key=note.is_key))
    return note


@transaction.atomic
def edit_note(note, *, text, tag, expected_version, by):
    current = Note.objects.select_for_update().get(pk=note.pk)
    if current.version != expected_version:
        raise NoteConflict(current)
    Note.objects.filter(pk=note.pk).update(text=text, tag=tag, version=F("version") + 1, updated_at=timezone.now())
    Session.objects.bump(note.session_id, change=push.note_change(note.pk, key=current.is_key))
    current.refresh_from_db()
    return current


@transaction.atomic
def delete_note(note):
    Note.objects.filter(pk=note.pk).update(deleted_at=timezone.now(), version=F("version") + 1)
    Session.objects.bump(note.session_id, change=push.note_change(note.pk, key=note.is_key))


@transaction.atomic
def restore_note(note):
    Note.objects.filter(pk=note.pk).update(deleted_at=None, version=F("version") + 1)
    Session.objects.bump(note.session_id, change=push.note_change(note.pk, key=note.is_key))


@transaction.atomic
def set_key_harvest(note, is_key):
    Note.objects.filter(pk=note.pk).update(is_key=is_key, version=F("version") + 1)
    Session.objects.bump(note.session_id, change=push.note_change(note.pk, key=True))


@transaction.atomic
def set_attention_point(note, attention_point_id):
    """Link the note to an attention point of the framework, or unlink it (None); returns the point.

    The link carries the note to the project page and the checklist (sessies.evidence), besides
    the links of its question. Raises HarvestError for an id that names no attention point.
    """
    point = None
    if attention_point_id is not None:
        pk = parse_id(str(attention_point_id))
        point = AttentionPoint.objects.select_related("phase").filter(pk=pk).first() if pk is not None else None
        if point is None:
            raise HarvestError(_("Choose one of the listed attention points."))
    Note.objects.filter(pk=note.pk).update(attention_point=point, version=F("version") + 1)
    # The key harvest lists texts only: a point does not change it.
    Session.objects.bump(note.session_id, change=push.note_change(note.pk))
    return point


@transaction.atomic
def add_agreement(session, *, who, what, when="", block=None):
    if block is not None and block.session_id != session.pk:
        raise HarvestError(_("Choose a block of this session."))
    agreement = Agreement.objects.create(session=session, who=who, what=what, when=when, block=block)
    Session.objects.bump(session.pk, change=push.AGREEMENTS)
    return agreement


@transaction.atomic
def delete_agreement(agreement):
    agreement.delete()
    Session.objects.bump(agreement.session_id, change=push.AGREEMENTS)


# Reading the harvest


@dataclass
class QuestionNotes:
    question: SessionStep | None
    notes: list = field(default_factory=list)
    help_questions: list = field(default_factory=list)


@dataclass
class BlockNotes:
    block: SessionBlock
    groups: list = field(default_factory=list)

    @property
    def count(self):
        return sum(len(group.notes) for group in self.groups)


def notes_by_block(blocks, notes):
    """Notes grouped by block, then by question (help questions under their question)."""
    per_question = {}
    for note in notes:
        per_question.setdefault((note.block_id, note.question_id), []).append(note)
    result = []
    for block in blocks:
        groups = []
        for question, help_questions in block.outline.questions():
            group = QuestionNotes(question, per_question.get((block.pk, question.pk), []), help_questions)
            for help_question in help_questions:
                group.notes += per_question.get((block.pk, help_question.pk), [])
            groups.append(group)
        groups.append(QuestionNotes(None, per_question.get((block.pk, None), [])))
        result.append(BlockNotes(block, groups))
    return result
