"""Saving a checklist row as a domain function: plain values in, a saved row or a domain error out."""

import pytest
from django.core.exceptions import ValidationError

from kader.checklist import checklist_rows, save_row
from kader.models import CHECKLIST_NOTE_MAX_LENGTH, AttentionPoint, ChecklistEntry, ChecklistStatus, StaleChecklistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(project):
    return checklist_rows(project, [AttentionPoint.objects.get(phase__number=1, number=1)])[0]


def test_it_saves_a_row_and_returns_it_marked_saved(row, researcher):
    saved = save_row(row, status=ChecklistStatus.SECURED, note="Geborgd in het plan", expected_version=0, by=researcher)

    assert saved is row and row.saved and row.conflict is None
    stored = ChecklistEntry.objects.get()
    assert (row.entry.pk, row.entry.version, row.entry.status) == (stored.pk, 1, ChecklistStatus.SECURED)
    assert (stored.note, stored.changed_by) == ("Geborgd in het plan", researcher)


def test_it_raises_stale_and_shows_their_entry_when_someone_saved_first(row, project, researcher, outsider):
    theirs = ChecklistEntry(project=project, attention_point=row.point).mark(
        ChecklistStatus.DISCUSSING, "Hun versie", by=outsider, expected_version=0
    )

    with pytest.raises(StaleChecklistEntry):
        save_row(row, status=ChecklistStatus.SECURED, note="Mijn versie", expected_version=0, by=researcher)

    assert row.conflict == row.entry == theirs and row.conflict.note == "Hun versie"
    assert not row.saved
    assert ChecklistEntry.objects.get().note == "Hun versie"


@pytest.mark.parametrize(
    ("status", "note", "field"),
    [("klaar", "", "status"), (ChecklistStatus.SECURED, "x" * (CHECKLIST_NOTE_MAX_LENGTH + 1), "note")],
)
def test_it_raises_a_validation_error_per_field_and_stores_nothing(row, researcher, status, note, field):
    with pytest.raises(ValidationError) as error:
        save_row(row, status=status, note=note, expected_version=0, by=researcher)

    assert list(error.value.message_dict) == [field]
    assert not row.saved and row.conflict is None
    assert not ChecklistEntry.objects.exists()


def test_a_row_carries_no_form_until_a_view_attaches_one(row):
    assert row.form is None
