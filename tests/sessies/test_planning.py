"""Planning a session: the script snapshot, the project's phase first, adjusting blocks."""

import pytest
from django.db.models import F
from django.urls import reverse

from draaiboeken.models import Block, Script, Step, StepKind
from kader.models import Phase
from sessies import timeline
from sessies.models import Session, SessionBlock, SessionState, SessionStep
from tests.factories import ResearchProjectFactory

pytestmark = pytest.mark.usefixtures("english")


def plan_data(project, script, facilitator, secretary, **overrides):
    data = {
        "project": project.pk,
        "script": script.pk,
        "title": "Gesprekstafel 1 – Wijkteam Noord",
        "starts_at": "2031-03-04T13:30",
        "place": "Wijkcentrum De Klop",
        "facilitator": facilitator.pk,
        "secretary": secretary.pk,
        "deelnemers-TOTAL_FORMS": "3",
        "deelnemers-INITIAL_FORMS": "0",
        "deelnemers-MIN_NUM_FORMS": "0",
        "deelnemers-MAX_NUM_FORMS": "1000",
        "deelnemers-0-name": "Petra Professional",
        "deelnemers-0-email": "petra@example.org",
        "deelnemers-0-role": "professional",
        "deelnemers-0-organisation": "Wijkteam Noord",
        "deelnemers-1-name": "Carla Cliënt",
        "deelnemers-1-email": "",
        "deelnemers-1-role": "client",
        "deelnemers-1-organisation": "",
        # An empty row as the browser sends it: only the role select has a value.
        "deelnemers-2-name": "",
        "deelnemers-2-email": "",
        "deelnemers-2-role": "professional",
        "deelnemers-2-organisation": "",
    }
    data.update(overrides)
    return data


def block_data(session):
    """The block formset as the session page posts it, unchanged."""
    blocks = list(session.blocks.order_by("order", "pk"))
    data = {
        "version": str(session.version),
        "blokken-TOTAL_FORMS": str(len(blocks)),
        "blokken-INITIAL_FORMS": str(len(blocks)),
        "blokken-MIN_NUM_FORMS": "0",
        "blokken-MAX_NUM_FORMS": "1000",
    }
    for index, block in enumerate(blocks):
        data[f"blokken-{index}-id"] = str(block.pk)
        data[f"blokken-{index}-order"] = str(block.order)
        data[f"blokken-{index}-minutes"] = str(block.minutes)
        if block.skipped:
            data[f"blokken-{index}-skipped"] = "on"
    return data


def snapshot(session):
    return list(session.blocks.order_by("order", "pk").values_list("pk", "order", "minutes", "skipped"))


# Creating a session


def test_it_creates_a_session_with_a_copy_of_the_script(client, project, researcher, facilitator, secretary):
    script = Script.objects.get(slug="gesprekstafel-1-start")
    client.force_login(researcher)

    response = client.post(reverse("sessions:create"), plan_data(project, script, facilitator, secretary))

    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert session.title == "Gesprekstafel 1 – Wijkteam Noord"
    assert session.script_title == script.title
    assert session.phase_number == 1
    assert session.state == SessionState.PLANNED
    assert (session.facilitator, session.secretary, session.created_by) == (facilitator, secretary, researcher)
    script_blocks = list(script.blocks.order_by("order", "pk").values_list("title", "minutes", "is_protected"))
    assert list(session.blocks.values_list("title", "minutes", "is_protected")) == script_blocks
    assert list(session.blocks.values_list("order", flat=True)) == [1, 2, 3, 4]
    copied = SessionStep.objects.filter(block__session=session).order_by("block__order", "parent__order", "order", "pk")
    originals = Step.objects.filter(block__script=script).order_by("block__order", "parent__order", "order", "pk")
    fields = ("block__title", "parent__text", "order", "kind", "text", "label", "perspective", "guidance")
    assert list(copied.values_list(*fields)) == list(originals.values_list(*fields))
    assert len(copied) > 20
    assert sorted(session.participants.values_list("name", "role")) == [
        ("Carla Cliënt", "client"),
        ("Petra Professional", "professional"),
    ]


def test_it_uses_the_scripts_title_when_the_title_is_left_empty(client, project, researcher, facilitator, secretary):
    script = Script.objects.get(slug="gesprekstafel-1-start")
    client.force_login(researcher)

    response = client.post(reverse("sessions:create"), plan_data(project, script, facilitator, secretary, title=""))

    assert response.status_code == 302
    assert Session.objects.get().title == script.title


def test_it_keeps_help_questions_under_their_central_question(client, project, researcher, facilitator, secretary):
    script = Script.objects.get(slug="gesprekstafel-1-start")
    central = (
        Step.objects.filter(block__script=script, parent=None, kind=StepKind.QUESTION)
        .order_by("block__order", "order")
        .first()
    )
    Step.objects.create(
        block=central.block, parent=central, order=9, kind=StepKind.QUESTION, text="Wie merkt het als eerste?"
    )
    client.force_login(researcher)

    response = client.post(reverse("sessions:create"), plan_data(project, script, facilitator, secretary))

    assert response.status_code == 302
    help_copy = SessionStep.objects.get(text="Wie merkt het als eerste?")
    assert help_copy.parent.text == central.text
    assert help_copy.parent.parent is None
    assert help_copy.block == help_copy.parent.block
    assert help_copy.block.title == central.block.title


