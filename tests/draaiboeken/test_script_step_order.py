"""Every step of every script is shown, in the method's order, on the script page and in the handout.

The expected order is read from the fixture files themselves: blocks by order, in each block the
top-level steps by order, each followed by its sub-points by order (pk breaks a tie).
"""

import io
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from draaiboeken.models import Block, Script, Step
from gesprekstafels.lib.templatetags.timing import clock

FIXTURES = ["kader", "werkvormen", "draaiboeken", "waarderend", "samenleergesprek"]
SCRIPT_FIXTURES = ["draaiboeken", "waarderend", "samenleergesprek"]
GESPREKSTAFELS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]
MARKER = re.compile(r'data-step="(\d+)"')


def fixture_objects(name):
    return json.loads((Path(settings.BASE_DIR) / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))


def fixture_outline():
    """{script pk: [(block pk, [step pks in display order])]} from the fixture files."""
    objects = [obj for name in SCRIPT_FIXTURES for obj in fixture_objects(name)]
    blocks = [obj for obj in objects if obj["model"] == "draaiboeken.block"]
    steps = [obj for obj in objects if obj["model"] == "draaiboeken.step"]

    def position(obj):
        return (obj["fields"].get("order", 0), obj["pk"])

    children = {}
    for step in steps:
        children.setdefault(step["fields"].get("parent"), []).append(step)
    by_block = {}
    for step in children.get(None, []):
        by_block.setdefault(step["fields"]["block"], []).append(step)
    scripts = {}
    for block in sorted(blocks, key=position):
        order = []
        for step in sorted(by_block.get(block["pk"], []), key=position):
            order.append(step["pk"])
            order += [child["pk"] for child in sorted(children.get(step["pk"], []), key=position)]
        scripts.setdefault(block["fields"]["script"], []).append((block["pk"], order))
    # Every step of the fixtures is placed exactly once (no orphan, no sub-point of a sub-point).
    placed = [pk for outline in scripts.values() for _, order in outline for pk in order]
    assert sorted(placed) == sorted(step["pk"] for step in steps)
    return scripts


def db_outline(script):
    """The same, read from the database: [(block pk, [step pks in display order])]."""
    outline = []
    for block in Block.objects.filter(script=script).order_by("order", "pk"):
        steps = list(block.steps.order_by("order", "pk"))
        order = []
        for step in (s for s in steps if s.parent_id is None):
            order.append(step.pk)
            order += [child.pk for child in steps if child.parent_id == step.pk]
        outline.append((block.pk, order))
    return outline


class ElementSpans(HTMLParser):
    """The (start, end) offsets in the HTML of every element that carries a given class."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, content, css_class):
        super().__init__(convert_charrefs=False)
        self.css_class = css_class
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", content)]
        self.open = []  # (tag, start offset or None)
        self.spans = []
        self.feed(content)
        self.close()

    def position(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.open.append((tag, self.position() if self.css_class in classes else None))

    def handle_endtag(self, tag):
        while self.open:
            open_tag, start = self.open.pop()
            if start is not None:
                self.spans.append((start, self.position()))
            if open_tag == tag:
                break


def block_sections(content):
    """The script page's HTML cut into its timeline blocks, in page order."""
    spans = sorted(ElementSpans(content, "timeline-block").spans)
    return [content[start:end] for start, end in spans]


def assert_steps_in_order(content, outline, steps):
    """Each block's section holds exactly its steps' markers in this order, each with its own text."""
    sections = block_sections(content)
    blocks = Block.objects.in_bulk([pk for pk, _ in outline])
    assert len(sections) == len(outline)
    for section, (block_pk, order) in zip(sections, outline, strict=True):
        block = blocks[block_pk]
        heading = section[: section.index("</h3>")]
        assert escape(block.title) in heading, block.title
        markers = list(MARKER.finditer(section))
        assert [int(match.group(1)) for match in markers] == order, block.title
        ends = [match.start() for match in markers[1:]] + [len(section)] if markers else []
        for match, end in zip(markers, ends, strict=True):
            step = steps[int(match.group(1))]
            # Its text comes after its own marker and before the next step's.
            assert escape(step.text) in section[match.end() : end], (block.title, step.text)


@pytest.fixture
def full_library(db):
    call_command("loaddata", *(f"fixtures/{name}.json" for name in FIXTURES), verbosity=0)


@pytest.fixture
def logged_in(client, facilitator):
    client.force_login(facilitator)
    return client


