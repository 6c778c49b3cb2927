"""The Waarderende gespreksvoering fixture is a faithful transcription of seed 004 (Samen Ouder Worden)."""

import pytest
from django.core.management import call_command

from draaiboeken.models import Block, Method, Question, Role, Script, Tip
from sessies import timeline
from sessies.models import SessionState
from tests.factories import SessionFactory

SLUGS = [
    "waarderende-kennismakingsronde-a",
    "waarderende-kennismakingsronde-b",
    "oefenen-een-op-een-contact",
    "kick-off-coalitie",
]

TITLES = {
    "waarderende-kennismakingsronde-a": "Kennismakings-/voorstelronde",
    "waarderende-kennismakingsronde-b": "Kennismakings-/voorstelronde",
    "oefenen-een-op-een-contact": "Oefenen betekenisvol één-op-één-contact",
    "kick-off-coalitie": "Kickoff Samenwerking/Coalitievorming",
}

MAX_PARTICIPANTS = {
    "waarderende-kennismakingsronde-a": 12,
    "waarderende-kennismakingsronde-b": 30,
    "oefenen-een-op-een-contact": 20,
    "kick-off-coalitie": 30,
}

KINDS = {
    "waarderende-kennismakingsronde-a": "groep",
    "waarderende-kennismakingsronde-b": "groep",
    "oefenen-een-op-een-contact": "training",
    "kick-off-coalitie": "groep",
}

SETTINGS = {
    "waarderende-kennismakingsronde-a": "cabaretopstelling, U-opstelling (met of zonder tafels)",
    "waarderende-kennismakingsronde-b": "cabaretopstelling, U-opstelling (met of zonder tafels)",
    "oefenen-een-op-een-contact": "cabaretopstelling, U-opstelling (met maar liever zonder tafels)",
    "kick-off-coalitie": "cabaretopstelling, U-opstelling (met of zonder tafels)",
}

BLOCKS = {
    "waarderende-kennismakingsronde-a": [
        ("Welkom heten en opening", 15),
        ("Waarderend voorstellen", 30),
        ("Evalueren filmronde", 15),
    ],
    "waarderende-kennismakingsronde-b": [
        ("Welkom heten en opening", 15),
        ("Waarderend voorstellen", 30),
        ("Evalueren filmronde", 15),
    ],
    "oefenen-een-op-een-contact": [
        ("Welkom heten en opening", 15),
        ("Waarderende voorstelronde", 30),
        ("Evalueren filmronde + Minicollege", 30),
        ("Pauze", 15),
        ("Oefenen in subgroepen", 45),
        ("Verkennen toepasbaarheid", 20),
        ("Evaluatie en vooruitkijken", 10),
    ],
    "kick-off-coalitie": [
        ("Welkom heten en opening", 15),
        ("Waarderend voorstellen over eigen werk en organisatie", 30),
        ("Waarom is samenwerken niet eenvoudig, maar wel heel krachtig? En wat helpt erbij?", 15),
        ("Ons Waartoe: Hoe ziet ons gedeelde thema/vraagstuk/opgave eruit?", 60),
        ("Pauze", 15),
        ("Ons beeld van de toekomst nader bekeken", 30),
        ("Elkaar kennen: Wat is jullie unieke meerwaarde", 45),
        ("Evaluatie en vooruitkijken", 30),
    ],
}

# The source's stated duration per script, in minutes (a range as (low, high)).
STATED_DURATION = {
    "waarderende-kennismakingsronde-a": (60, 60),
    "waarderende-kennismakingsronde-b": (60, 60),
    "oefenen-een-op-een-contact": (150, 180),
    "kick-off-coalitie": (180, 240),
}

START_OPTIONS = [
    "je enorm gezond voelde.",
    "voelde dat je echt iets betekende voor iemand anders",
    "iets deed waar je heel veel plezier in had",
]

EVALUATE_FILM_ROUND = [
    ("Wat heb je gehoord dat verraste? En wat herkende je?", []),
    ("Wat viel je op in de startvraag? Wat riep deze vraag op?", []),
    ("Wat is er anders-dan-anders aan deze gespreksvorm?", []),
    (
        "Zou deze manier van met elkaar praten inzetbaar zijn in jouw eigen (vrijwilligers)werk? "
        "Hoe zou dan jouw startvraag zijn?",
        [],
    ),
]

