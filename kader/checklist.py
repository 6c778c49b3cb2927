"""Reading a project's checklist: rows per attention point and progress per phase."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from kader.models import AttentionPoint, ChecklistEntry, ChecklistStatus, ExplanationSection, Phase

DONE_STATUSES = [ChecklistStatus.SECURED, ChecklistStatus.NOT_APPLICABLE]


@dataclass
class ChecklistRow:
    point: AttentionPoint
    entry: ChecklistEntry


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
