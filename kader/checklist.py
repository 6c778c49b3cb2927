"""Reading a project's checklist: rows per attention point and progress per phase."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q

from kader.forms import ChecklistEntryForm
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
    form: ChecklistEntryForm | None = None
    conflict: ChecklistEntry | None = None
    saved: bool = False

    def __post_init__(self):
        if self.form is None:
            self.form = ChecklistEntryForm.for_entry(self.entry, self.point)


def save_row(row, data, *, by):
    """Save the posted status and note on a row; returns the HTTP status to answer with.

    200 saved; 409 someone else saved first (their version in `row.conflict`, the user's
    text kept in the form, ready to be saved again knowingly); 422 invalid input.
    """
    prefix = f"p{row.point.pk}"
    row.form = form = ChecklistEntryForm(data, prefix=prefix)
    if not form.is_valid():
        return 422
    try:
        row.entry = row.entry.mark(
            form.cleaned_data["status"], form.cleaned_data["note"],
            by=by, expected_version=form.cleaned_data["version"],
        )
    except StaleChecklistEntry as stale:
        row.entry = row.conflict = stale.current
        data = data.copy()
        data[f"{prefix}-version"] = stale.current.version
        row.form = ChecklistEntryForm(data, prefix=prefix)
        return 409
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field, errors)
        return 422
    row.saved = True
    row.form = ChecklistEntryForm.for_entry(row.entry, row.point)
    return 200


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