# Per script, in order: every central question with its help questions.
QUESTIONS = {
    "waarderende-kennismakingsronde-a": [
        (
            "Zeg wie je bent en neem elkaar daarna in 1-3 minuten mee naar een moment in je leven dat je:",
            START_OPTIONS,
        ),
        *EVALUATE_FILM_ROUND,
    ],
    "waarderende-kennismakingsronde-b": [
        (
            "Zeg wie je bent en neem elkaar daarna in een paar minuten mee naar een moment in je leven dat je:",
            START_OPTIONS,
        ),
        *EVALUATE_FILM_ROUND,
    ],
    "oefenen-een-op-een-contact": [
        (
            "Zeg wie je bent en neem elkaar daarna in een paar minuten mee naar een moment in je werk als "
            "beroepskracht/vrijwilliger waarop je veel verbinding voelde, het contact met de ander wederzijds "
            "heel waardevol was",
            [],
        ),
        ("Wat zie je dat er gebeurt?", []),
        ("En wat zien jullie dat ik doe als procesbegeleider?", []),
        (
            "Hoe kunnen goede vragen er dan uit zien?",
            [
                "Neem me eens mee naar een moment uit je leven waarop je regelmatig met veel plezier "
                "terugdenkt: een hobby, een feest, een vakantie…",
                "Wat heb je geleerd van je … wat je nu nog elke dag doet? Hoe heeft dat invloed op de manier "
                "waarop je nu samenwerkt/vrienden maakt/…?",
                "Stel je het jaar 2026 voor: je zit super in je vel en doet wat je echt wil… Hoe ziet dat "
                "eruit? En wat is er gebeurd dat je dat gelukt is?",
            ],
        ),
        ("Welke vragen stimuleerden het meest om verhalen te vertellen? Hoe werden die gesteld?", []),
        (
            "Wat deed je nu anders dan normaal? Hoe verhoudt zich dit tot je reguliere manier van werken?",
            [],
        ),
        ("Hoe zou het toepasbaar zijn (voor wie)?", []),
        ("Kun je voor een specifiek iemand waarvoor je werkt eens een goede startvraag bedenken?", []),
        ("Wat heeft het je geleerd en wat neem je mee?", []),
        (
            "Welke ontwikkelopgaven zie je voor jezelf waar het gaat over het aangaan van waarderende gesprekken?",
            [],
        ),
        ("Wat heb je daarvoor nodig?", []),
    ],
    "kick-off-coalitie": [
        (
            "Zeg wie je bent en neem elkaar daarna in 1-2 minuten mee naar een moment in je "
            "(vrijwilligers)werk waarop je voelde: ‘Ja, dit is waarom ik geloof in wat ik doe voor mijn "
            "organisatie!’",
            [],
        ),
        (
            "Wie zit hier in een samenwerkingsverband waarbij je veel meerwaarde ervaart? Kan iemand "
            "concreet schetsen hoe die samenwerking er in de praktijk uitziet?",
            [],
        ),
        (
            "Stel je voor: We zijn vier jaar verder en in onze lokale situatie is ons gezamenlijke "
            "thema/vraagstuk/opgave op een perfecte manier opgepakt. In die situatie werken gemeente, "
            "beroepsmatige- en vrijwilligersorganisaties en inwoners op een perfecte manier samen. Wat doen "
            "we dan met elkaar? En hoe ziet de samenwerking eruit?",
            [],
        ),
        (
            "Als je naar het beeld van de toekomst kijkt in vergelijking met nu:",
            [
                "Wat hebben we behouden van hoe we het nu doen?",
                "Waar zijn we mee gestopt",
                "Wat zijn we nieuw/anders gaan doen?",
            ],
        ),
        (
            "Welke aspecten zou je bij wijze van spreken morgen kunnen gaan doen -of juist laten- waar je "
            "energie van krijgt?",
            [],
        ),
        (
            "Kan iemand een zo concreet mogelijk moment uit je eigen praktijk met ons delen waarbij je "
            "voelde: ‘Ja, hiermee lever ik een waardevolle bijdrage voor ons thema/vraagstuk’.",
            [],
        ),
        (
            "Welke kracht en unieke waarde hebben de verschillende mensen en organisaties in het bieden van "
            "aanpakken en oplossingen voor ons gezamenlijke thema/vraagstuk",
            [],
        ),
        ("Hoe kan samenwerking eruit zien en wat is de winst?", []),
        ("Wat zijn de belangrijkste inzichten van vandaag?", []),
        (
            "Welke kansen zie je? Wat is eenvoudig vorm te geven en wat vraagt verdere doordenking en uitwerking?",
            [],
        ),
        (
            "Wie van jullie wil actief verder denken en bouwen aan samenwerken aan",
            ["Welke vorm en met welk doel?", "Wie, wat, waar, wanneer?"],
        ),
    ],
}

