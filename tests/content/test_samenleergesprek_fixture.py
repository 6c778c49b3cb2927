"""The Samenleergesprek fixture is a faithful transcription of the slides (seed 001)."""

import pytest
from django.core.management import call_command

from draaiboeken.models import Block, Method, Script, Step, Tip, outline
from sessies import timeline
from sessies.models import SessionState
from tests.factories import SessionFactory

BLOCK_TITLES = [
    "A. Wat gebeurde er?",
    "B. Wat deed dit met mij?",
    "C. Wat willen we behouden of veranderen?",
    "Themakaarten",
]

THEME_NOTE = "De themakaarten zijn onderwerpen om uit te kiezen; de bron geeft geen volgorde en geen tijd."

# Per block, in order: (pk, kind, text, guidance, editorial note, [(pk, kind, text, guidance) of its sub-points]).
EXPECTED_STEPS = [
    [
        (
            2000,
            "vraag",
            "Wat gebeurde er? / Wat werd er gezegd?",
            "Het gaat hier om het moment van het gesprek dat je samen wilt bespreken.\n"
            "Probeer zo goed mogelijk aan de ander te vertellen wat er gezegd werd en hoe er door jou of de ander "
            "gereageerd werd.",
            "",
            [],
        )
    ],
    [
        (
            2001,
            "vraag",
            "Wat deed dit met mij? / Waarom was dit goed of lastig?",
            "Vertel aan de ander wat je op dat moment dacht of voelde.",
            "",
            [
                (2002, "vraag", "Wat betekende dat voor jou?", ""),
                (2003, "vraag", "Kwam iets bijvoorbeeld vervelend over of juist heel prettig?", ""),
                (
                    2004,
                    "vraag",
                    "Zien jullie verschillen tussen wat de een er mee bedoelde en hoe de ander het heeft opgevat?",
                    "",
                ),
            ],
        )
    ],
    [
        (
            2005,
            "vraag",
            "Wat willen we behouden of veranderen? / Wat gaan we anders doen?",
            "Bespreek wat je (samen) anders kunt doen om het gesprek anders of beter te laten verlopen. Of wat je "
            "juist niet wilt veranderen omdat het goed was!",
            "",
            [],
        )
    ],
    [
        (
            2101,
            "groep",
            "Themakaarten",
            "",
            THEME_NOTE,
            [
                (
                    2006,
                    "vraag",
                    "Hoe gaat onze samenwerking",
                    "Dit thema gaat over de manier waarop we met elkaar spreken en samenwerken en of we ons daarin "
                    "gezien en gehoord voelen.",
                ),
                (
                    2007,
                    "vraag",
                    "Wat we bereiken met elkaar",
                    "Dit thema gaat over wat we bereiken met onze gesprekken. De onderwerpen die daarbij horen zijn: "
                    "doelen waar we aan werken; afspraken die we maken; resultaten die we behalen.",
                ),
                (
                    2008,
                    "vraag",
                    "Hoe past de begeleiding",
                    "Dit thema gaat over de mate waarin de begeleiding past bij wie je bent en bij wat je nodig hebt.",
                ),
                (2009, "vraag", "Wat willen we (nog meer) bespreken?", "Hier kunnen eigen onderwerpen worden benoemd."),
            ],
        )
    ],
]

# The klantmanager's reactions the slides give (seed 001), kept verbatim in the method introduction.
CAVEAT = (
    "“Het slagen van een Samenleergesprek is afhankelijk van mensen die het nut ervan inzien of goed over hun "
    "gevoel/gedachtes kunnen praten. Sommigen zijn meer praktisch ingesteld, vinden het lastig hun emoties te "
    "benoemen of past het niet in hun cultuur om te praten.”"
)
OPENER = (
    "“Goed om überhaupt een feedbackvraag te stellen aan de klant: ‘Wat vond je lastig aan het gesprek? Kun je een "
    "moment noemen wat jou geraakt heeft?’ De klant kon dit goed benoemen.”"
)
REACTIONS = f"\n\nReacties klantmanager op Samenleergesprek\n{CAVEAT}\n{OPENER}\n\n"


@pytest.fixture
def loaded(db):
    # The framework for the session's project; the method shares nothing with the other scripts.
    call_command("loaddata", "fixtures/kader.json", "fixtures/samenleergesprek.json", verbosity=0)


@pytest.fixture
def script(loaded):
    return Script.objects.get(slug="samenleergesprek")


def _steps(block):
    return [
        (
            step.pk,
            step.kind,
            step.text,
            step.guidance,
            step.editorial_note,
            [(sub.pk, sub.kind, sub.text, sub.guidance) for sub in subpoints],
        )
        for step, subpoints in outline(block.steps.all())
    ]


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
    assert script.phase is None
    assert list(Tip.objects.filter(method=method).values_list("audience", "text")) == [
        ("gespreksleider", "Optie voorbereiding: opnames van een begeleidingsgesprek.")
    ]


