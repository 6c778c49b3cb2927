"""The Waarderende gespreksvoering fixture is a faithful transcription of seed 004 (Samen Ouder Worden).

The order of every block's steps against the source is checked in test_waarderend_source_order.py.
"""

import pytest
from django.core.management import call_command

from draaiboeken.models import Block, Method, Script, Step, Tip, WorkFormTool, outline
from sessies import timeline
from sessies.models import SessionState
from tests.content.test_waarderend_source_order import SEED, SOURCE, normalise
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

# The script page shows "<variant_label> · tot <max_participants> deelnemers": the label names
# what differs, not the size again. The source's "-12" / "+12 personen" stay in the block subtitle.
VARIANT_LABELS = {
    "waarderende-kennismakingsronde-a": "Variant A: plenaire filmronde",
    "waarderende-kennismakingsronde-b": "Variant B: meer dan 12 personen, in subgroepen van 3-4",
    "oefenen-een-op-een-contact": "",
    "kick-off-coalitie": "",
}

# The source's "Tijdsduur", kept verbatim where it is a range the sum of the minutes cannot show.
STATED_DURATION_TEXT = {
    "waarderende-kennismakingsronde-a": None,
    "waarderende-kennismakingsronde-b": None,
    "oefenen-een-op-een-contact": "Tijdsduur: 2,5-3 uur",
    "kick-off-coalitie": "Tijdsduur: 3-4 uur",
}

SHORTENING_ADVICE = (
    "Als je minder tijd hebt voor deze bijeenkomst, kun je de inhoud beter over twee bijeenkomsten verdelen, "
    "dan dat je bezuinigt op de (tijd van) programmaonderdelen."
)

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

# Steps per script: instructions, questions, groups (sub-points included).
STEP_KINDS = {
    "waarderende-kennismakingsronde-a": {"instructie": 18, "vraag": 5, "groep": 0},
    "waarderende-kennismakingsronde-b": {"instructie": 23, "vraag": 5, "groep": 1},
    "oefenen-een-op-een-contact": {"instructie": 26, "vraag": 14, "groep": 4},
    "kick-off-coalitie": {"instructie": 33, "vraag": 15, "groep": 9},
}

