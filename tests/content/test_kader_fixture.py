"""The framework fixture is a faithful, clean transcription of the Kwaliteits- en afwegingskader."""

import pytest
from django.core.management import call_command

from kader.models import AttentionPoint, ExplanationSection, IntroSection, Phase

EXPECTED_POINTS = [
    (
        "1.1",
        "De professional als inhoudelijk opdrachtgever. Voer voor de start van een onderzoek een praktijktoets uit.",
    ),
    ("1.2", "Blik eerst terug en kijk rond: wat is er al?"),
    ("1.3", "Borg aan de voorkant ruimte voor professionals en beperk de doorlooptijd"),
    ("2.1", "Blijf afstemmen met professionals om tijdig bij te sturen"),
    ("2.2", "Organiseer steun bij beleid en management"),
    ("2.3", "Gebruik de juiste taal"),
    ("2.4", "Inzetten op zinnige verantwoording: balanceren tussen financier en professionele praktijk"),
    ("2.5", "De onderzoeker als procesregisseur. Zet in op degelijk procesmanagement"),
    ("3.1", "Ontwerp toegankelijke producten om je resultaten over te brengen"),
    ("3.2", "Maak van het delen van de resultaten een interactief proces"),
    ("3.3", "Maak de maatschappelijke en praktische relevantie concreet in de conclusie"),
    ("3.4", "Betrek het perspectief van de professional bij aanbevelingen voor vervolgonderzoek"),
]

# One distinctive sentence per point, copied from the background document.
KEY_SENTENCES = {
    "1.1": "Het is dus essentieel om als onderzoeker de waarom-vraag achter een onderzoek duidelijk te maken.",
    "1.2": "Het is nuttig om in de eerste onderzoeksfase als onderzoeker je te verdiepen in de vraag: wat is er eigenlijk al?",
    "1.3": "Deze professionals hebben een groot cliëntenbestand en moeten voldoen aan de eisen van de systeemwereld.",
    "2.1": "Naast een praktijktoets bij de start van een onderzoek zijn tussentijdse praktijktoetsen essentieel.",
    "2.2": "Het werkt motiverend om deelname aan een onderzoek te presenteren als gezamenlijk ontwikkeltraject",
    "2.3": "De taal van de wetenschapper is niet altijd de taal van de uitvoerende professional actief in het sociaal domein.",
    "2.4": (
        "Financiers zouden bijvoorbeeld een pool aan professionals kunnen samenstellen om "
        "onderzoeksvoorstellen mede te beoordelen op nut en noodzaak voor de uitvoeringspraktijk."
    ),
    "2.5": (
        "Het vraagt van een onderzoeker blijvende aandacht en tijdsinvestering om de verbinding "
        "tussen het onderzoek en de professionele praktijk te leggen en behouden."
    ),
    "3.1": (
        "Denk hierbij aan stappenplannen, infographics, online tools/E-tools, interviews met "
        "professionals, praatplaten, projectkaarten, deelbare presentaties of videomateriaal."
    ),
    "3.2": "Om draagvlak te creëren kun je enthousiaste ambassadeurs aanwijzen",
    "3.3": "Door aan het einde van een onderzoeksproject (nogmaals) aandacht te besteden aan de maatschappelijke en praktische relevantie",
    "3.4": "Adviezen van professionals kunnen bijvoorbeeld inzicht geven in waar kennislacunes nog moeten worden gedicht.",
}

OCR_DEBRIS = [
    "cliént",
    "creé",
    "initié",
    "zZ",
    "hogmaals",
    "continuit",
    "geimplement",
    "Achtergronddocument",
    "Schematische weergave",
    "Oplegger ter introductie",
    "®",
    "™",
    "—",
    "->",
    "  ",
]


