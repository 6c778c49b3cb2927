"""The script fixture is a faithful transcription of the Gesprekstafels method (seed 000).

Each block is one ordered list of steps; `test_gesprekstafels_source_order.py` checks that order
against the source text itself.
"""

import re

import pytest
from django.core.management import call_command
from django.db.models import Sum

from draaiboeken.models import Block, Method, Role, Script, Step, StepKind, outline
from tests.content.test_gesprekstafels_source_order import SOURCE_FILE, normalise

SLUGS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]

# Per script, per block: the top-level steps as (kind, start of text, sub-points as (kind, label,
# start of text)), in display order.
OUTLINES = {
    "gesprekstafel-1-start": [
        [
            ("instructie", "Korte voorstelronde deelnemers Gesprekstafel.", []),
            ("instructie", "Introductie gespreksleider over de bedoeling,", []),
            ("instructie", "Introductie op de rollen: de onderzoeker als", []),
            (
                "groep",
                "Naast het doornemen van ‘de spelregels’ aange",
                [
                    ("instructie", "", "terugkoppeling belangrijkste opbrengsten tijd"),
                    ("instructie", "", "de opbrengsten worden meegenomen en meegewoge"),
                ],
            ),
        ],
        [
            ("instructie", "Tijdens de Gesprekstafels gaan de deelnemers", []),
            ("vraag", "De WAAROM-vraag: wat is het doel van en de dr", []),
            (
                "groep",
                "Vervolgens gaan de deelnemers in subgroepjes",
                [
                    ("vraag", "", "Op welke concrete vraag van professionals gaa"),
                    ("vraag", "", "Hoe is de cliënt/burger geholpen met dit onde"),
                ],
            ),
            ("instructie", "Plenaire bespreking opbrengsten. De resultate", []),
        ],
        [
            ("vraag", "Sluit het onderzoek voldoende aan bij de ontw", []),
            ("vraag", "Welke verwachtingen en belangen spelen er in", []),
            ("instructie", "de deelnemers gaan in subgroepen uit elkaar e", []),
            ("instructie", "Plenaire bespreking opbrengsten. De resultate", []),
            ("vraag", "Terugblikken en rondkijken: Wat is er al op h", []),
        ],
        [
            ("instructie", "De gespreksleider somt met behulp van de secr", []),
            (
                "groep",
                "Praktische zaken afstemmen:",
                [
                    ("vraag", "", "Is er voldoende ruimte voor professionals om"),
                    ("vraag", "", "Hoe lang gaat het onderzoek lopen en welke in"),
                ],
            ),
            (
                "groep",
                "Vervolgafspraken (door de onderzoeker):",
                [("instructie", "", "communicatie over het onderzoek tijdens het o")],
            ),
            ("vraag", "Rondvraag: hoe hebben de deelnemers deze bije", []),
            ("instructie", "Afsluiting.", []),
        ],
    ],
    "gesprekstafel-2-uitvoering": [
        [
            ("instructie", "Korte voorstelronde deelnemers Gesprekstafel", []),
            ("instructie", "Introductie gespreksleider over de bedoeling,", []),
            ("instructie", "Introductie op de rollen: de onderzoeker als", []),
            (
                "groep",
                "Naast het doornemen van ‘de spelregels’ aange",
                [
                    ("instructie", "", "terugkoppeling belangrijkste opbrengsten tijd"),
                    ("instructie", "", "de opbrengsten worden meegenomen en meegewoge"),
                ],
            ),
        ],
        [
            ("instructie", "Tijdens de Gesprekstafels gaan de deelnemers", []),
            ("vraag", "Hoe loopt het onderzoek tot nu toe?", []),
            (
                "groep",
                "Vervolgens gaan de deelnemers in subgroepjes",
                [
                    ("vraag", "", "Hoe kijken de professionals naar het lopende"),
                    ("vraag", "", "Hoe is de cliënt/burger geholpen met dit onde"),
                    ("vraag", "Hulpvraag", "Gaat het project (nog steeds) over de echte p"),
                ],
            ),
            ("instructie", "Plenaire bespreking opbrengsten. De resultate", []),
        ],
        [
            ("vraag", "Sluit het onderzoek (nog steeds) voldoende aa", []),
            ("vraag", "Is het beleid en management (nog steeds) vold", []),
            ("instructie", "De deelnemers gaan in subgroepen uit elkaar e", []),
            ("instructie", "Plenaire bespreking opbrengsten. De resultate", []),
            ("vraag", "Wat vinden de professionals van het taalgebru", []),
        ],
        [
            ("instructie", "De gespreksleider somt met behulp van de secr", []),
            ("vraag", "Terug naar de tekentafel: welke wijzigingen m", []),
            ("vraag", "Hoe ervaren de professionals het contact met", []),
            (
                "groep",
                "Vervolgafspraken (door de onderzoeker):",
                [("instructie", "", "communicatie over het onderzoek tijdens het o")],
            ),
            ("vraag", "Rondvraag: hoe hebben de deelnemers deze bije", []),
            ("instructie", "Afsluiting.", []),
        ],
    ],
    "gesprekstafel-3-implementatie": [
        [
            ("instructie", "Korte voorstelronde deelnemers Gesprekstafel.", []),
            ("instructie", "Introductie gespreksleider over de bedoeling,", []),
            ("instructie", "Introductie op de rollen: de onderzoeker als", []),
            (
                "groep",
                "Naast het doornemen van ‘de spelregels’ aange",
                [
                    ("instructie", "", "terugkoppeling belangrijkste opbrengsten tijd"),
                    ("instructie", "", "de opbrengsten worden meegenomen en meegewoge"),
                ],
            ),
        ],
        [
            ("instructie", "Tijdens de Gesprekstafels gaan de deelnemers", []),
            ("vraag", "Wat zijn de resultaten van het onderzoek?", []),
            (
                "groep",
                "Vervolgens gaan de deelnemers in subgroepen u",
                [
                    ("vraag", "", "Hoe kijken we als professionals terug op het"),
                    ("vraag", "", "Is de relevantie voor de professionele prakti"),
                    ("vraag", "Hulpvraag", "En komt dit ook voldoende tot uitdrukking in"),
                ],
            ),
            ("instructie", "Plenaire bespreking opbrengsten. De resultate", []),
        ],
        [
            ("instructie", "De onderzoeker presenteert de eerste concepte", []),
            (
                "groep",
                "De professionals gaan in subgroepen uit elkaa",
                [
                    ("vraag", "", "Gaan deze producten helpen om het gewenste ef"),
                    ("vraag", "Hulpvraag", "Komt de relevantie voor de professionele prak"),
                ],
            ),
            ("instructie", "De resultaten van de bespreking in subgroepen", []),
            ("vraag", "Wat zijn de aanbevelingen voor vervolgonderzo", []),
            (
                "vraag",
                "Hoe kijken de professionals naar deze aanbeve",
                [("vraag", "Hulpvraag", "Hoe zien zij het nut en de noodzaak van vervo")],
            ),
            ("instructie", "De antwoorden worden plenair gedeeld.", []),
        ],
        [
            ("instructie", "De gespreksleider somt met behulp van de secr", []),
            (
                "groep",
                "Toelichting door de onderzoeker bij:",
                [
                    ("instructie", "", "de communicatie over de onderzoeksresultaten"),
                    ("instructie", "", "de implementatie van de onderzoeksresultaten"),
                    ("instructie", "", "andere concrete vervolgstappen naar aanleidin"),
                ],
            ),
            (
                "groep",
                "Vervolgafspraken (door de onderzoeker):",
                [("vraag", "", "Hoe blijven we de impact monitoren?"), ("vraag", "", "Hoe houden we contact?")],
            ),
            (
                "groep",
                "Rondvraag:",
                [
                    ("vraag", "", "Hoe hebben de professionals het onderzoekspro"),
                    ("vraag", "", "Hoe hebben de deelnemers deze bijeenkomst erv"),
                ],
            ),
            ("instructie", "Afsluiting.", []),
        ],
    ],
}

