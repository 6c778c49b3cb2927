"""Every block of the three Gesprekstafels shows its steps in exactly the source's order (seed 000).

A block's steps are flattened in display order (top-level steps by order, each followed by its
guidance lines and then its sub-points) and each text is looked up in the block's section of the
source, after the previous step's position: a step that is missing or out of place fails.
"""

import re

import pytest
from django.core.management import call_command

from draaiboeken.models import Block, outline
from tests.content.sources import source_path

SOURCE_FILE = source_path("000_f93a68f9c97bb42e.txt")

# The app's deliberate departures from the source wording, as app text -> source text.
# The Inleiding blocks point to the method page instead of pages of the printed booklet.
REPLACED = {"Zie de introductie van de methode.": "Zie de introductieteksten op pagina 3 t/m 5."}

# OCR damage the fixtures repair (see the seeds' README).
REPAIRS = {"cliént": "cliënt", "initiéren": "initiëren", "creéren": "creëren", "zZijn": "zijn"}

SCRIPTS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]
BLOCKS = [(slug, order) for slug in SCRIPTS for order in (1, 2, 3, 4)]

# Where each block stands in the source: (start marker, its occurrence, end marker) spans. The
# three scripts repeat the same headings, so a heading's n-th occurrence belongs to script n; the
# end marker is the first one after the start.
# - Inleiding and the rounds start at their heading and end at the next block's heading.
# - The closing block's heading ("Samenvatten belangrijkste opbrengsten + afsluiting") is a sidebar
#   that the extraction puts after the block's lines: the section runs from its first line to it,
#   and the second round ends where the closing block's first line starts.
# - Gesprekstafel 2, ronde 1: the extraction puts the first question and its lines ("Hoe loopt het
#   onderzoek tot nu toe?" up to "Interactie: …") before the Inleiding of the page, while the
#   round's heading and its opening paragraph ("… antwoorden te formuleren op de onderstaande
#   vragen.") come after it; the section is put together in reading order.
HARVEST = "De gespreksleider somt"


def spans(script_number, block_order):
    if (script_number, block_order) == (2, 2):
        return [
            ("Gesprekstafel – ronde 1", 2, "Dialoogtafel 2:"),
            ("Hoe loopt het onderzoek tot nu toe?", 1, "Inleiding"),
            ("Vervolgens gaan de deelnemers in subgroepjes", 2, "Gesprekstafel – ronde 2"),
        ]
    return [
        {
            1: ("Inleiding", script_number, "Gesprekstafel – ronde 1"),
            2: ("Gesprekstafel – ronde 1", script_number, "Gesprekstafel – ronde 2"),
            3: ("Gesprekstafel – ronde 2", script_number, HARVEST),
            4: (HARVEST, script_number, "Samenvatten belangrijkste opbrengsten"),
        }[block_order]
    ]


def normalise(text):
    """Source and fixture text alike: no bullets, list numbers, tabs or line-break damage."""
    for damaged, repaired in REPAIRS.items():
        text = text.replace(damaged, repaired)
    text = re.sub("[\ue000-\uf8ff]", " ", text)  # bullet glyphs
    text = re.sub(r"(?m)^[ \t]*\d\.[ \t]", " ", text)  # "1.<tab>" list numbers
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)  # hyphenated line breaks
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"/ ", "/", text)  # "gespreksleider/ onderzoeker", "tips/⏎spelregels"
    return text.strip()


def source_text():
    if not SOURCE_FILE.exists():
        pytest.skip(f"source {SOURCE_FILE} not found (set GESPREKSTAFELS_SOURCES)")
    return normalise(SOURCE_FILE.read_text(encoding="utf-8"))


def nth(text, marker, n, start=0):
    position = start - 1
    for _ in range(n):
        position = text.find(marker, position + 1)
        assert position >= 0, f"marker {marker!r} (occurrence {n}) not in the source"
    return position


def section(text, script_number, block_order):
    parts = []
    for start_marker, occurrence, end_marker in spans(script_number, block_order):
        start = nth(text, start_marker, occurrence)
        end = text.find(end_marker, start + len(start_marker))
        assert end > start, f"no {end_marker!r} after {start_marker!r}"
        parts.append(text[start:end])
    return " ".join(parts)


def flattened(block):
    """The block's texts in display order: step, its guidance lines, its sub-points (and theirs)."""
    items = []

    def add(step):
        items.append(step.text)
        items.extend(line for line in step.guidance.splitlines() if line.strip())

    for step, subpoints in outline(block.steps.all()):
        add(step)
        for sub in subpoints:
            add(sub)
    return items


def in_source_wording(text):
    for app_text, source_wording in REPLACED.items():
        text = text.replace(app_text, source_wording)
    return normalise(text)


def assert_in_source_order(items, text):
    position = -1
    for item in items:
        wanted = in_source_wording(item)
        assert wanted in text, f"not in the source: {item!r}"
        found = text.find(wanted, position + 1)
        assert found > position, f"out of the source's order: {item!r}"
        position = found


@pytest.fixture
def library(db):
    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "order"), BLOCKS, ids=[f"{slug}-blok-{order}" for slug, order in BLOCKS])
def test_block_steps_follow_the_source_order(library, slug, order):
    block = Block.objects.select_related("script").get(script__slug=slug, order=order)
    items = flattened(block)
    assert len(items) >= 5, items  # every block has at least five lines in the source

    assert_in_source_order(items, section(source_text(), block.script.order, order))


@pytest.mark.django_db
def test_a_swap_of_two_steps_fails(library):
    """The check itself notices a step out of place (here the WAAROM question and the round's opening)."""
    block = Block.objects.get(script__slug="gesprekstafel-1-start", order=2)
    items = flattened(block)
    text = section(source_text(), 1, 2)
    assert_in_source_order(items, text)

    swapped = [items[1], items[0], *items[2:]]
    with pytest.raises(AssertionError, match="out of the source's order"):
        assert_in_source_order(swapped, text)