# The source introduces phase 3 only; the former phase 1 and 2 introductions were sentences of
# points 1.1 and 2.1, which the phase page already shows.
PHASE_3_INTRODUCTION = (
    "De resultaten van wetenschappelijk onderzoek kunnen professionals concrete handvatten bieden binnen de "
    "dagelijkse uitvoeringspraktijk. Om de vertaalslag te maken van wetenschap naar praktijk is enkel het "
    "schriftelijk delen van de resultaten niet voldoende. Om onderzoeksresultaten werkelijk te laten ‘landen’ in "
    "een organisatie of binnen een beroepsgroep is meer nodig dan alleen het op de hoogte brengen van de "
    "professional. Om impact te genereren is het belangrijk om als wetenschapper actief aan de slag te gaan met de "
    "vertaling naar de praktijk."
)
LIFTED = {
    "1.1": "Het is cruciaal dat de onderzoeker/de onderzoeksgroep, het beleid en management en uitvoerende "
    "professionals perspectieven, belangen en wederzijdse verwachtingen delen bij de start van een onderzoek.",
    "2.1": "Naast een praktijktoets bij de start van een onderzoek zijn tussentijdse praktijktoetsen essentieel. "
    "Blijf als onderzoeker het gesprek aangaan met uitvoerende professionals over de relevantie van een onderzoek "
    "voor de professionele praktijk.",
}


@pytest.fixture
def kader(db):
    call_command("loaddata", "fixtures/kader.json", verbosity=0)


def _points():
    return list(AttentionPoint.objects.select_related("phase"))


def _explanation_text(point):
    return "\n\n".join(section.body for section in point.sections.all())


@pytest.mark.django_db
def test_it_has_three_phases_and_twelve_points(kader):
    assert list(Phase.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert AttentionPoint.objects.count() == 12
    per_phase = [phase.attention_points.count() for phase in Phase.objects.all()]
    assert per_phase == [3, 5, 4]


@pytest.mark.django_db
def test_it_has_the_expected_codes_and_titles(kader):
    assert [(point.code, point.title) for point in _points()] == EXPECTED_POINTS


@pytest.mark.django_db
def test_it_keeps_a_key_sentence_of_each_explanation(kader):
    points = {point.code: point for point in _points()}
    assert set(points) == set(KEY_SENTENCES)
    for code, sentence in KEY_SENTENCES.items():
        assert sentence in _explanation_text(points[code]), code


@pytest.mark.django_db
def test_it_has_the_subheadings_of_the_background_document(kader):
    headings = set(ExplanationSection.objects.values_list("heading", flat=True))
    assert "Gebruik een gestructureerde gespreksmethodiek voor de praktijktoets" in headings
    assert "Betrek het cliëntperspectief in de praktijktoets" in headings


@pytest.mark.django_db
def test_it_numbers_the_sections_of_each_point_from_one(kader):
    for point in _points():
        orders = [section.order for section in point.sections.all()]
        assert orders == list(range(1, len(orders) + 1)), point.code


@pytest.mark.django_db
def test_it_has_the_introduction_sections(kader):
    headings = list(IntroSection.objects.values_list("heading", flat=True))
    assert "De aanleiding en context van dit project" in headings
    assert "Doel: samen onderzoeken en leren" in headings
    assert "Onderscheid met het experiment Vraagtafels" in headings
    assert any(heading.startswith("Doelgroepen:") for heading in headings)


@pytest.mark.django_db
def test_it_contains_no_ocr_or_page_debris(kader):
    texts = [
        *(s.heading for s in ExplanationSection.objects.all()),
        *(s.body for s in ExplanationSection.objects.all()),
        *(s.body for s in IntroSection.objects.all()),
        *(p.introduction for p in Phase.objects.all()),
        *(p.title for p in AttentionPoint.objects.all()),
    ]
    for text in texts:
        for debris in OCR_DEBRIS:
            assert debris not in text, (debris, text[:80])
        assert text == text.strip()
        assert "\n\n\n" not in text


@pytest.mark.django_db
def test_only_phase_3_has_an_introduction(kader):
    assert list(Phase.objects.values_list("number", "introduction")) == [(1, ""), (2, ""), (3, PHASE_3_INTRODUCTION)]


@pytest.mark.django_db
def test_the_lifted_sentences_stay_with_their_points_only(kader):
    points = {point.code: point for point in _points()}
    for code, sentence in LIFTED.items():
        assert _explanation_text(points[code]).count(sentence) == 1, code
        phase = points[code].phase
        page = [phase.introduction, *(_explanation_text(point) for point in phase.attention_points.all())]
        assert "\n".join(page).count(sentence) == 1, code
