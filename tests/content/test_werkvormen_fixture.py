"""The work-form fixture is a faithful transcription of the Movisie toolbox (seed 003)."""

import re

import pytest
from django.core.management import call_command

from draaiboeken.models import Audience, LemniscatePhase, WorkFormCategory, WorkFormTool

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

TEXT_FIELDS = ["code", "name", "when", "with_whom", "description", "source", "further_reading"]
PHONE = re.compile(r"(\+31|\b0\d{1,3}[-\s]?\d{6,8}\b|\b\d{3}[-\s]\d{3}[-\s]\d{2,4}\b)")


@pytest.fixture
def toolbox(db):
    call_command("loaddata", "fixtures/werkvormen.json", verbosity=0)


def test_lemniscate_phases(toolbox):
    phases = list(LemniscatePhase.objects.order_by("number"))
    assert [(p.number, p.name) for p in phases] == list(enumerate(PHASES, 1))
    assert all(p.description for p in phases)


def test_categories(toolbox):
    categories = list(WorkFormCategory.objects.order_by("number"))
    assert [(c.number, c.name) for c in categories] == list(enumerate(CATEGORIES, 1))
    assert all(c.description for c in categories)


def test_every_tool_in_source_order(toolbox):
    tools = WorkFormTool.objects.select_related("category").order_by("pk")
    assert [(t.code, t.name) for t in tools] == EXPECTED
    for tool in tools:
        number, order = tool.code.split(".")
        assert tool.category.number == int(number)
        assert tool.order == int(order)


def test_tools_have_content(toolbox):
    for tool in WorkFormTool.objects.all():
        assert tool.description.strip(), tool.code
        if tool.code in OVERVIEWS:
            assert tool.when == "" and tool.with_whom == "", tool.code
        else:
            assert tool.when.strip(), tool.code
            assert tool.with_whom.strip(), tool.code


def test_no_urls_addresses_or_phone_numbers(toolbox):
    for tool in WorkFormTool.objects.all():
        for field in TEXT_FIELDS:
            value = getattr(tool, field)
            assert "http" not in value, (tool.code, field)
            assert "www." not in value, (tool.code, field)
            assert "@" not in value, (tool.code, field)
            assert not PHONE.search(value), (tool.code, field)


def test_every_tool_has_an_audience(toolbox):
    for tool in WorkFormTool.objects.prefetch_related("audiences"):
        assert tool.audiences.exists(), tool.code
    assert Audience.objects.filter(tools__isnull=True).count() == 0
    slugs = list(Audience.objects.values_list("slug", flat=True))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)
