"""A project's checklist: the phase page, saving an entry in place, conflicts, the PDF."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from kader.models import (
    CHECKLIST_NOTE_MAX_LENGTH,
    AttentionPoint,
    ChecklistEntry,
    ChecklistStatus,
    ExplanationSection,
    Membership,
    Phase,
    ProjectRole,
)
from tests.conftest import HTMX


def nl(message):
    """The message as the (Dutch) UI shows it, whether or not the translations are compiled."""
    with translation.override("nl"):
        return translation.gettext(message)


def first_point(number=1):
    return AttentionPoint.objects.get(phase__number=number, number=1)


def entry_url(project, point):
    return reverse("projects:checklist_entry", args=[project.pk, point.pk])


def entry_data(point, status="geborgd", note="", version=0):
    prefix = f"p{point.pk}"
    return {f"{prefix}-status": status, f"{prefix}-note": note, f"{prefix}-version": version}


def htmx_post(client, url, data):
    return client.post(url, data, headers=HTMX)


@pytest.fixture
def colleague(project, django_user_model):
    """A second researcher on the same project."""
    from sessies import roles
    from tests.conftest import make_user

    user = make_user(django_user_model, "cor", roles.RESEARCHERS)
    Membership.objects.create(project=project, user=user, role=ProjectRole.RESEARCHER)
    return user


@pytest.fixture
def entry(project, researcher):
    """An existing entry for point 1.1, saved once (version 1)."""
    point = first_point()
    return ChecklistEntry(project=project, attention_point=point).mark(
        ChecklistStatus.DISCUSSING, "Eerste aantekening", by=researcher, expected_version=0
    )


# The phase page


@pytest.mark.django_db
@pytest.mark.parametrize("number,count", [(1, 3), (2, 5), (3, 4)])
def test_it_lists_the_points_of_the_phase(client, project, researcher, number, count):
    client.force_login(researcher)
    response = client.get(reverse("projects:checklist", args=[project.pk, number]))
    assert response.status_code == 200
    assert "kader/checklist.html" in [t.name for t in response.templates]
    content = response.content.decode()
    points = AttentionPoint.objects.filter(phase__number=number)
    assert content.count('class="card mb-3 checklist-entry') == count
    for point in points:
        assert f'id="entry-{point.pk}"' in content
        assert escape(point.title) in content
        for field in ("status", "note", "version"):
            assert f'name="p{point.pk}-{field}"' in content
        assert f'action="{entry_url(project, point)}"' in content


@pytest.mark.django_db
def test_it_shows_saved_entries_in_the_form(client, project, researcher, entry):
    client.force_login(researcher)
    response = client.get(reverse("projects:checklist", args=[project.pk, 1]))
    assert response.status_code == 200
    content = response.content.decode()
    point = entry.attention_point
    assert "Eerste aantekening</textarea>" in content
    assert f'name="p{point.pk}-version" value="1"' in content
    assert '<option value="in_gesprek" selected>' in content


@pytest.mark.django_db
def test_it_shows_the_explanation_of_each_point(client, project, researcher):
    client.force_login(researcher)
    response = client.get(reverse("projects:checklist", args=[project.pk, 2]))
    assert response.status_code == 200
    content = response.content.decode()
    for section in ExplanationSection.objects.filter(attention_point__phase__number=2):
        first_line = section.body.strip().splitlines()[0][:60]
        assert escape(first_line) in content


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_phase(client, project, researcher):
    client.force_login(researcher)
    response = client.get(reverse("projects:checklist", args=[project.pk, 4]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_it_hides_someone_elses_checklist(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:checklist", args=[project.pk, 1]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_it_shows_the_checklist_read_only_to_a_reader(client, project, secretary, entry):
    from django.contrib.auth.models import Permission

    secretary.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    client.force_login(secretary)
    response = client.get(reverse("projects:checklist", args=[project.pk, 1]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="checklist-form"' not in content
    assert "Eerste aantekening" in content


@pytest.mark.django_db
def test_it_lets_an_admin_open_any_checklist(client, project, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("projects:checklist", args=[project.pk, 3]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_keeps_the_checklist_query_count_with_more_points(
    client, project, researcher, colleague, django_assert_num_queries
):
    phase = Phase.objects.get(number=1)
    ChecklistEntry(project=project, attention_point=first_point()).mark(
        "geborgd", "Klaar", by=researcher, expected_version=0
    )
    client.force_login(researcher)
    url = reverse("projects:checklist", args=[project.pk, 1])
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    for number in range(10, 20):
        point = AttentionPoint.objects.create(phase=phase, number=number, title=f"Extra punt {number}")
        ExplanationSection.objects.bulk_create(
            [ExplanationSection(attention_point=point, order=i, body=f"Uitleg {i}.") for i in range(3)]
        )
        author = researcher if number % 2 else colleague
        ChecklistEntry(project=project, attention_point=point).mark(
            "in_gesprek", "Bezig", by=author, expected_version=0
        )
    with django_assert_num_queries(len(baseline)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="card mb-3 checklist-entry') == 13


# Saving an entry


@pytest.mark.django_db
def test_it_saves_an_entry_with_htmx_and_answers_the_fragment(client, project, researcher):
    point = first_point()
    client.force_login(researcher)
    response = htmx_post(client, entry_url(project, point), entry_data(point, "geborgd", "Praktijktoets gedaan."))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<article class="card mb-3 checklist-entry keep" id="entry-{point.pk}"')
    assert content.count("<article") == 1
    assert "<html" not in content and "<nav" not in content
    assert f'name="p{point.pk}-version" value="1"' in content
    assert 'role="status"' in content
    saved = ChecklistEntry.objects.get(project=project, attention_point=point)
    assert saved.status == ChecklistStatus.SECURED
    assert saved.note == "Praktijktoets gedaan."
    assert saved.version == 1
    assert saved.changed_by == researcher
    assert saved.changed_at is not None


@pytest.mark.django_db
def test_it_saves_an_entry_with_a_plain_post_and_redirects(client, project, researcher):
    point = AttentionPoint.objects.get(phase__number=2, number=3)
    client.force_login(researcher)
    response = client.post(entry_url(project, point), entry_data(point, "nvt", "Niet van toepassing."))
    assert response.status_code == 302
    assert response.url == reverse("projects:checklist", args=[project.pk, 2])
    saved = ChecklistEntry.objects.get(project=project, attention_point=point)
    assert (saved.status, saved.note, saved.version, saved.changed_by) == ("nvt", "Niet van toepassing.", 1, researcher)


@pytest.mark.django_db
def test_it_updates_an_existing_entry(client, project, researcher, entry):
    point = entry.attention_point
    client.force_login(researcher)
    response = client.post(entry_url(project, point), entry_data(point, "geborgd", "Afgerond.", version=1))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.note, entry.version) == ("geborgd", "Afgerond.", 2)
    assert ChecklistEntry.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_it_refuses_a_get_on_the_entry_url(client, project, researcher):
    client.force_login(researcher)
    response = client.get(entry_url(project, first_point()))
    assert response.status_code == 405


@pytest.mark.django_db
def test_it_refuses_a_save_by_an_outsider(client, project, outsider):
    point = first_point()
    client.force_login(outsider)
    response = htmx_post(client, entry_url(project, point), entry_data(point))
    assert response.status_code == 404
    assert not ChecklistEntry.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_save_by_a_reader_who_may_not_edit(client, project, secretary):
    from django.contrib.auth.models import Permission

    secretary.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    point = first_point()
    client.force_login(secretary)
    response = client.post(entry_url(project, point), entry_data(point))
    assert response.status_code == 403
    assert not ChecklistEntry.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_save_by_a_member_who_does_not_lead_the_project(client, project, facilitator):
    # A facilitator taking notes for this project (their role here: secretary) reads its checklist only.
    Membership.objects.create(project=project, user=facilitator, role=ProjectRole.SECRETARY)
    point = first_point()
    client.force_login(facilitator)
    page = client.get(reverse("projects:checklist", args=[project.pk, 1]))
    assert page.status_code == 200
    assert 'class="checklist-form"' not in page.content.decode()
    response = client.post(entry_url(project, point), entry_data(point))
    assert response.status_code == 403
    assert not ChecklistEntry.objects.exists()


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_point(client, project, researcher):
    client.force_login(researcher)
    response = client.post(reverse("projects:checklist_entry", args=[project.pk, 999999]), {})
    assert response.status_code == 404
    assert not ChecklistEntry.objects.exists()


# Refused input


@pytest.mark.django_db
def test_it_refuses_an_unknown_status_with_htmx(client, project, researcher, entry):
    point = entry.attention_point
    client.force_login(researcher)
    response = htmx_post(client, entry_url(project, point), entry_data(point, "klaar", "Nieuwe tekst", version=1))
    assert response.status_code == 422
    content = response.content.decode()
    assert f'id="entry-{point.pk}"' in content
    assert "<html" not in content
    assert escape(nl("Choose one of the listed statuses.")) in content
    assert "Nieuwe tekst</textarea>" in content
    entry.refresh_from_db()
    assert (entry.status, entry.note, entry.version) == ("in_gesprek", "Eerste aantekening", 1)


@pytest.mark.django_db
def test_it_refuses_an_unknown_status_with_a_plain_post(client, project, researcher):
    point = first_point()
    client.force_login(researcher)
    response = client.post(entry_url(project, point), entry_data(point, "klaar", "Tekst"))
    assert response.status_code == 422
    content = response.content.decode()
    assert "<html" in content
    assert escape(nl("Choose one of the listed statuses.")) in content
    assert not ChecklistEntry.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_note_that_is_too_long(client, project, researcher, entry):
    point = entry.attention_point
    client.force_login(researcher)
    too_long = "x" * (CHECKLIST_NOTE_MAX_LENGTH + 1)
    response = htmx_post(client, entry_url(project, point), entry_data(point, "geborgd", too_long, version=1))
    assert response.status_code == 422
    content = response.content.decode()
    assert str(CHECKLIST_NOTE_MAX_LENGTH) in content
    assert "invalid-feedback" in content
    entry.refresh_from_db()
    assert (entry.status, entry.note, entry.version) == ("in_gesprek", "Eerste aantekening", 1)


@pytest.mark.django_db
def test_it_accepts_a_note_of_exactly_the_maximum_length(client, project, researcher):
    point = first_point()
    client.force_login(researcher)
    note = "x" * CHECKLIST_NOTE_MAX_LENGTH
    response = htmx_post(client, entry_url(project, point), entry_data(point, "geborgd", note))
    assert response.status_code == 200
    assert ChecklistEntry.objects.get(project=project, attention_point=point).note == note


@pytest.mark.django_db
def test_it_refuses_a_missing_version(client, project, researcher, entry):
    point = entry.attention_point
    client.force_login(researcher)
    data = entry_data(point, "geborgd", "Zonder versie")
    del data[f"p{point.pk}-version"]
    response = htmx_post(client, entry_url(project, point), data)
    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.note == "Eerste aantekening"


# Conflicts


@pytest.mark.django_db
def test_it_answers_409_when_someone_else_saved_meanwhile(client, project, researcher, colleague):
    point = first_point()
    ChecklistEntry(project=project, attention_point=point).mark(
        "geborgd", "Versie van Olga", by=researcher, expected_version=0
    )
    client.force_login(colleague)
    response = htmx_post(
        client, entry_url(project, point), entry_data(point, "in_gesprek", "Versie van Cor", version=0)
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert f'id="entry-{point.pk}"' in content
    assert 'class="alert alert-warning"' in content
    assert escape(nl("This point was changed meanwhile")) in content
    assert "Versie van Olga" in content  # the other person's version is shown
    assert "Olga" in content  # and who saved it
    assert "Versie van Cor</textarea>" in content  # the user's text is kept
    assert f'name="p{point.pk}-version" value="1"' in content  # ready to overwrite knowingly
    saved = ChecklistEntry.objects.get(project=project, attention_point=point)
    assert (saved.status, saved.note, saved.version, saved.changed_by) == ("geborgd", "Versie van Olga", 1, researcher)


@pytest.mark.django_db
def test_it_answers_409_on_the_second_of_two_saves_with_the_same_version(client, project, researcher):
    point = first_point()
    client.force_login(researcher)
    first = htmx_post(client, entry_url(project, point), entry_data(point, "geborgd", "Eerste opslag", version=0))
    assert first.status_code == 200
    response = htmx_post(client, entry_url(project, point), entry_data(point, "open", "Tweede opslag", version=0))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Eerste opslag" in content
    assert "Tweede opslag</textarea>" in content
    saved = ChecklistEntry.objects.get(project=project, attention_point=point)
    assert (saved.status, saved.note, saved.version) == ("geborgd", "Eerste opslag", 1)


@pytest.mark.django_db
def test_it_answers_409_with_the_full_page_on_a_plain_post(client, project, researcher, colleague):
    point = first_point()
    ChecklistEntry(project=project, attention_point=point).mark(
        "geborgd", "Versie van Olga", by=researcher, expected_version=0
    )
    client.force_login(colleague)
    response = client.post(entry_url(project, point), entry_data(point, "in_gesprek", "Versie van Cor", version=0))
    assert response.status_code == 409
    content = response.content.decode()
    assert "<html" in content
    assert content.count('class="card mb-3 checklist-entry') == 3
    assert "Versie van Olga" in content
    assert "Versie van Cor</textarea>" in content
    assert ChecklistEntry.objects.get(project=project, attention_point=point).note == "Versie van Olga"


@pytest.mark.django_db
def test_it_saves_again_with_the_new_version_after_a_conflict(client, project, researcher, colleague):
    point = first_point()
    ChecklistEntry(project=project, attention_point=point).mark(
        "geborgd", "Versie van Olga", by=researcher, expected_version=0
    )
    client.force_login(colleague)
    response = htmx_post(
        client, entry_url(project, point), entry_data(point, "in_gesprek", "Versie van Cor", version=1)
    )
    assert response.status_code == 200
    saved = ChecklistEntry.objects.get(project=project, attention_point=point)
    assert (saved.status, saved.note, saved.version, saved.changed_by) == ("in_gesprek", "Versie van Cor", 2, colleague)


# The PDF


@pytest.mark.django_db
def test_it_renders_the_checklist_as_pdf(client, project, researcher, entry):
    client.force_login(researcher)
    response = client.get(reverse("projects:checklist_pdf", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="checklist-{project.pk}.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert project.title in text
    titles = list(AttentionPoint.objects.values_list("title", flat=True))
    assert len(titles) == 12
    for title in titles:
        assert " ".join(title.split())[:30] in text, title
    assert "Eerste aantekening" in text


@pytest.mark.django_db
def test_it_refuses_the_checklist_pdf_to_an_outsider(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:checklist_pdf", args=[project.pk]))
    assert response.status_code == 404