PRINCIPLES = [
    "Wees waarachtig nieuwsgierig",
    "Moedig het vertellen van verhalen aan, zonder te analyseren of adviseren",
    "Laat je meevoeren met de stroom, en pak op wat zich aandient",
    "Focus op ‘het gezonde deel’",
    "Uitstel van oordeel, afstel mag ook",
    "Gun de ander én jezelf wederkerigheid",
]


@pytest.fixture
def loaded(db):
    call_command(
        "loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", "fixtures/waarderend.json", verbosity=0
    )


def method_scripts():
    return Script.objects.filter(method__slug="waarderende-gespreksvoering")


def loaded_questions(slug):
    centrals = Question.objects.filter(block__script__slug=slug, parent=None).order_by("block__order", "order")
    return [(q.text, [h.text for h in q.help_questions.order_by("order")]) for q in centrals]


@pytest.mark.django_db
def test_the_method(loaded):
    method = Method.objects.get(pk=2)
    assert method.slug == "waarderende-gespreksvoering"
    assert method.name == "Waarderende gespreksvoering"
    assert "Samen Ouder Worden" in method.source
    assert method.introduction.startswith("In het programma Samen Ouder Worden waren lokale samenwerking")
    assert "Eerst contacteren, dan pas contracteren." in method.introduction
    assert "Iedereen heeft een verhaal." in method.purpose
    assert method.safe_environment == ""
    assert list(method.roles.values_list("name", flat=True)) == ["Procesbegeleider"]
    assert "netwerkregisseur, kwartiermaker of coördinator" in Role.objects.get(method=method).description


@pytest.mark.django_db
def test_it_has_four_scripts_outside_the_framework_phases(loaded):
    scripts = list(method_scripts().order_by("order"))
    assert [s.slug for s in scripts] == SLUGS
    assert [s.order for s in scripts] == [1, 2, 3, 4]
    assert [s.pk for s in scripts] == [10, 11, 12, 13]
    for script in scripts:
        assert script.title == TITLES[script.slug]
        assert script.phase is None
        assert script.max_participants == MAX_PARTICIPANTS[script.slug]
        assert script.kind == KINDS[script.slug]
        assert script.purpose.startswith("Deze werkvorm is bedoeld als")


@pytest.mark.django_db
def test_the_introduction_round_has_two_variants(loaded):
    a = Script.objects.get(slug="waarderende-kennismakingsronde-a")
    b = Script.objects.get(slug="waarderende-kennismakingsronde-b")
    assert a.variant_of is None
    assert b.variant_of == a
    assert list(a.variants.all()) == [b]
    assert a.variant_label.startswith("Variant A: tot 12 personen")
    assert b.variant_label.startswith("Variant B: tot 30 personen")
    assert [blk.subtitle for blk in a.blocks.order_by("order")] == ["", "-12 personen", ""]
    assert [blk.subtitle for blk in b.blocks.order_by("order")] == ["", "+12 personen", ""]
    subgroups = b.blocks.get(order=2)
    assert subgroups.work_form == "gemengd"
    assert "Stel subgroepjes samen van 3-4 mensen, liefst mensen die elkaar minder goed kennen" in (
        subgroups.instruction_lines
    )


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_blocks_and_minutes_follow_the_source(loaded, slug):
    script = Script.objects.get(slug=slug)
    blocks = list(script.blocks.order_by("order"))
    assert [(b.title, b.minutes) for b in blocks] == BLOCKS[slug]
    assert [b.order for b in blocks] == list(range(1, len(blocks) + 1))
    assert all(b.min_minutes is None for b in blocks)
    assert all(b.work_form in {"plenair", "subgroepen", "individueel", "gemengd"} for b in blocks)
    low, high = STATED_DURATION[slug]
    assert low <= script.total_minutes <= high


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_only_the_closing_block_is_protected(loaded, slug):
    blocks = list(Script.objects.get(slug=slug).blocks.order_by("order"))
    assert [b.is_protected for b in blocks] == [False] * (len(blocks) - 1) + [True]
    assert not any(b.is_optional for b in blocks)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_question_is_transcribed(loaded, slug):
    assert loaded_questions(slug) == QUESTIONS[slug]


