"""The harvest as evidence for the framework's attention points (registered in kader.evidence).

A note bears on an attention point directly (`Note.attention_point`, set by the secretary) or
through its question: a session keeps a copy of its script's steps without their links, so the
copy is matched to the script step it came from by its block's source block and its text. The
text, not the order: the library's steps were renumbered once (the upgrade to ordered steps),
and finished sessions keep the order they were copied with.
"""

from django.db.models import Q
from django.urls import reverse

from draaiboeken.models import Step
from kader.evidence import Evidence
from sessies.models import Note, Session


def question_links(point_ids):
    """{(script block id, step text): {attention point id, …}} for the script steps linked to these points."""
    links = Step.attention_points.through.objects.filter(attentionpoint_id__in=point_ids).values_list(
        "step__block_id", "step__text", "attentionpoint_id"
    )
    found = {}
    for block_id, text, point_id in links:
        found.setdefault((block_id, text), set()).add(point_id)
    return found


def points_of(note, links, point_ids):
    """The ids among `point_ids` that `note` bears on: its own link and its question's links."""
    found = set()
    if note.attention_point_id in point_ids:
        found.add(note.attention_point_id)
    if note.question_id is not None:
        found |= links.get((note.block.source_block_id, note.question.text), set())
    return found


def linked_notes(*, project, points, user):
    """The alive notes of the project's sessions `user` may see that bear on `points`, newest session first.

    Two queries, whatever the number of notes and sessions. Returns (note, {point id, …}) pairs.
    """
    point_ids = {point.pk for point in points}
    if not point_ids:
        return []
    links = question_links(point_ids)
    source_blocks = {block_id for block_id, _text in links}
    notes = (
        Note.objects.alive()
        .filter(session__in=Session.objects.visible_to(user).filter(project=project))
        .filter(
            Q(attention_point_id__in=point_ids) | Q(question__isnull=False, block__source_block_id__in=source_blocks)
        )
        .select_related("session", "block", "question")
        .order_by("-session__starts_at", "session_id", "block__order", "report_order", "created_at", "pk")
    )
    pairs = []
    for note in notes:
        found = points_of(note, links, point_ids)
        if found:
            pairs.append((note, found))
    return pairs


def notes_as_evidence(*, project, points, user):
    """The provider for kader.evidence: {attention point id: [Evidence, …]}."""
    found = {}
    for note, point_ids in linked_notes(project=project, points=points, user=user):
        item = Evidence(
            text=note.text,
            is_key=note.is_key,
            tag_label=note.get_tag_display(),
            session_title=note.session.title,
            session_date=note.session.starts_at,
            report_url=reverse("sessions:report", args=[note.session_id]),
        )
        for point_id in point_ids:
            found.setdefault(point_id, []).append(item)
    return found
