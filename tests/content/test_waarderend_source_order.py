"""Every block of the Waarderende gespreksvoering scripts reads in the order of its source (seed 004).

A block's steps are flattened as the pages show them: top-level steps by `order`, each as its label,
its text and its guidance lines, followed by its sub-points in the same way. Every piece must occur
in the block's section of the normalised source text at strictly increasing positions, and nothing
but the section's heading and a few connecting words may be left over.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from draaiboeken.models import Step, outline
from tests.content.sources import source_path

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "waarderend.json"
SEED = source_path("004_eb01fe552df0fe76.txt")

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"source text {SEED} not found (set GESPREKSTAFELS_SOURCES)")

BULLETS = "•"


def normalise(raw):
    """One line of text: bullet glyphs dropped, whitespace collapsed, words broken at a line end joined."""
    lines = []
    for line in raw.splitlines():
        line = line.replace(BULLETS, " ").strip()
        if line.startswith("o "):  # the sub-bullet of the extraction
            line = line[2:]
        line = " ".join(line.split())
        if line:
            lines.append(line)
    text = ""
    for line in lines:
        if len(text) > 1 and text.endswith("-") and text[-2].isalpha() and line[0].islower():
            text += line  # "flap-" + "over"
        else:
            text += (" " if text else "") + line
    return text


# Per (script, block order): where the script starts in the source, the block's heading, and the
# spans (from, up to) of its section. The introduction round is printed in two columns, variant A
# on the left and variant B on the right, broken across a page: each variant's section is its
# column's two spans. Both variants share the opening and the evaluation.
KENNISMAKING = "Tijdsduur: 1 uur"
TRAINING = "Tijdsduur: 2,5-3 uur"
KICK_OFF = "Tijdsduur: 3-4 uur"
COLUMN_BREAK = "anekdotisch mogelijk vertellen, alsof ze"
COLUMN_B_RESUMES = "Ga in de subgroep om de beurt"

_KENNISMAKING_OPENING = (KENNISMAKING, "15m Welkom heten en opening", "30m Waarderend voorstellen -12")
_KENNISMAKING_EVALUATION = (KENNISMAKING, "15m Evalueren filmronde", "Bijlage:")

SECTIONS = {
    ("waarderende-kennismakingsronde-a", 1): [_KENNISMAKING_OPENING],
    ("waarderende-kennismakingsronde-a", 2): [
        (KENNISMAKING, "30m Waarderend voorstellen -12 personen", "Waarderend voorstellen +12 personen"),
        (KENNISMAKING, COLUMN_BREAK, COLUMN_B_RESUMES),
    ],
    ("waarderende-kennismakingsronde-a", 3): [_KENNISMAKING_EVALUATION],
    ("waarderende-kennismakingsronde-b", 1): [_KENNISMAKING_OPENING],
    ("waarderende-kennismakingsronde-b", 2): [
        (KENNISMAKING, "Waarderend voorstellen +12 personen", COLUMN_BREAK),
        (KENNISMAKING, COLUMN_B_RESUMES, "15m Evalueren filmronde"),
    ],
    ("waarderende-kennismakingsronde-b", 3): [_KENNISMAKING_EVALUATION],
    ("oefenen-een-op-een-contact", 1): [(TRAINING, "15m Welkom heten en opening", "30m Waarderende voorstelronde")],
    ("oefenen-een-op-een-contact", 2): [(TRAINING, "30m Waarderende voorstelronde", "30m Evalueren filmronde")],
    ("oefenen-een-op-een-contact", 3): [(TRAINING, "30m Evalueren filmronde + Minicollege", "15m Pauze")],
    ("oefenen-een-op-een-contact", 4): [(TRAINING, "15m Pauze", "45m Oefenen in subgroepen")],
    ("oefenen-een-op-een-contact", 5): [(TRAINING, "45m Oefenen in subgroepen", "20m Verkennen toepasbaarheid")],
    ("oefenen-een-op-een-contact", 6): [(TRAINING, "20m Verkennen toepasbaarheid", "10m Evaluatie")],
    ("oefenen-een-op-een-contact", 7): [(TRAINING, "10m Evaluatie en vooruitkijken", "Bijlage:")],
    ("kick-off-coalitie", 1): [(KICK_OFF, "15m Welkom heten en opening", "30m Waarderend voorstellen")],
    ("kick-off-coalitie", 2): [(KICK_OFF, "30m Waarderend voorstellen over eigen werk", "15m Waarom is")],
    ("kick-off-coalitie", 3): [(KICK_OFF, "15m Waarom is samenwerken", "60m Ons Waartoe")],
    ("kick-off-coalitie", 4): [(KICK_OFF, "60m Ons Waartoe", "15m Pauze")],
    ("kick-off-coalitie", 5): [(KICK_OFF, "15m Pauze", "30m Ons beeld")],
    ("kick-off-coalitie", 6): [(KICK_OFF, "30m Ons beeld van de toekomst", "45m Elkaar kennen")],
    ("kick-off-coalitie", 7): [(KICK_OFF, "45m Elkaar kennen", "30m Evaluatie")],
    ("kick-off-coalitie", 8): [(KICK_OFF, "30m Evaluatie en vooruitkijken", "https://")],
}

# What a section holds besides its heading and its steps: the words that tie a label to its
# question ("Startvraag is:", "Vraag aan deelnemers:") and the size in the introduction round's headings.
LEFT_OVER = {
    ("waarderende-kennismakingsronde-a", 2): "-12 personen is:",
    ("waarderende-kennismakingsronde-b", 2): "+12 personen is:",
    ("kick-off-coalitie", 7): ":",
}


def load_fixture():
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    scripts = {o["pk"]: o["fields"]["slug"] for o in objects if o["model"] == "draaiboeken.script"}
    blocks = {o["pk"]: o["fields"] for o in objects if o["model"] == "draaiboeken.block"}
    steps = {}
    for o in objects:
        if o["model"] == "draaiboeken.step":
            f = o["fields"]
            step = Step(
                pk=o["pk"],
                block_id=f["block"],
                parent_id=f["parent"],
                order=f["order"],
                kind=f["kind"],
                text=f["text"],
                label=f["label"],
                guidance=f["guidance"],
            )
            steps.setdefault(f["block"], []).append(step)
    return {(scripts[fields["script"]], fields["order"]): (fields, steps.get(pk, [])) for pk, fields in blocks.items()}


BLOCKS = load_fixture()


def source_text():
    return normalise(SEED.read_text(encoding="utf-8")) if SEED.exists() else ""


SOURCE = source_text()


def section(spans):
    parts = []
    for anchor, begin, end in spans:
        start = SOURCE.index(begin, SOURCE.index(anchor))
        parts.append(SOURCE[start : SOURCE.index(end, start + len(begin))].strip())
    return " ".join(parts)


def pieces(steps):
    """The block's texts in display order: label, text and guidance of each step, sub-points after theirs."""
    flat = []
    for step, subpoints in outline(steps):
        for item in (step, *subpoints):
            flat += [item.label] if item.label else []
            flat += [item.text, *(line.strip() for line in item.guidance.splitlines() if line.strip())]
    return flat