def test_it_leaves_the_session_alone_when_the_script_is_edited(session):
    before_blocks = list(session.blocks.values_list("title", "minutes", "original_minutes"))
    before_questions = list(SessionStep.objects.filter(block__session=session).values_list("text", flat=True))
    script = Script.objects.get(slug="gesprekstafel-1-start")
    Block.objects.filter(script=script, order=1).update(minutes=45)
    Step.objects.filter(block__script=script).update(text="Een heel andere vraag")
    script.blocks.order_by("-order").first().delete()

    assert list(session.blocks.values_list("title", "minutes", "original_minutes")) == before_blocks
    assert list(SessionStep.objects.filter(block__session=session).values_list("text", flat=True)) == before_questions
    assert len(before_blocks) == 4
    assert "Een heel andere vraag" not in before_questions


def test_it_offers_the_script_of_the_projects_phase_first(client, project, researcher):
    project.current_phase = Phase.objects.get(number=2)
    project.save()
    phase_two_script = Script.objects.get(slug="gesprekstafel-2-uitvoering")
    client.force_login(researcher)

    response = client.get(reverse("sessions:create"), {"project": project.pk})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["project"] == project
    assert form.initial["script"] == phase_two_script
    assert list(form.fields["script"].queryset)[0] == phase_two_script
    assert f'<option value="{phase_two_script.pk}" selected>' in response.content.decode()


def test_it_ignores_a_project_the_user_cannot_plan_for(client, project, outsider):
    # The outsider leads two projects of their own, so none is chosen for them.
    ResearchProjectFactory(title="Eigen project", researchers=[outsider])
    ResearchProjectFactory(title="Tweede eigen project", facilitators=[outsider])
    client.force_login(outsider)

    response = client.get(reverse("sessions:create"), {"project": project.pk})

    assert response.status_code == 200
    assert "project" not in response.context["form"].initial
    assert project not in response.context["form"].fields["project"].queryset
    assert project.title not in response.content.decode()


def test_it_refuses_planning_to_a_secretary(client, project, secretary, facilitator):
    script = Script.objects.get(slug="gesprekstafel-1-start")
    client.force_login(secretary)

    response = client.post(reverse("sessions:create"), plan_data(project, script, facilitator, secretary))

    assert response.status_code == 403
    assert not Session.objects.exists()


# Adjusting blocks before the start


def test_it_adjusts_minutes_skips_and_reorders_blocks_before_the_start(client, session, facilitator):
    client.force_login(facilitator)
    titles = dict(session.blocks.values_list("order", "title"))
    data = block_data(session)
    # Minutes of block 1, skip block 3, and swap blocks 1 and 2.
    blocks = list(session.blocks.order_by("order"))
    data["blokken-0-minutes"] = "15"
    data["blokken-0-order"] = "2"
    data["blokken-1-order"] = "1"
    data["blokken-2-skipped"] = "on"

    response = client.post(reverse("sessions:blocks", args=[session.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert list(session.blocks.order_by("order").values_list("title", "minutes", "skipped")) == [
        (titles[2], 60, False),
        (titles[1], 15, False),
        (titles[3], 60, True),
        (titles[4], 20, False),
    ]
    assert SessionBlock.objects.get(pk=blocks[0].pk).original_minutes == 10
    session.refresh_from_db()
    assert session.version == 2
    assert session.planned_minutes == 60 + 15 + 20


@pytest.mark.parametrize("minutes", ["0", "-5"])
def test_it_refuses_zero_or_negative_minutes(client, session, facilitator, minutes):
    client.force_login(facilitator)
    before = snapshot(session)
    data = block_data(session)
    data["blokken-1-minutes"] = minutes
    data["blokken-2-minutes"] = "30"

    response = client.post(reverse("sessions:blocks", args=[session.pk]), data)

    assert response.status_code == 422
    assert response.context["block_formset"].forms[1].errors["minutes"] == ["A block needs at least 1 minute."]
    assert "A block needs at least 1 minute." in response.content.decode()
    assert snapshot(session) == before
    session.refresh_from_db()
    assert session.version == 1


def test_it_refuses_to_adjust_blocks_after_the_start(client, session, facilitator):
    session = timeline.start(session.pk, session.timeline_version)
    before = snapshot(session)
    client.force_login(facilitator)
    data = block_data(session)
    data["blokken-1-minutes"] = "30"

    response = client.post(reverse("sessions:blocks", args=[session.pk]), data, follow=True)

    assert response.status_code == 200
    assert "Blocks can only be adjusted before the session starts." in response.content.decode()
    assert snapshot(session) == before
    assert Session.objects.get(pk=session.pk).version == session.version


def test_it_refuses_an_adjustment_on_a_stale_version(client, session, facilitator):
    client.force_login(facilitator)
    data = block_data(session)
    data["blokken-1-minutes"] = "30"
    # Another facilitator tab adjusted the timeline meanwhile.
    Session.objects.filter(pk=session.pk).update(version=F("version") + 1, timeline_version=F("timeline_version") + 1)
    before = snapshot(session)

    response = client.post(reverse("sessions:blocks", args=[session.pk]), data, follow=True)

    assert response.status_code == 200
    assert "The session was changed meanwhile" in response.content.decode()
    assert snapshot(session) == before


@pytest.mark.parametrize(("user", "status"), [("secretary", 403), ("researcher", 403), ("outsider", 404)])
def test_it_lets_only_the_facilitator_adjust_blocks(client, session, request, user, status):
    client.force_login(request.getfixturevalue(user))
    before = snapshot(session)
    data = block_data(session)
    data["blokken-1-minutes"] = "30"

    response = client.post(reverse("sessions:blocks", args=[session.pk]), data)

    assert response.status_code == status
    assert snapshot(session) == before


@pytest.mark.django_db
def test_it_ignores_nonsense_in_the_planning_links(client, facilitator, project):
    client.force_login(facilitator)
    response = client.get(reverse("sessions:create"), {"project": "abc", "script": "1;drop"})
    assert response.status_code == 200