@pytest.mark.django_db
def test_questions_have_no_perspective_and_help_questions_stay_in_their_block(loaded):
    questions = Question.objects.filter(block__script__in=method_scripts())
    assert questions.count() == 46
    assert set(questions.values_list("perspective", flat=True)) == {""}
    for help_question in questions.exclude(parent=None):
        assert help_question.parent.block_id == help_question.block_id
        assert help_question.parent.parent_id is None


@pytest.mark.django_db
def test_the_start_questions_carry_the_film_guidance(loaded):
    start = Question.objects.get(
        block__script__slug="waarderende-kennismakingsronde-a", parent=None, order=1, block__order=2
    )
    assert "Kruip weer even in dat moment" in start.guidance
    assert "[Verzin eigen, passende variant voor context en samenstelling groep]" in start.guidance
    helps = Question.objects.filter(parent__text="Hoe kunnen goede vragen er dan uit zien?").order_by("order")
    assert [h.guidance for h in helps] == ["Verleden", "Heden", "Toekomst"]


@pytest.mark.django_db
def test_the_six_principles_are_facilitator_tips(loaded):
    tips = list(Tip.objects.filter(method__slug="waarderende-gespreksvoering").order_by("order"))
    assert [t.pk for t in tips] == list(range(100, 106))
    assert {t.audience for t in tips} == {"gespreksleider"}
    assert len(tips) == len(PRINCIPLES)
    for tip, principle in zip(tips, PRINCIPLES, strict=True):
        assert principle in tip.text
        assert tip.text.startswith(principle + ": ")
    assert tips[0].text.endswith("Niets meer en niets minder dan dat.")
    assert tips[-1].text.endswith("een aanleiding om zelf ook een verhaal te vertellen.")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_each_script_has_its_setting(loaded, slug):
    assert Script.objects.get(slug=slug).setting == SETTINGS[slug]


@pytest.mark.django_db
def test_text_is_repaired_without_contact_details_or_pdf_debris(loaded):
    method = Method.objects.get(slug="waarderende-gespreksvoering")
    texts = [method.introduction, method.purpose, method.source]
    texts += [r.description for r in method.roles.all()]
    texts += [t.text for t in method.tips.all()]
    for block in Block.objects.filter(script__method=method):
        texts += [block.title, block.subtitle, block.instructions, block.follow_up]
    for question in Question.objects.filter(block__script__method=method):
        texts += [question.text, question.guidance]
    for script in method.scripts.all():
        texts += [script.purpose, script.setting]
    joined = "\n".join(texts)
    for debris in ("http", "@", "06 ", "Wijnperle", "Bijlage:", "‘n de techniek", "flap-\n", "\t", "  "):
        assert debris not in joined
    assert "in de techniek heel simpel" in method.introduction
    assert "Begeleiden en ondersteunen van netwerkbijeenkomsten, teamvergaderingen, etc.;" in (
        method.roles.get().description
    )


@pytest.fixture
def planner(db, django_user_model):
    return django_user_model.objects.create_user(username="procesbegeleider", password="pw")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_a_session_can_be_planned_and_run_from_the_script(loaded, planner, slug):
    script = Script.objects.get(slug=slug)
    session = SessionFactory(
        script=script,
        project__title="Samen Ouder Worden",
        title=f"Sessie {script.title}",
        facilitator=planner,
        secretary=planner,
    )
    assert session.phase_number is None
    assert [(b.title, b.original_minutes) for b in session.blocks.order_by("order")] == BLOCKS[slug]
    expected_questions = sum(1 + len(helps) for _text, helps in QUESTIONS[slug])
    assert sum(b.questions.count() for b in session.blocks.all()) == expected_questions

    session = timeline.start(session.pk, session.timeline_version)
    assert session.state == SessionState.RUNNING
    visited = [session.current_block.title]
    for _ in range(len(BLOCKS[slug]) - 1):
        session = timeline.advance_to_next_block(session.pk, session.timeline_version)
        visited.append(session.current_block.title)
    assert visited == [title for title, _minutes in BLOCKS[slug]]
    session = timeline.finish(session.pk, session.timeline_version)
    assert session.state == SessionState.FINISHED
    assert session.finished_at is not None
