"""The script fixture is a faithful transcription of the Gesprekstafels method (seed 000)."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from draaiboeken.models import Block, Method, Question, Role, Script, Tip

SLUGS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]

# Per script, in order: every central question with its help questions.
EXPECTED = {
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
    ],
    "gesprekstafel-2-uitvoering": [
        ("Hoe loopt het onderzoek tot nu toe?", []),
        (
            "Hoe kijken de professionals naar het lopende onderzoek? Ervaren zij het onderzoek "
            "(nog steeds) als zinvol voor de professionele praktijk?",
            [],
        ),
        (
            "Hoe is de cliënt/burger geholpen met dit onderzoek?",
            ["Gaat het project (nog steeds) over de echte problemen en vragen die spelen in de praktijk?"],
        ),
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
    ],
    "gesprekstafel-3-implementatie": [
        ("Wat zijn de resultaten van het onderzoek?", []),
        ("Hoe kijken we als professionals terug op het uitgevoerde onderzoek?", []),
        (
            "Is de relevantie voor de professionele praktijk en voor cliënten/burger/de lokale "
            "samenleving voldoende helder?",
            ["En komt dit ook voldoende tot uitdrukking in de conclusie en aanbevelingen van het onderzoek?"],
        ),
        (
            "Gaan deze producten helpen om het gewenste effect te bereiken?",
            [
                "Komt de relevantie voor de professionele praktijk en voor cliënten/burgers "
                "voldoende tot uiting in de eindproducten ten behoeve van de implementatie?"
            ],
        ),
        ("Wat zijn de aanbevelingen voor vervolgonderzoek?", []),
        (
            "Hoe kijken de professionals naar deze aanbevelingen?",
            ["Hoe zien zij het nut en de noodzaak van vervolgonderzoek op basis van hun praktijkervaring?"],
        ),
    ],
}


@pytest.fixture
def loaded(db):
    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)


def loaded_questions(slug):
    centrals = Question.objects.filter(block__script__slug=slug, parent=None).order_by("block__order", "order")
    return [(q.text, [h.text for h in q.help_questions.order_by("order")]) for q in centrals]


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


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_has_four_timed_blocks_of_150_minutes(loaded, slug):
    script = Script.objects.get(slug=slug)
    blocks = list(script.blocks.order_by("order"))
    assert [b.order for b in blocks] == [1, 2, 3, 4]
    assert [b.minutes for b in blocks] == [10, 60, 60, 20]
    assert [b.min_minutes for b in blocks] == [None, 40, 40, None]
    assert blocks[0].title == "Inleiding"
    assert [b.title for b in blocks[1:3]] == ["Gesprekstafel – ronde 1", "Gesprekstafel – ronde 2"]
    assert blocks[3].title == "Samenvatten belangrijkste opbrengsten + afsluiting"
    assert script.blocks.aggregate(total=Sum("minutes"))["total"] == 150
    assert script.total_minutes == 150


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_transcribes_every_central_and_help_question(loaded, slug):
    assert loaded_questions(slug) == EXPECTED[slug]


@pytest.mark.django_db
def test_help_questions_stay_in_their_central_questions_block(loaded):
    for help_question in Question.objects.exclude(parent=None):
        assert help_question.parent.block_id == help_question.block_id
        assert help_question.parent.parent_id is None


@pytest.mark.django_db
def test_questions_link_to_the_frameworks_attention_points(loaded):
    terugblikken = Question.objects.get(text__startswith="Terugblikken en rondkijken")
    assert list(terugblikken.attention_points.values_list("pk", flat=True)) == [12]
    assert terugblikken.block.script.slug == "gesprekstafel-1-start"

    taal = Question.objects.get(text__startswith="Wat vinden de professionals van het taalgebruik")
    point = taal.attention_points.get()
    assert (point.phase.number, point.number, point.title) == (2, 3, "Gebruik de juiste taal")


@pytest.mark.django_db
def test_linked_attention_points_belong_to_the_scripts_phase(loaded):
    for question in Question.objects.prefetch_related("attention_points").select_related("block__script"):
        for point in question.attention_points.all():
            assert point.phase_id == question.block.script.phase_id


@pytest.mark.django_db
def test_perspectives_follow_the_source_markers(loaded):
    waarom = Question.objects.get(text__startswith="De WAAROM-vraag")
    assert waarom.perspective == "onderzoeker"
    assert waarom.guidance.splitlines()[0].startswith("de onderzoeker introduceert zijn perspectief")
    clients = Question.objects.filter(text="Hoe is de cliënt/burger geholpen met dit onderzoek?")
    assert {q.perspective for q in clients} == {"client"}


@pytest.mark.django_db
def test_tips_per_audience(loaded):
    facilitator = list(Tip.objects.filter(audience="gespreksleider").order_by("order"))
    participant = list(Tip.objects.filter(audience="deelnemer").order_by("order"))
    assert len(facilitator) == 5
    assert len(participant) == 5
    assert facilitator[0].text == "Zorg voor een veilige omgeving aan de hand van de spelregels."
    assert facilitator[-1].text == (
        "Geef als gespreksleider de onderstaande tips/spelregels mee aan de deelnemers voordat de Gesprekstafel start:"
    )
    assert participant[0].text == "Wees open, eerlijk en nieuwsgierig naar elkaar (OENig)."
    assert participant[-1].text.startswith("Tip voor de onderzoeker(s) ter voorbereiding")
    assert participant[-1].text.endswith("zodat je de professionele praktijk leert kennen.")


@pytest.mark.django_db
def test_roles(loaded):
    method = Method.objects.get(slug="gesprekstafels")
    assert list(method.roles.values_list("name", flat=True)) == [
        "Gespreksleider",
        "Secretaris",
        "Onderzoeker(s)",
        "(Deelnemende) professionals",
        "Vertegenwoordiging van beleid en management",
    ]
    assert "onafhankelijke persoon" in Role.objects.get(name="Secretaris").description
    assert "procesregisseur" in Role.objects.get(name="Onderzoeker(s)").description
    assert "inhoudelijk opdrachtgever" in Role.objects.get(name="(Deelnemende) professionals").description


@pytest.mark.django_db
def test_only_the_closing_block_is_protected_and_it_holds_the_follow_up(loaded):
    assert set(Block.objects.filter(is_protected=True).values_list("order", flat=True)) == {4}
    assert not Block.objects.filter(is_optional=True).exists()
    closing = {b.script.slug: b for b in Block.objects.filter(order=4).select_related("script")}
    assert closing["gesprekstafel-1-start"].practical_lines == [
        "Is er voldoende ruimte voor professionals om mee te doen aan het onderzoek?",
        "Hoe lang gaat het onderzoek lopen en welke invloed heeft dat op de meerwaarde van "
        "het onderzoek voor professionals?",
    ]
    assert closing["gesprekstafel-2-uitvoering"].practical_lines == []
    assert closing["gesprekstafel-3-implementatie"].follow_up_lines == [
        "Hoe blijven we de impact monitoren?",
        "Hoe houden we contact?",
    ]
    for block in closing.values():
        assert block.follow_up_lines
        assert block.instruction_lines[-1] == "Afsluiting."


@pytest.mark.django_db
def test_text_is_repaired_utf8_without_pdf_debris(loaded):
    texts = []
    for block in Block.objects.all():
        texts += [block.instructions, block.suggested_approach, block.practical_matters, block.follow_up]
    texts += list(Question.objects.values_list("text", flat=True))
    texts += list(Question.objects.values_list("guidance", flat=True))
    method = Method.objects.get()
    texts += [method.introduction, method.purpose, method.safe_environment]
    joined = "\n".join(texts)
    for debris in ("cliént", "creéer", "(perspectief", "Draaiboek Gesprekstafel", "http", "\t"):
        assert debris not in joined
