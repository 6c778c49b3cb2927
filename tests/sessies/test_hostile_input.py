"""Bad input is refused at the form and model boundary with a Dutch message, never with a 500.

Dates out of the planning range, minutes past a block's maximum, rows of another session,
unknown moves and tags, stale editors; stored sessions from before the bounds still render;
reading a report never writes. The UI is Dutch here, as users see it.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from draaiboeken.models import MAX_BLOCK_MINUTES, Script
from gesprekstafels.lib.http import parse_id
from sessies import timeline
from sessies.models import Note, Participant, Report, Session, SessionBlock, SessionState, TimeAdjustment
from sessies.planning import create_session
from tests.conftest import HTMX

ROW_OF_ANOTHER_SESSION = "Een rij op deze pagina hoort bij een andere sessie of is intussen verwijderd."


def fresh(session):
    return Session.objects.get(pk=session.pk)


def plan_data(project, facilitator, secretary, **overrides):
    return {
        "project": project.pk,
        "script": Script.objects.get(slug="gesprekstafel-1-start").pk,
        "title": "Gesprekstafel",
        "starts_at": "2031-03-04T13:30",
        "place": "",
        "facilitator": facilitator.pk,
        "secretary": secretary.pk,
        "deelnemers-TOTAL_FORMS": "0",
        "deelnemers-INITIAL_FORMS": "0",
    } | overrides


# Session dates


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00", "1999-12-31T23:59", "2100-01-01T00:00", "9999-12-31T23:59"])
def test_planning_refuses_a_date_outside_2000_to_2099_with_422_and_a_dutch_message(
    client, project, researcher, facilitator, secretary, starts_at
):
    client.force_login(researcher)

    response = client.post(reverse("sessions:create"), plan_data(project, facilitator, secretary, starts_at=starts_at))

    assert response.status_code == 422
    assert "Kies een datum tussen 2000 en 2099." in response.content.decode()
    assert not Session.objects.exists()


def test_planning_accepts_the_last_minute_of_2099(client, project, researcher, facilitator, secretary):
    client.force_login(researcher)

    response = client.post(
        reverse("sessions:create"), plan_data(project, facilitator, secretary, starts_at="2099-12-31T23:59")
    )

    assert response.status_code == 302
    assert Session.objects.get().starts_at.year == 2099


def test_planning_answers_other_errors_with_422_too(client, project, researcher, facilitator, secretary):
    client.force_login(researcher)

    response = client.post(reverse("sessions:create"), plan_data(project, facilitator, secretary, starts_at="morgen"))

    assert response.status_code == 422
    assert "Voer een geldige datum/tijd in." in response.content.decode()


def test_the_planning_field_tells_the_browser_the_range(client, project, researcher):
    client.force_login(researcher)

    content = client.get(reverse("sessions:create")).content.decode()

    assert 'min="2000-01-01T00:00"' in content
    assert 'max="2099-12-31T23:59"' in content


@pytest.mark.parametrize("day", ["01-01-0001", "31-12-9999", "01-01-2100"])
def test_the_admin_refuses_a_date_outside_the_range_with_the_dutch_message(client, session, admin_user, day):
    client.force_login(admin_user)
    data = {
        "project": session.project_id,
        "script_title": session.script_title,
        "title": "Verschoven",
        "starts_at_0": day,
        "starts_at_1": "12:00:00",
        "place": "",
        "facilitator": session.facilitator_id,
        "secretary": session.secretary_id,
        "state": SessionState.PLANNED,
        "timeline_version": "1",
        "blocks-TOTAL_FORMS": "0",
        "blocks-INITIAL_FORMS": "0",
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:sessies_session_change", args=[session.pk]), data)

    assert response.status_code == 200  # the admin shows its form again
    assert "Kies een datum tussen 2000 en 2099." in response.content.decode()
    assert fresh(session).title != "Verschoven"


def test_planning_in_code_refuses_a_date_outside_the_range(project, facilitator, secretary):
    with pytest.raises(ValidationError) as refused:
        create_session(
            script=Script.objects.get(slug="gesprekstafel-1-start"),
            project=project,
            title="Te laat",
            starts_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
            facilitator=facilitator,
            secretary=secretary,
        )

    assert refused.value.code == "out_of_range"
    assert not Session.objects.exists()


@pytest.fixture
def legacy_sessions(session, facilitator, secretary, project):
    """Two sessions stored before the bounds existed: one planned at the calendar's end, one in year 1."""
    far = create_session(
        script=Script.objects.get(slug="gesprekstafel-1-start"),
        project=project,
        title="Ver weg",
        starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        facilitator=facilitator,
        secretary=secretary,
    )
    Session.objects.filter(pk=far.pk).update(starts_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC))
    Session.objects.filter(pk=session.pk).update(starts_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    return far, session


@pytest.mark.parametrize("user", ["admin_user", "researcher"])
def test_pages_render_sessions_stored_with_dates_at_the_calendars_edge(client, legacy_sessions, project, request, user):
    far, ancient = legacy_sessions
    client.force_login(request.getfixturevalue(user))
    urls = [reverse("dashboard"), reverse("sessions:list"), reverse("projects:detail", args=[project.pk])]
    for session in (far, ancient):
        urls += [
            reverse(f"sessions:{name}", args=[session.pk]) for name in ("detail", "run", "projector", "notes", "report")
        ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Ver weg" in client.get(reverse("sessions:list")).content.decode()


def test_the_report_pdf_renders_a_session_stored_at_the_calendars_end(client, legacy_sessions, admin_user):
    far, _ancient = legacy_sessions
    client.force_login(admin_user)

    response = client.get(reverse("sessions:report_pdf", args=[far.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_admin_opens_a_session_stored_at_the_calendars_edge_to_correct_it(client, legacy_sessions, admin_user):
    far, _ancient = legacy_sessions
    client.force_login(admin_user)

    assert client.get(reverse("admin:sessies_session_changelist")).status_code == 200
    response = client.get(reverse("admin:sessies_session_change", args=[far.pk]))

    assert response.status_code == 200
    assert "9999" in response.content.decode()


def test_a_session_at_the_calendars_edge_loads_just_inside_it(legacy_sessions):
    far, ancient = legacy_sessions

    assert fresh(far).starts_at == dt.datetime(9999, 11, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert fresh(ancient).starts_at == dt.datetime(1, 2, 1, tzinfo=dt.UTC)


# Links to the planning page


@pytest.mark.parametrize("query", [{"project": "²"}, {"script": "²"}, {"project": "١"}, {"project": str(2**63)}])
def test_the_planning_page_ignores_ids_that_are_not_plain_digits(client, facilitator, project, query):
    client.force_login(facilitator)

    response = client.get(reverse("sessions:create"), query)

    assert response.status_code == 200
    assert response.context["form"].initial.get("project") is None


def test_the_planning_page_still_follows_a_plain_project_id(client, researcher, project):
    client.force_login(researcher)

    response = client.get(reverse("sessions:create"), {"project": str(project.pk)})

    assert response.context["form"].initial["project"] == project


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("12", 12),
        ("²", None),
        ("١٢", None),
        (" 12", None),
        ("-1", None),
        ("1" * 18, int("1" * 18)),
        ("1" * 19, None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id_takes_plain_storable_ids_only(value, parsed):
    assert parse_id(value) == parsed


# Block minutes


def block_data(session, **changes):
    blocks = list(session.blocks.order_by("order", "pk"))
    data = {
        "version": str(fresh(session).timeline_version),
        "blokken-TOTAL_FORMS": str(len(blocks)),
        "blokken-INITIAL_FORMS": str(len(blocks)),
    }
    for index, block in enumerate(blocks):
        data |= {
            f"blokken-{index}-id": str(block.pk),
            f"blokken-{index}-order": str(block.order),
            f"blokken-{index}-minutes": str(block.minutes),
        }
    return data | changes


def minutes_of(session):
    return list(session.blocks.order_by("order", "pk").values_list("minutes", flat=True))


@pytest.mark.parametrize("minutes", ["481", "32767", str(2**63)])
def test_adjusting_refuses_more_than_480_minutes_with_422_and_a_dutch_message(client, session, facilitator, minutes):
    client.force_login(facilitator)
    before = minutes_of(session)

    response = client.post(
        reverse("sessions:blocks", args=[session.pk]), block_data(session, **{"blokken-0-minutes": minutes})
    )

    assert response.status_code == 422
    assert "Een blok duurt hoogstens 480 minuten." in response.content.decode()
    assert minutes_of(session) == before


def test_adjusting_accepts_480_minutes(client, session, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("sessions:blocks", args=[session.pk]), block_data(session, **{"blokken-0-minutes": "480"})
    )

    assert response.status_code == 302
    assert minutes_of(session)[0] == 480


def test_adjusting_refuses_a_block_of_another_session(client, session, facilitator, project, secretary):
    other = create_session(
        script=Script.objects.get(slug="gesprekstafel-1-start"),
        project=project,
        title="Andere",
        starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        facilitator=facilitator,
        secretary=secretary,
    )
    foreign_block = other.blocks.order_by("order").first()
    client.force_login(facilitator)
    before = minutes_of(session), minutes_of(other)

    response = client.post(
        reverse("sessions:blocks", args=[session.pk]),
        block_data(session, **{"blokken-0-id": str(foreign_block.pk), "blokken-0-minutes": "7"}),
    )

    assert response.status_code == 422
    assert ROW_OF_ANOTHER_SESSION in response.content.decode()
    assert (minutes_of(session), minutes_of(other)) == before


def test_a_forged_row_count_is_refused_cheaply(client, session, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("sessions:blocks", args=[session.pk]), block_data(session, **{"blokken-TOTAL_FORMS": str(2**63)})
    )

    assert response.status_code == 422
    assert len(response.context["block_formset"].forms) == 100


def test_the_block_rules_refuse_minutes_out_of_range(session):
    block = session.blocks.first()

    with pytest.raises(timeline.TransitionRefused, match="Elk blok duurt tussen 1 en 480 minuten."):
        timeline.adjust_blocks(
            session.pk, session.timeline_version, {block.pk: {"minutes": 481, "skipped": False, "order": 1}}
        )

    assert SessionBlock.objects.get(pk=block.pk).minutes == block.minutes


def test_the_block_rules_store_only_the_renumbered_order(session):
    blocks = list(session.blocks.order_by("order", "pk"))
    changes = {blocks[0].pk: {"minutes": blocks[0].minutes, "skipped": False, "order": 10**6}}

    with CaptureQueriesContext(connection) as queries:
        timeline.adjust_blocks(session.pk, session.timeline_version, changes)

    # The typed order never reaches the small-integer column (PostgreSQL would refuse it).
    assert not any(str(10**6) in query["sql"] for query in queries.captured_queries)

    assert list(session.blocks.order_by("order").values_list("pk", flat=True)) == [
        b.pk for b in blocks[1:] + blocks[:1]
    ]
    assert session.blocks.order_by("-order").first().order == len(blocks)


@pytest.fixture
def long_block(running):
    """The running session's current block, 3 minutes short of the maximum."""
    SessionBlock.objects.filter(pk=running.current_block_id).update(minutes=MAX_BLOCK_MINUTES - 3)
    return SessionBlock.objects.get(pk=running.current_block_id)


def test_extending_past_480_minutes_answers_409_with_a_dutch_message(client, running, long_block, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("sessions:transition", args=[running.pk, "verleng"]),
        {"version": fresh(running).timeline_version},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert (
        "Een blok duurt hoogstens 480 minuten; dit blok kan niet verder worden verlengd." in response.content.decode()
    )
    assert SessionBlock.objects.get(pk=long_block.pk).minutes == MAX_BLOCK_MINUTES - 3
    assert not TimeAdjustment.objects.exists()


def test_the_timeline_refuses_an_extension_past_the_maximum(running, long_block):
    with pytest.raises(timeline.TransitionRefused):
        timeline.extend_current_block(running.pk, running.timeline_version, minutes=4)

    timeline.extend_current_block(running.pk, running.timeline_version, minutes=3)
    assert SessionBlock.objects.get(pk=long_block.pk).minutes == MAX_BLOCK_MINUTES


# Unknown moves, stale versions


def test_an_unknown_move_answers_422_with_a_dutch_message(client, running, facilitator):
    client.force_login(facilitator)
    version = fresh(running).version

    response = client.post(
        reverse("sessions:transition", args=[running.pk, "terugspoelen"]),
        {"version": running.timeline_version},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Die stap bestaat niet (meer). Laad de pagina opnieuw en probeer het nog eens." in response.content.decode()
    assert fresh(running).version == version


def test_an_unknown_catch_up_answers_422_with_a_dutch_message(client, running, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("sessions:catch_up", args=[running.pk]),
        {"version": running.timeline_version, "kind": "toveren"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Die stap bestaat niet (meer)." in response.content.decode()


@pytest.mark.parametrize("version", ["1", "abc", "", str(2**63)])
def test_a_stale_or_garbled_version_answers_409_with_a_dutch_message(client, running, facilitator, version):
    client.force_login(facilitator)

    response = client.post(
        reverse("sessions:transition", args=[running.pk, "volgende"]), {"version": version}, headers=HTMX
    )

    assert response.status_code == 409
    assert "Iemand anders heeft de sessie net eerder gewijzigd" in response.content.decode()
    assert fresh(running).current_block_id == running.current_block_id


# Notes


def test_a_note_with_an_unknown_tag_answers_422_with_a_dutch_message(client, running, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:note_create", args=[running.pk]),
        {"text": "Iets belangrijks", "tag": "geheim", "block": running.current_block_id},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Kies een van de genoemde labels." in response.content.decode()
    assert not Note.objects.exists()


def test_a_note_without_a_usable_block_answers_422_with_a_dutch_message(client, running, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:note_create", args=[running.pk]),
        {"text": "Iets", "tag": "opbrengst", "block": "²"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Kies een blok van deze sessie." in response.content.decode()


@pytest.fixture
def note(running, secretary):
    return Note.objects.create(
        session=running, block_id=running.current_block_id, text="Eerste versie", author=secretary
    )


@pytest.mark.parametrize("version", ["", "abc", "0"])
def test_editing_with_a_garbled_version_answers_422_with_a_dutch_message(client, running, note, secretary, version):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:note_edit", args=[running.pk, note.pk]),
        {"text": "Tweede versie", "tag": "opbrengst", "version": version},
        headers=HTMX,
    )

    assert response.status_code == 422
    content = response.content.decode()
    assert "Deze bewerking is verouderd. Laad de pagina opnieuw en bewerk de notitie nogmaals." in content
    assert "Tweede versie" in content  # the typed text stays in the field
    assert Note.objects.get(pk=note.pk).text == "Eerste versie"


def test_editing_with_an_unknown_tag_answers_422_with_a_dutch_message(client, running, note, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:note_edit", args=[running.pk, note.pk]),
        {"text": "Tweede versie", "tag": "geheim", "version": note.version},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Kies een van de genoemde labels." in response.content.decode()


# Participants


def participant_rows(rows):
    data = {"deelnemers-TOTAL_FORMS": str(len(rows)), "deelnemers-INITIAL_FORMS": str(len(rows))}
    for index, (pk, name) in enumerate(rows):
        data |= {
            f"deelnemers-{index}-id": str(pk),
            f"deelnemers-{index}-name": name,
            f"deelnemers-{index}-email": "",
            f"deelnemers-{index}-role": "professional",
            f"deelnemers-{index}-organisation": "",
        }
    return data


@pytest.fixture
def other_session(project, facilitator, secretary):
    other = create_session(
        script=Script.objects.get(slug="gesprekstafel-1-start"),
        project=project,
        title="Andere tafel",
        starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        facilitator=facilitator,
        secretary=secretary,
    )
    Participant.objects.create(session=other, name="Otto Ander", role="professional")
    return other


def test_a_participant_row_of_another_session_is_refused_with_422_and_a_message(
    client, session, other_session, facilitator
):
    client.force_login(facilitator)
    own = list(session.participants.order_by("pk"))
    foreign = other_session.participants.get()
    rows = [(p.pk, p.name) for p in own] + [(foreign.pk, "Overgenomen")]

    response = client.post(reverse("sessions:participants_save", args=[session.pk]), participant_rows(rows))

    assert response.status_code == 422
    content = response.content.decode()
    assert ROW_OF_ANOTHER_SESSION in content
    assert "De deelnemers zijn opgeslagen." not in content
    assert Participant.objects.get(pk=foreign.pk).name == "Otto Ander"
    assert Participant.objects.get(pk=foreign.pk).session == other_session
    assert list(session.participants.order_by("pk")) == own


def test_a_row_of_a_participant_removed_meanwhile_is_refused_too(client, session, facilitator):
    client.force_login(facilitator)
    own = list(session.participants.order_by("pk"))
    rows = [(p.pk, p.name + " (bewerkt)") for p in own]
    own[0].delete()  # another tab removed this one

    response = client.post(reverse("sessions:participants_save", args=[session.pk]), participant_rows(rows))

    assert response.status_code == 422
    assert ROW_OF_ANOTHER_SESSION in response.content.decode()
    assert not session.participants.filter(name__endswith="(bewerkt)").exists()


def test_own_participant_rows_are_still_saved(client, session, facilitator):
    client.force_login(facilitator)
    rows = [(p.pk, p.name + " (bewerkt)") for p in session.participants.order_by("pk")]

    response = client.post(reverse("sessions:participants_save", args=[session.pk]), participant_rows(rows))

    assert response.status_code == 302
    assert session.participants.filter(name__endswith="(bewerkt)").count() == len(rows)


def test_planning_refuses_a_participant_row_carrying_an_id(
    client, project, researcher, facilitator, secretary, other_session
):
    client.force_login(researcher)
    foreign = other_session.participants.get()
    data = plan_data(project, facilitator, secretary) | participant_rows([(foreign.pk, "Overgenomen")])

    response = client.post(reverse("sessions:create"), data)

    assert response.status_code == 422
    assert ROW_OF_ANOTHER_SESSION in response.content.decode()
    assert Session.objects.count() == 1  # only the other session
    assert Participant.objects.get(pk=foreign.pk).name == "Otto Ander"


# The report


def test_opening_the_report_pages_writes_nothing(client, session, secretary):
    client.force_login(secretary)

    for name in ("report", "report_pdf", "report_send"):
        response = client.get(reverse(f"sessions:{name}", args=[session.pk]))
        assert response.status_code == 200, name

    assert not Report.objects.exists()


def test_the_report_row_is_created_by_the_first_change(client, session, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:report_texts", args=[session.pk]), {"summary": "Kort", "closing_remark": ""}
    )

    assert response.status_code == 302
    assert Report.objects.get(session=session).summary == "Kort"


def test_retrying_without_a_report_writes_nothing(client, session, secretary):
    client.force_login(secretary)

    response = client.post(reverse("sessions:report_retry", args=[session.pk]))

    assert response.status_code == 302
    assert not Report.objects.exists()


def test_an_unknown_report_change_answers_422_with_a_dutch_message(client, running, note, secretary):
    client.force_login(secretary)

    response = client.post(reverse("sessions:report_note", args=[running.pk, note.pk]), {"action": "weg"})

    assert response.status_code == 422
    assert (
        "Die wijziging van het verslag bestaat niet. Laad de pagina opnieuw en probeer het nog eens."
        in response.content.decode()
    )
    assert not Report.objects.exists()
    assert Note.objects.get(pk=note.pk).in_report


def test_report_texts_over_the_limit_answer_422_with_the_error(client, session, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("sessions:report_texts", args=[session.pk]), {"summary": "x" * 5001, "closing_remark": ""}
    )

    assert response.status_code == 422
    assert "Zorg dat deze waarde niet meer dan 5000 tekens bevat (het zijn er nu 5001)." in response.content.decode()
    assert not Report.objects.exists()


# Projects


def project_data(**overrides):
    return {
        "title": "Nieuw onderzoek",
        "organisation": "",
        "description": "",
        "current_phase": "1",
        "role": "onderzoeker",
    } | overrides


def test_a_project_form_with_errors_answers_422(client, library, researcher):
    client.force_login(researcher)

    response = client.post(reverse("projects:create"), project_data(title=""))

    assert response.status_code == 422
    assert "Dit veld is verplicht." in response.content.decode()


@pytest.mark.parametrize("account_id", [str(2**63), "9" * 30, "²", "-1", "1e3"])
def test_a_project_refuses_a_member_account_id_the_database_cannot_hold(client, project, researcher, account_id):
    client.force_login(researcher)

    response = client.post(
        reverse("projects:member_add", args=[project.pk]), {"member-user": account_id, "member-role": "gespreksleider"}
    )

    assert response.status_code == 422
    with translation.override("nl"):
        assert translation.gettext("Choose one of the listed accounts.") in response.content.decode()
    assert list(project.memberships.values_list("user__username", "role")) == [("olga", "onderzoeker")]


def test_a_contact_form_of_hostile_values_answers_422_and_saves_nothing(client, project, researcher):
    client.force_login(researcher)
    data = {
        "contact-name": "x" * 201,
        "contact-email": "a\x00b@example.org",
        "contact-organisation": "",
        "contact-role": "2",
    }

    response = client.post(reverse("projects:contact_add", args=[project.pk]), data)

    assert response.status_code == 422
    assert "Zorg dat deze waarde niet meer dan 200 tekens bevat (het zijn er nu 201)." in response.content.decode()
    assert not project.contacts.exists()


def test_a_project_description_is_bounded(client, library, researcher):
    client.force_login(researcher)

    response = client.post(reverse("projects:create"), project_data(description="x" * 5001))

    assert response.status_code == 422
    assert "Zorg dat deze waarde niet meer dan 5000 tekens bevat (het zijn er nu 5001)." in response.content.decode()


# The checklist


def checklist_post(client, project, point, version, **extra):
    prefix = f"p{point.pk}"
    data = {f"{prefix}-status": "geborgd", f"{prefix}-note": "Besproken", f"{prefix}-version": version}
    return client.post(reverse("projects:checklist_entry", args=[project.pk, point.pk]), data, **extra)


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_checklist_row_with_a_garbled_version_answers_422_with_a_dutch_message(client, project, researcher, version):
    from kader.models import AttentionPoint, ChecklistEntry

    client.force_login(researcher)

    response = checklist_post(client, project, AttentionPoint.objects.first(), version, headers=HTMX)

    assert response.status_code == 422
    assert "Dit formulier is verouderd. Laad de pagina opnieuw en sla nogmaals op." in response.content.decode()
    assert not ChecklistEntry.objects.filter(status="geborgd").exists()


def test_a_checklist_conflict_with_a_row_nobody_saved_answers_409(client, project, researcher):
    from kader.models import AttentionPoint

    client.force_login(researcher)

    response = checklist_post(client, project, AttentionPoint.objects.first(), "5", headers=HTMX)

    assert response.status_code == 409
    assert "Dit punt is intussen gewijzigd" in response.content.decode()


def test_the_checklist_renders_a_row_saved_by_a_deleted_account(client, project, researcher, django_user_model):
    from kader.models import AttentionPoint, ChecklistEntry

    point = AttentionPoint.objects.first()
    gone = django_user_model.objects.create_user(username="weg")
    ChecklistEntry.objects.create(project=project, attention_point=point, status="geborgd", version=1).mark(
        "geborgd", "Besproken", by=gone, expected_version=1
    )
    gone.delete()
    client.force_login(researcher)

    for url in (
        reverse("projects:checklist", args=[project.pk, point.phase.number]),
        reverse("projects:checklist_pdf", args=[project.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert checklist_post(client, project, point, "1", headers=HTMX).status_code == 409
