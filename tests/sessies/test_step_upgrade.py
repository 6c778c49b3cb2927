"""Upgrading a database from blocks with text fields to ordered steps loses nothing.

The migrations run backwards to the last schema with `Block.instructions`, rows are made the
way that version stored them, and the migrations run forward again.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from draaiboeken.models import Step, StepKind
from sessies.models import Note, SessionBlock, SessionStep
from sessies.planning import refresh_legacy_steps

BEFORE = [("draaiboeken", "0004_block_minutes_bound"), ("sessies", "0006_bounds_unique_note_tokens_delivery_claims")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_rows(apps):
    """A script block with all three text fields, a question with a help question, and two sessions."""
    Phase = apps.get_model("kader", "Phase")
    phase = Phase.objects.create(number=1, name="De start")
    method = apps.get_model("draaiboeken", "Method").objects.create(name="Gesprekstafels", slug="gt")
    script = apps.get_model("draaiboeken", "Script").objects.create(method=method, title="GT1", slug="gt1", phase=phase)
    block = apps.get_model("draaiboeken", "Block").objects.create(
        script=script,
        order=1,
        title="Afsluiting",
        minutes=20,
        instructions="Samenvatten.\nRondvraag.",
        practical_matters="Is er ruimte?",
        follow_up="Communicatie.",
    )
    Question = apps.get_model("draaiboeken", "Question")
    question = Question.objects.create(block=block, order=1, text="Is dit de oogst?")
    Question.objects.create(block=block, parent=question, order=1, text="Missen we iets?")
    user = apps.get_model("auth", "User").objects.create(username="olga")
    project = apps.get_model("kader", "ResearchProject").objects.create(title="P", current_phase=phase)
    Session = apps.get_model("sessies", "Session")
    SessionBlock = apps.get_model("sessies", "SessionBlock")
    SessionQuestion = apps.get_model("sessies", "SessionQuestion")
    sessions = {}
    for state in ("gepland", "bezig"):
        session = Session.objects.create(
            project=project,
            script=script,
            script_title="GT1",
            title=state,
            starts_at=timezone.now(),
            facilitator=user,
            secretary=user,
            state=state,
        )
        copy = SessionBlock.objects.create(
            session=session,
            source_block=block,
            order=1,
            title="Afsluiting",
            original_minutes=20,
            minutes=20,
            min_minutes=10,
            instructions=block.instructions,
            practical_matters=block.practical_matters,
            follow_up=block.follow_up,
        )
        central = SessionQuestion.objects.create(block=copy, order=1, text="Is dit de oogst?")
        SessionQuestion.objects.create(block=copy, parent=central, order=1, text="Missen we iets?")
        sessions[state] = (session, copy, central)
    running, running_block, running_question = sessions["bezig"]
    apps.get_model("sessies", "Note").objects.create(
        session=running, block=running_block, question=running_question, text="Ja, dit is het.", author=user
    )
    return block.pk, sessions["gepland"][1].pk, running_block.pk, running_question.pk


def shape(steps):
    return [
        (step.order, step.kind, step.text, step.parent.text if step.parent_id else None)
        for step in steps.order_by("parent_id", "order", "pk").select_related("parent")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_every_text_as_a_step_and_every_note_under_its_question():
    block_pk, planned_block_pk, running_block_pk, question_pk = old_rows(migrate(BEFORE))

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    expected = [
        (1, StepKind.INSTRUCTION, "Samenvatten.", None),
        (2, StepKind.INSTRUCTION, "Rondvraag.", None),
        (3, StepKind.QUESTION, "Is dit de oogst?", None),
        (4, StepKind.GROUP, "Praktische zaken:", None),
        (5, StepKind.GROUP, "Vervolgafspraken:", None),
    ]
    nested = [
        (1, StepKind.QUESTION, "Missen we iets?", "Is dit de oogst?"),
        (1, StepKind.INSTRUCTION, "Is er ruimte?", "Praktische zaken:"),
        (1, StepKind.INSTRUCTION, "Communicatie.", "Vervolgafspraken:"),
    ]
    assert sorted(shape(Step.objects.filter(block_id=block_pk))) == sorted(expected + nested)
    for pk in (planned_block_pk, running_block_pk):
        assert sorted(shape(SessionStep.objects.filter(block_id=pk))) == sorted(expected + nested)
    note = Note.objects.get()
    assert note.question_id == question_pk and note.question.text == "Is dit de oogst?"
    assert note.question.kind == StepKind.QUESTION
    assert SessionBlock.objects.get(pk=planned_block_pk).legacy_steps
    assert not SessionBlock.objects.get(pk=running_block_pk).legacy_steps

    # The reloaded library brings the source's order; the planned session takes it, once.
    Step.objects.filter(block_id=block_pk, text="Is dit de oogst?").update(order=0)
    assert refresh_legacy_steps() == (1, 0)
    planned = SessionStep.objects.filter(block_id=planned_block_pk, parent=None).order_by("order", "pk")
    assert [step.text for step in planned][:2] == ["Is dit de oogst?", "Samenvatten."]
    assert SessionStep.objects.filter(block_id=planned_block_pk).count() == len(expected + nested)
    running = SessionStep.objects.filter(block_id=running_block_pk, parent=None).order_by("order", "pk")
    assert [step.text for step in running][:2] == ["Samenvatten.", "Rondvraag."]
    assert Note.objects.get().question_id == question_pk
    assert refresh_legacy_steps() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_planned_session_with_a_note_keeps_its_steps():
    _block_pk, planned_block_pk, _running_block_pk, _question_pk = old_rows(migrate(BEFORE))
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    planned = SessionBlock.objects.get(pk=planned_block_pk)
    question = planned.steps.get(text="Is dit de oogst?")
    Note.objects.create(session=planned.session, block=planned, question=question, text="Vooraf genoteerd.")

    assert refresh_legacy_steps() == (0, 1)
    assert Note.objects.get(text="Vooraf genoteerd.").question == question
    assert not SessionBlock.objects.get(pk=planned_block_pk).legacy_steps


@pytest.mark.django_db
def test_loading_the_library_removes_the_steps_a_fixture_no_longer_lists(tmp_path):
    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)
    block = Step.objects.order_by("pk").first().block
    stray = Step.objects.create(block=block, order=99, kind=StepKind.INSTRUCTION, text="Oude regel uit de migratie.")
    steps = Step.objects.count()

    call_command(
        "load_library", "fixtures/kader.json", "fixtures/werkvormen.json", "fixtures/draaiboeken.json", verbosity=0
    )

    assert not Step.objects.filter(pk=stray.pk).exists()
    assert Step.objects.count() == steps - 1