START_ENDINGS = [
    "je enorm gezond voelde.",
    "voelde dat je echt iets betekende voor iemand anders",
    "iets deed waar je heel veel plezier in had",
    "[Verzin eigen, passende variant voor context en samenstelling groep]",
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

# Per script, in order: every question notes are filed under, with its help questions
# (Outline.questions(): a question inside a group stands on its own).
QUESTIONS = {
    "waarderende-kennismakingsronde-a": [
        ("Zeg wie je bent en neem elkaar daarna in 1-3 minuten mee naar een moment in je leven dat je:", []),
        *EVALUATE_FILM_ROUND,
    ],
    "waarderende-kennismakingsronde-b": [
        ("Zeg wie je bent en neem elkaar daarna in een paar minuten mee naar een moment in je leven dat je:", []),
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
        ("Wat hebben we behouden van hoe we het nu doen?", []),
        ("Waar zijn we mee gestopt", []),
        ("Wat zijn we nieuw/anders gaan doen?", []),
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

# The questions kept their pks from the former Question rows (1000–1045), the endings of the start
# questions (now sub-points) and the lead-in "Als je naar het beeld…" (now a group) included.
KEPT_PKS = set(range(1000, 1046))

PRINCIPLES = [
    "Wees waarachtig nieuwsgierig",
    "Moedig het vertellen van verhalen aan, zonder te analyseren of adviseren",
    "Laat je meevoeren met de stroom, en pak op wat zich aandient",
    "Focus op ‘het gezonde deel’",
    "Uitstel van oordeel, afstel mag ook",
    "Gun de ander én jezelf wederkerigheid",
]

# OCR and layout damage repaired in the fixture: (as in the seed, normalised) → as stored.
REPAIRS = {
    "‘n de techniek": "in de techniek",
    "Begeleiden en ondersteunen van; netwerkbijeenkomsten": "Begeleiden en ondersteunen van netwerkbijeenkomsten",
}


@pytest.fixture
def loaded(db):
    # Werkvormen first: the method builds on work form 6.1.
    call_command("loaddata", "fixtures/kader.json", "fixtures/werkvormen.json", "fixtures/waarderend.json", verbosity=0)


def method_scripts():
    return Script.objects.filter(method__slug="waarderende-gespreksvoering")


def script_outlines(slug):
    blocks = Script.objects.get(slug=slug).blocks.order_by("order").prefetch_related("steps")
    return [outline(block.steps.all()) for block in blocks]


def loaded_questions(slug):
    return [
        (question.text, [help_question.text for help_question in help_questions])
        for block_outline in script_outlines(slug)
        for question, help_questions in block_outline.questions()
    ]


def top_level(block):
    return [(step.kind, step.text) for step in block.steps.filter(parent=None).order_by("order")]


def children(step):
    return [(child.kind, child.label, child.text) for child in step.children.order_by("order")]


@pytest.mark.django_db
def test_the_method(loaded):
    method = Method.objects.get(pk=2)
    assert method.slug == "waarderende-gespreksvoering"
    assert method.name == "Waarderende gespreksvoering"
    assert "Samen Ouder Worden" in method.source
    assert method.introduction.startswith("In het programma Samen Ouder Worden waren lokale samenwerking")
    assert "Eerst contacteren, dan pas contracteren." in method.introduction
    assert "\n\nDe aanpak in het kort\nWaarderende gespreksvoering is meer dan een gesprekstechniek" in (
        method.introduction
    )
    assert "\n\nBasisprincipes van Waarderende Gespreksvoering\nWaarderende gespreksvoering is een zienswijze" in (
        method.introduction
    )
    assert "We schetsen hier de belangrijkste principes, die helpen bij in de goede stand staan." in (
        method.introduction
    )
    assert method.purpose.startswith("Doelgroepen\nEr zijn geen specifieke doelgroepen")
    assert "\n\nDoelen\nWaarderende Gespreksvoering kan vele doelen dienen" in method.purpose
    assert "\n\nEffecten en resultaten\nDe effecten en resultaten" in method.purpose
    assert method.purpose.endswith(
        "• Er is op verschillende locaties een proces van gemeenschapsvorming op gang gekomen of versterkt."
    )
    assert "Iedereen heeft een verhaal." in method.purpose
    assert method.safe_environment == ""
    assert method.participant_rules_intro == ""
    assert list(method.roles.values_list("name", flat=True)) == ["Procesbegeleider"]
    assert "netwerkregisseur, kwartiermaker of coördinator" in method.roles.get().description


@pytest.mark.django_db
def test_the_method_builds_on_appreciative_inquiry(loaded):
    method = Method.objects.get(slug="waarderende-gespreksvoering")
    assert list(method.builds_on.values_list("code", "name")) == [("6.1", "Waarderend onderzoek/Appreciative Inquiry")]
    assert list(method.builds_on.all()) == [WorkFormTool.objects.get(pk=26)]


@pytest.mark.django_db
def test_the_source_slips_in_the_introduction_stay_verbatim_and_are_annotated(loaded):
    method = Method.objects.get(slug="waarderende-gespreksvoering")
    assert "voor groepen kleiner dan 15 personen, en groepen die groter zijn dan 15 personen." in (method.introduction)
    assert "Ook dit draaiboek kent twee varianten, voor kleinere en grotere groepen." in method.introduction
    note = method.editorial_note
    assert "15 personen" in note and "tot 12" in note and "tot 30 personen" in note
    assert "kick-off" in note and "twee varianten" in note
    assert not Script.objects.filter(variant_of__slug="kick-off-coalitie").exists()


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
        assert script.min_participants is None
        assert script.kind == KINDS[script.slug]
        assert script.variant_label == VARIANT_LABELS[script.slug]
        assert script.purpose.startswith("Deze werkvorm is bedoeld als")
        assert script.footnote == ""
        assert script.times_are_suggestions is False
        stated = STATED_DURATION_TEXT[script.slug]
        if stated:
            assert script.purpose.endswith("\n\n" + stated)
        else:
            assert "Tijdsduur" not in script.purpose


@pytest.mark.django_db
def test_the_kick_off_is_not_to_be_shortened(loaded):
    script = Script.objects.get(slug="kick-off-coalitie")
    assert script.shortening_advice == SHORTENING_ADVICE
    assert SHORTENING_ADVICE not in script.purpose
    assert [(b.minutes, b.min_minutes) for b in script.blocks.order_by("order")] == [
        (minutes, minutes) for _title, minutes in BLOCKS["kick-off-coalitie"]
    ]
    others = Script.objects.filter(method__slug="waarderende-gespreksvoering").exclude(slug="kick-off-coalitie")
    assert set(others.values_list("shortening_advice", flat=True)) == {""}


@pytest.mark.django_db
def test_the_introduction_round_has_two_variants(loaded):
    a = Script.objects.get(slug="waarderende-kennismakingsronde-a")
    b = Script.objects.get(slug="waarderende-kennismakingsronde-b")
    assert a.variant_of is None
    assert b.variant_of == a
    assert list(a.variants.all()) == [b]
    # Source: "Waarderend voorstellen -12 personen" / "+12 personen", meaning up to 12 / more than 12.
    assert [blk.subtitle for blk in a.blocks.order_by("order")] == ["", "tot 12 personen", ""]
    assert [blk.subtitle for blk in b.blocks.order_by("order")] == ["", "meer dan 12 personen", ""]
    assert a.blocks.get(order=2).work_form == "plenair"
    subgroups = b.blocks.get(order=2)
    assert subgroups.work_form == "gemengd"
    instruction = subgroups.steps.get(parent=None, kind="groep")
    assert instruction.text == "Instructie subgroep:"
    assert [text for _kind, _label, text in children(instruction)] == [
        "Stel subgroepjes samen van 3-4 mensen, liefst mensen die elkaar minder goed kennen",
        "Ga in de subgroep om de beurt een verhaal met elkaar delen, aan de hand van de startvraag die we net "
        "plenair even hebben geoefend.",
        "Vertel je verhaal zo concreet en anekdotisch mogelijk, alsof je een scène uit je eigen levensfilm navertelt.",
        "iedere deelnemer heeft een paar minuten de tijd voor het vertellen van het verhaal. Ga niet op elkaar "
        "reageren tijdens deze ‘filmronde’",
        "Kom na ongeveer 20 minuten weer terug in de plenaire groep",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_blocks_and_minutes_follow_the_source(loaded, slug):
    script = Script.objects.get(slug=slug)
    blocks = list(script.blocks.order_by("order"))
    assert [(b.title, b.minutes) for b in blocks] == BLOCKS[slug]
    assert [b.order for b in blocks] == list(range(1, len(blocks) + 1))
    if slug != "kick-off-coalitie":
        assert all(b.min_minutes is None for b in blocks)
    assert all(b.work_form in {"plenair", "subgroepen", "gemengd"} for b in blocks)
    assert all(b.suggested_approach == "" for b in blocks)
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
@pytest.mark.parametrize("slug", SLUGS)
def test_step_counts(loaded, slug):
    steps = Step.objects.filter(block__script__slug=slug)
    counts = {kind: steps.filter(kind=kind).count() for kind in ("instructie", "vraag", "groep")}
    assert counts == STEP_KINDS[slug]


@pytest.mark.django_db
def test_steps_obey_the_schema_and_keep_their_pks(loaded):
    steps = Step.objects.filter(block__script__in=method_scripts())
    assert steps.count() == 153
    assert steps.filter(kind="vraag").count() == 39
    assert sum(len(QUESTIONS[slug]) for slug in SLUGS) == 34  # plus 5 help questions
    assert set(steps.values_list("perspective", flat=True)) == {""}
    assert set(steps.values_list("editorial_note", flat=True)) == {""}
    assert not steps.exclude(attention_points=None).exists()
    assert not steps.exclude(kind="vraag").exclude(guidance="").exists()
    pks = set(steps.values_list("pk", flat=True))
    assert KEPT_PKS <= pks
    assert all(1101 <= pk <= 1999 for pk in pks - KEPT_PKS)
    for step in steps:
        step.full_clean()
        if step.parent_id:
            assert step.parent.block_id == step.block_id
            assert step.parent.parent_id is None
            assert step.parent.kind in {"vraag", "groep"}
    for block in Block.objects.filter(script__in=method_scripts()):
        for siblings in (block.steps.filter(parent=None), *(s.children.all() for s in block.steps.all())):
            orders = sorted(siblings.values_list("order", flat=True))
            assert orders == list(range(1, len(orders) + 1))


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["waarderende-kennismakingsronde-a", "waarderende-kennismakingsronde-b"])
def test_the_endings_of_the_start_question_are_sub_points(loaded, slug):
    block = Block.objects.get(script__slug=slug, order=2)
    start = block.steps.get(parent=None, kind="vraag")
    assert start.label == "Startvraag"
    assert start.guidance == ""
    assert children(start) == [("instructie", "", text) for text in START_ENDINGS]
    assert [c.pk for c in start.children.order_by("order")][:3] == (
        [1001, 1002, 1003] if slug.endswith("-a") else [1009, 1010, 1011]
    )
    after = block.steps.get(parent=None, order=start.order + 1)
    assert (after.kind, after.text) == (
        "instructie",
        "Kruip weer even in dat moment, alsof je de film terug speelt, en vertel je verhaal zodat we als het "
        "ware kunnen zien, ruiken, horen, proeven hoe het toen ging",
    )


@pytest.mark.django_db
def test_the_example_questions_keep_their_labels(loaded):
    question = Step.objects.get(block__script__slug="oefenen-een-op-een-contact", text__startswith="Hoe kunnen goede")
    assert question.guidance == "Schetsen vragen"
    assert [(kind, label) for kind, label, _text in children(question)] == [
        ("vraag", "Verleden"),
        ("vraag", "Heden"),
        ("vraag", "Toekomst"),
    ]


@pytest.mark.django_db
def test_the_minicollege_starts_with_its_questions(loaded):
    block = Block.objects.get(script__slug="oefenen-een-op-een-contact", order=3)
    assert top_level(block) == [
        ("vraag", "Wat zie je dat er gebeurt?"),
        ("vraag", "En wat zien jullie dat ik doe als procesbegeleider?"),
        (
            "instructie",
            "Inventariseren van werkende elementen van een waarderend gesprek. Deze werkende elementen "
            "opschrijven op flap-over",
        ),
        ("groep", "Vanuit inventarisatie schetsen principes"),
        ("vraag", "Hoe kunnen goede vragen er dan uit zien?"),
        (
            "instructie",
            "Plenair even oefenen met het formuleren van goede vragen rondom een zelfgekozen positief thema "
            "(bijvoorbeeld ‘Waarde van je werk’, ‘Positieve gezondheid’. ‘Inspiratiebronnen’, etc.)",
        ),
    ]


@pytest.mark.django_db
def test_the_kick_off_steps_stand_where_the_source_has_them(loaded):
    blocks = {b.order: b for b in Block.objects.filter(script__slug="kick-off-coalitie")}
    assert [kind for kind, _text in top_level(blocks[3])] == [
        "instructie",
        "instructie",
        "vraag",
        "instructie",
        "instructie",
        "instructie",
    ]
    assert top_level(blocks[3])[3][1].startswith("2-3 succesverhalen ophalen")
    openings = ["We gaan nadenken", "Stel je voor:", "Braindump ‘Wat", "Braindump ‘Hoe", "Na de koffie/thee"]
    ons_waartoe = top_level(blocks[4])
    assert len(ons_waartoe) == len(openings)
    assert all(text.startswith(opening) for (_kind, text), opening in zip(ons_waartoe, openings, strict=True))
    future = blocks[6].steps.get(pk=1033)
    assert (future.kind, future.parent_id, future.order) == ("groep", None, 1)
    assert children(future) == [
        ("vraag", "", "Wat hebben we behouden van hoe we het nu doen?"),
        ("vraag", "", "Waar zijn we mee gestopt"),
        ("vraag", "", "Wat zijn we nieuw/anders gaan doen?"),
    ]
    share = blocks[7].steps.get(pk=1038)
    assert (share.order, share.label, share.guidance) == (1, "Vraag aan deelnemers", "")
    assert [kind for kind, _text in top_level(blocks[7])] == ["vraag", "instructie", "groep", "groep"]
    closing = top_level(blocks[8])
    assert closing[0] == ("groep", "Terugkijken:")
    assert closing[-1] == ("instructie", "Einde")
    onwards = blocks[8].steps.get(pk=1043)
    assert children(onwards) == [
        ("vraag", "", "Welke vorm en met welk doel?"),
        ("vraag", "", "Wie, wat, waar, wanneer?"),
        (
            "instructie",
            "",
            "Als procesbegeleider stuur ik jullie de foto’s van de flap-overs, eventuele andere materialen",
        ),
    ]


@pytest.mark.django_db
def test_closing_blocks_end_rather_than_start_with_einde(loaded):
    for slug in ("oefenen-een-op-een-contact", "kick-off-coalitie"):
        closing = Script.objects.get(slug=slug).blocks.order_by("order").last()
        steps = top_level(closing)
        assert steps[0][1] != "Einde"
        assert steps[-1] == ("instructie", "Einde")
    for slug in ("waarderende-kennismakingsronde-a", "waarderende-kennismakingsronde-b"):
        closing = Script.objects.get(slug=slug).blocks.order_by("order").last()
        assert top_level(closing)[-1] == ("instructie", "Verder met de reguliere agenda…")


@pytest.mark.django_db
def test_the_six_principles_are_basic_principle_tips(loaded):
    tips = list(Tip.objects.filter(method__slug="waarderende-gespreksvoering").order_by("order"))
    assert [t.pk for t in tips] == list(range(100, 106))
    assert {t.audience for t in tips} == {"basisprincipe"}
    assert len(tips) == len(PRINCIPLES)
    for tip, principle in zip(tips, PRINCIPLES, strict=True):
        assert tip.text.startswith(principle + ": ")
    assert tips[0].text.endswith("Niets meer en niets minder dan dat.")
    assert tips[-1].text.endswith("een aanleiding om zelf ook een verhaal te vertellen.")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_each_script_has_its_setting(loaded, slug):
    assert Script.objects.get(slug=slug).setting == SETTINGS[slug]


@pytest.mark.django_db
@pytest.mark.skipif(not SEED.exists(), reason="source text not found")
def test_the_method_texts_are_verbatim(loaded):
    """Every line of the method's texts stands in the source, apart from the listed repairs."""
    source = SOURCE
    for damaged, repaired in REPAIRS.items():
        assert damaged in source
        source = source.replace(damaged, repaired)
    method = Method.objects.get(slug="waarderende-gespreksvoering")
    lines = [method.introduction, method.purpose, method.roles.get().description]
    for tip in method.tips.all():
        lines += tip.text.split(": ", 1)
    for script in method.scripts.all():
        lines += [script.purpose, script.setting, script.shortening_advice]
    missing = [line for text in lines for line in text.splitlines() if line.strip() and normalise(line) not in source]
    assert missing == []


@pytest.mark.django_db
def test_text_is_repaired_without_contact_details_or_pdf_debris(loaded):
    method = Method.objects.get(slug="waarderende-gespreksvoering")
    texts = [method.introduction, method.purpose, method.source, method.editorial_note]
    texts += [r.description for r in method.roles.all()]
    texts += [t.text for t in method.tips.all()]
    for block in Block.objects.filter(script__method=method):
        texts += [block.title, block.subtitle]
    for step in Step.objects.filter(block__script__method=method):
        texts += [step.text, step.label, step.guidance]
    for script in method.scripts.all():
        texts += [script.purpose, script.setting, script.variant_label, script.shortening_advice]
    joined = "\n".join(texts)
    for debris in ("http", "@", "06 ", "Wijnperle", "Bijlage:", "‘n de techniek", "flap-\n", "\t", "  ", "•\n"):
        assert debris not in joined
    assert all(text == text.strip() for text in texts)
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
    session_blocks = list(session.blocks.order_by("order"))
    assert [(b.title, b.original_minutes) for b in session_blocks] == BLOCKS[slug]
    if slug == "kick-off-coalitie":
        assert [b.min_minutes for b in session_blocks] == [minutes for _title, minutes in BLOCKS[slug]]
    assert sum(b.steps.count() for b in session_blocks) == sum(STEP_KINDS[slug].values())
    copied = [
        (question.text, [help_question.text for help_question in helps])
        for block in session_blocks
        for question, helps in block.outline.questions()
    ]
    assert copied == QUESTIONS[slug]

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
