"""The work-form fixture is a faithful transcription of the Movisie toolbox (seed 003)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.html import escape

from draaiboeken.models import (
    Audience,
    LemniscatePhase,
    Reading,
    ToolboxLink,
    ToolboxSection,
    WorkFormCategory,
    WorkFormTool,
)

PHASES = [
    "Ervaringen verzamelen",
    "Ervaringen vertalen",
    "Beleid en uitvoering aanpassen",
    "Terugkoppeling geven",
]

CATEGORIES = [
    "Algemene gespreksmethoden",
    "Verdiepende gespreksmethoden",
    "Meelopen in de praktijk",
    "(Online) peilingen",
    "Muzische en creatieve vormen",
    "Veranderaanpakken",
]

# In pk order: other fixtures link to these pks (e.g. the Waarderend method builds on 6.1, pk 26).
EXPECTED = [
    ("1.1", "Advies- of cliëntenraad"),
    ("1.2", "Praatplaat"),
    ("1.3", "Brainstormsessie"),
    ("1.4", "Wereldcafé"),
    ("1.5", "Pizza meeting of tea for two"),
    ("1.6", "Dialoogtafel"),
    ("2.1", "Storytelling"),
    ("2.2", "Klantreis sociaal domein"),
    ("2.3", "Persona"),
    ("2.4", "Focusgroep"),
    ("2.5", "Spiegelgesprek"),
    ("2.6", "Peerconsultatie"),
    ("3.1", "Dagboekmethode"),
    ("3.2", "Schouw"),
    ("3.3", "Mystery guest"),
    ("3.4", "Shadowing/schaduwen"),
    ("3.5", "Zorg en ondersteuning Evaluatie Tool (ZET)"),
    ("4.1", "Flitspeiling"),
    ("4.2", "Wensen- en suggestiekaart"),
    ("4.3", "Online vertelpunt Zorg voor de Jeugd"),
    ("4.4", "Meer (online) peilingen"),
    ("5.1", "Theater"),
    ("5.2", "Fotoscan"),
    ("5.3", "Spelvormen"),
    ("5.4", "Meer muzische en creatieve vormen"),
    ("6.1", "Waarderend onderzoek/Appreciative Inquiry"),
    ("6.2", "Design Thinking"),
]

# The two "Meer ..." entries are overviews of several small forms; the source gives them
# no Wanneer and no Met wie, so those fields stay empty rather than invented.
OVERVIEWS = {"4.4", "5.4"}

# 3.2 and 3.3 are described by the source label "Doel", not "Wanneer".
PURPOSES = {
    "3.2": "Achterhalen welke knelpunten cliënten ervaren in hun aanvraag tot hulp of ondersteuning, suggesties "
    "voor verbetering bij hen ophalen en betrokkenheid van inwoners stimuleren.",
    "3.3": "Achterhalen welke knelpunten cliënten ervaren in hun aanvraag tot hulp of ondersteuning en suggesties "
    "voor verbetering bij hen ophalen.",
}

# Tagged only with what the source's "Met wie" names, in its own words. 1.1 says "Per thema
# verschillend" (no audience), 4.4 and 5.4 have no "Met wie"; theater's "doelgroep … die
# achterblijft" gets no tag of its own.
AUDIENCE_SLUGS = [
    "clienten",
    "gemeente-en-beleidsmedewerkers",
    "hulpverleners",
    "inwoners",
    "jeugdigen",
    "moeilijk-bereikbare-groepen",
    "ouders-naasten-en-mantelzorgers",
    "professionals",
    "vrijwilligers",
]
CI = {"clienten", "inwoners"}
AUDIENCES = {
    "1.1": set(),
    "1.2": CI,
    "1.3": CI,
    "1.4": CI,
    "1.5": {"moeilijk-bereikbare-groepen"},
    "1.6": {"inwoners"},
    "2.1": CI,
    "2.2": CI | {"professionals", "gemeente-en-beleidsmedewerkers"},
    "2.3": CI,
    "2.4": CI,
    "2.5": {"clienten", "hulpverleners"},
    "2.6": CI,
    "3.1": {"clienten"},
    "3.2": {"clienten"},
    "3.3": {"clienten"},
    "3.4": {"clienten"},
    "3.5": CI | {"professionals", "gemeente-en-beleidsmedewerkers"},
    "4.1": CI,
    "4.2": {"clienten", "ouders-naasten-en-mantelzorgers"},
    "4.3": {"jeugdigen", "ouders-naasten-en-mantelzorgers", "professionals"},
    "4.4": set(),
    "5.1": {"professionals", "ouders-naasten-en-mantelzorgers", "vrijwilligers"},
    "5.2": CI,
    "5.3": CI,
    "5.4": set(),
    "6.1": CI | {"professionals"},
    "6.2": CI,
}

OSBORN = (
    "‘Een brainstormsessie zet je in om patiënten en cliënten na te laten denken over nieuwe ideeën voor beleid, "
    "kwaliteit of onderzoek. De Amerikaan Alex Osborn ontwikkelde een methode.’ ‘Een gespreksleider zet cliënten "
    "en patiënten aan om ideeën en oplossingen voor een probleem te bedenken.’"
)

# "Meer lezen" entries per tool; for 4.4 and 5.4 the read-more pointers in their text.
READING_COUNTS = {
    "1.1": 3, "1.2": 3, "1.3": 1, "1.4": 3, "1.5": 3, "1.6": 3,
    "2.1": 2, "2.2": 3, "2.3": 4, "2.4": 3, "2.5": 3, "2.6": 2,
    "3.1": 1, "3.2": 3, "3.3": 2, "3.4": 2, "3.5": 2,
    "4.1": 3, "4.2": 1, "4.3": 2, "4.4": 3,
    "5.1": 3, "5.2": 2, "5.3": 3, "5.4": 3,
    "6.1": 2, "6.2": 1,
}  # fmt: skip
READINGS = 66
# Seed 003 holds 75 distinct URLs: 54 belong to "Meer lezen" entries; the other 21 are the front
# matter's links (11) and "Bron:" attributions no entry points to (10).
DISTINCT_URLS = 54

SAMPLE_READINGS = {
    "1.4": [
        (
            "Lees in de publicatie Jongerenparticipatie gewoon doen! op pagina 24 een voorbeeld (daar wordt het "
            "praatcafé/terrasdebat genoemd)",
            "https://www.movisie.nl/sites/movisie.nl/files/publication-attachment/"
            "Jongerenparticipatie%20Gewoon%20doen%20%5BMOV-177794-0.3%5D.pdf",
        ),
        (
            "Lees hier meer over de werkvorm en de 7 principes voor een succesvol Wereldcafé",
            "http://www.kansplus.nl/mediabank/Werkvorm%20the%20world%20cafe.pdf",
        ),
        ("Bekijk de website van The World Cafe", "http://www.theworldcafe.com/"),
    ],
    "2.3": [
        (
            "Lees meer over het maken van een persona en bekijk voorbeelden van persona’s in de brochure (Wmo) "
            "beleid maken met persona’s",
            "https://www.movisie.nl/sites/movisie.nl/files/2018-04/wmo-beleid-maken-met-personas.pdf",
        ),
        (
            "Lees in de publicatie Ervaringskennis in beleid op pagina 20 over een voorbeeld van het inzetten van "
            "de persona methodiek",
            "https://www.movisie.nl/sites/movisie.nl/files/2018-09/"
            "ervaringskennis-in-beleid%20%5BMOV-13878957-1.0%5D%281%29.pdf",
        ),
        (
            "Bekijk de vier persona’s van Agora, gemaakt door Movisie",
            "https://www.agora.nl/kennisbank/maak-kennis-met-de-personas-van-agora/",
        ),
        (
            "Bekijk instrument 7: ‘Persona methodiek’ uit de waaier 11 inspirerende instrumenten om mensen met een "
            "licht verstandelijke beperking een stem te geven",
            "https://www.movisie.nl/sites/movisie.nl/files/publication-attachment/"
            "11-inspirerende-instrumenten-lvb-stem-geven%20%5BMOV-13743483-1.0%5D.pdf",
        ),
    ],
    "4.1": [
        ("Gemeente Utrecht zette een flitspeiling in onder inwoners om informatie op te halen over schulden", ""),
        (
            "Bekijk een voorbeeld van een flitspeiling onder gemeenten over het VN-verdrag Handicap op de website "
            "van Movisie",
            "https://www.movisie.nl/artikel/vn-verdrag-handicap-vijf-jaar-na-ratificatie",
        ),
        (
            "Lees een ander voorbeeld van een onderzoek naar politieke vertegenwoordiging en inspraak van jongeren "
            "waarbij een flitspeiling is ingezet",
            "https://www.rijksoverheid.nl/documenten/rapporten/2020/06/17/"
            "flitspeiling-politieke-vertegenwoordiging-en-inspraak-van-jongeren",
        ),
    ],
    "5.4": [
        ("Kijk ook op: Werkvormen | Musework", "https://www.musework.nl/nl/werkvormen"),
        ("Kijk op: Zelfportretten | Musework", "https://www.musework.nl/nl/page/752/zelfportretten"),
        (
            "Kijk op: Vergeet jezelf niet als bron | Musework",
            "https://www.musework.nl/nl/page/2731/vergeet-jezelf-niet-als-bron",
        ),
    ],
}

# Source links that are no "Meer lezen" entry: none of them may appear as a reading.
NOT_READINGS = [
    "https://www.participatiewijzer.nl/methode-detail/111",  # 1.1 Bron
    "https://participatiekompas.nl/wereldcafe-delen-van-kennis-en-inzichten",  # 1.4 Bron
    "https://www.citisens.nl/producten/flitspeiling/",  # 4.1 Bron
    "https://www.movisie.nl/artikel/toegangsscan-toegang-snel-zicht-waar-beter-kan",  # front matter
]

TEXT_FIELDS = ["code", "name", "when", "purpose", "with_whom", "description", "source"]
PHONE = re.compile(r"(\+31|\b0\d{1,3}[-\s]?\d{6,8}\b|\b\d{3}[-\s]\d{3}[-\s]\d{2,4}\b)")


@pytest.fixture
def toolbox(db):
    call_command("loaddata", "fixtures/werkvormen.json", verbosity=0)


def _tool(code):
    return WorkFormTool.objects.get(code=code)


def test_lemniscate_phases(toolbox):
    phases = list(LemniscatePhase.objects.order_by("number"))
    assert [(p.number, p.name) for p in phases] == list(enumerate(PHASES, 1))
    assert all(p.description for p in phases)


def test_categories(toolbox):
    categories = list(WorkFormCategory.objects.order_by("number"))
    assert [(c.number, c.name) for c in categories] == list(enumerate(CATEGORIES, 1))
    assert all(c.description for c in categories)


def test_every_tool_in_source_order_with_its_pk(toolbox):
    tools = WorkFormTool.objects.select_related("category").order_by("pk")
    assert [(t.pk, t.code, t.name) for t in tools] == [(pk, *item) for pk, item in enumerate(EXPECTED, 1)]
    for tool in tools:
        number, order = tool.code.split(".")
        assert tool.category.number == int(number)
        assert tool.order == int(order)


def test_tools_have_content(toolbox):
    for tool in WorkFormTool.objects.all():
        assert tool.description.strip(), tool.code
        if tool.code in OVERVIEWS:
            assert (tool.when, tool.purpose, tool.with_whom) == ("", "", ""), tool.code
        elif tool.code in PURPOSES:
            assert tool.when == "", tool.code
            assert tool.with_whom == "Cliënten die mondig en kritisch zijn.", tool.code
        else:
            assert tool.when.strip(), tool.code
            assert tool.purpose == "", tool.code
            assert tool.with_whom.strip(), tool.code


def test_the_source_label_doel_is_the_purpose(toolbox):
    assert {tool.code: tool.purpose for tool in WorkFormTool.objects.exclude(purpose="")} == PURPOSES


def test_the_cited_author_of_the_brainstorm_method_is_kept(toolbox):
    assert _tool("1.3").description == OSBORN
    assert not WorkFormTool.objects.filter(description__contains="[…]").exists()


def test_no_urls_addresses_or_phone_numbers_in_the_texts(toolbox):
    texts = [(tool.code, field, getattr(tool, field)) for tool in WorkFormTool.objects.all() for field in TEXT_FIELDS]
    texts += [(reading.tool.code, "reading", reading.title) for reading in Reading.objects.select_related("tool")]
    for code, field, value in texts:
        assert "http" not in value, (code, field)
        assert "www." not in value, (code, field)
        assert "@" not in value, (code, field)
        assert not PHONE.search(value), (code, field)


def test_audiences_are_only_what_met_wie_names(toolbox):
    assert sorted(Audience.objects.values_list("slug", flat=True)) == AUDIENCE_SLUGS
    assert not Audience.objects.filter(name="Per thema verschillend").exists()
    assert Audience.objects.get(slug="hulpverleners").name == "Hulpverleners"
    tagged = {
        tool.code: {audience.slug for audience in tool.audiences.all()}
        for tool in WorkFormTool.objects.prefetch_related("audiences")
    }
    assert tagged == AUDIENCES
    assert Audience.objects.filter(tools__isnull=True).count() == 0


def test_audience_slugs_stay_stable(toolbox):
    assert list(Audience.objects.order_by("pk").values_list("pk", "slug")) == [
        (1, "inwoners"),
        (2, "clienten"),
        (3, "professionals"),
        (4, "gemeente-en-beleidsmedewerkers"),
        (5, "jeugdigen"),
        (6, "ouders-naasten-en-mantelzorgers"),
        (7, "vrijwilligers"),
        (8, "moeilijk-bereikbare-groepen"),
        (10, "hulpverleners"),
    ]


def test_every_meer_lezen_entry_is_a_reading(toolbox):
    assert Reading.objects.count() == READINGS
    counts = {tool.code: tool.readings.count() for tool in WorkFormTool.objects.all()}
    assert counts == READING_COUNTS
    for tool in WorkFormTool.objects.all():
        assert list(tool.readings.values_list("order", flat=True)) == list(range(1, counts[tool.code] + 1))
    assert all(1 <= pk <= 999 for pk in Reading.objects.values_list("pk", flat=True))


def test_the_readings_carry_the_source_links(toolbox):
    urls = list(Reading.objects.values_list("url", flat=True))
    assert urls.count("") == 1
    assert len(set(urls) - {""}) == DISTINCT_URLS
    validate = URLValidator()
    for url in set(urls) - {""}:
        try:
            validate(url)
        except ValidationError:
            pytest.fail(f"invalid URL {url!r}")
        assert " " not in url
    for code, expected in SAMPLE_READINGS.items():
        assert list(_tool(code).readings.values_list("title", "url")) == expected, code
    assert not Reading.objects.filter(url__in=NOT_READINGS).exists()


def test_a_link_shared_by_several_tools(toolbox):
    waaier = "https://www.movisie.nl/publicatie/inwoners-betrekken-sociaal-werk-zo-doe-je-dat"
    readings = Reading.objects.filter(url=waaier).select_related("tool").order_by("tool__pk", "order")
    assert [(r.tool.code, r.order) for r in readings] == [("3.2", 2), ("5.1", 1), ("5.2", 1), ("5.3", 3)]


# The toolbox's front matter (seed 003, before 1.1), in the source's order. The numbered list of the
# four lemniscate phases is not repeated here: it is draaiboeken.lemniscatephase.
TOOLBOX_HEADINGS = [
    "Inleiding",
    "Verschillende fasen",
    "Type tools",
    "Wie en wat wil je bereiken?",
    "Tot slot: de verbinding met het verplicht cliëntervaringsonderzoek (CEO)",
    "Wil je verder lezen en meer inspiratie opdoen?",
    "De toegangsscan",
]
MOVISIE = "https://www.movisie.nl/"
TOOLBOX_LINKS = {
    "Inleiding": [
        ("Lees de achtergrondinformatie.", MOVISIE + "artikel/achtergrondinformatie-verbetertraject-toegang"),
    ],
    "Verschillende fasen": [
        (
            "Lemniscaat Ervaringskennis in beleid (Cadat-Lampe et al., 2018)",
            MOVISIE + "sites/movisie.nl/files/2018-09/ervaringskennis-in-beleid%20%5BMOV-13878957-1.0%5D%281%29.pdf",
        ),
    ],
    "Type tools": [],
    "Wie en wat wil je bereiken?": [
        (
            "Lees meer over het bereiken van inwoners in dit artikel.",
            MOVISIE + "artikel/inwonersperspectief-kaart-brengen",
        ),
    ],
    "Tot slot: de verbinding met het verplicht cliëntervaringsonderzoek (CEO)": [
        (
            "Gemeenten hebben sinds 2021 de ruimte om dit verplichte CEO naar eigen inzicht en behoefte in te richten.",
            MOVISIE + "artikel/meer-vrijheid-gemeenten-uitvoering-clientervaringsonderzoek",
        ),
        ("Ervaringwijzer", "https://www.ervaringwijzer.nl/"),
    ],
    "Wil je verder lezen en meer inspiratie opdoen?": [
        ("Handreiking: Hoe maak ik een buurtagenda?", MOVISIE + "publicatie/handreiking-hoe-maak-ik-buurtagenda"),
        (
            "Inwoners betrekken in sociaal werk, zo doe je dat!",
            MOVISIE + "publicatie/inwoners-betrekken-sociaal-werk-zo-doe-je-dat",
        ),
        (
            "Onafhankelijke cliëntondersteuning: Hoe betrek je inwoners?",
            MOVISIE + "publicatie/onafhankelijke-clientondersteuning-hoe-betrek-je-inwoners",
        ),
        ("Keuzewijzer E-tools 2.0", MOVISIE + "publicatie/keuzewijzer-e-tools"),
        (
            "11 Inspirerende instrumenten om mensen met een licht verstandelijke beperking een stem te geven",
            MOVISIE + "publicatie/11-inspirerende-instrumenten-om-mensen-licht-verstandelijke-beperking-stem-te-geven",
        ),
        ("Beter beleid met ervaringskennis van inwoners", MOVISIE + "publicatie/beter-beleid-ervaringskennis-inwoners"),
        (
            "Participatietools voor meer zeggenschap en betrokkenheid inwoners",
            MOVISIE + "artikel/participatietools-meer-zeggenschap-betrokkenheid-inwoners",
        ),
    ],
    "De toegangsscan": [
        ("De toegangsscan", MOVISIE + "artikel/toegangsscan-toegang-snel-zicht-waar-beter-kan"),
    ],
}
MEDEBOUWER = (
    "Bedenk in welke fases je als gemeente wil samenwerken met inwoners om te bouwen aan een betere toegang. "
    "Ons advies: zie de inwoner als medebouwer. Dit zal bijdragen aan meer vertrouwen in de gemeente en "
    "mede-eigenaarschap voor de verbeteringen. In verschillende fases van een verbeterproject kunnen "
    "verschillende tools en groepen inwoners betrokken worden."
)


def test_the_toolbox_front_matter_sections_in_source_order(toolbox):
    sections = list(ToolboxSection.objects.order_by("order", "pk"))
    assert [s.heading for s in sections] == TOOLBOX_HEADINGS
    assert [(s.pk, s.order) for s in sections] == [(n, n) for n in range(1, len(TOOLBOX_HEADINGS) + 1)]
    assert all(s.body.strip() for s in sections)


def test_the_toolbox_front_matter_links(toolbox):
    assert ToolboxLink.objects.count() == 13
    links = {
        section.heading: list(section.links.order_by("order").values_list("title", "url"))
        for section in ToolboxSection.objects.all()
    }
    assert links == TOOLBOX_LINKS
    assert sorted(ToolboxLink.objects.values_list("pk", flat=True)) == list(range(1, 14))
    for section in ToolboxSection.objects.all():
        assert list(section.links.values_list("order", flat=True)) == list(range(1, section.links.count() + 1))


def test_the_toolbox_front_matter_texts(toolbox):
    fasen = ToolboxSection.objects.get(heading="Verschillende fasen").body
    assert MEDEBOUWER in fasen
    assert fasen.endswith(
        "Bron: Cadat-Lampe, M., Lucassen, A., Nourozi, S., & Sok, K. (2018). Ervaringskennis in beleid. Movisie."
    )
    assert "1. " not in fasen  # the four phases live in LemniscatePhase
    tools = ToolboxSection.objects.get(heading="Type tools").body
    assert "Deze suggesties zijn niet uitputtend" in tools
    assert "pas de tool aan naar jouw specifieke setting of doelgroep." in tools
    assert [line.split(":")[0] for line in tools.splitlines() if re.match(r"\d\. ", line)] == [
        f"{n}. {name}" for n, name in enumerate(CATEGORIES, 1)
    ]
    assert tools.split("\n\n")[-1] == (
        "De meeste tools in het overzicht kunnen zowel online als fysiek ingezet worden, tenzij deze specifiek "
        "ontwikkeld zijn voor online gebruik of voor fysiek gebruik."
    )
    who = ToolboxSection.objects.get(heading="Wie en wat wil je bereiken?").body
    assert who.split("\n\n")[-1].startswith("Cliënten zijn ook inwoners, maar niet alle inwoners")
    scan = ToolboxSection.objects.get(heading="De toegangsscan").body
    assert scan.endswith("wat goed gaat en wat beter kan rondom de toegang in hun gemeente.")
    assert "contact" not in scan


def test_no_contact_details_in_the_toolbox_front_matter(toolbox):
    for section in ToolboxSection.objects.all():
        for value in [section.heading, section.body, *section.links.values_list("title", flat=True)]:
            assert "@" not in value, section.heading
            assert not PHONE.search(value), section.heading
            assert "http" not in value and "www." not in value, section.heading
    validate = URLValidator()
    for url in ToolboxLink.objects.values_list("url", flat=True):
        validate(url)
        assert " " not in url


@pytest.mark.django_db
def test_the_work_forms_page_shows_the_toolbox_front_matter(client, toolbox, outsider):
    client.force_login(outsider)
    html = client.get(reverse("workforms:list")).content.decode()
    start = html.index("toolbox-introduction")
    intro = html[start : html.index("</details>", start)]
    positions = [intro.index(escape(heading)) for heading in TOOLBOX_HEADINGS]
    assert positions == sorted(positions)
    for title, url in ToolboxLink.objects.values_list("title", "url"):
        assert f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(title)}</a>' in intro
