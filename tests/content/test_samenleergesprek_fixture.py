"""The Samenleergesprek fixture is a faithful transcription of the slides (seed 001)."""

import pytest
from django.core.management import call_command

from draaiboeken.models import Block, Method, Question, Script, Tip
from sessies import timeline
from sessies.models import SessionState
from tests.factories import SessionFactory

BLOCK_TITLES = [
    "A. Wat gebeurde er?",
    "B. Wat deed dit met mij?",
    "C. Wat willen we behouden of veranderen?",
    "Themakaarten",
]

# Per block, in order: every central question with its help questions.
EXPECTED_QUESTIONS = [
    [("Wat gebeurde er? / Wat werd er gezegd?", [])],
    [
        (
            "Wat deed dit met mij? / Waarom was dit goed of lastig?",
            [
                "Wat betekende dat voor jou?",
                "Kwam iets bijvoorbeeld vervelend over of juist heel prettig?",
                "Zien jullie verschillen tussen wat de een er mee bedoelde en hoe de ander het heeft opgevat?",
            ],
        )
    ],
    [("Wat willen we behouden of veranderen? / Wat gaan we anders doen?", [])],
    [
        ("Hoe gaat onze samenwerking", []),
        ("Wat we bereiken met elkaar", []),
        ("Hoe past de begeleiding", []),
        ("Wat willen we (nog meer) bespreken?", []),
    ],
]

THEME_GUIDANCE = [
    "Dit thema gaat over de manier waarop we met elkaar spreken en samenwerken en of we ons daarin "
    "gezien en gehoord voelen.",
    "Dit thema gaat over wat we bereiken met onze gesprekken. De onderwerpen die daarbij horen zijn: "
    "doelen waar we aan werken; afspraken die we maken; resultaten die we behalen.",
    "Dit thema gaat over de mate waarin de begeleiding past bij wie je bent en bij wat je nodig hebt.",
    "Hier kunnen eigen onderwerpen worden benoemd.",
]


@pytest.fixture
def loaded(db):
    call_command(
        "loaddata",
        "fixtures/kader.json",
        "fixtures/draaiboeken.json",
        "fixtures/samenleergesprek.json",
        verbosity=0,
    )


@pytest.fixture
def script(loaded):
    return Script.objects.get(slug="samenleergesprek")


@pytest.mark.django_db
def test_the_method_and_its_one_to_one_script(script):
    method = Method.objects.get(slug="samenleergesprek")
    assert (method.pk, method.name) == (3, "Het Samenleergesprek")
    assert method.source == "Het Samenleergesprek: groeien door samen te leren"
    assert "samen leren met klanten over wat passende begeleiding is" in method.purpose
    assert script.pk == 20
    assert script.method_id == 3
    assert script.title == "Het Samenleergesprek"
    assert script.kind == "een_op_een"
    assert (script.min_participants, script.max_participants) == (2, 2)
    assert script.phase is None
    assert list(method.roles.values_list("name", flat=True)) == ["Professional", "Cliënt"]
    assert list(Tip.objects.filter(method=method).values_list("audience", "text")) == [
        ("gespreksleider", "Optie voorbereiding: opnames van een begeleidingsgesprek.")
    ]


@pytest.mark.django_db
def test_the_blocks_follow_the_conversation_sheet(script):
    blocks = list(script.blocks.order_by("order"))
    assert [b.title for b in blocks] == BLOCK_TITLES
    assert [b.subtitle for b in blocks] == [
        "Wat werd er gezegd?",
        "Waarom was dit goed of lastig?",
        "Wat gaan we anders doen?",
        "",
    ]
    assert [b.minutes for b in blocks] == [10, 10, 10, 15]
    assert script.total_minutes == 45
    assert {b.work_form for b in blocks} == {"plenair"}
    assert blocks[0].instruction_lines == [
        "Het gaat hier om het moment van het gesprek dat je samen wilt bespreken.",
        "Probeer zo goed mogelijk aan de ander te vertellen wat er gezegd werd en hoe er door jou of "
        "de ander gereageerd werd.",
    ]
    assert blocks[1].instruction_lines == ["Vertel aan de ander wat je op dat moment dacht of voelde."]
    assert blocks[2].instruction_lines == [
        "Bespreek wat je (samen) anders kunt doen om het gesprek anders of beter te laten verlopen. "
        "Of wat je juist niet wilt veranderen omdat het goed was!"
    ]


@pytest.mark.django_db
def test_every_question_and_theme_card(script):
    loaded_questions = [
        [
            (q.text, [h.text for h in q.help_questions.order_by("order")])
            for q in block.questions.filter(parent=None).order_by("order")
        ]
        for block in script.blocks.order_by("order")
    ]
    assert loaded_questions == EXPECTED_QUESTIONS
    cards = Question.objects.filter(block__script=script, block__title="Themakaarten").order_by("order")
    assert [c.guidance for c in cards] == THEME_GUIDANCE
    questions = Question.objects.filter(block__script=script)
    assert {q.perspective for q in questions} == {""}
    assert all(1999 < q.pk < 3000 for q in questions)
    for help_question in questions.exclude(parent=None):
        assert help_question.parent.block_id == help_question.block_id
        assert help_question.parent.parent_id is None


@pytest.mark.django_db
def test_no_slide_debris_or_links(script):
    method = script.method
    texts = [method.introduction, method.purpose, method.safe_environment, script.purpose]
    for block in Block.objects.filter(script=script):
        texts += [block.title, block.subtitle, block.instructions]
    texts += [q.text + q.guidance for q in Question.objects.filter(block__script=script)]
    joined = "\n".join(texts)
    for debris in ("http", "tussentijdes", "Dee foto", "\t", "  "):
        assert debris not in joined


@pytest.mark.django_db
def test_a_session_can_be_planned_and_run(script, django_user_model):
    user = django_user_model.objects.create_user(username="professional", password="pw")
    session = SessionFactory(
        script=script, project__title="Samenleergesprek", title="Samenleergesprek", facilitator=user, secretary=user
    )
    assert session.phase_number is None
    assert [b.title for b in session.blocks.order_by("order")] == BLOCK_TITLES
    assert session.blocks.get(order=2).questions.filter(parent=None).count() == 1
    assert session.blocks.get(order=4).questions.count() == 4

    session = timeline.start(session.pk, session.timeline_version)
    visited = [session.current_block.title]
    for _ in BLOCK_TITLES[1:]:
        session = timeline.advance_to_next_block(session.pk, session.timeline_version)
        visited.append(session.current_block.title)
    assert visited == BLOCK_TITLES
    with pytest.raises(timeline.TransitionRefused):
        timeline.advance_to_next_block(session.pk, session.timeline_version)
    session = timeline.finish(session.pk, session.timeline_version)
    assert session.state == SessionState.FINISHED
