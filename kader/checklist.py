"""A project's checklist: its rows per attention point, saving one row, and progress per phase."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from kader.evidence import evidence_for
from kader.models import (
    AttentionPoint,
    ChecklistEntry,
    ChecklistStatus,
    ExplanationSection,
    Phase,
    StaleChecklistEntry,
)

DONE_STATUSES = [ChecklistStatus.SECURED, ChecklistStatus.NOT_APPLICABLE]


@dataclass
class ChecklistRow:
    point: AttentionPoint
    entry: ChecklistEntry
    # Someone else's entry that got in first, shown beside the user's own text.
    conflict: ChecklistEntry | None = None
    saved: bool = False
    # The edit form; the view attaches it, the domain never builds one.
    form: object = None
    # What the project's sessions yielded on this point (kader.evidence), beside the form.
    evidence: list = field(default_factory=list)


def save_row(row, *, status, note, expected_version, by):
    """Save a new status and note on the row's entry; returns the row, marked saved.

    Raises StaleChecklistEntry when someone else saved after `expected_version`: the row then
    shows their entry (in `entry` and `conflict`) so the user can save again knowingly.
    Raises ValidationError, per field, for a status outside the list or a note that is too long.
    """
    try:
        row.entry = row.entry.mark(status, note, by=by, expected_version=expected_version)
    except StaleChecklistEntry as stale:
        row.entry = row.conflict = stale.current
        raise
    row.saved = True
    return row


def phases_with_points():
    """All phases with their points and explanation sections, in three queries."""
    points = AttentionPoint.objects.prefetch_related(
        Prefetch("sections", queryset=ExplanationSection.objects.order_by("order", "pk"))
    )
    return Phase.objects.prefetch_related(Prefetch("attention_points", queryset=points))


def checklist_rows(project, points):
    """Pair each point with the project's entry, or an unsaved "open" entry when none exists."""
    entries = {
        entry.attention_point_id: entry
        for entry in project.checklist_entries.select_related("changed_by").filter(
            attention_point__in=[point.pk for point in points]
        )
    }
    return [
        ChecklistRow(point, entries.get(point.pk) or ChecklistEntry(project=project, attention_point=point))
        for point in points
    ]


def with_evidence(rows, *, project, user):
    """Attach to each row the evidence `user` may see for its point, for all rows at once; returns the rows."""
    found = evidence_for(project, [row.point for row in rows], user=user)
    for row in rows:
        row.evidence = found.get(row.point.pk, [])
    return rows


def phase_progress(project):
    """{phase number: (done, total)} for the project, in one query."""
    done = Count(
        "attention_points__checklist_entries",
        filter=Q(
            attention_points__checklist_entries__project=project,
            attention_points__checklist_entries__status__in=DONE_STATUSES,
        ),
    )
    rows = Phase.objects.annotate(total=Count("attention_points", distinct=True), done=done)
    return {phase.number: (phase.done, phase.total) for phase in rows}