def script_slugs():
    return [
        obj["fields"]["slug"]
        for name in SCRIPT_FIXTURES
        for obj in fixture_objects(name)
        if obj["model"] == "draaiboeken.script"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", script_slugs())
def test_the_script_page_shows_every_step_in_the_fixtures_order(logged_in, full_library, slug):
    script = Script.objects.get(slug=slug)
    expected = fixture_outline()[script.pk]
    assert db_outline(script) == expected
    assert sum(len(order) for _, order in expected) == Step.objects.filter(block__script=script).count() > 0

    response = logged_in.get(reverse("scripts:script", args=[slug]))

    assert response.status_code == 200
    content = response.content.decode()
    steps = Step.objects.in_bulk()
    assert_steps_in_order(content, expected, steps)
    # No step marker anywhere else on the page, and none twice.
    shown = [int(pk) for pk in MARKER.findall(content)]
    assert shown == [pk for _, order in expected for pk in order]


def test_the_fixtures_hold_every_script_and_nest_one_level():
    outline = fixture_outline()
    assert len(outline) == len(script_slugs()) == 8
    objects = {
        obj["pk"]: obj
        for name in SCRIPT_FIXTURES
        for obj in fixture_objects(name)
        if obj["model"] == "draaiboeken.step"
    }
    for step in objects.values():
        parent = step["fields"].get("parent")
        if parent is not None:
            assert objects[parent]["fields"].get("parent") is None, step["pk"]
            assert objects[parent]["fields"]["block"] == step["fields"]["block"], step["pk"]


@pytest.mark.django_db
def test_the_page_follows_the_database_when_two_steps_are_swapped(logged_in, full_library):
    script = Script.objects.get(slug=GESPREKSTAFELS[0])
    block = next(b for b in script.blocks.order_by("order") if b.steps.filter(parent=None).count() >= 3)
    first, second = list(block.steps.filter(parent=None).order_by("order", "pk"))[:2]
    before = db_outline(script)
    first.order, second.order = second.order, first.order
    first.save(update_fields=["order"])
    second.save(update_fields=["order"])
    if first.order == second.order:  # equal orders: the pk decides, so make the swap explicit
        Step.objects.filter(pk=first.pk).update(order=second.order + 1)
    after = db_outline(script)
    assert after != before
    moved = dict(after)[block.pk]
    assert moved.index(second.pk) < moved.index(first.pk)

    content = logged_in.get(reverse("scripts:script", args=[script.slug])).content.decode()

    assert_steps_in_order(content, after, Step.objects.in_bulk())
    with pytest.raises(AssertionError):
        assert_steps_in_order(content, before, Step.objects.in_bulk())


# The handout


def compact(text):
    """Text without any whitespace (PDF lines break anywhere), ligatures unfolded."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(response):
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def handout_positions(text, outline, language):
    """Where each step's text sits in the handout, searched block by block in the given order."""
    blocks = Block.objects.in_bulk([pk for pk, _ in outline])
    steps = Step.objects.in_bulk()
    starts, minute = [], 0
    for block_pk, _ in outline:
        starts.append(compact(f"{clock(minute)} {blocks[block_pk].title}"))
        minute += blocks[block_pk].minutes
    heads = []
    for start in starts:
        heads.append(text.index(start, heads[-1] + 1 if heads else 0))
    # The timeline ends with its total ("2:30 End"); the questions by perspective repeat texts after that.
    with translation.override(language):
        end = text.index(compact(f"{clock(minute)} {gettext('End')}"), heads[-1])
    bounds = [*heads[1:], end]
    positions = []
    for (block_pk, order), start, bound in zip(outline, heads, bounds, strict=True):
        cursor = start
        for pk in order:
            needle = compact(steps[pk].text)
            at = text.find(needle, cursor, bound)
            assert at >= 0, (blocks[block_pk].title, steps[pk].text)
            positions.append(at)
            cursor = at + len(needle)
    return positions


@pytest.mark.django_db
@pytest.mark.parametrize("slug", GESPREKSTAFELS)
def test_the_handout_shows_every_step_in_the_fixtures_order(logged_in, full_library, slug):
    script = Script.objects.get(slug=slug)
    expected = fixture_outline()[script.pk]

    response = logged_in.get(reverse("scripts:script_pdf", args=[slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = compact(pdf_text(response))
    positions = handout_positions(text, expected, response.wsgi_request.LANGUAGE_CODE)
    assert positions == sorted(positions)
    assert len(positions) == Step.objects.filter(block__script=script).count()


@pytest.mark.django_db
def test_the_handout_follows_the_database_when_two_steps_are_swapped(logged_in, full_library):
    script = Script.objects.get(slug=GESPREKSTAFELS[2])
    block = next(b for b in script.blocks.order_by("order") if b.steps.filter(parent=None).count() >= 2)
    first, second = list(block.steps.filter(parent=None).order_by("order", "pk"))[:2]
    before = db_outline(script)
    Step.objects.filter(pk=first.pk).update(order=second.order + 1)
    after = db_outline(script)
    assert after != before

    response = logged_in.get(reverse("scripts:script_pdf", args=[script.slug]))

    text, language = compact(pdf_text(response)), response.wsgi_request.LANGUAGE_CODE
    positions = handout_positions(text, after, language)
    assert positions == sorted(positions)
    with pytest.raises(AssertionError):
        handout_positions(text, before, language)