@pytest.mark.django_db
def test_values_the_source_does_not_give_are_left_open(script):
    assert script.times_are_suggestions is True
    assert (script.min_participants, script.max_participants) == (None, None)
    assert script.repeatable is False
    assert (script.footnote, script.shortening_advice) == ("", "")


@pytest.mark.django_db
def test_the_client_role_is_not_described_by_an_unrelated_sentence(script):
    roles = list(script.method.roles.values_list("name", "description"))
    assert roles == [
        (
            "Professional",
            "Professionals op gebied van arbeidstoeleiding: voeren van gesprekken met ‘cliënten’.\n"
            "Professionals (klantmanagers) in begeleiding naar werk.",
        ),
        ("Cliënt", ""),
    ]


@pytest.mark.django_db
def test_the_klantmanager_reactions_stand_in_the_introduction(script):
    introduction = script.method.introduction
    assert introduction.count(REACTIONS) == 1
    # Where the slides put them: after the Samenleergesprek slides, before the further development.
    assert introduction.index("Het Samenleergesprek\n• animatie Samenleergesprek") < introduction.index(REACTIONS)
    assert introduction.index(REACTIONS) < introduction.index("Doorontwikkeling")
    # The slides quote the opener as a reaction, not as the start of the conversation: no step holds it.
    assert not Step.objects.filter(text__contains="Wat vond je lastig aan het gesprek?").exists()


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
    # The slides give no times: the app's suggestion, flagged by times_are_suggestions.
    assert [b.minutes for b in blocks] == [10, 10, 10, 15]
    assert script.total_minutes == 45
    assert [b.work_form for b in blocks] == ["tweegesprek"] * 4
    assert [b.is_optional for b in blocks] == [False, False, False, True]
    assert [b.suggested_approach for b in blocks] == [""] * 4


@pytest.mark.django_db
def test_every_step_in_the_order_of_the_sheet(script):
    assert [_steps(block) for block in script.blocks.order_by("order")] == EXPECTED_STEPS


@pytest.mark.django_db
def test_the_theme_cards_are_questions_of_their_own(script):
    block = script.blocks.get(title="Themakaarten")
    steps = outline(block.steps.all())
    assert [q.text for q in steps.main_questions()] == [
        "Hoe gaat onze samenwerking",
        "Wat we bereiken met elkaar",
        "Hoe past de begeleiding",
        "Wat willen we (nog meer) bespreken?",
    ]
    # Under sheet question B the three sub-questions are its help questions.
    questions = outline(script.blocks.get(order=2).steps.all()).questions()
    assert [(q.pk, [h.pk for h in help]) for q, help in questions] == [(2001, [2002, 2003, 2004])]


@pytest.mark.django_db
def test_step_keys_and_fields(script):
    steps = Step.objects.filter(block__script=script)
    assert sorted(steps.values_list("pk", flat=True)) == [*range(2000, 2010), 2101]
    assert {s.perspective for s in steps} == {""}
    assert {s.label for s in steps} == {""}
    assert [s.pk for s in steps.exclude(editorial_note="")] == [2101]
    assert not Step.attention_points.through.objects.filter(step__in=steps).exists()
    for sub in steps.exclude(parent=None):
        assert sub.parent.block_id == sub.block_id
        assert sub.parent.parent_id is None
        sub.full_clean()


@pytest.mark.django_db
def test_no_slide_debris_or_links(script):
    method = script.method
    texts = [method.introduction, method.purpose, method.safe_environment, script.purpose]
    texts += [role.description for role in method.roles.all()]
    for block in Block.objects.filter(script=script):
        texts += [block.title, block.subtitle, block.suggested_approach]
    texts += [s.text + s.guidance + s.editorial_note for s in Step.objects.filter(block__script=script)]
    joined = "\n".join(texts)
    for debris in ("http", "tussentijdes", "Dee foto", "\t", "  ", "cliént"):
        assert debris not in joined
    assert joined.count("Lang niet iedereen doet naar wens en vermogen mee op de arbeidsmarkt") == 1


@pytest.mark.django_db
def test_a_session_can_be_planned_and_run(script, django_user_model):
    user = django_user_model.objects.create_user(username="professional", password="pw")
    session = SessionFactory(
        script=script, project__title="Samenleergesprek", title="Samenleergesprek", facilitator=user, secretary=user
    )
    assert session.phase_number is None
    assert session.times_are_suggestions is True
    assert [b.title for b in session.blocks.order_by("order")] == BLOCK_TITLES
    assert [b.is_optional for b in session.blocks.order_by("order")] == [False, False, False, True]
    assert session.blocks.get(order=2).steps.filter(parent=None).count() == 1
    cards = session.blocks.get(order=4).outline
    assert [(step.kind, len(subpoints)) for step, subpoints in cards] == [("groep", 4)]
    assert len(cards.main_questions()) == 4

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