# Per script, in order: every question notes are filed under, with its help questions.
QUESTIONS = {
    "gesprekstafel-1-start": [
        ("De WAAROM-vraag: wat is het doel van en de drijfveer achter dit onderzoek?", []),
        (
            "Op welke concrete vraag van professionals gaat dit onderzoek een antwoord geven? / "
            "Bij welke veranderbehoefte van professionals sluit dit onderzoek aan.",
            [],
        ),
        ("Hoe is de cliënt/burger geholpen met dit onderzoek?", []),
        (
            "Sluit het onderzoek voldoende aan bij de ontwikkelingen binnen de organisatie? "
            "(beleid en management, invloed wet- en regelgeving).",
            [],
        ),
        ("Welke verwachtingen en belangen spelen er in het kader van het onderzoek?", []),
        ("Terugblikken en rondkijken: Wat is er al op het gebied van de onderzoeksvraag?", []),
        ("Is er voldoende ruimte voor professionals om mee te doen aan het onderzoek?", []),
        (
            "Hoe lang gaat het onderzoek lopen en welke invloed heeft dat op de meerwaarde van het "
            "onderzoek voor professionals?",
            [],
        ),
        ("Rondvraag: hoe hebben de deelnemers deze bijeenkomst ervaren?", []),
    ],
    "gesprekstafel-2-uitvoering": [
        ("Hoe loopt het onderzoek tot nu toe?", []),
        (
            "Hoe kijken de professionals naar het lopende onderzoek? Ervaren zij het onderzoek "
            "(nog steeds) als zinvol voor de professionele praktijk?",
            [],
        ),
        ("Hoe is de cliënt/burger geholpen met dit onderzoek?", []),
        ("Gaat het project (nog steeds) over de echte problemen en vragen die spelen in de praktijk?", []),
        ("Sluit het onderzoek (nog steeds) voldoende aan bij de ontwikkelingen binnen de organisatie?", []),
        (
            "Is het beleid en management (nog steeds) voldoende aangehaakt bij het project om de "
            "toekomstige resultaten ook effect te laten sorteren?",
            [],
        ),
        ("Wat vinden de professionals van het taalgebruik dat wordt gebruikt tijdens het onderzoek?", []),
        (
            "Terug naar de tekentafel: welke wijzigingen moet de onderzoeker/de onderzoeksgroep "
            "doorvoeren op basis van de opbrengsten van deze Gesprekstafel?",
            [],
        ),
        (
            "Hoe ervaren de professionals het contact met de onderzoeker/de onderzoeksgroep? "
            "De formele en informele communicatie.",
            [],
        ),
        ("Rondvraag: hoe hebben de deelnemers deze bijeenkomst ervaren?", []),
    ],
    "gesprekstafel-3-implementatie": [
        ("Wat zijn de resultaten van het onderzoek?", []),
        ("Hoe kijken we als professionals terug op het uitgevoerde onderzoek?", []),
        (
            "Is de relevantie voor de professionele praktijk en voor cliënten/burger/de lokale "
            "samenleving voldoende helder?",
            [],
        ),
        ("En komt dit ook voldoende tot uitdrukking in de conclusie en aanbevelingen van het onderzoek?", []),
        ("Gaan deze producten helpen om het gewenste effect te bereiken?", []),
        (
            "Komt de relevantie voor de professionele praktijk en voor cliënten/burgers "
            "voldoende tot uiting in de eindproducten ten behoeve van de implementatie?",
            [],
        ),
        ("Wat zijn de aanbevelingen voor vervolgonderzoek?", []),
        (
            "Hoe kijken de professionals naar deze aanbevelingen?",
            ["Hoe zien zij het nut en de noodzaak van vervolgonderzoek op basis van hun praktijkervaring?"],
        ),
        ("Hoe blijven we de impact monitoren?", []),
        ("Hoe houden we contact?", []),
        ("Hoe hebben de professionals het onderzoeksproces als geheel ervaren?", []),
        ("Hoe hebben de deelnemers deze bijeenkomst ervaren?", []),
    ],
}