def find(text, piece, start):
    """Where `piece` occurs in `text` from `start`; its first letter may differ in case only.

    (A label split off a question leaves its first word capitalised: "Vraag aan deelnemers: kan iemand".)
    """
    pattern = re.escape(piece)
    if piece[:1].isalpha():
        pattern = f"[{piece[0].lower()}{piece[0].upper()}]" + re.escape(piece[1:])
    match = re.compile(pattern).search(text, start)
    return (match.start(), match.end()) if match else None


def heading(fields):
    return f"{fields['minutes']}m {fields['title']}"


def locate(key):
    """The block's section and the (start, end) of each of its pieces, in order; fails on the first miss."""
    fields, steps = BLOCKS[key]
    text = section(SECTIONS[key])
    cursor = len(heading(fields)) if text.startswith(heading(fields)) else len(fields["title"])
    found = []
    for piece in pieces(steps):
        where = find(text, piece, cursor)
        assert where is not None, (
            f"{piece!r} is not in the source section after position {cursor} "
            f"(missing, or out of the source's order): …{text[cursor - 60 : cursor]}|{text[cursor : cursor + 120]}…"
        )
        found.append(where)
        cursor = where[1]
    return text, found


def test_every_block_has_a_section():
    assert set(SECTIONS) == set(BLOCKS)
    assert len(BLOCKS) == 21


@pytest.mark.parametrize("key", sorted(BLOCKS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_the_section_opens_with_the_blocks_heading(key):
    fields, _steps = BLOCKS[key]
    text = section(SECTIONS[key])
    # Variant B's heading stands in the right-hand column, without its minutes.
    assert text.startswith(heading(fields)) or text.startswith(f"{fields['title']} +12 personen")


@pytest.mark.parametrize("key", sorted(BLOCKS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_steps_follow_the_source_order(key):
    _text, found = locate(key)
    starts = [start for start, _end in found]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@pytest.mark.parametrize("key", sorted(BLOCKS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_no_source_text_of_the_block_is_left_out(key):
    fields, _steps = BLOCKS[key]
    text, found = locate(key)
    rest, cursor = [], 0
    for start, end in found:
        rest.append(text[cursor:start])
        cursor = end
    rest.append(text[cursor:])
    left = " ".join(" ".join(rest).split())
    for head in (heading(fields), fields["title"]):
        if left.startswith(head):
            left = left[len(head) :].strip()
            break
    assert left == LEFT_OVER.get(key, "")


def test_normalising_joins_broken_words_and_drops_bullets():
    raw = "• 2-3 succesverhalen verzamelen op flap-\n\nover \no Gezamenlijk clusteren\n\ngaat -of juist \nlaten- waar"
    assert (
        normalise(raw) == "2-3 succesverhalen verzamelen op flap-over Gezamenlijk clusteren gaat -of juist laten- waar"
    )