# The old Question rows keep their pks as steps: pk -> start of the text.
QUESTION_PKS = {
    1: "De WAAROM-vraag",
    2: "Op welke concrete vraag",
    3: "Hoe is de cliënt/burger",
    4: "Sluit het onderzoek voldoende",
    5: "Welke verwachtingen",
    6: "Terugblikken en rondkijken",
    7: "Hoe loopt het onderzoek",
    8: "Hoe kijken de professionals naar het lopende",
    9: "Hoe is de cliënt/burger",
    10: "Gaat het project",
    11: "Sluit het onderzoek (nog steeds)",
    12: "Is het beleid en management",
    13: "Wat vinden de professionals van het taalgebruik",
    14: "Terug naar de tekentafel",
    15: "Hoe ervaren de professionals het contact",
    16: "Wat zijn de resultaten",
    17: "Hoe kijken we als professionals",
    18: "Is de relevantie",
    19: "En komt dit ook",
    20: "Gaan deze producten",
    21: "Komt de relevantie",
    22: "Wat zijn de aanbevelingen",
    23: "Hoe kijken de professionals naar deze aanbevelingen",
    24: "Hoe zien zij het nut",
}


@pytest.fixture
def loaded(db):
    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)


def block_outline(block):
    return [
        (step.kind, step.text, [(sub.kind, sub.label, sub.text) for sub in subpoints])
        for step, subpoints in outline(block.steps.all())
    ]


def gesprekstafel_steps():
    return Step.objects.filter(block__script__method__slug="gesprekstafels")


@pytest.mark.django_db
def test_it_has_three_scripts_in_phase_order(loaded):
    scripts = list(Script.objects.order_by("order"))
    assert [s.slug for s in scripts] == SLUGS
    assert [s.phase.number for s in scripts] == [1, 2, 3]
    assert [s.title for s in scripts] == [
        "Gesprekstafel 1: De start van het onderzoek",
        "Gesprekstafel 2: De uitvoering van het onderzoek",
        "Gesprekstafel 3: Implementatie van de onderzoeksresultaten",
    ]
    assert [s.repeatable for s in scripts] == [False, True, False]
    assert [s.times_are_suggestions for s in scripts] == [False, False, False]


@pytest.mark.django_db
def test_the_footnote_of_gesprekstafel_2_is_a_footnote_not_its_purpose(loaded):
    scripts = {s.slug: s for s in Script.objects.all()}
    assert [scripts[slug].purpose for slug in SLUGS] == ["", "", ""]
    assert [scripts[slug].footnote for slug in SLUGS] == [
        "",
        "Dialoogtafel 2: de uitvoering van het onderzoek kan meerdere keren tijdens de uitvoeringsfase worden "
        "georganiseerd. Een dialoogtafel kan door zowel de onderzoeker(s) als door professionals worden "
        "geïnitieerd maar wordt in ieder geval ten minste één keer door de onderzoeker ingezet tijdens de "
        "uitvoeringsfase.",
        "",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_has_four_timed_blocks_of_150_minutes(loaded, slug):
    script = Script.objects.get(slug=slug)
    blocks = list(script.blocks.order_by("order"))
    assert [b.order for b in blocks] == [1, 2, 3, 4]
    assert [b.minutes for b in blocks] == [10, 60, 60, 20]
    # 40 minutes for the rounds is the app's choice (the source gives none); others default to 50 %.
    assert [b.min_minutes for b in blocks] == [None, 40, 40, None]
    assert blocks[0].title == "Inleiding"
    assert [b.title for b in blocks[1:3]] == ["Gesprekstafel – ronde 1", "Gesprekstafel – ronde 2"]
    assert blocks[3].title == "Samenvatten belangrijkste opbrengsten + afsluiting"
    assert script.blocks.aggregate(total=Sum("minutes"))["total"] == 150
    assert script.total_minutes == 150


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_each_block_is_one_ordered_list_of_steps(loaded, slug):
    blocks = Block.objects.filter(script__slug=slug).order_by("order")
    actual = [block_outline(block) for block in blocks]
    expected = OUTLINES[slug]
    assert len(actual) == len(expected) == 4
    for got_block, want_block in zip(actual, expected, strict=True):
        assert len(got_block) == len(want_block), got_block
        for (kind, text, subs), (want_kind, want_text, want_subs) in zip(got_block, want_block, strict=True):
            assert (kind, text[: len(want_text)]) == (want_kind, want_text)
            assert [(k, label, t[: len(w)]) for (k, label, t), (_k, _l, w) in zip(subs, want_subs, strict=True)] == (
                want_subs
            )
            assert len(subs) == len(want_subs)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_transcribes_every_question_and_help_question(loaded, slug):
    questions = []
    for block in Block.objects.filter(script__slug=slug).order_by("order"):
        questions += [(q.text, [h.text for h in help]) for q, help in outline(block.steps.all()).questions()]
    assert questions == QUESTIONS[slug]


@pytest.mark.django_db
def test_counts(loaded):
    steps = gesprekstafel_steps()
    assert steps.filter(kind=StepKind.QUESTION).count() == 32  # 20 central + 4 help + 2 + 2 + 4 closing
    assert steps.filter(kind=StepKind.GROUP).count() == 13
    assert steps.filter(kind=StepKind.INSTRUCTION).count() == 39
    assert steps.filter(parent=None).count() == 56


@pytest.mark.django_db
def test_the_old_questions_keep_their_pks(loaded):
    for pk, start in QUESTION_PKS.items():
        step = Step.objects.get(pk=pk)
        assert step.kind == StepKind.QUESTION
        assert step.text.startswith(start)
    new_pks = set(gesprekstafel_steps().exclude(pk__in=QUESTION_PKS).values_list("pk", flat=True))
    assert min(new_pks) >= 101 and max(new_pks) <= 999


@pytest.mark.django_db
def test_steps_obey_the_nesting_rules(loaded):
    for step in gesprekstafel_steps().select_related("parent"):
        step.full_clean()
        if step.parent_id:
            assert step.parent.parent_id is None
            assert step.parent.block_id == step.block_id
            assert step.parent.kind in (StepKind.QUESTION, StepKind.GROUP)
        if step.kind != StepKind.QUESTION:
            assert not step.perspective and not step.guidance
            assert not step.attention_points.exists()
    for parent in gesprekstafel_steps().filter(children__isnull=False).distinct():
        assert list(parent.children.order_by("order").values_list("order", flat=True)) == list(
            range(1, parent.children.count() + 1)
        )


@pytest.mark.django_db
def test_the_source_slip_of_three_announced_questions_carries_a_note(loaded):
    group = Step.objects.get(block__script__slug="gesprekstafel-1-start", text__contains="over 3 vragen:")
    assert group.kind == StepKind.GROUP
    assert group.editorial_note == "De bron kondigt hier 3 vragen aan, maar noemt er 2."
    assert [child.pk for child in group.children.order_by("order")] == [2, 3]
    notes = gesprekstafel_steps().exclude(editorial_note="")
    assert sorted(notes.values_list("pk", flat=True)) == sorted([group.pk, 18])


@pytest.mark.django_db
def test_the_inleiding_points_to_the_method_page_not_to_a_page_number(loaded):
    for block in Block.objects.filter(title="Inleiding", script__method__slug="gesprekstafels"):
        assert block.steps.get(parent=None, order=2).text == (
            "Introductie gespreksleider over de bedoeling, opzet en ‘spelregels’. Zie de introductie van de methode."
        )
    texts = [text for row in gesprekstafel_steps().values_list("text", "guidance") for text in row]
    assert not [text for text in texts if "pagina" in text]


@pytest.mark.django_db
def test_questions_link_to_the_frameworks_attention_points(loaded):
    terugblikken = Step.objects.get(text__startswith="Terugblikken en rondkijken")
    assert list(terugblikken.attention_points.values_list("pk", flat=True)) == [12]
    assert terugblikken.block.script.slug == "gesprekstafel-1-start"

    taal = Step.objects.get(text__startswith="Wat vinden de professionals van het taalgebruik")
    point = taal.attention_points.get()
    assert (point.phase.number, point.number, point.title) == (2, 3, "Gebruik de juiste taal")

    # Point 1.3 (ruimte voor professionals, doorlooptijd) is what GT1's "Praktische zaken" ask about.
    practical = Step.objects.get(text="Praktische zaken afstemmen:")
    for question in practical.children.all():
        assert list(question.attention_points.values_list("pk", flat=True)) == [13]
    linked = {pk: sorted(Step.objects.get(pk=pk).attention_points.values_list("pk", flat=True)) for pk in QUESTION_PKS}
    assert linked == {
        1: [11], 2: [11], 3: [11], 4: [], 5: [11], 6: [12], 7: [], 8: [21], 9: [21], 10: [24], 11: [], 12: [22],
        13: [23], 14: [21], 15: [25], 16: [32], 17: [], 18: [33], 19: [33], 20: [31], 21: [31], 22: [34],
        23: [34], 24: [34],
    }  # fmt: skip


@pytest.mark.django_db
def test_linked_attention_points_belong_to_the_scripts_phase(loaded):
    for step in gesprekstafel_steps().prefetch_related("attention_points").select_related("block__script"):
        for point in step.attention_points.all():
            assert point.phase_id == step.block.script.phase_id


@pytest.mark.django_db
def test_perspectives_and_guidance_follow_the_source(loaded):
    waarom = Step.objects.get(pk=1)
    assert waarom.perspective == "onderzoeker"
    assert waarom.guidance.splitlines() == [
        "de onderzoeker introduceert zijn perspectief door antwoord te geven op deze vraag nadat hij eerst het "
        "onderzoek heeft toegelicht.",
        "Interactie: de deelnemers kunnen plenair vragen stellen aan de onderzoeker.",
    ]
    clients = Step.objects.filter(text="Hoe is de cliënt/burger geholpen met dit onderzoek?")
    assert {q.perspective for q in clients} == {"client"}
    relevance = Step.objects.get(pk=18)
    assert relevance.perspective == "professional"
    assert relevance.editorial_note == "De bron noemt hier de perspectieven professionals en cliënten."
    perspectives = dict(gesprekstafel_steps().exclude(perspective="").values_list("pk", "perspective"))
    assert perspectives == {
        1: "onderzoeker", 2: "professional", 3: "client", 4: "omgeving", 5: "omgeving", 6: "omgeving",
        7: "onderzoeker", 8: "professional", 9: "client", 11: "omgeving", 12: "omgeving", 13: "omgeving",
        16: "onderzoeker", 17: "professional", 18: "professional",
    }  # fmt: skip


@pytest.mark.django_db
def test_tips_per_audience(loaded):
    method = Method.objects.get(slug="gesprekstafels")
    tips = {
        audience: list(method.tips.filter(audience=audience).order_by("order").values_list("text", flat=True))
        for audience in ("gespreksleider", "deelnemer", "onderzoeker", "basisprincipe")
    }
    assert tips == {
        "gespreksleider": [
            "Zorg voor een veilige omgeving aan de hand van de spelregels.",
            "Probeer als gespreksleider iedere deelnemer te laten bijdragen.",
            "Houd als gespreksleider de tijd in de gaten. De tijden zijn uiteraard slechts richtlijnen.",
            "Afhankelijk van de context en de dynamiek kun je als gespreksleider er voor kiezen eerst iedere "
            "individuele deelnemer te laten reageren op een vraag om vervolgens het groepsgesprek te openen. Je "
            "kunt er ook voor kiezen het groepsgesprek direct te openen (vragen om reacties of aanwijzen personen).",
        ],
        "deelnemer": [
            "Wees open, eerlijk en nieuwsgierig naar elkaar (OENig).",
            "Luister positief, laat elkaar uitspreken en durf niet te weten.",
            "Probeer actief bij te dragen. Praat uitsluitend vanuit jezelf, de ik-vorm.",
            "Laat elkaar uitspreken.",
        ],
        "onderzoeker": [
            "Tip voor de onderzoeker(s) ter voorbereiding van een gesprekstafel: lees het paper De praktijk van de "
            "uitvoerende professional in het sociaal domein zodat je de professionele praktijk leert kennen."
        ],
        "basisprincipe": [],
    }
    assert method.participant_rules_intro == (
        "Geef als gespreksleider de onderstaande tips/spelregels mee aan de deelnemers voordat de Gesprekstafel start:"
    )


ROLE_DESCRIPTIONS = {
    "Gespreksleider": [
        "De rol van gespreksleider kan ingevuld worden door een medewerker van de deelnemende gemeente of "
        "gemeentelijke uitvoeringsdienst maar wordt idealiter ingevuld door een onafhankelijke persoon. Het is "
        "bijvoorbeeld een mogelijkheid dat een vertegenwoordiger van beroepsvereniging SAM de rol van "
        "gespreksleider invult.",
        "Het is de bedoeling dat de gespreksleider samen met de groep deelnemers antwoorden gaat formuleren op de "
        "centrale vragen. De gespreksleider heeft de taak om het gesprek op gang te brengen, in goede banen te "
        "leiden en met de deelnemers de belangrijkste resultaten samen te vatten en vast te leggen, met "
        "ondersteuning van de secretaris.",
        "Overige taken: Terugkoppelen belangrijkste opbrengsten van de Gesprekstafel tijdens het laatste plenaire "
        "gedeelte. Dit kan op basis van de notities die de secretaris maakt op de flip of met behulp van de "
        "online tool Mural.",
    ],
    "Secretaris": [
        "De rol van gespreksleider kan ingevuld worden door een medewerker van de deelnemende gemeente of "
        "gemeentelijke uitvoeringsdienst maar wordt idealiter ingevuld door een onafhankelijke persoon. Dit geldt "
        "ook voor de rol van secretaris.",
        "Overige taken: Een beknopt verslag - mede op basis van de flip of Mural - van de opbrengsten van de "
        "Gesprekstafel maken en sturen naar onderzoeker(s), professionals en de vertegenwoordiging van "
        "beleid/management.",
    ],
    "Onderzoeker(s)": [
        "De onderzoeker is de procesregisseur van het onderzoeksproces. Daarmee is de onderzoeker er "
        "verantwoordelijk voor dat het goede gesprek over de aansluiting van onderzoek bij de professionele "
        "praktijk daadwerkelijk wordt gevoerd tijdens alle onderzoeksfasen. Uiteraard kunnen professionals ook "
        "zelf een gesprekstafel of informeel gesprek initiëren als dat nodig is maar de primaire "
        "verantwoordelijkheid voor de aansluiting bij de praktijk ligt bij de onderzoeker als procesregisseur."
    ],
    "(Deelnemende) professionals": [
        "De professional is inhoudelijk opdrachtgever van het onderzoek aangezien de professional eigenaar is van "
        "de uitvoeringspraktijk en daarvoor verantwoordelijkheid draagt. De professional participeert dus niet "
        "slechts in een onderzoek maar stuurt op de inhoud."
    ],
    "Vertegenwoordiging van beleid en management": ["Een vertegenwoordiging van het betrokken beleid en management."],
}


@pytest.mark.django_db
def test_roles_use_the_sources_definitions_and_repeat_no_script_step(loaded):
    method = Method.objects.get(slug="gesprekstafels")
    roles = {role.name: role.description.split("\n\n") for role in method.roles.order_by("order")}
    assert roles == ROLE_DESCRIPTIONS
    assert list(roles) == list(ROLE_DESCRIPTIONS)
    step_texts = [
        normalise(text) for row in gesprekstafel_steps().values_list("text", "guidance") for text in row if text
    ]
    sentences = [
        sentence
        for description in Role.objects.filter(method=method).values_list("description", flat=True)
        for sentence in re.split(r"(?<=[.?!])\s+", normalise(description))
    ]
    for sentence in sentences:
        assert not [step for step in step_texts if sentence in step or step in sentence], sentence


def source_paragraph(source, start, end):
    begin = source.index(start)
    return source[begin : source.index(end, begin) + len(end)]


@pytest.mark.django_db
def test_method_texts_hold_the_sources_method_paragraphs_verbatim(loaded):
    if not SOURCE_FILE.exists():
        pytest.skip(f"source {SOURCE_FILE} not found")
    # Footnote markers ("onderzoek.1") are not part of the text.
    source = re.sub(r"\.\d ", ". ", normalise(SOURCE_FILE.read_text(encoding="utf-8")))
    method = Method.objects.get(slug="gesprekstafels")
    texts = {
        "introduction": normalise(method.introduction),
        "purpose": normalise(method.purpose),
        "safe_environment": normalise(method.safe_environment),
    }
    paragraphs = {
        "Introductie": ("introduction", "Met behulp van de gespreksmethodiek", "onderzoek nuttig."),
        "Draaiboek Gesprekstafels": ("introduction", "In onderstaande draaiboeken", "ondersteuning van de secretaris."),
        "Doel en doelgroep": ("purpose", "Deze gespreksmethodiek is een handreiking", "binnen het sociaal domein."),
        "Rollen": ("purpose", "Het doel van deze gespreksmethodiek is om", "betrokken beleid en management."),
        "Een veilige omgeving": ("safe_environment", "Een Gesprekstafel kan alleen", "in onderstaande draaiboeken."),
    }
    for name, (field, start, end) in paragraphs.items():
        paragraph = source_paragraph(source, start, end)
        assert len(paragraph) > 300, name
        assert paragraph in texts[field], name
    for text in texts.values():
        assert "pagina" not in text
        assert not re.search(r"[a-z.]\d\b", text)  # no footnote markers
    assert method.editorial_note == ""


@pytest.mark.django_db
def test_only_the_closing_block_is_protected(loaded):
    assert set(Block.objects.filter(is_protected=True).values_list("order", flat=True)) == {4}
    assert not Block.objects.filter(is_optional=True).exists()
    for block in Block.objects.filter(order=4, script__method__slug="gesprekstafels"):
        last = block.steps.filter(parent=None).order_by("-order").first()
        assert (last.kind, last.text) == (StepKind.INSTRUCTION, "Afsluiting.")


@pytest.mark.django_db
def test_follow_up_lines_stay_under_their_lead_in(loaded):
    groups = {
        block.script.slug: {
            step.text: [(child.kind, child.text) for child in step.subpoints]
            for step, _subpoints in outline(block.steps.all())
            if step.is_group
        }
        for block in Block.objects.filter(order=4).select_related("script")
    }
    assert groups["gesprekstafel-1-start"]["Vervolgafspraken (door de onderzoeker):"] == [
        (
            "instructie",
            "communicatie over het onderzoek tijdens het onderzoeksproces en informatie over de volgende bijeenkomsten.",
        )
    ]
    assert groups["gesprekstafel-2-uitvoering"] == {
        "Vervolgafspraken (door de onderzoeker):": [
            (
                "instructie",
                "communicatie over het onderzoek tijdens het onderzoeksproces en informatie over de volgende "
                "bijeenkomst(en).",
            )
        ]
    }
    assert groups["gesprekstafel-3-implementatie"] == {
        "Toelichting door de onderzoeker bij:": [
            ("instructie", "de communicatie over de onderzoeksresultaten"),
            ("instructie", "de implementatie van de onderzoeksresultaten en de eindproducten"),
            ("instructie", "andere concrete vervolgstappen naar aanleiding van het onderzoek"),
        ],
        "Vervolgafspraken (door de onderzoeker):": [
            ("vraag", "Hoe blijven we de impact monitoren?"),
            ("vraag", "Hoe houden we contact?"),
        ],
        "Rondvraag:": [
            ("vraag", "Hoe hebben de professionals het onderzoeksproces als geheel ervaren?"),
            ("vraag", "Hoe hebben de deelnemers deze bijeenkomst ervaren?"),
        ],
    }


@pytest.mark.django_db
def test_text_is_repaired_utf8_without_pdf_debris(loaded):
    texts = list(Block.objects.values_list("suggested_approach", flat=True))
    for row in gesprekstafel_steps().values_list("text", "guidance", "label", "editorial_note"):
        texts += row
    method = Method.objects.get(slug="gesprekstafels")
    texts += [method.introduction, method.purpose, method.safe_environment, method.participant_rules_intro]
    texts += list(method.roles.values_list("description", flat=True))
    texts += list(Script.objects.values_list("footnote", flat=True))
    joined = "\n".join(texts)
    for debris in ("cliént", "initiér", "creéer", "(perspectief", "Draaiboek Gesprekstafel", "http", "\t", "  "):
        assert debris not in joined
